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
    /// The float model's outputs, one array per sequence.
    public static func outputs(of model: ReferenceLSTMModel, sequences: [[RawSensorSample]]) -> [[Double]] {
        let runner = ReferenceLSTMRunner(model: model)
        return sequences.map { sequence in
            runner.reset()
            return sequence.map { runner.step($0) }
        }
    }
}
