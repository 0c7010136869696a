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
/// calibration sequences times a headroom) for the standardised input features (one
/// int16 scale, at least Q3.12's ±8), each LSTM layer's cell state (Q3.12 … Q7.8) and
/// each dense layer's int16 output. Calibration
/// runs the float reference over the sequences.
public struct PostTrainingQuantizer: Sendable {
    /// Factor above the largest calibrated |dense output| that the int16 range covers.
    public var headroom: Double = 1.5
    /// Factor above the largest calibrated |dense output|: larger, because a dense output
    /// that leaves the calibrated range saturates the whole prediction, while int16 keeps
    /// ≥ 13 bits of resolution even at 4×.
    public var denseHeadroom: Double = 4

    /// Error-compensating rounding (GPTQ-style): weights of a row are rounded one at a
    /// time and each rounding error is pushed onto the row's not-yet-rounded weights in
    /// proportion to the calibration inputs' correlation, minimising E[(Ŵx − Wx)²]
    /// instead of |Ŵ − W|.
    public var errorCompensation: Bool = true

    /// Cell-state fraction bits n (Q(15−n).n) for every LSTM layer, 8…12; nil: the most
    /// bits whose range covers the calibrated |c| times `headroom` (per layer). A forced
    /// value saturates cells beyond ±2^(15−n) (a warning says so); quantization-aware
    /// training can then learn to live with the chosen format.
    public var cellFractionBits: Int?

    /// Creates a quantizer.
    public init(headroom: Double = 1.5, denseHeadroom: Double = 4, errorCompensation: Bool = true,
                cellFractionBits: Int? = nil) {
        self.headroom = headroom
        self.denseHeadroom = denseHeadroom
        self.errorCompensation = errorCompensation
        self.cellFractionBits = cellFractionBits
    }

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
        /// The weight-independent choices, to quantize fine-tuned weights the same way.
        public var plan: QuantizationPlan {
            QuantizationPlan(featureScale: featureScale, cellFractionBits: cellFractionBits,
                             denseOutputScales: denseOutputScales)
        }
        /// Chosen cell fraction bits per LSTM layer.
        public var cellFractionBits: [Int]
    }

    /// Quantizes `model`, calibrating on `calibration` (sequences of raw sensor samples,
    /// each run from a reset state); `priorCapacitiesAh` gives each sequence's prior capacity
    /// (a model trained with a learned prior), else the model's is used; `startSOCs` each
    /// sequence's start SOC for a model that reads the prior SOC (`StartSOCs`; nil: from full).
    public func quantize(_ model: ReferenceLSTMModel, calibration: [[RawSensorSample]],
                         priorCapacitiesAh: [Double]? = nil, startSOCs: [Double?]? = nil)
        throws(QuantizationError) -> (blob: BlobModel, report: Report) {
        let problems = model.problems
        guard problems.isEmpty else { throw .invalidModel(problems) }
        guard calibration.contains(where: { !$0.isEmpty }) else { throw .noCalibrationData }

        let runner = ReferenceLSTMRunner(model: model)
        runner.collectsSecondMoments = errorCompensation
        var steps = 0
        precondition(priorCapacitiesAh.map { $0.count == calibration.count } ?? true, "one prior capacity per sequence")
        precondition(startSOCs.map { $0.count == calibration.count } ?? true, "one start SOC per sequence")
        for (n, sequence) in calibration.enumerated() where !sequence.isEmpty {
            runner.reset()
            runner.priorCapacityAh = priorCapacitiesAh?[n] ?? model.priorCapacityAh
            let centiPercent = model.features.contains(.priorSOC) ? StartSOCs.centiPercent(startSOCs?[n]) : nil
            runner.startSOC = centiPercent.map { Double($0) / 10_000 } ?? 1
            for sample in sequence { _ = runner.step(sample) }
            steps += sequence.count
        }
        let ranges = runner.ranges
        var warnings: [String] = []

        // One int16 scale for all standardised features: Q3.12 (±8) unless calibration saw
        // larger |z| (steps in current give d_current far beyond 8σ), then wider.
        let featureRange = max(8, (ranges.standardizedFeature.max() ?? 0) * headroom)
        var cellBits: [Int] = []
        for l in model.lstmLayers.indices {
            // Cell state Q(15−n).n: the most fraction bits (≤ 12) whose range covers the
            // calibrated |c| times the headroom, unless `cellFractionBits` fixes n.
            var bits = 12
            if let forced = cellFractionBits {
                let bitsRange = QFormat.cellFractionBitsRange
                guard bitsRange.contains(forced) else {
                    throw .unrepresentable("cell fraction bits (\(bitsRange.lowerBound)…\(bitsRange.upperBound))", Double(forced))
                }
                bits = forced
            } else {
                while bits > 8 && ranges.cellState[l] * headroom >= Double(1 << (15 - bits)) { bits -= 1 }
            }
            if ranges.cellState[l] >= Double(1 << (15 - bits)) || (cellFractionBits == nil
                && ranges.cellState[l] * headroom >= Double(1 << (15 - bits))) {
                warnings.append("lstm[\(l)] cell state reaches \(ranges.cellState[l]); "
                                + "Q\(15 - bits).\(bits) saturates at \(1 << (15 - bits))")
            }
            cellBits.append(bits)
        }
        // An uncertainty head's row 1 (log σ²) has its own fixed Q4.11 scale: the last layer's
        // int16 scale is calibrated on row 0, the SOC output, alone.
        let denseScales = model.denseLayers.indices.map { d in
            let rows = model.hasUncertaintyHead && d == model.denseLayers.count - 1
                ? Array(ranges.denseOutput[d].prefix(1)) : ranges.denseOutput[d]
            return max(rows.max() ?? 0, 1e-6) * denseHeadroom / 32767
        }
        let plan = QuantizationPlan(featureScale: featureRange / Self.q15One, cellFractionBits: cellBits,
                                    denseOutputScales: denseScales)
        let (blob, assemblyWarnings) = try assemble(model, plan: plan, runner: errorCompensation ? runner : nil,
                                                    note: "post-training, \(steps) calibration steps")
        warnings += assemblyWarnings
        return (blob, Report(ranges: ranges, featureScale: plan.featureScale, denseOutputScales: denseScales,
                             calibrationSteps: steps, warnings: warnings, cellFractionBits: cellBits))
    }

    /// Quantizes `model` with fixed weight-independent choices (`plan`, e.g. a calibrated
    /// report's) and plain round-to-nearest weights: what quantization-aware training
    /// simulates, so its fake-quantized forward pass equals the engine on this blob.
    public func quantize(_ model: ReferenceLSTMModel, plan: QuantizationPlan,
                         note: String = "fixed plan, round-to-nearest weights") throws(QuantizationError) -> BlobModel {
        let problems = model.problems
        guard problems.isEmpty else { throw .invalidModel(problems) }
        guard plan.cellFractionBits.count == model.lstmLayers.count,
              plan.denseOutputScales.count == model.denseLayers.count,
              plan.cellFractionBits.allSatisfy(QFormat.cellFractionBitsRange.contains),
              plan.featureScale > 0, plan.featureScale.isFinite,
              plan.denseOutputScales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .invalidModel(["quantization plan does not fit the model's layers"])
        }
        return try assemble(model, plan: plan, runner: nil, note: note).blob
    }

    /// Builds the blob: per-row int8 weights (error-compensating when `runner` holds
    /// second moments), biases and rescale multipliers for the plan's scales.
    func assemble(_ model: ReferenceLSTMModel, plan: QuantizationPlan, runner: ReferenceLSTMRunner?,
                  note: String) throws(QuantizationError) -> (blob: BlobModel, warnings: [String]) {
        var warnings: [String] = []
        let featureScale = plan.featureScale
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
            let (kernel, kernelScales) = quantizeRows(layer.kernel, rows: rows, columns: layer.inputSize,
                                                      moments: runner?.lstmInputMoments[l])
            let (recurrent, recurrentScales) = quantizeRows(layer.recurrentKernel, rows: rows, columns: layer.hiddenSize,
                                                            moments: runner?.lstmRecurrentMoments[l])
            var bias: [Int32] = [], inMult: [Int32] = [], inShift: [Int32] = [], recMult: [Int32] = [], recShift: [Int32] = []
            for r in 0..<rows {
                let accumulatorScale = kernelScales[r] * inputScale
                bias.append(try quantizeBias(Double(layer.bias[r]), accumulatorScale, "lstm[\(l)].bias[\(r)]"))
                let x = try requantization(accumulatorScale * Self.q11One, "lstm[\(l)] input rescale row \(r)")
                let h = try requantization(recurrentScales[r] / Self.q15One * Self.q11One,
                                           "lstm[\(l)] recurrent rescale row \(r)")
                inMult.append(x.multiplier); inShift.append(x.shift)
                recMult.append(h.multiplier); recShift.append(h.shift)
            }
            lstm.append(BlobLSTMLayer(inputSize: layer.inputSize, hiddenSize: layer.hiddenSize, inputKernel: kernel,
                                      recurrentKernel: recurrent, bias: bias, inputMultipliers: inMult,
                                      inputShifts: inShift, recurrentMultipliers: recMult, recurrentShifts: recShift,
                                      cellFractionBits: plan.cellFractionBits[l]))
            inputScale = 1.0 / Self.q15One  // Q0.15 hidden state feeds the next layer
        }

        var dense: [BlobDenseLayer] = []
        for (d, layer) in model.denseLayers.enumerated() {
            let outputScale = plan.denseOutputScales[d]
            let (weight, weightScales) = quantizeRows(layer.weight, rows: layer.outputSize, columns: layer.inputSize,
                                                      moments: runner?.denseInputMoments[d])
            var bias: [Int32] = [], mult: [Int32] = [], shift: [Int32] = []
            let isHead = model.hasUncertaintyHead && d == model.denseLayers.count - 1
            for r in 0..<layer.outputSize {
                let accumulatorScale = weightScales[r] * inputScale
                bias.append(try quantizeBias(Double(layer.bias[r]), accumulatorScale, "dense[\(d)].bias[\(r)]"))
                // row 1 of an uncertainty head: log σ² straight to Q4.11 (BlobUncertaintyHead)
                let rowScale = isHead && r == 1 ? Self.logVarianceLSB : outputScale
                let rq = try requantization(accumulatorScale / rowScale, "dense[\(d)] rescale row \(r)")
                mult.append(rq.multiplier); shift.append(rq.shift)
            }
            dense.append(BlobDenseLayer(inputSize: layer.inputSize, outputSize: layer.outputSize,
                                        activation: layer.activation, weight: weight, bias: bias,
                                        multipliers: mult, shifts: shift))
            inputScale = outputScale
        }

        // soc[0.01 %] = (y · s_out · (max − min) + min) · 10000
        let socScale = inputScale * (model.outputMax - model.outputMin) * 10_000
        let output = BlobOutputScaling(scale: try requantization(socScale, "output scale"),
                                       offsetCentiPercent: Int32((model.outputMin * 10_000).rounded()))
        var metadata = model.metadata.sorted { $0.key < $1.key }.map { BlobMetadataEntry(key: $0.key, value: $0.value) }
        metadata.append(BlobMetadataEntry(key: "quantization", value: note))
        metadata = metadata.map {
            BlobMetadataEntry(key: $0.key.replacingNewlines("_").replacingEquals("_"), value: $0.value.replacingNewlines(" "))
        }
        var blob = BlobModel(inputs: inputs, output: output, lstmLayers: lstm, denseLayers: dense, metadata: metadata)
        if model.hasUncertaintyHead {
            let span = ((model.outputMax - model.outputMin) * 1_000_000).rounded()
            guard let ppm = Int32(exactly: span), BlobUncertaintyHead.labelSpanPPMRange.contains(ppm) else {
                throw .unrepresentable("label span (ppm) of the uncertainty head", span)
            }
            blob.uncertaintyHead = BlobUncertaintyHead(labelSpanPPM: ppm)
        }
        if model.features.contains(.chargeDrawn), let step = model.stepSeconds {
            // `problems` checked: the step is a whole number in 1…3600 and the prior positive.
            var priorMAh: Int?
            if let prior = model.priorCapacityAh {
                let mAh = (prior * 1000).rounded()
                guard mAh >= 1, mAh <= Double(BlobChargeCounter.priorCapacityRange.upperBound) else {
                    throw .unrepresentable("prior capacity (mAh)", mAh)
                }
                if mAh != prior * 1000 {
                    warnings.append("prior capacity \(prior) Ah rounded to \(Int(mAh)) mAh in the blob")
                }
                priorMAh = Int(mAh)
            }
            blob.chargeCounter = BlobChargeCounter(stepSeconds: Int(step), priorCapacityMAh: priorMAh)
        }
        return (blob, warnings)
    }

    /// Symmetric int8 per row with error compensation: H = Σxxᵀ (+1 % of its mean diagonal),
    /// U = the upper Cholesky factor of H⁻¹; for j in order, q_j = round(w_j / s) and the
    /// remaining w_k (k > j) absorb (w_j − q_j·s)·U[j,k]/U[j,j]. Falls back to plain
    /// rounding when there are no moments or H⁻¹ is not positive definite.
    func quantizeRows(_ weights: [Float], rows: Int, columns: Int, moments: [Double]?) -> ([Int8], [Double]) {
        guard let moments, moments.count == columns * columns,
              let upper = Self.upperCholeskyOfInverse(moments, columns) else {
            return quantizeRows(weights, rows: rows, columns: columns)
        }
        var q = [Int8](repeating: 0, count: rows * columns)
        var scales = [Double](repeating: 1, count: rows)
        for r in 0..<rows {
            var w = (0..<columns).map { Double(weights[r * columns + $0]) }
            let largest = w.map(abs).max() ?? 0
            let s = largest > 0 ? largest / 127 : 1
            scales[r] = s
            for j in 0..<columns {
                let qj = max(-127, min(127, (w[j] / s).rounded()))
                q[r * columns + j] = Int8(qj)
                let error = (w[j] - qj * s) / upper[j * columns + j]
                for k in (j + 1)..<max(j + 1, columns) { w[k] -= error * upper[j * columns + k] }
            }
        }
        return (q, scales)
    }

    /// Upper-triangular U with Uᵀ·U = (H + δI)⁻¹, δ = 1 % of H's mean diagonal; nil if not
    /// positive definite.
    static func upperCholeskyOfInverse(_ moments: [Double], _ n: Int) -> [Double]? {
        var h = moments
        let damp = 0.01 * max((0..<n).reduce(0.0) { $0 + h[$1 * n + $1] } / Double(n), 1e-12)
        for i in 0..<n { h[i * n + i] += damp }
        // Inverse by Gauss–Jordan with partial pivoting.
        var inv = [Double](repeating: 0, count: n * n)
        for i in 0..<n { inv[i * n + i] = 1 }
        for c in 0..<n {
            var pivot = c
            for r in c..<n where abs(h[r * n + c]) > abs(h[pivot * n + c]) { pivot = r }
            guard abs(h[pivot * n + c]) > 1e-300 else { return nil }
            if pivot != c {
                for k in 0..<n { h.swapAt(c * n + k, pivot * n + k); inv.swapAt(c * n + k, pivot * n + k) }
            }
            let d = h[c * n + c]
            for k in 0..<n { h[c * n + k] /= d; inv[c * n + k] /= d }
            for r in 0..<n where r != c {
                let f = h[r * n + c]
                if f == 0 { continue }
                for k in 0..<n { h[r * n + k] -= f * h[c * n + k]; inv[r * n + k] -= f * inv[c * n + k] }
            }
        }
        // Upper Cholesky: inv = Uᵀ U.
        var u = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            var diag = inv[i * n + i]
            for k in 0..<i { diag -= u[k * n + i] * u[k * n + i] }
            guard diag > 0 else { return nil }
            u[i * n + i] = diag.squareRoot()
            for j in (i + 1)..<max(i + 1, n) {
                var v = inv[i * n + j]
                for k in 0..<i { v -= u[k * n + i] * u[k * n + j] }
                u[i * n + j] = v / u[i * n + i]
            }
        }
        return u
    }

    /// Symmetric int8 per row: q = round(w / s), s = max|w| / 127 (1 for an all-zero row).
    /// Package-level: quantization-aware training fake-quantizes weights with it.
    package func quantizeRows(_ weights: [Float], rows: Int, columns: Int) -> ([Int8], [Double]) {
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

    /// 1.0 in Q0.15 (gates, hidden state) and in Q4.11 (gate pre-activations), as `Double`.
    static let q15One = Double(QFormat.gateOne), q11One = Double(QFormat.preActivationOne)
    /// One LSB of the uncertainty head's log σ² (Q4.11).
    static let logVarianceLSB = 1 / Double(1 << BlobUncertaintyHead.logVarianceFractionBits)

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

extension String {
    func replacingNewlines(_ with: String) -> String {
        String(map { $0.isNewline ? Character(with) : $0 })
    }
    func replacingEquals(_ with: String) -> String {
        String(map { $0 == "=" ? Character(with) : $0 })
    }
}
