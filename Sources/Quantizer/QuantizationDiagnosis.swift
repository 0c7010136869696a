import FixedPoint
import QuantizedLSTM
import WeightBlob

/// Where a quantized model departs from its float parent: the discharges with the largest
/// |int8 − float|, the step where each separates, the hidden units that carry the
/// difference to the output, and which stage of quantization causes it (weight rounding per
/// tensor in float arithmetic, or the integer arithmetic with the rounded weights).
///
/// A desktop diagnostic (`bmsim quantize --evaluate --worst N`): it allocates per step.
public struct QuantizationDiagnosis: Sendable {
    /// One hidden unit's share of the output difference at a step.
    public struct UnitContribution: Sendable, Equatable {
        /// Unit index in the last LSTM layer.
        public var unit: Int
        /// Its contribution to int8 − float, SOC points: w_eff · (h_int8 − h_float), w_eff the
        /// product of the dense weights (exact for linear dense layers).
        public var socPoints: Double
        /// Float hidden state h.
        public var floatHidden: Double
        /// int8 hidden state h − float h.
        public var hiddenDelta: Double
        /// Float cell state c.
        public var floatCell: Double
        /// int8 cell state c − float c.
        public var cellDelta: Double
    }

    /// One discharge's largest difference.
    public struct Worst: Sendable, Equatable {
        /// Index of the sequence.
        public var sequence: Int
        /// Steps in the sequence.
        public var steps: Int
        /// Step of the largest |int8 − float|.
        public var step: Int
        /// First step where |int8 − float| reaches half of its largest value.
        public var separationStep: Int
        /// Float SOC at `step`, points.
        public var float: Double
        /// int8 SOC at `step`, points.
        public var integer: Double
        /// Units ordered by |contribution| at `step` (the largest few).
        public var units: [UnitContribution]
        /// |int8 − float| at `step`.
        public var absDelta: Double { abs(integer - float) }
    }

    /// One stage of quantization and the difference it alone makes.
    public struct Stage: Sendable, Equatable {
        /// What differs from the float parent.
        public var name: String
        /// Mean |Δ| against the float parent (or, for the arithmetic stage, against the float
        /// model with the rounded weights), SOC points.
        public var meanAbsDeltaPercent: Double
        /// Max |Δ|, SOC points.
        public var maxAbsDeltaPercent: Double
    }

    /// The worst discharges, largest |Δ| first.
    public var worst: [Worst]
    /// Stage attribution over all sequences.
    public var stages: [Stage]

    /// Diagnoses `blob` (quantized from `model`) on `sequences` (each streamed from a
    /// reset), keeping the `count` worst discharges and `unitsShown` units of each.
    public static func run(float model: ReferenceLSTMModel, blob: BlobModel, sequences: [[RawSensorSample]],
                           count: Int, unitsShown: Int = 3) throws(QuantizationError) -> QuantizationDiagnosis {
        let rounded = try model.withDequantizedWeights(of: blob)
        var stages: [Stage] = []
        func stage(_ name: String, _ variant: ReferenceLSTMModel, against base: ReferenceLSTMModel) {
            let (mean, max) = floatDelta(variant, base, sequences)
            stages.append(Stage(name: name, meanAbsDeltaPercent: mean, maxAbsDeltaPercent: max))
        }
        let all = QuantizationEvaluation.run(float: model, blob: blob, sequences: sequences)
        stages.append(Stage(name: "int8 engine (everything)", meanAbsDeltaPercent: all.meanAbsDeltaPercent,
                            maxAbsDeltaPercent: all.maxAbsDeltaPercent))
        stage("int8 weights, float arithmetic (all weight tensors rounded)", rounded, against: model)
        for l in model.lstmLayers.indices {
            var kernelOnly = model, recurrentOnly = model
            kernelOnly.lstmLayers[l].kernel = rounded.lstmLayers[l].kernel
            recurrentOnly.lstmLayers[l].recurrentKernel = rounded.lstmLayers[l].recurrentKernel
            stage("lstm[\(l)] input kernel rounded only", kernelOnly, against: model)
            stage("lstm[\(l)] recurrent kernel rounded only", recurrentOnly, against: model)
        }
        for d in model.denseLayers.indices {
            var denseOnly = model
            denseOnly.denseLayers[d].weight = rounded.denseLayers[d].weight
            stage("dense[\(d)] weights rounded only", denseOnly, against: model)
        }
        let arithmetic = QuantizationEvaluation.run(float: rounded, blob: blob, sequences: sequences)
        stages.append(Stage(name: "integer arithmetic only (int8 engine vs float with the int8 weights)",
                            meanAbsDeltaPercent: arithmetic.meanAbsDeltaPercent,
                            maxAbsDeltaPercent: arithmetic.maxAbsDeltaPercent))

        var worst: [Worst] = []
        for (n, sequence) in sequences.enumerated() where !sequence.isEmpty {
            let (floats, ints) = trajectories(model, blob, sequence)
            let deltas = zip(floats, ints).map { abs($0 - $1) }
            let peak = deltas.indices.max { deltas[$0] < deltas[$1] } ?? 0
            let separation = deltas.firstIndex { $0 >= deltas[peak] / 2 } ?? peak
            worst.append(Worst(sequence: n, steps: sequence.count, step: peak, separationStep: separation,
                               float: floats[peak], integer: ints[peak], units: []))
        }
        worst.sort { $0.absDelta > $1.absDelta }
        worst = Array(worst.prefix(max(count, 0)))
        for k in worst.indices {
            worst[k].units = Array(units(model, blob, sequences[worst[k].sequence], at: worst[k].step).prefix(unitsShown))
        }
        return QuantizationDiagnosis(worst: worst, stages: stages)
    }

    /// Mean and max |a − b| (SOC points) of two float models over the sequences.
    static func floatDelta(_ a: ReferenceLSTMModel, _ b: ReferenceLSTMModel,
                           _ sequences: [[RawSensorSample]]) -> (Double, Double) {
        let ra = ReferenceLSTMRunner(model: a), rb = ReferenceLSTMRunner(model: b)
        var sum = 0.0, largest = 0.0, steps = 0
        for sequence in sequences {
            ra.reset(); rb.reset()
            for sample in sequence {
                let d = abs(ra.step(sample) - rb.step(sample)) * 100
                sum += d; largest = max(largest, d); steps += 1
            }
        }
        return (sum / Double(max(steps, 1)), largest)
    }

    /// Float and int8 SOC (points) per step of one sequence.
    static func trajectories(_ model: ReferenceLSTMModel, _ blob: BlobModel,
                             _ sequence: [RawSensorSample]) -> ([Double], [Double]) {
        let reference = ReferenceLSTMRunner(model: model), engine = QuantizedLSTMEngine(model: blob)
        var floats: [Double] = [], ints: [Double] = []
        for sample in sequence {
            floats.append(reference.step(sample) * 100)
            ints.append(Double(engine.step(sample)) / 100)
        }
        return (floats, ints)
    }

    /// The last LSTM layer's units at `step`, ordered by |contribution| to int8 − float.
    /// The contribution goes through the dense head linearised: the product of the dense
    /// weight matrices times the output span (exact for linear dense layers).
    static func units(_ model: ReferenceLSTMModel, _ blob: BlobModel, _ sequence: [RawSensorSample],
                      at step: Int) -> [UnitContribution] {
        guard let last = model.lstmLayers.last, let lastBlob = blob.lstmLayers.last else { return [] }
        let reference = ReferenceLSTMRunner(model: model), engine = QuantizedLSTMEngine(model: blob)
        for sample in sequence[...step] {
            _ = reference.step(sample)
            _ = engine.step(sample)
        }
        let h = last.hiddenSize
        let floatHidden = reference.hiddenState.last ?? [], floatCell = reference.cellState.last ?? []
        let snapshot = engine.stateSnapshot
        let offset = snapshot.count - 2 * h
        let cellScale = Double(1 << lastBlob.cellFractionBits)
        // Effective linear map from the last hidden state to the output (scaled units).
        var map = (0..<h).map { j in (0..<h).map { $0 == j ? 1.0 : 0.0 } }
        for layer in model.denseLayers {
            map = map.map { e in
                (0..<layer.outputSize).map { r in
                    (0..<layer.inputSize).reduce(0.0) { $0 + Double(layer.weight[r * layer.inputSize + $1]) * e[$1] }
                }
            }
        }
        let span = (model.outputMax - model.outputMin) * 100
        return (0..<h).map { j in
            let hInt = Double(snapshot[offset + j]) / Double(QFormat.gateOne)
            let cInt = Double(snapshot[offset + h + j]) / cellScale
            let dh = hInt - floatHidden[j]
            return UnitContribution(unit: j, socPoints: (map[j].first ?? 0) * dh * span, floatHidden: floatHidden[j],
                                    hiddenDelta: dh, floatCell: floatCell[j], cellDelta: cInt - floatCell[j])
        }.sorted { abs($0.socPoints) > abs($1.socPoints) }
    }
}
