import Firmware

/// Decimated telemetry of one replay, kept for CSV and plots (filled between chunks of the
/// tick loop, never inside it), plus the reference SOC beside each frame.
public struct TelemetrySeries: Sendable {
    /// Estimator names (column order of `soc` / `sigma`).
    public let estimators: [String]
    /// Base tick of each frame.
    public internal(set) var tick: [Int] = []
    /// Run time of each frame, s.
    public internal(set) var timeS: [Double] = []
    /// Recorded operation each frame falls in (−1 = gap / between operations).
    public internal(set) var operation: [Int32] = []
    /// Reference SOC, fraction.
    public internal(set) var referenceSOC: [Double] = []
    /// Validated voltage, V.
    public internal(set) var voltageV: [Double] = []
    /// Validated current, A.
    public internal(set) var currentA: [Double] = []
    /// Validated temperature, °C.
    public internal(set) var temperatureC: [Double] = []
    /// Fault flags (`FaultFlags.rawValue`).
    public internal(set) var faultFlags: [UInt16] = []
    /// Protection state (`ProtectionState.rawValue`).
    public internal(set) var protectionState: [UInt8] = []
    /// SOC per frame and estimator, row-major (`frame * estimators.count + k`).
    public internal(set) var soc: [Double] = []
    /// Sigma per frame and estimator (NaN when absent).
    public internal(set) var sigma: [Double] = []
    /// Envelope flags per frame and estimator (`EnvelopeFlags.rawValue`).
    public internal(set) var envelope: [UInt8] = []
    /// Per estimator: true when it has a training envelope (the CSV writes its flags then).
    public let hasEnvelope: [Bool]

    /// Creates an empty series; `hasEnvelope` defaults to no envelope for every estimator.
    public init(estimators: [String], hasEnvelope: [Bool]? = nil) {
        self.estimators = estimators
        self.hasEnvelope = hasEnvelope ?? Array(repeating: false, count: estimators.count)
    }

    /// Number of frames.
    public var count: Int { tick.count }

    /// Appends the frames of a drained telemetry buffer with their reference SOC and operation.
    mutating func append(_ buffer: TelemetryBuffer, referenceSOC refs: [Double], operation ops: [Int32]) {
        let n = buffer.count
        let k = buffer.estimatorCount
        tick.append(contentsOf: buffer.tick[0..<n])
        timeS.append(contentsOf: buffer.timeS[0..<n])
        voltageV.append(contentsOf: buffer.voltageV[0..<n])
        currentA.append(contentsOf: buffer.currentA[0..<n])
        temperatureC.append(contentsOf: buffer.temperatureC[0..<n])
        faultFlags.append(contentsOf: buffer.faultFlags[0..<n])
        protectionState.append(contentsOf: buffer.protectionState[0..<n])
        soc.append(contentsOf: buffer.soc[0..<(n * k)])
        sigma.append(contentsOf: buffer.sigma[0..<(n * k)])
        envelope.append(contentsOf: buffer.envelope[0..<(n * k)])
        referenceSOC.append(contentsOf: refs[0..<n])
        operation.append(contentsOf: ops[0..<n])
    }
}
