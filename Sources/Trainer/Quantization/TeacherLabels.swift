import QuantizedLSTM

/// What quantization-aware training fits the fake-quantized network to.
public enum QATTarget: String, Sendable, CaseIterable, Codable {
    /// The reference SOC labels of the data.
    case labels
    /// The parent float model's own streaming outputs (teacher labels): the int8 network
    /// learns to reproduce its float parent, which is what the int8-vs-float goal measures.
    case float
}

/// Targets made by running a float model: its SOC (fraction) at every step of every
/// sequence, each sequence streamed from a reset (`ReferenceLSTMRunner`, Double).
public enum TeacherLabels {
    /// The float model's outputs, one array per sequence; `starts` (one per sequence, or nil)
    /// set each sequence's prior capacity and start SOC as `FakeQuantizedLSTM.prepare` does.
    public static func outputs(of model: ReferenceLSTMModel, sequences: [[RawSensorSample]],
                               starts: [FakeQuantStart]? = nil) -> [[Double]] {
        precondition(starts.map { $0.count == sequences.count } ?? true, "one start per sequence")
        let runner = ReferenceLSTMRunner(model: model)
        let readsStart = model.features.contains(.priorSOC) && model.priorCapacityAh != nil
        return sequences.enumerated().map { n, sequence in
            runner.reset()
            let start = starts?[n] ?? FakeQuantStart()
            // A model without a prior has none to set; otherwise the start's capacity, else its own.
            runner.priorCapacityAh = model.priorCapacityAh.map { own in start.priorCapacityMAh.map { Double($0) / 1000 } ?? own }
            runner.startSOC = readsStart ? Double(start.startSOCCentiPercent ?? StartSOC.fullCentiPercent) / 10_000 : 1
            return sequence.map { runner.step($0) }
        }
    }
}
