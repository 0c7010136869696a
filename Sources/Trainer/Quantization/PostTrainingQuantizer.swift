import BMSCore
import FixedPoint
import QuantizedLSTM
import WeightBlob

/// Post-training quantization of a float `ReferenceLSTMModel` into a `.bmsq` `BlobModel`.
///
/// Scheme (Docs/FixedPoint.md): int8 symmetric per-output-row weights
/// (`s_w[r] = max_j |W[r,j]| / 127`), int32 biases on the accumulator scale, fixed Q
/// formats inside the LSTM (gate pre-activations Q4.11, gates and hidden state Q0.15),
/// and scales chosen from calibration (largest |value| seen on the
/// calibration sequences times `headroom`) for the standardised input features (one
/// int16 scale, at least Q3.12's ±8), each LSTM layer's cell state (Q3.12 … Q7.8) and
/// each dense layer's int16 output. Calibration
/// runs the float reference over the sequences.
public struct PostTrainingQuantizer: Sendable {
    /// Factor above the largest calibrated |dense output| that the int16 range covers.
    public var headroom: Double = 1.5

    /// Creates a quantizer.
    public init(headroom: Double = 1.5) { self.headroom = headroom }

    /// What the quantizer saw and chose, for the user and for `Docs/Results.md`.
    public struct Report: Sendable {
        /// Activation ranges of the float model on the calibration data.
        public var ranges: ReferenceActivationRanges
        /// Real value of one LSB of the standardised int16 features (1/4096 = Q3.12 or wider).
        public var featureScale: Double
        /// Real scale of each dense layer's int16 output (value per LSB).
        public var denseOutputScales: [Double]
        /// Calibration steps run.
        public var calibrationSteps: Int
        /// Warnings, e.g. a cell state or feature beyond the Q3.12 range.
        public var warnings: [String]
    }

    /// Quantizes `model`, calibrating on `calibration` (sequences of raw sensor samples,
    /// each run from a reset state).
    public func quantize(_ model: ReferenceLSTMModel, calibration: [[RawSensorSample]])
        throws(QuantizationError) -> (blob: BlobModel, report: Report) {
        let problems = model.problems
        guard problems.isEmpty else { throw .invalidModel(problems) }
        guard calibration.contains(where: { !$0.isEmpty }) else { throw .noCalibrationData }

        let runner = ReferenceLSTMRunner(model: model)
        var steps = 0
        for sequence in calibration where !sequence.isEmpty {
            runner.reset()
            for sample in sequence { _ = runner.step(sample) }
            steps += sequence.count
        }
        let ranges = runner.ranges
        var warnings: [String] = []

        // One int16 scale for all standardised features: Q3.12 (±8) unless calibration saw
        // larger |z| (steps in current give d_current far beyond 8σ), then wider.
        let featureRange = max(8, (ranges.standardizedFeature.max() ?? 0) * headroom)
        let featureScale = featureRange / 32768
        let inputs = try model.features.enumerated().map { n, feature throws(QuantizationError) -> BlobInputScaling in
            let units = Double(feature.rawUnitsPerSIUnit)
            let meanRaw = (model.inputMean[n] * units).rounded()
            guard abs(meanRaw) < 2_000_000_000 else { throw .unrepresentable("mean of \(feature)", meanRaw) }
            let scale = 1 / (model.inputStd[n] * units * featureScale)
            return BlobInputScaling(feature: feature, offsetRaw: Int32(meanRaw),
                                    scale: try requantization(scale, "input scale of \(feature)"))
        }

        var lstm: [BlobLSTMLayer] = []
        var inputScale = featureScale
        for (l, layer) in model.lstmLayers.enumerated() {
            let rows = 4 * layer.hiddenSize
            let (kernel, kernelScales) = quantizeRows(layer.kernel, rows: rows, columns: layer.inputSize)
            let (recurrent, recurrentScales) = quantizeRows(layer.recurrentKernel, rows: rows, columns: layer.hiddenSize)
            var bias: [Int32] = [], inMult: [Int32] = [], inShift: [Int32] = [], recMult: [Int32] = [], recShift: [Int32] = []
            for r in 0..<rows {
                let accumulatorScale = kernelScales[r] * inputScale
                bias.append(try quantizeBias(Double(layer.bias[r]), accumulatorScale, "lstm[\(l)].bias[\(r)]"))
                let x = try requantization(accumulatorScale * 2048, "lstm[\(l)] input rescale row \(r)")
                let h = try requantization(recurrentScales[r] / 32768 * 2048, "lstm[\(l)] recurrent rescale row \(r)")
                inMult.append(x.multiplier); inShift.append(x.shift)
                recMult.append(h.multiplier); recShift.append(h.shift)
            }
            // Cell state Q(15−n).n: the most fraction bits (≤ 12) whose range covers the
            // calibrated |c| times the headroom.
            var cellBits = 12
            while cellBits > 8 && ranges.cellState[l] * headroom >= Double(1 << (15 - cellBits)) { cellBits -= 1 }
            if ranges.cellState[l] * headroom >= Double(1 << (15 - cellBits)) {
                warnings.append("lstm[\(l)] cell state reaches \(ranges.cellState[l]); Q7.8 saturates at 128")
            }
            lstm.append(BlobLSTMLayer(inputSize: layer.inputSize, hiddenSize: layer.hiddenSize, inputKernel: kernel,
                                      recurrentKernel: recurrent, bias: bias, inputMultipliers: inMult,
                                      inputShifts: inShift, recurrentMultipliers: recMult, recurrentShifts: recShift,
                                      cellFractionBits: cellBits))
            inputScale = 1.0 / 32768  // Q0.15 hidden state feeds the next layer
        }

        var dense: [BlobDenseLayer] = []
        var denseScales: [Double] = []
        for (d, layer) in model.denseLayers.enumerated() {
            let largest = ranges.denseOutput[d].max() ?? 0
            let outputScale = max(largest, 1e-6) * headroom / 32767
            let (weight, weightScales) = quantizeRows(layer.weight, rows: layer.outputSize, columns: layer.inputSize)
            var bias: [Int32] = [], mult: [Int32] = [], shift: [Int32] = []
            for r in 0..<layer.outputSize {
                let accumulatorScale = weightScales[r] * inputScale
                bias.append(try quantizeBias(Double(layer.bias[r]), accumulatorScale, "dense[\(d)].bias[\(r)]"))
                let rq = try requantization(accumulatorScale / outputScale, "dense[\(d)] rescale row \(r)")
                mult.append(rq.multiplier); shift.append(rq.shift)
            }
            dense.append(BlobDenseLayer(inputSize: layer.inputSize, outputSize: layer.outputSize,
                                        activation: layer.activation, weight: weight, bias: bias,
                                        multipliers: mult, shifts: shift))
            denseScales.append(outputScale)
            inputScale = outputScale
        }

        // soc[0.01 %] = (y · s_out · (max − min) + min) · 10000
        let socScale = inputScale * (model.outputMax - model.outputMin) * 10_000
        let output = BlobOutputScaling(scale: try requantization(socScale, "output scale"),
                                       offsetCentiPercent: Int32((model.outputMin * 10_000).rounded()))
        var metadata = model.metadata.sorted { $0.key < $1.key }.map { BlobMetadataEntry(key: $0.key, value: $0.value) }
        metadata.append(BlobMetadataEntry(key: "quantization", value: "post-training, \(steps) calibration steps"))
        metadata = metadata.map {
            BlobMetadataEntry(key: $0.key.replacingNewlines("_").replacingEquals("_"), value: $0.value.replacingNewlines(" "))
        }
        let blob = BlobModel(inputs: inputs, output: output, lstmLayers: lstm, denseLayers: dense, metadata: metadata)
        return (blob, Report(ranges: ranges, featureScale: featureScale, denseOutputScales: denseScales, calibrationSteps: steps, warnings: warnings))
    }

    /// Symmetric int8 per row: q = round(w / s), s = max|w| / 127 (1 for an all-zero row).
    func quantizeRows(_ weights: [Float], rows: Int, columns: Int) -> ([Int8], [Double]) {
        var q = [Int8](repeating: 0, count: rows * columns)
        var scales = [Double](repeating: 1, count: rows)
        for r in 0..<rows {
            var largest = 0.0
            for j in 0..<columns { largest = max(largest, abs(Double(weights[r * columns + j]))) }
            let s = largest > 0 ? largest / 127 : 1
            scales[r] = s
            for j in 0..<columns {
                q[r * columns + j] = Int8(max(-127, min(127, (Double(weights[r * columns + j]) / s).rounded())))
            }
        }
        return (q, scales)
    }

    func quantizeBias(_ bias: Double, _ scale: Double, _ name: String) throws(QuantizationError) -> Int32 {
        let q = (bias / scale).rounded()
        guard abs(q) <= Double(BlobLayout.maxAbsBias) else { throw .unrepresentable(name, q) }
        return Int32(q)
    }

    func requantization(_ scale: Double, _ name: String) throws(QuantizationError) -> BlobRequantization {
        guard let q = QuantizedMultiplier(approximating: scale) else { throw .unrepresentable(name, scale) }
        return BlobRequantization(multiplier: q.multiplier, shift: q.shift)
    }
}

/// Why a float model could not be quantized.
public enum QuantizationError: Error, Equatable, CustomStringConvertible {
    /// The float model is inconsistent (sizes, scalers).
    case invalidModel([String])
    /// No calibration samples were given.
    case noCalibrationData
    /// A value has no integer representation in the blob's ranges.
    case unrepresentable(String, Double)

    /// One line a user can act on.
    public var description: String {
        switch self {
        case let .invalidModel(problems): "invalid float model: " + problems.joined(separator: "; ")
        case .noCalibrationData: "no calibration samples: give at least one non-empty sequence"
        case let .unrepresentable(name, value): "\(name) = \(value) cannot be represented in the blob's integer ranges"
        }
    }
}

extension String {
    func replacingNewlines(_ with: String) -> String {
        String(map { $0.isNewline ? Character(with) : $0 })
    }
    func replacingEquals(_ with: String) -> String {
        String(map { $0 == "=" ? Character(with) : $0 })
    }
}
