import FixedPoint
import QuantizedLSTM
import Quantizer
import RealModule
import WeightBlob

/// The float LSTM run the way the integer engine runs it — int8 per-row weights, int32
/// biases, Q4.11 pre-activations, the engine's sigmoid/tanh tables, the Q(15−n).n cell
/// state, Q0.15 hidden state, int16 dense outputs and the integer output scaling — with
/// gradients for the float weights by backpropagation through time and STE through every
/// rounding.
///
/// The forward pass *is* the integer engine: it uses the blob that
/// `PostTrainingQuantizer.quantize(_:plan:)` makes from the current weights and the same
/// integer operations, so its SOC equals `QuantizedLSTMEngine` on that blob bit for bit
/// (tested). The backward pass is the float LSTM's, evaluated at the quantized values
/// (gates from the tables, dequantized weights ŵ), with zero gradient through a saturated
/// cell state or dense output. With `quantized = false` it is the float reference
/// (`ReferenceLSTMRunner`) with exact gradients, which the gradient-check tests use.
///
/// `update` is not thread-safe; `forward` and `lossAndGradient` only read the shared state and
/// can run on several sequences at once.
public final class FakeQuantizedLSTM: @unchecked Sendable {
    /// The float model (training changes its weights through `update(parameters:)`).
    public private(set) var model: ReferenceLSTMModel
    /// Weight-independent quantization choices (feature scale, cell formats, dense scales).
    public let plan: QuantizationPlan
    /// True: fake-quantized (integer) forward; false: the float reference.
    public let quantized: Bool
    /// The blob of the current weights (plain rounding, `plan`).
    public private(set) var blob: BlobModel
    /// Dequantized weights per parameter tensor (`parameterTensors` order); the float
    /// weights themselves when not `quantized`.
    private(set) var effective: [[Double]] = []
    private let sigmoidTable = ActivationTables.sigmoidQ15
    private let tanhTable = ActivationTables.tanhQ15

    /// Builds the fake-quantized network for `model` under `plan`.
    public init(model: ReferenceLSTMModel, plan: QuantizationPlan, quantized: Bool = true) throws(QuantizationError) {
        self.model = model
        self.plan = plan
        self.quantized = quantized
        blob = try PostTrainingQuantizer().quantize(model, plan: plan)
        refreshEffective()
    }

    /// Replaces the float weights (same shapes) and re-quantizes them.
    public func update(parameters: [[Float]]) throws(QuantizationError) {
        model.setParameterTensors(parameters)
        blob = try PostTrainingQuantizer().quantize(model, plan: plan)
        refreshEffective()
    }

    private func refreshEffective() {
        var out: [[Double]] = []
        for layer in model.lstmLayers {
            let rows = 4 * layer.hiddenSize
            if quantized {
                out.append(FakeQuantization.dequantizedRows(layer.kernel, rows: rows, columns: layer.inputSize))
                out.append(FakeQuantization.dequantizedRows(layer.recurrentKernel, rows: rows, columns: layer.hiddenSize))
            } else {
                out.append(layer.kernel.map(Double.init)); out.append(layer.recurrentKernel.map(Double.init))
            }
            out.append(layer.bias.map(Double.init))
        }
        for layer in model.denseLayers {
            out.append(quantized ? FakeQuantization.dequantizedRows(layer.weight, rows: layer.outputSize,
                                                                    columns: layer.inputSize)
                                 : layer.weight.map(Double.init))
            out.append(layer.bias.map(Double.init))
        }
        effective = out
    }

    /// The engine's and the reference's inputs for one discharge (run from a reset), its
    /// coulomb-count prior counted against `start`'s capacity from `start`'s SOC (the blob's
    /// capacity and a full start by default).
    public func prepare(_ samples: [RawSensorSample], start: FakeQuantStart = FakeQuantStart()) -> FakeQuantSequence {
        let features = blob.inputs
        let f = features.count
        var ints = [Int16](repeating: 0, count: samples.count * f)
        var floats = [Double](repeating: 0, count: samples.count * f)
        var intPrior = [Int64](repeating: 0, count: samples.count)
        var floatPrior = [Double](repeating: 0, count: samples.count)
        let blobPriorMAh = Int32(blob.chargeCounter?.priorCapacityMAh ?? 0)
        let priorMAh = blobPriorMAh > 0 ? start.priorCapacityMAh ?? blobPriorMAh : 0
        // The float reference counts against the model's own capacity unless the run sets one
        // (`QuantizationEvaluation` sets the learned capacity in whole mAh).
        let floatPriorAh = start.priorCapacityMAh.map { Double($0) / 1000 } ?? model.priorCapacityAh
        let reads = blob.readsPriorSOC && priorMAh > 0
        let startCentiPercent = reads ? start.startSOCCentiPercent ?? StartSOC.fullCentiPercent : StartSOC.fullCentiPercent
        let startFraction = Double(startCentiPercent) / 10_000
        var previous: RawSensorSample?
        var chargeAh = 0.0
        // The integer features come from the engine's own front-end (one implementation).
        var frontEnd = IntegerFeatureFrontEnd(model: blob)
        frontEnd.priorCapacityMAh = priorMAh
        frontEnd.startSOCCentiPercent = startCentiPercent
        for (t, sample) in samples.enumerated() {
            ints.withUnsafeMutableBufferPointer { frontEnd.step(sample, into: $0.baseAddress! + t * f) }
            if let previous, let step = model.stepSeconds {
                chargeAh -= 0.5 * (Double(previous.currentMA) / 1e3 + Double(sample.currentMA) / 1e3) * step / 3600
            }
            for (n, scaling) in features.enumerated() {
                let si: Double
                switch scaling.feature {
                case .voltage: si = Double(sample.voltageUV) / 1e6
                case .current: si = Double(sample.currentMA) / 1e3
                case .temperature: si = Double(sample.temperatureDeciC) / 10
                case .dCurrent: si = previous.map { Double(sample.currentMA) / 1e3 - Double($0.currentMA) / 1e3 } ?? 0
                case .dVoltage: si = previous.map { Double(sample.voltageUV) / 1e6 - Double($0.voltageUV) / 1e6 } ?? 0
                case .chargeDrawn: si = chargeAh
                case .priorCapacity: si = floatPriorAh ?? 0
                case .priorSOC: si = floatPriorAh.map { startFraction - chargeAh / $0 } ?? 0
                }
                floats[t * f + n] = (si - model.inputMean[n]) / model.inputStd[n]
            }
            if priorMAh > 0 { intPrior[t] = frontEnd.priorCentiPercent }
            if let prior = floatPriorAh, model.priorCapacityAh != nil { floatPrior[t] = startFraction - chargeAh / prior }
            previous = sample
        }
        return FakeQuantSequence(count: samples.count, integerFeatures: ints, floatFeatures: floats,
                                 integerPrior: intPrior, floatPrior: floatPrior)
    }

    /// SOC (fraction) per step, from a reset.
    public func forward(_ sequence: FakeQuantSequence) -> [Double] {
        var tape = Tape(model: model, steps: sequence.count)
        run(sequence, tape: &tape)
        return tape.soc
    }

    /// Σₜ (socₜ − targetₜ)² and the gradient, for every parameter tensor
    /// (`parameterTensors` order: per LSTM layer kernel, recurrent kernel, bias; per dense
    /// layer weight, bias), of Σₜ |100·dₜ|^p / 100² (p = `exponent`; p = 2 is the squared
    /// error itself, larger p weights the largest errors more).
    public func lossAndGradient(_ sequence: FakeQuantSequence, targets: [Double],
                                exponent p: Double = 2) -> (loss: Double, gradient: [[Double]]) {
        precondition(targets.count == sequence.count, "one target per step")
        var tape = Tape(model: model, steps: sequence.count)
        run(sequence, tape: &tape)
        var loss = 0.0
        var dSoc = [Double](repeating: 0, count: sequence.count)
        for t in 0..<sequence.count {
            let d = tape.soc[t] - targets[t]
            loss += d * d
            dSoc[t] = p == 2 ? 2 * d : p * Double.pow(abs(100 * d), p - 1) * (d < 0 ? -1 : 1) / 100
        }
        return (loss, backward(tape, dSoc: dSoc))
    }

    /// Everything the backward pass needs, real-valued (dequantized in quantized mode).
    struct Tape {
        var lstmInput: [[Double]], hPrev: [[Double]], cPrev: [[Double]], gates: [[Double]]
        var tanhCell: [[Double]], cellPass: [[Double]]
        var denseInput: [[Double]], densePass: [[Double]]
        var soc: [Double]
        init(model: ReferenceLSTMModel, steps t: Int) {
            lstmInput = model.lstmLayers.map { [Double](repeating: 0, count: t * $0.inputSize) }
            hPrev = model.lstmLayers.map { [Double](repeating: 0, count: t * $0.hiddenSize) }
            cPrev = hPrev; tanhCell = hPrev; cellPass = hPrev
            gates = model.lstmLayers.map { [Double](repeating: 0, count: t * 4 * $0.hiddenSize) }
            denseInput = model.denseLayers.map { [Double](repeating: 0, count: t * $0.inputSize) }
            densePass = model.denseLayers.map { [Double](repeating: 0, count: t * $0.outputSize) }
            soc = [Double](repeating: 0, count: t)
        }
    }

    private func run(_ sequence: FakeQuantSequence, tape: inout Tape) {
        if quantized { runInteger(sequence, tape: &tape) } else { runFloat(sequence, tape: &tape) }
    }

    /// The engine's step (`LSTMLayerKernel.step`, `DenseLayerKernel.step`, output scaling),
    /// recording dequantized values.
    private func runInteger(_ sequence: FakeQuantSequence, tape: inout Tape) {
        let f = blob.inputs.count
        var hidden = blob.lstmLayers.map { [Int16](repeating: 0, count: $0.hiddenSize) }
        var cell = hidden
        let q15One = Double(QFormat.gateOne)   // 1.0 in Q0.15 (gates, hidden state)
        let inputScales = [plan.featureScale] + Array(repeating: 1.0 / q15One, count: max(blob.lstmLayers.count - 1, 0))
        let lstmScales = blob.lstmLayers.map { layer in
            (0..<(4 * layer.hiddenSize)).map {
                (QuantizedMultiplier(multiplier: layer.inputMultipliers[$0], shift: layer.inputShifts[$0]),
                 QuantizedMultiplier(multiplier: layer.recurrentMultipliers[$0], shift: layer.recurrentShifts[$0]))
            }
        }
        let denseScales = blob.denseLayers.map { layer in
            (0..<layer.outputSize).map { QuantizedMultiplier(multiplier: layer.multipliers[$0], shift: layer.shifts[$0]) }
        }
        let output = QuantizedMultiplier(multiplier: blob.output.scale.multiplier, shift: blob.output.scale.shift)
        var pre = [Int16](repeating: 0, count: 4 * (blob.lstmLayers.map(\.hiddenSize).max() ?? 1))
        sigmoidTable.withUnsafeBufferPointer { sigmoidBuffer in
        tanhTable.withUnsafeBufferPointer { tanhBuffer in
            let sig = sigmoidBuffer.baseAddress!, tanh = tanhBuffer.baseAddress!
            for t in 0..<sequence.count {
                var input = Array(sequence.integerFeatures[(t * f)..<((t + 1) * f)])
                for (l, layer) in blob.lstmLayers.enumerated() {
                    let i = layer.inputSize, h = layer.hiddenSize, n = Int32(layer.cellFractionBits)
                    for j in 0..<i { tape.lstmInput[l][t * i + j] = Double(input[j]) * inputScales[l] }
                    for j in 0..<h {
                        tape.hPrev[l][t * h + j] = Double(hidden[l][j]) / q15One
                        tape.cPrev[l][t * h + j] = Double(cell[l][j]) / Double(1 << n)
                    }
                    for r in 0..<(4 * h) {
                        var accX = layer.bias[r]
                        for j in 0..<i { accX &+= Int32(layer.inputKernel[r * i + j]) &* Int32(input[j]) }
                        var accH: Int32 = 0
                        for j in 0..<h { accH &+= Int32(layer.recurrentKernel[r * h + j]) &* Int32(hidden[l][j]) }
                        let partX = Int32(lstmScales[l][r].0.applySaturatingInt16(to: accX))
                        let partH = Int32(lstmScales[l][r].1.applySaturatingInt16(to: accH))
                        pre[r] = Saturating.narrowToInt16(partX &+ partH)
                    }
                    let addShift = 30 &- n, toQ3_12 = Int32(1) &<< (12 &- n)
                    for j in 0..<h {
                        let gi = Int32(IntegerActivations.interpolate(sig, pre[j]))
                        let gf = Int32(IntegerActivations.interpolate(sig, pre[h + j]))
                        let gg = Int32(IntegerActivations.interpolate(tanh, Saturating.narrowToInt16(2 &* Int32(pre[2 * h + j]))))
                        let go = Int32(IntegerActivations.interpolate(sig, pre[3 * h + j]))
                        let sum = RoundingShift.right(gf &* Int32(cell[l][j]), by: 15)
                            &+ RoundingShift.right(gi &* gg, by: addShift)
                        let newCell = Saturating.narrowToInt16(sum)
                        let squashed = Int32(IntegerActivations.interpolate(
                            tanh, Saturating.narrowToInt16(Int32(newCell) &* toQ3_12)))
                        cell[l][j] = newCell
                        hidden[l][j] = Saturating.narrowToInt16(RoundingShift.right(go &* squashed, by: 15))
                        let g4 = t * 4 * h
                        tape.gates[l][g4 + j] = Double(gi) / q15One
                        tape.gates[l][g4 + h + j] = Double(gf) / q15One
                        tape.gates[l][g4 + 2 * h + j] = Double(gg) / q15One
                        tape.gates[l][g4 + 3 * h + j] = Double(go) / q15One
                        tape.tanhCell[l][t * h + j] = Double(squashed) / q15One
                        tape.cellPass[l][t * h + j] = Int32(newCell) == sum ? 1 : 0
                    }
                    input = hidden[l]
                }
                var inScale = 1.0 / q15One
                for (d, layer) in blob.denseLayers.enumerated() {
                    let i = layer.inputSize, o = layer.outputSize
                    for j in 0..<i { tape.denseInput[d][t * i + j] = Double(input[j]) * inScale }
                    var out = [Int16](repeating: 0, count: o)
                    for r in 0..<o {
                        var acc = layer.bias[r]
                        for j in 0..<i { acc &+= Int32(layer.weight[r * i + j]) &* Int32(input[j]) }
                        let wide = denseScales[d][r].applyWide(to: acc)
                        let value = Saturating.narrowToInt16(wide)
                        let relu = layer.activation == .relu
                        out[r] = relu && value < 0 ? 0 : value
                        tape.densePass[d][t * o + r] = (Int64(value) == wide && !(relu && value < 0)) ? 1 : 0
                    }
                    input = out
                    inScale = plan.denseOutputScales[d]
                }
                var wide = output.applyWide(to: Int32(input[0])) &+ Int64(blob.output.offsetCentiPercent)
                wide &+= sequence.integerPrior[t]
                tape.soc[t] = Double(Saturating.narrowToInt32(wide)) / 10_000
            }
        }
        }
    }

    /// The float reference (`ReferenceLSTMRunner.step`), recording the same values.
    private func runFloat(_ sequence: FakeQuantSequence, tape: inout Tape) {
        let f = model.features.count
        var hidden = model.lstmLayers.map { [Double](repeating: 0, count: $0.hiddenSize) }
        var cell = hidden
        for t in 0..<sequence.count {
            var input = Array(sequence.floatFeatures[(t * f)..<((t + 1) * f)])
            var p = 0
            for (l, layer) in model.lstmLayers.enumerated() {
                let i = layer.inputSize, h = layer.hiddenSize
                let wx = effective[p], wh = effective[p + 1], b = effective[p + 2]
                p += 3
                for j in 0..<i { tape.lstmInput[l][t * i + j] = input[j] }
                for j in 0..<h { tape.hPrev[l][t * h + j] = hidden[l][j]; tape.cPrev[l][t * h + j] = cell[l][j] }
                var pre = [Double](repeating: 0, count: 4 * h)
                for r in 0..<(4 * h) {
                    var acc = b[r]
                    for j in 0..<i { acc += wx[r * i + j] * input[j] }
                    for j in 0..<h { acc += wh[r * h + j] * hidden[l][j] }
                    pre[r] = acc
                }
                for j in 0..<h {
                    let gi = 1 / (1 + (-pre[j]).expValue), gf = 1 / (1 + (-pre[h + j]).expValue)
                    let gg = pre[2 * h + j].tanhValue, go = 1 / (1 + (-pre[3 * h + j]).expValue)
                    cell[l][j] = gf * cell[l][j] + gi * gg
                    let tc = cell[l][j].tanhValue
                    hidden[l][j] = go * tc
                    let g4 = t * 4 * h
                    tape.gates[l][g4 + j] = gi; tape.gates[l][g4 + h + j] = gf
                    tape.gates[l][g4 + 2 * h + j] = gg; tape.gates[l][g4 + 3 * h + j] = go
                    tape.tanhCell[l][t * h + j] = tc
                    tape.cellPass[l][t * h + j] = 1
                }
                input = hidden[l]
            }
            for (d, layer) in model.denseLayers.enumerated() {
                let i = layer.inputSize, o = layer.outputSize
                let w = effective[p], b = effective[p + 1]
                p += 2
                for j in 0..<i { tape.denseInput[d][t * i + j] = input[j] }
                var out = [Double](repeating: 0, count: o)
                for r in 0..<o {
                    var acc = b[r]
                    for j in 0..<i { acc += w[r * i + j] * input[j] }
                    let relu = layer.activation == .relu
                    out[r] = relu ? max(0, acc) : acc
                    tape.densePass[d][t * o + r] = relu && acc < 0 ? 0 : 1
                }
                input = out
            }
            tape.soc[t] = input[0] * (model.outputMax - model.outputMin) + model.outputMin + sequence.floatPrior[t]
        }
    }
}

private extension Double {
    var expValue: Double { Double.exp(self) }
    var tanhValue: Double { Double.tanh(self) }
}
