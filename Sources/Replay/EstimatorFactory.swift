import BMSCore

/// What an estimator is told when it is made for a replay: only what a real BMS would
/// know (never the reference SOC beyond the scenario's chosen starting value).
public struct EstimatorSetup: Sendable, Equatable {
    /// Capacity the estimator starts from, Ah; `nil` = its cell model's own capacity
    /// (none set by the scenario).
    public var capacityAh: Double?
    /// SOC it starts with (fraction).
    public var initialSOC: Double
    /// Seconds between its updates.
    public var updatePeriodSeconds: Double
    /// Standard deviation of the voltage sensor noise, V (0 for ideal sensors).
    public var voltageNoiseV: Double
    /// Standard deviation of the current sensor noise, A.
    public var currentNoiseA: Double

    /// Creates a setup.
    public init(capacityAh: Double?, initialSOC: Double, updatePeriodSeconds: Double, voltageNoiseV: Double,
                currentNoiseA: Double) {
        self.capacityAh = capacityAh
        self.initialSOC = initialSOC
        self.updatePeriodSeconds = updatePeriodSeconds
        self.voltageNoiseV = voltageNoiseV
        self.currentNoiseA = currentNoiseA
    }
}

/// Makes estimators by name, so that `Replay` does not depend on concrete methods. The
/// `bmsim` tool provides one backed by the `Estimators` module (Ah, OCV, EKF, UKF, LSTM).
public protocol EstimatorFactory: Sendable {
    /// Names this factory can make, in the preferred table order.
    var knownNames: [String] { get }
    /// A fresh estimator called `name`; throws `ReplayError.unknownEstimator` for other names.
    func makeEstimator(name: String, setup: EstimatorSetup) throws -> any SOCEstimator
    /// The design capacity of the cell the estimators are made for, Ah (what the BMS knows
    /// of its cell: it scales the firmware's current auto-zero); `nil` = unknown.
    var cellCapacityAh: Double? { get }
    /// The capacity of the reference cell the scenario presets are sized for, Ah (same
    /// convention as `cellCapacityAh`); a preset's currents scale by `cellCapacityAh` over it
    /// (`CurrentSizing.referenceCell`); `nil` = presets as written.
    var referenceCellCapacityAh: Double? { get }
}

extension EstimatorFactory {
    /// Unknown by default.
    public var cellCapacityAh: Double? { nil }
    /// None by default: presets run as written.
    public var referenceCellCapacityAh: Double? { nil }

    /// The factor `scenario`'s currents are scaled by on this factory's cell (1: as written).
    public func currentScale(of scenario: ReplayScenario) -> Double {
        scenario.currentScale(cellCapacityAh: cellCapacityAh, referenceCapacityAh: referenceCellCapacityAh)
    }
}

/// A factory from closures (handy in tests and for wiring).
public struct ClosureEstimatorFactory: EstimatorFactory {
    /// Names and their makers, in order.
    public let makers: [(name: String, make: @Sendable (EstimatorSetup) throws -> any SOCEstimator)]

    /// Creates a factory.
    public init(_ makers: [(name: String, make: @Sendable (EstimatorSetup) throws -> any SOCEstimator)]) {
        self.makers = makers
    }

    /// Names this factory can make.
    public var knownNames: [String] { makers.map(\.name) }

    /// A fresh estimator called `name`.
    public func makeEstimator(name: String, setup: EstimatorSetup) throws -> any SOCEstimator {
        guard let maker = makers.first(where: { $0.name == name }) else {
            throw ReplayError.unknownEstimator(name: name, known: knownNames)
        }
        return try maker.make(setup)
    }
}
