import BMSCore

/// Preallocated telemetry: one frame per recorded tick (decimated by the schedule), stored
/// column-wise so that recording a frame is a few stores and never allocates. The owner of
/// the loop drains the buffer when it is full (or at the end), outside the per-tick code.
///
/// A frame holds the tick, the time, the validated measurements, the fault flags, the
/// protection state and each estimator's SOC, sigma (NaN when the method has none) and
/// training-envelope flags (`EnvelopeFlags`, empty for methods without an envelope).
///
/// Every recorded frame also goes into a running digest (FNV-1a-64 over 64-bit words: the
/// IEEE-754 bit patterns of the doubles and the integers, in the field order above, without
/// the envelope flags, which are a diagnosis of the inputs, not an output), so two runs can
/// be compared for bit-identical telemetry without storing it.
public struct TelemetryBuffer: Sendable {
    /// Estimators per frame.
    public let estimatorCount: Int
    /// Frames the buffer holds before it must be drained.
    public let capacity: Int
    /// Frames currently held.
    public private(set) var count = 0
    /// Frames recorded since start (including drained ones).
    public private(set) var totalFrames = 0
    /// Running FNV-1a-64 digest over every recorded frame.
    public private(set) var digest: UInt64 = TelemetryBuffer.fnvOffsetBasis

    /// Base tick of each frame.
    public private(set) var tick: [Int]
    /// Time of each frame, s since the start of the run.
    public private(set) var timeS: [Double]
    /// Validated voltage, V.
    public private(set) var voltageV: [Double]
    /// Validated current, A.
    public private(set) var currentA: [Double]
    /// Validated temperature, °C.
    public private(set) var temperatureC: [Double]
    /// Fault flags raised on the tick (`FaultFlags.rawValue`).
    public private(set) var faultFlags: [UInt16]
    /// Protection state (`ProtectionState.rawValue`).
    public private(set) var protectionState: [UInt8]
    /// SOC of estimator k in frame i at `soc[i * estimatorCount + k]` (fraction).
    public private(set) var soc: [Double]
    /// Sigma of estimator k in frame i at `sigma[i * estimatorCount + k]`, NaN when absent.
    public private(set) var sigma: [Double]
    /// Envelope flags of estimator k in frame i at `envelope[i * estimatorCount + k]`
    /// (`EnvelopeFlags.rawValue`).
    public private(set) var envelope: [UInt8]

    /// FNV-1a 64-bit offset basis.
    public static let fnvOffsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    /// FNV-1a 64-bit prime.
    public static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    /// Creates an empty buffer for `capacity` frames of `estimatorCount` estimators.
    public init(estimatorCount: Int, capacity: Int) {
        precondition(estimatorCount >= 0 && capacity >= 1, "telemetry buffer needs capacity >= 1")
        self.estimatorCount = estimatorCount
        self.capacity = capacity
        tick = Array(repeating: 0, count: capacity)
        timeS = Array(repeating: 0, count: capacity)
        voltageV = Array(repeating: 0, count: capacity)
        currentA = Array(repeating: 0, count: capacity)
        temperatureC = Array(repeating: 0, count: capacity)
        faultFlags = Array(repeating: 0, count: capacity)
        protectionState = Array(repeating: 0, count: capacity)
        soc = Array(repeating: 0, count: capacity * estimatorCount)
        sigma = Array(repeating: 0, count: capacity * estimatorCount)
        envelope = Array(repeating: 0, count: capacity * estimatorCount)
    }

    /// True when no frame can be added before draining.
    @inlinable public var isFull: Bool { count == capacity }

    /// Forgets the held frames (the digest and `totalFrames` continue).
    public mutating func removeAll() { count = 0 }

    /// Folds one 64-bit word into `hash`: `h = (h XOR word) · prime mod 2⁶⁴` (FNV-1a with
    /// the 64-bit offset basis and prime, applied to whole words instead of bytes: one
    /// multiply per word, so digesting every tick stays cheap).
    @inlinable
    public static func fnv1a(_ hash: UInt64, word: UInt64) -> UInt64 {
        (hash ^ word) &* fnvPrime
    }

    /// Records one frame with each estimator's estimate. Precondition: not full (drain first).
    public mutating func record(tick: Int, timeS: Double, voltageV: Double, currentA: Double,
                                temperatureC: Double, faultFlags: UInt16, protectionState: UInt8,
                                estimates: [SOCEstimate]) {
        precondition(count < capacity, "telemetry buffer full: drain it before recording")
        precondition(estimates.count == estimatorCount, "estimator count changed")
        let i = count
        self.tick[i] = tick
        self.timeS[i] = timeS
        self.voltageV[i] = voltageV
        self.currentA[i] = currentA
        self.temperatureC[i] = temperatureC
        self.faultFlags[i] = faultFlags
        self.protectionState[i] = protectionState
        var h = digest
        h = Self.fnv1a(h, word: UInt64(bitPattern: Int64(tick)))
        h = Self.fnv1a(h, word: timeS.bitPattern)
        h = Self.fnv1a(h, word: voltageV.bitPattern)
        h = Self.fnv1a(h, word: currentA.bitPattern)
        h = Self.fnv1a(h, word: temperatureC.bitPattern)
        h = Self.fnv1a(h, word: UInt64(faultFlags) | UInt64(protectionState) << 16)
        for k in 0..<estimatorCount {
            let estimate = estimates[k]
            let s = estimate.sigma ?? .nan
            soc[i * estimatorCount + k] = estimate.soc
            sigma[i * estimatorCount + k] = s
            envelope[i * estimatorCount + k] = estimate.envelope.rawValue
            h = Self.fnv1a(h, word: estimate.soc.bitPattern)
            h = Self.fnv1a(h, word: s.isNaN ? Double.nan.bitPattern : s.bitPattern)
        }
        digest = h
        count += 1
        totalFrames += 1
    }
}
