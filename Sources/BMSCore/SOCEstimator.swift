/// An SOC estimate: the state of charge as a fraction of capacity (1 = full) and,
/// where the method has one, its standard deviation (also a fraction).
public struct SOCEstimate: Sendable, Equatable {
    /// State of charge, fraction of the capacity the estimator assumes. An estimator's own
    /// value may leave [0, 1]; the firmware's estimator bank reports it clamped to
    /// `SOCEstimate.reportedRange` (and says so in `clamped`).
    public var soc: Double
    /// One standard deviation of `soc`, or `nil` when the method has no uncertainty.
    public var sigma: Double?
    /// True when the estimator refused the last measurement (non-finite or out of range)
    /// and is holding its previous state.
    public var holding: Bool
    /// Where the method extrapolates: the inputs of this estimate are outside the envelope it
    /// was trained in (`TrainingEnvelope`; empty for methods without one).
    public var envelope: EnvelopeFlags

    /// Creates an estimate.
    @inlinable
    public init(soc: Double, sigma: Double? = nil, holding: Bool = false, envelope: EnvelopeFlags = []) {
        self.soc = soc
        self.sigma = sigma
        self.holding = holding
        self.envelope = envelope
    }

    /// State of charge in percent.
    @inlinable public var socPercent: Double { soc * 100 }

    /// The range a BMS reports SOC in: empty to full.
    public static let reportedRange: ClosedRange<Double> = 0...1

    /// The estimate as reported: `soc` clamped to `reportedRange` (a NaN becomes the
    /// range's lower end), `clamped` true when that changed it.
    @inlinable public var reported: (estimate: SOCEstimate, clamped: Bool) {
        let r = Self.reportedRange
        guard !(soc >= r.lowerBound && soc <= r.upperBound) else { return (self, false) }
        var copy = self
        copy.soc = soc > r.upperBound ? r.upperBound : r.lowerBound
        return (copy, true)
    }
}

/// The one interface every SOC method implements (Ah counting, OCV lookup, EKF, UKF,
/// the fixed-point LSTM): one measurement per tick in, one estimate out.
///
/// Rules for conformers (the firmware side of BMSim):
/// - `update` must not allocate, throw, or read files; it runs once per estimation tick.
/// - A measurement that is not finite or out of the configured range must not poison the
///   state: hold the previous state and return it with `holding == true`.
/// - Estimators are reference types so that an estimator bank can update them in place.
public protocol SOCEstimator: AnyObject {
    /// Short stable identifier, e.g. `"ekf-1rc"`; used in tables and telemetry columns.
    var name: String { get }
    /// Consumes one measurement and returns the new estimate.
    func update(_ measurement: CellMeasurement) -> SOCEstimate
    /// The current estimate without consuming a measurement.
    var estimate: SOCEstimate { get }
    /// Restarts the estimator believing the given SOC (fraction).
    func reset(soc: Double)
    /// The BMS slept `seconds` without measuring (storage, or time a recording did not
    /// capture); the next `update` is the wake-up reading. The estimator keeps its state;
    /// one that knows the OCV re-anchors to a rested wake-up reading after a sleep of at
    /// least its rest time (`Docs/Estimators.md`, "Sleep and wake-up"). The current during
    /// the sleep is unknown and is not counted. `seconds` may be `.infinity`: a power-up with
    /// an unknown history.
    func wake(afterSleepSeconds seconds: Double)
    /// Bytes of mutable state the method needs on a microcontroller (its own figure,
    /// e.g. the filter's state vector and covariance in the precision it would use).
    var stateBytes: Int { get }
    /// The envelope a learned method was trained in (its estimates carry `EnvelopeFlags`
    /// when they leave it); `nil` for methods without one (the default).
    var trainingEnvelope: TrainingEnvelope? { get }
}

extension SOCEstimator {
    /// No envelope: a model-based method is not limited to what it was trained on.
    public var trainingEnvelope: TrainingEnvelope? { nil }
}
