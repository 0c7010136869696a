/// The inputs a learned model saw in training: the ranges of current, temperature and SOC
/// label over its training grid steps, and the lowest rested voltage a training sequence
/// started from. `LSTMEstimator` compares every model step with it and says when it
/// extrapolates (`EnvelopeFlags`). Written by `bmsim train` into the model file and carried
/// into the `.bmsq` blob as metadata (`metadata`, `init(metadata:)`).
public struct TrainingEnvelope: Codable, Equatable, Sendable {
    /// Lowest current of the training steps, A (+ = charge).
    public var currentMinA: Double
    /// Highest current of the training steps, A (+ = charge).
    public var currentMaxA: Double
    /// Lowest temperature of the training steps, °C.
    public var temperatureMinC: Double
    /// Highest temperature of the training steps, °C.
    public var temperatureMaxC: Double
    /// Lowest voltage at the first step of a training sequence, V.
    public var startVoltageMinV: Double
    /// Lowest SOC label of the training steps (fraction).
    public var socMin: Double
    /// Highest SOC label of the training steps (fraction).
    public var socMax: Double

    /// Creates an envelope from its bounds.
    public init(currentMinA: Double, currentMaxA: Double, temperatureMinC: Double, temperatureMaxC: Double,
                startVoltageMinV: Double, socMin: Double, socMax: Double) {
        self.currentMinA = currentMinA
        self.currentMaxA = currentMaxA
        self.temperatureMinC = temperatureMinC
        self.temperatureMaxC = temperatureMaxC
        self.startVoltageMinV = startVoltageMinV
        self.socMin = socMin
        self.socMax = socMax
    }

    /// How far outside a bound a value may be before it is flagged (the training data's own
    /// extremes are single samples; a BMS's sensors differ by a few counts).
    public struct Tolerance: Sendable, Equatable {
        /// Current, A.
        public var currentA = 0.1
        /// Temperature, °C.
        public var temperatureC = 1.0
        /// Start voltage, V.
        public var voltageV = 0.02
        /// SOC, fraction.
        public var soc = 0.02
        /// The defaults above.
        public init() {}
    }

    /// The flags of one measurement under a model run (current and temperature).
    @inlinable
    public func flags(currentA: Double, temperatureC: Double, tolerance: Tolerance) -> EnvelopeFlags {
        var f: EnvelopeFlags = []
        if !(currentA >= currentMinA - tolerance.currentA && currentA <= currentMaxA + tolerance.currentA) { f.insert(.current) }
        if !(temperatureC >= temperatureMinC - tolerance.temperatureC && temperatureC <= temperatureMaxC + tolerance.temperatureC) {
            f.insert(.temperature)
        }
        return f
    }

    /// `.start` when a run starting from `restedVoltageV` starts below every training sequence.
    @inlinable
    public func startFlags(restedVoltageV: Double, tolerance: Tolerance) -> EnvelopeFlags {
        restedVoltageV >= startVoltageMinV - tolerance.voltageV ? [] : .start
    }

    /// `.soc` when the model's SOC is outside its training labels' range.
    @inlinable
    public func socFlags(_ soc: Double, tolerance: Tolerance) -> EnvelopeFlags {
        soc >= socMin - tolerance.soc && soc <= socMax + tolerance.soc ? [] : .soc
    }

    /// The metadata keys, in the order `metadata` writes them.
    public static let metadataKeys = ["envelope_current_a", "envelope_temperature_c", "envelope_start_voltage_v", "envelope_soc"]

    /// The envelope as blob metadata lines (`key`, `"min..max"`; the start voltage alone).
    public var metadata: [(key: String, value: String)] {
        func r(_ x: Double) -> String { String((x * 10_000).rounded() / 10_000) }
        return [(Self.metadataKeys[0], "\(r(currentMinA))..\(r(currentMaxA))"),
                (Self.metadataKeys[1], "\(r(temperatureMinC))..\(r(temperatureMaxC))"),
                (Self.metadataKeys[2], r(startVoltageMinV)),
                (Self.metadataKeys[3], "\(r(socMin))..\(r(socMax))")]
    }

    /// Reads the envelope back from metadata (`value(key)` gives a key's value): `nil` when
    /// none of its keys is present (a model trained before envelopes existed).
    public init?(metadata value: (String) -> String?) throws(TrainingEnvelopeError) {
        let keys = Self.metadataKeys
        guard keys.contains(where: { value($0) != nil }) else { return nil }
        func text(_ key: String) throws(TrainingEnvelopeError) -> String {
            guard let v = value(key) else { throw .missingKey(key) }
            return v
        }
        func number(_ key: String, _ s: Substring, in whole: String) throws(TrainingEnvelopeError) -> Double {
            guard let x = Double(s), x.isFinite else { throw .malformed(key: key, value: whole, reason: "not a finite number") }
            return x
        }
        func range(_ key: String) throws(TrainingEnvelopeError) -> (Double, Double) {
            let v = try text(key)
            guard let dots = v.firstRange(of: "..") else { throw .malformed(key: key, value: v, reason: "expected min..max") }
            let lo = try number(key, v[v.startIndex..<dots.lowerBound], in: v)
            let hi = try number(key, v[dots.upperBound...], in: v)
            guard lo <= hi else { throw .malformed(key: key, value: v, reason: "min above max") }
            return (lo, hi)
        }
        let (iMin, iMax) = try range(keys[0])
        let (tMin, tMax) = try range(keys[1])
        let startText = try text(keys[2])
        let start = try number(keys[2], Substring(startText), in: startText)
        let (sMin, sMax) = try range(keys[3])
        self.init(currentMinA: iMin, currentMaxA: iMax, temperatureMinC: tMin, temperatureMaxC: tMax,
                  startVoltageMinV: start, socMin: sMin, socMax: sMax)
    }
}

/// Why a training envelope could not be read from a model's metadata.
public enum TrainingEnvelopeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Some envelope keys are present, this one is not.
    case missingKey(String)
    /// A key's value does not parse.
    case malformed(key: String, value: String, reason: String)

    /// One line for the user.
    public var description: String {
        switch self {
        case .missingKey(let key): return "training envelope: metadata key \(key) is missing (the other envelope keys are present)"
        case let .malformed(key, value, reason): return "training envelope: \(key)=\(value): \(reason)"
        }
    }
}
