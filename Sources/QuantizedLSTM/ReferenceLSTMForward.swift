import RealModule
import WeightBlob

/// The float reference forward pass of a `ReferenceLSTMModel`, streaming like the
/// integer engine (same difference features, same reset semantics), in Double.
///
/// It also records the activation ranges the quantizer calibrates on (`ranges`).
public final class ReferenceLSTMRunner {
    /// The model.
    public let model: ReferenceLSTMModel
    var hidden: [[Double]]
    var cell: [[Double]]
    var previous: (voltageV: Double, currentA: Double)?
    /// Charge drawn since the reset, Ah (trapezoid over `model.stepSeconds`).
    public private(set) var chargeDrawnAh: Double = 0
    /// The capacity the prior counts against and a `priorCapacity` input reads, Ah: the
    /// model's `priorCapacityAh` until changed (the firmware's learned capacity); `reset` keeps it.
    public var priorCapacityAh: Double?
    /// The SOC the prior starts from, a fraction (1 until changed: `s0` of `s0 − q/C`, which a
    /// `priorSOC` input reads); `reset` keeps it.
    public var startSOC: Double = 1
    /// log σ² of the scaled label after the last step, clamped to `ReferenceLSTMModel.logVarianceRange`
    /// (a model with an uncertainty head; nil otherwise or before the first step).
    public private(set) var logVariance: Double?
    /// Largest magnitudes seen since `init` (not cleared by `reset`).
    public private(set) var ranges: ReferenceActivationRanges
    /// When true, `step` accumulates Σ in·inᵀ of every layer's inputs (for the quantizer's
    /// error-compensating rounding); row-major matrices, LSTM input, LSTM recurrent, dense.
    public var collectsSecondMoments = false
    /// Σ x·xᵀ of each LSTM layer's input vector.
    public private(set) var lstmInputMoments: [[Double]] = []
    /// Σ h·hᵀ of each LSTM layer's previous hidden state.
    public private(set) var lstmRecurrentMoments: [[Double]] = []
    /// Σ x·xᵀ of each dense layer's input vector.
    public private(set) var denseInputMoments: [[Double]] = []

    func accumulate(_ moments: inout [[Double]], _ index: Int, _ vector: [Double]) {
        let n = vector.count
        if moments[index].isEmpty { moments[index] = [Double](repeating: 0, count: n * n) }
        for a in 0..<n where vector[a] != 0 {
            for b in 0..<n { moments[index][a * n + b] += vector[a] * vector[b] }
        }
    }

    /// Creates a runner with zero state.
    public init(model: ReferenceLSTMModel) {
        self.model = model
        priorCapacityAh = model.priorCapacityAh
        hidden = model.lstmLayers.map { [Double](repeating: 0, count: $0.hiddenSize) }
        cell = hidden
        ranges = ReferenceActivationRanges(
            standardizedFeature: [Double](repeating: 0, count: model.features.count),
            gatePreActivation: [Double](repeating: 0, count: model.lstmLayers.count),
            cellState: [Double](repeating: 0, count: model.lstmLayers.count),
            denseOutput: model.denseLayers.map { [Double](repeating: 0, count: $0.outputSize) })
    }

    /// Hidden state h per LSTM layer (after the last step).
    public var hiddenState: [[Double]] { hidden }
    /// Cell state c per LSTM layer (after the last step).
    public var cellState: [[Double]] { cell }

    /// Zeroes the states and forgets the previous sample.
    public func reset() {
        for n in hidden.indices {
            hidden[n] = [Double](repeating: 0, count: hidden[n].count)
            cell[n] = hidden[n]
        }
        previous = nil
        chargeDrawnAh = 0
    }

    /// One step from SI readings; returns SOC as a fraction.
    public func step(voltageV: Double, currentA: Double, temperatureC: Double) -> Double {
        let dCurrent = previous.map { currentA - $0.currentA } ?? 0
        let dVoltage = previous.map { voltageV - $0.voltageV } ?? 0
        if let previous, let stepSeconds = model.stepSeconds {
            chargeDrawnAh -= 0.5 * (previous.currentA + currentA) * stepSeconds / 3600
        }
        previous = (voltageV, currentA)
        let prior = priorCapacityAh.map { startSOC - chargeDrawnAh / $0 } ?? 0
        var input = model.features.enumerated().map { n, feature -> Double in
            let raw: Double
            switch feature {
            case .voltage: raw = voltageV
            case .current: raw = currentA
            case .temperature: raw = temperatureC
            case .dCurrent: raw = dCurrent
            case .dVoltage: raw = dVoltage
            case .chargeDrawn: raw = chargeDrawnAh
            case .priorCapacity: raw = priorCapacityAh ?? 0
            case .priorSOC: raw = prior
            }
            let z = (raw - model.inputMean[n]) / model.inputStd[n]
            ranges.standardizedFeature[n] = max(ranges.standardizedFeature[n], abs(z))
            return z
        }
        if collectsSecondMoments && lstmInputMoments.isEmpty {
            lstmInputMoments = Array(repeating: [], count: model.lstmLayers.count)
            lstmRecurrentMoments = lstmInputMoments
            denseInputMoments = Array(repeating: [], count: model.denseLayers.count)
        }
        for (l, layer) in model.lstmLayers.enumerated() {
            let h = layer.hiddenSize
            if collectsSecondMoments {
                accumulate(&lstmInputMoments, l, input)
                accumulate(&lstmRecurrentMoments, l, hidden[l])
            }
            var pre = [Double](repeating: 0, count: 4 * h)
            for r in 0..<(4 * h) {
                var acc = Double(layer.bias[r])
                for j in 0..<layer.inputSize { acc += Double(layer.kernel[r * layer.inputSize + j]) * input[j] }
                for j in 0..<h { acc += Double(layer.recurrentKernel[r * h + j]) * hidden[l][j] }
                pre[r] = acc
                ranges.gatePreActivation[l] = max(ranges.gatePreActivation[l], abs(acc))
            }
            for j in 0..<h {
                let i = sigmoid(pre[j]), f = sigmoid(pre[h + j]), g = Double.tanh(pre[2 * h + j]), o = sigmoid(pre[3 * h + j])
                cell[l][j] = f * cell[l][j] + i * g
                hidden[l][j] = o * Double.tanh(cell[l][j])
                ranges.cellState[l] = max(ranges.cellState[l], abs(cell[l][j]))
            }
            input = hidden[l]
        }
        for (d, layer) in model.denseLayers.enumerated() {
            if collectsSecondMoments { accumulate(&denseInputMoments, d, input) }
            var output = [Double](repeating: 0, count: layer.outputSize)
            for r in 0..<layer.outputSize {
                var acc = Double(layer.bias[r])
                for j in 0..<layer.inputSize { acc += Double(layer.weight[r * layer.inputSize + j]) * input[j] }
                output[r] = layer.activation == .relu ? max(0, acc) : acc
                ranges.denseOutput[d][r] = max(ranges.denseOutput[d][r], abs(output[r]))
            }
            input = output
        }
        if input.count == 2 {
            let range = ReferenceLSTMModel.logVarianceRange
            logVariance = min(max(input[1], range.lowerBound), range.upperBound)
        }
        return input[0] * (model.outputMax - model.outputMin) + model.outputMin + prior
    }

    /// One step from the integer sensor units of the engine (µV, mA, 0.1 °C).
    public func step(_ sample: RawSensorSample) -> Double {
        step(voltageV: Double(sample.voltageUV) / 1e6, currentA: Double(sample.currentMA) / 1e3,
             temperatureC: Double(sample.temperatureDeciC) / 10)
    }

    func sigmoid(_ x: Double) -> Double { 1 / (1 + Double.exp(-x)) }
}

/// Largest magnitudes seen by a `ReferenceLSTMRunner`, per layer / per unit.
public struct ReferenceActivationRanges: Sendable, Equatable {
    /// max |standardised feature| per feature (Q3.12 saturates at 8).
    public var standardizedFeature: [Double]
    /// max |gate pre-activation| per LSTM layer (Q3.12 saturates at 8).
    public var gatePreActivation: [Double]
    /// max |cell state| per LSTM layer (Q3.12 saturates at 8).
    public var cellState: [Double]
    /// max |output| per dense layer and unit.
    public var denseOutput: [[Double]]
}
