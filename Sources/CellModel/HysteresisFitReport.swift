/// What `bmsim fit` found about hysteresis, as stored in `cell.json`'s `fitReport.hysteresis`
/// (also when it decided against it): the slow test's gap per temperature, the decision and
/// its threshold, and the fitted M, M0, γ with the residual they leave.
public struct HysteresisFitReport: Sendable, Equatable, Codable {
    /// One slow-test temperature.
    public struct Group: Sendable, Equatable, Codable {
        /// Median cell temperature of the slow test, °C.
        public var temperatureC: Double
        /// SOC nodes (0.1–0.9) the gap was read at.
        public var nodes: Int
        /// Median half gap between the C/20 charge and discharge, mV.
        public var halfGapmV: Double
        /// Median R_dc · |I| removed from it, mV.
        public var resistiveDropmV: Double
        /// M + M0: the gap after the ohmic part, mV.
        public var hysteresismV: Double
        /// Fitted M, M0 (mV) and γ when hysteresis was fitted.
        public var maximummV: Double?, instantaneousmV: Double?, rateConstant: Double?
        /// Segments whose dynamic data fitted γ and M0 (nearest temperature).
        public var segments: Int

        /// Creates a group.
        public init(temperatureC: Double, nodes: Int, halfGapmV: Double, resistiveDropmV: Double, hysteresismV: Double,
                    maximummV: Double? = nil, instantaneousmV: Double? = nil, rateConstant: Double? = nil, segments: Int = 0) {
            self.temperatureC = temperatureC
            self.nodes = nodes
            self.halfGapmV = halfGapmV
            self.resistiveDropmV = resistiveDropmV
            self.hysteresismV = hysteresismV
            self.maximummV = maximummV
            self.instantaneousmV = instantaneousmV
            self.rateConstant = rateConstant
            self.segments = segments
        }
    }

    /// `auto`, `on` or `off` (`bmsim fit --hysteresis`).
    public var mode: String
    /// `auto` turns hysteresis on when some group's M + M0 exceeds this, mV.
    public var thresholdmV: Double
    /// Whether the model has hysteresis.
    public var used: Bool
    /// One line: why.
    public var decision: String
    /// The slow tests' groups.
    public var groups: [Group]
    /// Overall 1RC residual of the fit without hysteresis and with it (when fitted), mV RMS.
    public var residual1RCWithoutmV: Double?, residual1RCWithmV: Double?

    /// Creates a report.
    public init(mode: String, thresholdmV: Double, used: Bool, decision: String, groups: [Group],
                residual1RCWithoutmV: Double? = nil, residual1RCWithmV: Double? = nil) {
        self.mode = mode
        self.thresholdmV = thresholdmV
        self.used = used
        self.decision = decision
        self.groups = groups
        self.residual1RCWithoutmV = residual1RCWithoutmV
        self.residual1RCWithmV = residual1RCWithmV
    }
}
