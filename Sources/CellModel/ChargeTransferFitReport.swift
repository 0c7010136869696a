/// What `bmsim fit` found about the charge-transfer term, as stored in `cell.json`'s
/// `fitReport.chargeTransfer` (also when it decided against it): the decision and its
/// threshold, the fitted a and I_ref per temperature group, and the 1RC residual without and
/// with the term.
public struct ChargeTransferFitReport: Sendable, Equatable, Codable {
    /// One temperature group.
    public struct Group: Sendable, Equatable, Codable {
        /// Group temperature (a node of the resistance grid), °C.
        public var temperatureC: Double
        /// Fitted a, mV.
        public var coefficientmV: Double
        /// Fitted I_ref, A.
        public var referenceCurrentA: Double

        /// Creates a group.
        public init(temperatureC: Double, coefficientmV: Double, referenceCurrentA: Double) {
            self.temperatureC = temperatureC
            self.coefficientmV = coefficientmV
            self.referenceCurrentA = referenceCurrentA
        }
    }

    /// `auto`, `on` or `off` (`bmsim fit --charge-transfer`).
    public var mode: String
    /// `auto` keeps the term when it lowers the 1RC fit residual by more than this share, %.
    public var thresholdPercent: Double
    /// Whether the model has the term.
    public var used: Bool
    /// One line: why.
    public var decision: String
    /// The fitted groups (also when not used).
    public var groups: [Group]
    /// Overall 1RC residual of the fit without the term and with it, mV RMS.
    public var residual1RCWithoutmV: Double?, residual1RCWithmV: Double?

    /// Creates a report.
    public init(mode: String, thresholdPercent: Double, used: Bool, decision: String, groups: [Group],
                residual1RCWithoutmV: Double? = nil, residual1RCWithmV: Double? = nil) {
        self.mode = mode
        self.thresholdPercent = thresholdPercent
        self.used = used
        self.decision = decision
        self.groups = groups
        self.residual1RCWithoutmV = residual1RCWithoutmV
        self.residual1RCWithmV = residual1RCWithmV
    }
}
