/// The firmware's time base: one base tick (default 1 s, down to 10 ms) and the cyclic
/// tasks that run at whole multiples of it, in the spirit of foxBMS's 1/10/100 ms tasks.
///
/// A task with period `n` ticks runs on every tick `k` with `k % n == phase % n`. The
/// measurement task runs on every tick by construction (the sensor front-end is sampled
/// once per tick); protection and estimation may run slower.
///
/// ```swift
/// let s = try TickSchedule(baseTickSeconds: 0.1, protectionEveryTicks: 1, estimationEveryTicks: 10)
/// s.isDue(.estimation, tick: 20)   // true
/// ```
public struct TickSchedule: Sendable, Equatable {
    /// The cyclic tasks of the loop, in the order they run within one tick.
    public enum Task: Int, Sendable, CaseIterable {
        /// Sensor front-end sampling, fault injection, plausibility checks.
        case measurement
        /// Protection state machine.
        case protection
        /// Estimator bank (individual estimators may run slower still).
        case estimation
        /// Telemetry recording.
        case telemetry
    }

    /// The smallest accepted base tick, seconds.
    public static let minimumBaseTickSeconds = 0.01

    /// Length of one base tick, seconds.
    public let baseTickSeconds: Double
    /// Period of the protection task, in base ticks (≥ 1).
    public let protectionEveryTicks: Int
    /// Period of the estimation task, in base ticks (≥ 1).
    public let estimationEveryTicks: Int
    /// Period of telemetry recording (decimation), in base ticks (≥ 1).
    public let telemetryEveryTicks: Int

    /// Creates a schedule; throws `FirmwareConfigError` when a value is out of range.
    public init(baseTickSeconds: Double = 1, protectionEveryTicks: Int = 1,
                estimationEveryTicks: Int = 1, telemetryEveryTicks: Int = 1) throws(FirmwareConfigError) {
        guard baseTickSeconds.isFinite, baseTickSeconds >= Self.minimumBaseTickSeconds * (1 - 1e-9),
              baseTickSeconds <= 3600 else {
            throw .outOfRange(field: "baseTickSeconds", value: baseTickSeconds,
                              allowed: "\(Self.minimumBaseTickSeconds)...3600")
        }
        for (field, value) in [("protectionEveryTicks", protectionEveryTicks),
                               ("estimationEveryTicks", estimationEveryTicks),
                               ("telemetryEveryTicks", telemetryEveryTicks)] where value < 1 {
            throw .outOfRange(field: field, value: Double(value), allowed: ">= 1")
        }
        self.baseTickSeconds = baseTickSeconds
        self.protectionEveryTicks = protectionEveryTicks
        self.estimationEveryTicks = estimationEveryTicks
        self.telemetryEveryTicks = telemetryEveryTicks
    }

    /// Period of `task` in base ticks.
    @inlinable
    public func periodTicks(of task: Task) -> Int {
        switch task {
        case .measurement: 1
        case .protection: protectionEveryTicks
        case .estimation: estimationEveryTicks
        case .telemetry: telemetryEveryTicks
        }
    }

    /// True when `task` runs on base tick number `tick` (0-based).
    @inlinable
    public func isDue(_ task: Task, tick: Int) -> Bool {
        tick % periodTicks(of: task) == 0
    }

    /// Number of base ticks that make up `seconds` (rounded to the nearest tick, at least 1).
    /// Used to turn a task period given in seconds (e.g. "EKF every 10 s") into ticks.
    @inlinable
    public func ticks(forSeconds seconds: Double) -> Int {
        max(1, Int((seconds / baseTickSeconds).rounded()))
    }
}

/// A firmware configuration value out of its allowed range, found when the firmware is
/// set up (never per tick).
public enum FirmwareConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `field` holds `value`, which is not in `allowed`.
    case outOfRange(field: String, value: Double, allowed: String)
    /// Two fields that must be ordered are not (e.g. a release threshold beyond its trip).
    case inconsistent(field: String, detail: String)
    /// More estimators than the telemetry layout was sized for, or none at all.
    case estimatorCount(found: Int, allowed: String)

    /// Human-readable message.
    public var description: String {
        switch self {
        case let .outOfRange(field, value, allowed):
            "firmware config: \(field) = \(value) is outside \(allowed)"
        case let .inconsistent(field, detail):
            "firmware config: \(field): \(detail)"
        case let .estimatorCount(found, allowed):
            "firmware config: \(found) estimators, expected \(allowed)"
        }
    }
}
