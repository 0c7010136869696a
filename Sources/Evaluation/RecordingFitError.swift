/// Why `bmsim fit` cannot fit a cell model from the generic recordings it was given.
public enum RecordingFitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// None of the recordings has an operation with a reference SOC (no `soc` column and no
    /// charge that ends full to anchor the count). `excluded`: reason → number of operations.
    case noLabelledOperation(sources: [String], excluded: [String: Int])
    /// No capacity: no `--capacity`, no full discharge after a full charge, no `soc` column
    /// that moves and no `capacity_ah` column.
    case noCapacity(sources: [String])
    /// `--hysteresis on` but no slow test (a C/20 charge and discharge at one temperature, both
    /// spanning ≥ 50 % SOC) from whose gap M + M0 could be read.
    case noSlowTestForHysteresis(sources: [String])

    /// One-line message.
    public var description: String {
        switch self {
        case let .noLabelledOperation(sources, excluded):
            let reasons = excluded.keys.sorted().map { "\(excluded[$0]!) \($0)" }.joined(separator: ", ")
            return "\(sources.joined(separator: ", ")): no operation has a reference SOC (\(reasons)); "
                + "add a soc column, or record a full charge (CC–CV to the taper) before the test"
        case let .noCapacity(sources):
            return "\(sources.joined(separator: ", ")): no capacity: give --capacity AH (no full discharge from a "
                + "full charge, no soc column that moves, no capacity_ah column)"
        case let .noSlowTestForHysteresis(sources):
            return "\(sources.joined(separator: ", ")): --hysteresis on needs a slow test (a charge and a discharge at C/20 "
                + "or slower, each spanning at least 50 % SOC, at one temperature): none found"
        }
    }
}
