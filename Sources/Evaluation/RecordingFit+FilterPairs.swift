import CellModel

extension RecordingFit {
    /// `bmsim fit --filter-pairs`: the R–C pairs the filters run on this model when asked for
    /// as `ekf` and `ukf` (`CellModelParameters.filterPairs`); `ekf-1rc`, `ekf-2rc`, `ukf-1rc`
    /// and `ukf-2rc` always run what they name.
    public enum FilterPairsMode: String, Sendable, CaseIterable {
        /// Two pairs when the 2RC fit's residual is lower than the 1RC fit's by at least
        /// `filterPairsMinimumGainPercent` (the default).
        case auto
        /// One pair (the model is written as without the field).
        case one = "1"
        /// Two pairs.
        case two = "2"
    }

    /// `auto` chooses two pairs when the 2RC fit's RMS residual over the fitted recordings is
    /// below the 1RC fit's by at least this share, %. Chosen on the development data (the
    /// PyBaMM cells of `Docs/Results.md`, "Filter pairs"): fitted on the OCV table and HPPC
    /// pulses the gain is 7.4 % (Ecker2015 NMC), 10.1 % (Mohtat2020 NMC) and 56 % (Kim2011 NCA),
    /// −0.3 % for the assembled LFP, whose 2RC filters were worse (0.31 → 0.74 %); with a WLTC
    /// fitted as well 15 %, 14 %, 33 % and −0.8 %. 5 % leaves the LFP on one pair with a margin and
    /// takes the smallest NMC gain.
    public static let filterPairsMinimumGainPercent = 5.0

    /// The pairs `mode` gives for a fit with these overall residuals (mV RMS; nil: not known)
    /// and the decision in words, for the report.
    public static func filterPairs(residual1RCmV: Double?, residual2RCmV: Double?, mode: FilterPairsMode)
        -> (pairs: Int, decision: String) {
        let residuals = residual1RCmV.flatMap { one in residual2RCmV.map { (one, $0) } }
        let measured = residuals.map { one, two in
            String(format: "the 2RC fit's residual %.2f mV against the 1RC fit's %.2f mV", two, one)
        } ?? "no fit residuals"
        switch mode {
        case .one: return (1, "1 R–C pair (--filter-pairs 1; \(measured))")
        case .two: return (2, "2 R–C pairs (--filter-pairs 2; \(measured))")
        case .auto:
            guard let (one, two) = residuals, one > 0, one.isFinite, two.isFinite else {
                return (1, "1 R–C pair (auto: \(measured))")
            }
            let gain = 100 * (one - two) / one
            let pairs = gain >= filterPairsMinimumGainPercent ? 2 : 1
            let change = gain >= 0 ? String(format: "%.1f %% lower", gain) : String(format: "%.1f %% higher", -gain)
            return (pairs, String(format: "%d R–C pair%@ (auto: %@, %@; 2 from %.0f %% lower)", pairs, pairs == 1 ? "" : "s",
                                  measured, change, filterPairsMinimumGainPercent))
        }
    }
}
