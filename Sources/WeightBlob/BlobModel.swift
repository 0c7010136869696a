/// A sensor quantity the engine turns into a standardised input feature.
///
/// Raw units on the integer path: voltage in microvolts, current in milliamperes
/// (+ = charge), temperature in 0.1 °C. Differences are this step's raw value minus the
/// previous step's (0 on the first step after a reset).
public enum InputFeature: UInt8, CaseIterable, Sendable {
    /// Terminal voltage (µV raw, V in the float model).
    case voltage = 0
    /// Current (mA raw, A in the float model).
    case current = 1
    /// Temperature (0.1 °C raw, °C in the float model).
    case temperature = 2
    /// One-step difference of current.
    case dCurrent = 3
    /// One-step difference of voltage.
    case dVoltage = 4
    /// Charge drawn since the reset (trapezoid of −I over the model step; 0.5 mA·s raw,
    /// Ah in the float model). Format version 2.
    case chargeDrawn = 5
    /// The capacity the coulomb-count prior counts against (mAh raw: the blob's, or the one
    /// the firmware set; Ah in the float model). Format version 4; needs a prior.
    case priorCapacity = 6
    /// The coulomb-count prior SOC of the step, `s0 − q/Q` (0.01 % raw: the prior the engine
    /// adds to its output, from the start SOC s0 the firmware set, 10000 until then; a fraction
    /// in the float model, `prior_soc`). Format version 5; needs a prior. A blob with it
    /// accepts a start SOC (`QuantizedLSTMEngine.setStartSOC`, `bms_lstm_set_start_soc`).
    case priorSOC = 7

    /// Raw integer units per SI unit of the float model (µV per V, mA per A, 0.1 °C per °C).
    public var rawUnitsPerSIUnit: Int {
        switch self {
        case .voltage, .dVoltage: 1_000_000
        case .current, .dCurrent: 1_000
        case .temperature: 10
        case .chargeDrawn: BlobChargeCounter.halfMilliampSecondsPerAh
        case .priorCapacity: 1_000
        case .priorSOC: 10_000
        }
    }
}

/// The integer coulomb counter behind `InputFeature.chargeDrawn` and the optional
/// coulomb-count prior added to the network's output (format version 2).
///
/// From a reset, `q[0] = 0` and `q[n] = sat32(q[n−1] − (I[n−1] + I[n]) · stepSeconds)` in
/// 0.5 mA·s (I in mA, + = charge, so discharge counts up); the range is ±(2^31 − 1)
/// half-mA·s ≈ ±298 Ah. With a prior, the SOC gets
/// `10000 − floor((20000·q + Qh) / (2·Qh))` added (0.01 %), `Qh = 7200 · priorCapacityMAh`:
/// the 1 − q/Q_prior of the float model, rounded half up.
public struct BlobChargeCounter: Sendable, Equatable {
    /// Half milliampere-seconds per ampere-hour (2 · 1000 · 3600).
    public static let halfMilliampSecondsPerAh = 7_200_000
    /// Allowed model step lengths, seconds.
    public static let stepSecondsRange: ClosedRange<Int> = 1...3600
    /// Allowed prior capacities, mAh (1 mAh … 1000 Ah).
    public static let priorCapacityRange: ClosedRange<Int> = 1...1_000_000
    /// Metadata key (and its value) of a model trained with a learned per-discharge prior
    /// capacity (`bmsim train --prior-capacity learned`): the firmware should pass the
    /// capacity it has learned (`LSTMEstimator`); without it the blob's capacity is meant.
    public static let learnedPriorMetadata = (key: "prior_capacity", value: "learned")

    /// The fixed model step the counter integrates over, seconds.
    public var stepSeconds: Int
    /// Capacity of the coulomb-count prior, mAh; `nil`: the output is the SOC itself.
    public var priorCapacityMAh: Int?

    /// Creates a counter description.
    public init(stepSeconds: Int, priorCapacityMAh: Int? = nil) {
        self.stepSeconds = stepSeconds
        self.priorCapacityMAh = priorCapacityMAh
    }
}

/// Activation after a dense layer.
public enum DenseActivation: UInt8, Sendable, CaseIterable {
    /// Identity.
    case none = 0
    /// max(0, x).
    case relu = 1
}

/// An integer rescaling `value · multiplier / 2^shift` (rounded half up) as stored in a blob.
/// Valid when `multiplier` is in [2^30, 2^31) and `shift` in 1…62.
public struct BlobRequantization: Sendable, Equatable, Hashable {
    /// Mantissa, [2^30, 2^31).
    public var multiplier: Int32
    /// Right shift, 1…62.
    public var shift: Int32
    /// Creates a pair.
    public init(multiplier: Int32, shift: Int32) {
        self.multiplier = multiplier
        self.shift = shift
    }
    /// True when both fields are in range.
    public var isValid: Bool { multiplier >= 1 << 30 && (1...62).contains(shift) }
}

/// Integer standardisation of one input feature: `q = sat16(round((raw − offsetRaw) · scale))`,
/// a Q3.12 value of `(x − mean) / std`.
public struct BlobInputScaling: Sendable, Equatable {
    /// Which sensor quantity.
    public var feature: InputFeature
    /// Mean in raw units.
    public var offsetRaw: Int32
    /// 4096 / std_raw as multiplier and shift.
    public var scale: BlobRequantization
    /// Creates a feature scaling.
    public init(feature: InputFeature, offsetRaw: Int32, scale: BlobRequantization) {
        self.feature = feature
        self.offsetRaw = offsetRaw
        self.scale = scale
    }
}

/// De-scaling of the network's int16 output to SOC in hundredths of a percent:
/// `socCentiPercent = sat32(round(y · scale) + offsetCentiPercent)`.
public struct BlobOutputScaling: Sendable, Equatable {
    /// Output scale in 0.01 % per output LSB.
    public var scale: BlobRequantization
    /// SOC at y = 0, 0.01 %.
    public var offsetCentiPercent: Int32
    /// Creates an output scaling.
    public init(scale: BlobRequantization, offsetCentiPercent: Int32) {
        self.scale = scale
        self.offsetCentiPercent = offsetCentiPercent
    }
}

/// One quantized LSTM layer (rows in gate order i, f, g, o; see `LSTMGate`).
///
/// Gate pre-activation of row r (Q4.11):
/// `sat16(sat16(rq_x[r](bias[r] + Σ Wx[r,j]·in[j])) + sat16(rq_h[r](Σ Wh[r,j]·h[j])))`;
/// cell state int16 with `cellFractionBits` fraction bits.
public struct BlobLSTMLayer: Sendable, Equatable {
    /// Input width I.
    public var inputSize: Int
    /// Hidden width H.
    public var hiddenSize: Int
    /// int8 `[4H × I]`, row-major.
    public var inputKernel: [Int8]
    /// int8 `[4H × H]`, row-major.
    public var recurrentKernel: [Int8]
    /// int32 `[4H]`, on the scale of the input-kernel accumulator.
    public var bias: [Int32]
    /// Per-row rescaling of the input part to Q3.12 (`[4H]` each).
    public var inputMultipliers: [Int32]
    /// Right shifts of the input part.
    public var inputShifts: [Int32]
    /// Per-row rescaling of the recurrent part to Q3.12.
    public var recurrentMultipliers: [Int32]
    /// Right shifts of the recurrent part.
    public var recurrentShifts: [Int32]
    /// Fraction bits of the cell state, 8…12 (Q7.8 … Q3.12).
    public var cellFractionBits: Int

    /// Creates a layer; shapes are checked when the blob is written.
    public init(inputSize: Int, hiddenSize: Int, inputKernel: [Int8], recurrentKernel: [Int8], bias: [Int32],
                inputMultipliers: [Int32], inputShifts: [Int32],
                recurrentMultipliers: [Int32], recurrentShifts: [Int32], cellFractionBits: Int = 12) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.cellFractionBits = cellFractionBits
        self.inputKernel = inputKernel
        self.recurrentKernel = recurrentKernel
        self.bias = bias
        self.inputMultipliers = inputMultipliers
        self.inputShifts = inputShifts
        self.recurrentMultipliers = recurrentMultipliers
        self.recurrentShifts = recurrentShifts
    }

    /// Multiply-accumulates per step: 4H·(I + H).
    public var multiplyAccumulates: Int { 4 * hiddenSize * (inputSize + hiddenSize) }
}

/// One quantized dense layer: `out[r] = act(sat16(rq[r](bias[r] + Σ W[r,j]·in[j])))`.
public struct BlobDenseLayer: Sendable, Equatable {
    /// Input width.
    public var inputSize: Int
    /// Output width.
    public var outputSize: Int
    /// Activation.
    public var activation: DenseActivation
    /// int8 `[O × I]`, row-major.
    public var weight: [Int8]
    /// int32 `[O]`.
    public var bias: [Int32]
    /// Per-row rescaling to the int16 output (`[O]`).
    public var multipliers: [Int32]
    /// Right shifts (`[O]`).
    public var shifts: [Int32]

    /// Creates a layer; shapes are checked when the blob is written.
    public init(inputSize: Int, outputSize: Int, activation: DenseActivation, weight: [Int8], bias: [Int32],
                multipliers: [Int32], shifts: [Int32]) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.activation = activation
        self.weight = weight
        self.bias = bias
        self.multipliers = multipliers
        self.shifts = shifts
    }

    /// Multiply-accumulates per step: O·I.
    public var multiplyAccumulates: Int { inputSize * outputSize }
}

/// One `key=value` line of training metadata (informational; the C runtime ignores it).
public struct BlobMetadataEntry: Sendable, Equatable {
    /// Non-empty, without `=` or newlines.
    public var key: String
    /// Without newlines.
    public var value: String
    /// Creates an entry.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// Everything a `.bmsq` blob holds: input scaling, stacked LSTM layers, dense head,
/// output de-scaling, metadata. See `Docs/WeightBlobFormat.md`.
public struct BlobModel: Sendable, Equatable {
    /// Input features in the order the first layer reads them.
    public var inputs: [BlobInputScaling]
    /// Output de-scaling to SOC (0.01 %).
    public var output: BlobOutputScaling
    /// LSTM layers, first to last.
    public var lstmLayers: [BlobLSTMLayer]
    /// Dense layers after the LSTM stack; the last has one output (the SOC), or two with an
    /// uncertainty head (row 1: log σ², format version 6).
    public var denseLayers: [BlobDenseLayer]
    /// Training metadata.
    public var metadata: [BlobMetadataEntry]
    /// Coulomb counter (step length) and prior; required when an input is `chargeDrawn`
    /// or a prior is wanted, `nil` otherwise (then the blob is written as version 1).
    public var chargeCounter: BlobChargeCounter?
    /// The uncertainty head (the last dense layer's row 1 is log σ² in Q4.11; format version
    /// 6), `nil` for a one-output model.
    public var uncertaintyHead: BlobUncertaintyHead?

    /// Creates a model.
    public init(inputs: [BlobInputScaling], output: BlobOutputScaling, lstmLayers: [BlobLSTMLayer],
                denseLayers: [BlobDenseLayer], metadata: [BlobMetadataEntry] = [],
                chargeCounter: BlobChargeCounter? = nil, uncertaintyHead: BlobUncertaintyHead? = nil) {
        self.chargeCounter = chargeCounter
        self.uncertaintyHead = uncertaintyHead
        self.inputs = inputs
        self.output = output
        self.lstmLayers = lstmLayers
        self.denseLayers = denseLayers
        self.metadata = metadata
    }

    /// The format version this model needs: 6 with an uncertainty head, 5 with a prior-SOC
    /// input, 4 with a prior-capacity input (all three with version 3's interleaved kernels),
    /// 2 with a charge counter, else 1.
    public var formatVersion: UInt16 {
        uncertaintyHead != nil ? 6 : readsPriorSOC ? 5 : readsPriorCapacity ? 4 : (chargeCounter == nil ? 1 : 2)
    }

    /// True when the formats need interleaved kernels whatever layout is asked (versions 4 to 6).
    public var needsInterleavedKernels: Bool { uncertaintyHead != nil || readsPriorSOC || readsPriorCapacity }

    /// True when an input is the prior SOC (`InputFeature.priorSOC`, format version 5): the
    /// model was trained for runs that start at a SOC the firmware passes (`setStartSOC`).
    public var readsPriorSOC: Bool { inputs.contains { $0.feature == .priorSOC } }

    /// True when an input is the prior capacity (`InputFeature.priorCapacity`, format version 4).
    public var readsPriorCapacity: Bool { inputs.contains { $0.feature == .priorCapacity } }

    /// True when the model was trained for the capacity the BMS has learned as its prior
    /// (metadata `prior_capacity=learned`, `BlobChargeCounter.learnedPriorMetadata`) and has a prior.
    public var expectsLearnedPrior: Bool {
        chargeCounter?.priorCapacityMAh != nil
            && metadataValue(BlobChargeCounter.learnedPriorMetadata.key) == BlobChargeCounter.learnedPriorMetadata.value
    }

    /// Value of a metadata key, if present.
    public func metadataValue(_ key: String) -> String? { metadata.first { $0.key == key }?.value }

    /// Multiply-accumulates per step over all layers.
    public var multiplyAccumulates: Int {
        lstmLayers.reduce(0) { $0 + $1.multiplyAccumulates } + denseLayers.reduce(0) { $0 + $1.multiplyAccumulates }
    }
}
