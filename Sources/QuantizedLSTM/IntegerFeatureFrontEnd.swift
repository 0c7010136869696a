import FixedPoint
import WeightBlob

/// The integer LSTM's input front-end, one implementation for the engine
/// (`QuantizedLSTMEngine.step`) and the quantizer's fake-quant path
/// (`FakeQuantizedLSTM.prepare`): raw sensor integers in, the model's int16 features out.
///
/// Per sample: the differences to the previous sample (0 at the first), the integer charge
/// counter (`IntegerChargeCounter`, when the model has one) and the coulomb-count prior
/// `s0 − q/Q` (when it has a prior), then per feature
/// `sat16(requantize(raw − offset))` with the blob's `BlobInputScaling`. No floating point, no
/// allocation after `init`.
public struct IntegerFeatureFrontEnd: Sendable {
    /// The blob's input scalings, in input order.
    public let features: [BlobInputScaling]
    let multipliers: [QuantizedMultiplier]
    /// Coulomb counter step, s (0: the model has no charge counter).
    let chargeStepSeconds: Int32
    /// The sample before the latest one (nil right after a reset).
    public private(set) var previous: RawSensorSample?
    /// Charge drawn since the reset, 0.5 mA·s (`IntegerChargeCounter`; 0 without a counter).
    public private(set) var chargeHalfMAs: Int32 = 0
    /// The prior capacity a `priorCapacity` input reads, mAh (the blob's until changed; the
    /// engine keeps it equal to the capacity its prior counts against). `reset` keeps it.
    public var priorCapacityMAh: Int32
    /// The SOC the prior starts from, 0.01 % (`IntegerChargeCounter.priorCentiPercent`; 10000
    /// = a full start until the engine sets another). `reset` keeps it.
    public var startSOCCentiPercent: Int32 = StartSOC.fullCentiPercent
    /// The coulomb-count prior of the latest sample, 0.01 % (0 without a prior): what a
    /// `priorSOC` input reads (saturated to Int32) and what the engine adds to its output.
    public private(set) var priorCentiPercent: Int64 = 0
    /// True when the model adds a coulomb-count prior.
    let hasPrior: Bool

    /// The front-end of `model`.
    public init(model: BlobModel) {
        features = model.inputs
        multipliers = model.inputs.map { QuantizedMultiplier(multiplier: $0.scale.multiplier, shift: $0.scale.shift) }
        chargeStepSeconds = Int32(model.chargeCounter?.stepSeconds ?? 0)
        priorCapacityMAh = Int32(model.chargeCounter?.priorCapacityMAh ?? 0)
        hasPrior = model.chargeCounter?.priorCapacityMAh != nil
    }

    /// Number of features per sample.
    public var count: Int { features.count }

    /// Forgets the previous sample and zeroes the charge counter.
    public mutating func reset() {
        previous = nil
        chargeHalfMAs = 0
    }

    /// Takes one sample and writes its `count` features to `out`.
    public mutating func step(_ sample: RawSensorSample, into out: UnsafeMutablePointer<Int16>) {
        var dCurrent: Int32 = 0, dVoltage: Int32 = 0
        if let previous {
            dCurrent = Saturating.subtract(sample.currentMA, previous.currentMA)
            dVoltage = Saturating.subtract(sample.voltageUV, previous.voltageUV)
            if chargeStepSeconds > 0 {
                chargeHalfMAs = IntegerChargeCounter.advance(chargeHalfMAs, previousMA: previous.currentMA,
                                                             currentMA: sample.currentMA, stepSeconds: chargeStepSeconds)
            }
        }
        previous = sample
        if hasPrior {
            priorCentiPercent = IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: chargeHalfMAs, priorCapacityMAh: priorCapacityMAh,
                                                                       startSOCCentiPercent: startSOCCentiPercent)
        }
        for n in 0..<features.count {
            let scaling = features[n]
            let raw: Int32
            switch scaling.feature {
            case .voltage: raw = sample.voltageUV
            case .current: raw = sample.currentMA
            case .temperature: raw = sample.temperatureDeciC
            case .dCurrent: raw = dCurrent
            case .dVoltage: raw = dVoltage
            case .chargeDrawn: raw = chargeHalfMAs
            case .priorCapacity: raw = priorCapacityMAh
            case .priorSOC: raw = Saturating.narrowToInt32(priorCentiPercent)
            }
            out[n] = multipliers[n].applySaturatingInt16(to: Saturating.subtract(raw, scaling.offsetRaw))
        }
    }
}
