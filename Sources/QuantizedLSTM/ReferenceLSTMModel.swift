import BMSCore
import WeightBlob

/// The float model the trainer produces and the quantizer consumes: stacked LSTM layers,
/// dense head, input standardisation and output min/max scaling (JSON-codable).
///
/// Conventions: features in SI units (V, A, °C, A and V per step for the differences),
/// `x_std = (x − inputMean) / inputStd`; every matrix row-major with rows in gate order
/// i, f, g, o (`LSTMGate`); output `soc = y · (outputMax − outputMin) + outputMin`
/// (fraction, 1 = full).
public struct ReferenceLSTMModel: Codable, Sendable, Equatable {
    /// Input features in the order the first layer reads them.
    public var features: [InputFeature]
    /// Per-feature mean, SI units.
    public var inputMean: [Double]
    /// Per-feature population standard deviation, SI units (> 0).
    public var inputStd: [Double]
    /// SOC fraction at network output 0.
    public var outputMin: Double
    /// SOC fraction at network output 1.
    public var outputMax: Double
    /// LSTM layers, first to last.
    public var lstmLayers: [ReferenceLSTMLayer]
    /// Dense layers; the last has one output, or two for an uncertainty head (`hasUncertaintyHead`).
    public var denseLayers: [ReferenceDenseLayer]
    /// Free-form training metadata (seed, epochs, mode, data hash…).
    public var metadata: [String: String]
    /// Fixed model step, s: the coulomb counter behind `chargeDrawn` integrates
    /// `q += −½(I[n−1] + I[n]) · stepSeconds / 3600` Ah (`nil` when no input needs it).
    public var stepSeconds: Double?
    /// Coulomb-count prior capacity, Ah: the SOC is `1 − q/priorCapacityAh` plus the
    /// de-scaled network output (`nil`: the output is the SOC itself).
    public var priorCapacityAh: Double?

    /// Creates a model.
    public init(features: [InputFeature], inputMean: [Double], inputStd: [Double], outputMin: Double,
                outputMax: Double, lstmLayers: [ReferenceLSTMLayer], denseLayers: [ReferenceDenseLayer],
                metadata: [String: String] = [:], stepSeconds: Double? = nil, priorCapacityAh: Double? = nil) {
        self.stepSeconds = stepSeconds
        self.priorCapacityAh = priorCapacityAh
        self.features = features
        self.inputMean = inputMean
        self.inputStd = inputStd
        self.outputMin = outputMin
        self.outputMax = outputMax
        self.lstmLayers = lstmLayers
        self.denseLayers = denseLayers
        self.metadata = metadata
    }

    /// The benchmark task's feature order (Docs/Benchmark.md): voltage, current, temperature, d_current, d_voltage.
    public static let defaultFeatures: [InputFeature] = [.voltage, .current, .temperature, .dCurrent, .dVoltage]

    /// Problems that make the model unusable (sizes that do not chain, wrong array
    /// lengths, non-positive std), empty when it is consistent.
    public var problems: [String] {
        var found: [String] = []
        let f = features.count
        if f == 0 { found.append("no input features") }
        if inputMean.count != f || inputStd.count != f { found.append("inputMean/inputStd need \(f) entries") }
        if inputStd.contains(where: { !($0 > 0) || !$0.isFinite }) { found.append("inputStd must be positive") }
        if !(outputMax > outputMin) { found.append("outputMax must exceed outputMin") }
        let needsStep = features.contains(.chargeDrawn) || priorCapacityAh != nil
        if needsStep && !(stepSeconds.map { $0 >= 1 && $0 <= 3600 && $0 == $0.rounded() } ?? false) {
            found.append("charge_drawn and the prior need stepSeconds, a whole number in 1…3600")
        }
        if let prior = priorCapacityAh, !(prior > 0 && prior.isFinite) {
            found.append("priorCapacityAh must be positive")
        }
        if priorCapacityAh != nil && !features.contains(.chargeDrawn) {
            found.append("the prior needs a charge_drawn input (the integer format keeps the step there)")
        }
        if features.filter({ $0 == .chargeDrawn }).count > 1 { found.append("at most one charge_drawn input") }
        if features.contains(.priorCapacity) && (priorCapacityAh == nil || features.filter({ $0 == .priorCapacity }).count > 1) {
            found.append("a prior_capacity input needs the prior (priorCapacityAh), at most one")
        }
        if features.contains(.priorSOC) && (priorCapacityAh == nil || features.filter({ $0 == .priorSOC }).count > 1) {
            found.append("a prior_soc input needs the prior (priorCapacityAh), at most one")
        }
        if lstmLayers.isEmpty { found.append("no LSTM layer") }
        if denseLayers.isEmpty { found.append("no dense layer") }
        var width = f
        for (n, layer) in lstmLayers.enumerated() {
            let rows = 4 * layer.hiddenSize
            if layer.inputSize != width { found.append("lstm[\(n)].inputSize \(layer.inputSize) ≠ \(width)") }
            if layer.kernel.count != rows * layer.inputSize { found.append("lstm[\(n)].kernel size") }
            if layer.recurrentKernel.count != rows * layer.hiddenSize { found.append("lstm[\(n)].recurrentKernel size") }
            if layer.bias.count != rows { found.append("lstm[\(n)].bias size") }
            width = layer.hiddenSize
        }
        for (n, layer) in denseLayers.enumerated() {
            if layer.inputSize != width { found.append("dense[\(n)].inputSize \(layer.inputSize) ≠ \(width)") }
            if layer.weight.count != layer.outputSize * layer.inputSize { found.append("dense[\(n)].weight size") }
            if layer.bias.count != layer.outputSize { found.append("dense[\(n)].bias size") }
            width = layer.outputSize
        }
        if width != 1 && width != 2 { found.append("the last layer must have one output (or two: SOC and log σ²), has \(width)") }
        return found
    }

    /// True when the last layer has two outputs: the scaled label's mean and log σ² (a model
    /// trained with `--loss gaussian-nll`; quantized as blob format version 6).
    public var hasUncertaintyHead: Bool { denseLayers.last?.outputSize == 2 }

    /// The clamp of the uncertainty head's log σ² (the trainer's `TrainingLoss.logVarianceRange`).
    public static let logVarianceRange: ClosedRange<Double> = -16...4
}

/// One float LSTM layer: `kernel [4H × I]`, `recurrentKernel [4H × H]`, `bias [4H]`,
/// row-major, rows in gate order i, f, g, o.
public struct ReferenceLSTMLayer: Codable, Sendable, Equatable {
    /// Input width I.
    public var inputSize: Int
    /// Hidden width H.
    public var hiddenSize: Int
    /// `[4H × I]` row-major.
    public var kernel: [Float]
    /// `[4H × H]` row-major.
    public var recurrentKernel: [Float]
    /// `[4H]`.
    public var bias: [Float]

    /// Creates a layer.
    public init(inputSize: Int, hiddenSize: Int, kernel: [Float], recurrentKernel: [Float], bias: [Float]) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.kernel = kernel
        self.recurrentKernel = recurrentKernel
        self.bias = bias
    }
}

/// One float dense layer: `weight [out × in]` row-major, `bias [out]`, activation.
public struct ReferenceDenseLayer: Codable, Sendable, Equatable {
    /// Input width.
    public var inputSize: Int
    /// Output width.
    public var outputSize: Int
    /// `[out × in]` row-major.
    public var weight: [Float]
    /// `[out]`.
    public var bias: [Float]
    /// `none` or `relu`.
    public var activation: DenseActivation

    /// Creates a layer.
    public init(inputSize: Int, outputSize: Int, weight: [Float], bias: [Float], activation: DenseActivation) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.weight = weight
        self.bias = bias
        self.activation = activation
    }
}

extension ReferenceLSTMModel {
    /// A deterministic random model (Glorot-uniform kernels, forget bias 1) for tests and
    /// golden vectors, with scalers typical of an 18650 discharge at ~2 A on a 10 s grid.
    /// `lstmSizes` e.g. [64, 32]; `denseSizes` e.g. [16, 1] (ReLU on all but the last).
    public static func random(lstmSizes: [Int], denseSizes: [Int], seed: UInt64) -> ReferenceLSTMModel {
        var rng = SeededGenerator(seed: seed)
        func uniform(_ count: Int, limit: Double) -> [Float] {
            (0..<count).map { _ in Float((2 * rng.nextUnitDouble() - 1) * limit) }
        }
        var width = defaultFeatures.count
        var lstm: [ReferenceLSTMLayer] = []
        for hidden in lstmSizes {
            let kernel = uniform(4 * hidden * width, limit: (6.0 / Double(width + 4 * hidden)).squareRoot())
            let recurrent = uniform(4 * hidden * hidden, limit: (6.0 / Double(5 * hidden)).squareRoot())
            var bias = uniform(4 * hidden, limit: 0.1)
            for j in 0..<hidden { bias[LSTMGate.forget.firstRow(hiddenSize: hidden) + j] += 1 }
            lstm.append(ReferenceLSTMLayer(inputSize: width, hiddenSize: hidden, kernel: kernel,
                                           recurrentKernel: recurrent, bias: bias))
            width = hidden
        }
        var dense: [ReferenceDenseLayer] = []
        for (n, out) in denseSizes.enumerated() {
            let last = n == denseSizes.count - 1
            dense.append(ReferenceDenseLayer(
                inputSize: width, outputSize: out,
                weight: uniform(out * width, limit: (6.0 / Double(width + out)).squareRoot()),
                bias: uniform(out, limit: 0.1), activation: last ? .none : .relu))
            width = out
        }
        return ReferenceLSTMModel(
            features: defaultFeatures, inputMean: [3.5, -1.8, 32, 0, -0.002], inputStd: [0.25, 0.6, 4, 0.1, 0.004],
            outputMin: -0.13, outputMax: 1.0, lstmLayers: lstm, denseLayers: dense,
            metadata: ["source": "ReferenceLSTMModel.random(seed: \(seed))"])
    }
}
