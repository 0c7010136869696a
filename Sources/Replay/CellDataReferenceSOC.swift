import CellData

/// The scoring truth from CellData: README §1.5 reference SOC (`ReferenceSOC.label`), with
/// one scoring rule on top: discharges NASA's index flags as not a capacity test
/// (`capacity_below_1Ah`, `capacity_missing` — the runs `shared/bench/TASK.md` also leaves
/// out, e.g. 4 °C runs that end almost at once) are replayed but not scored, and neither are
/// the charges and rests labelled from their end. A 0.1 Ah "capacity" would otherwise turn a
/// few mAh of counting error into hundreds of SOC points.
public struct CellDataReferenceSOC: ReferenceSOCLabeller {
    /// Index flags that make a discharge's capacity unusable as the SOC normaliser.
    public static let unscoredFlags: Set<String> = ["capacity_below_1Ah", "capacity_missing"]

    /// Creates the labeller.
    public init() {}

    /// One array per operation, one SOC fraction per sample (NaN where undefined or unscored).
    public func referenceSOC(for recording: Recording) -> [[Double]] {
        var unscored = false
        return zip(ReferenceSOC.label(recording), recording.operations).map { label, operation in
            if operation.kind == .discharge {
                unscored = operation.quality.contains {
                    $0.kind == .indexFlag && Self.unscoredFlags.contains($0.detail)
                }
            }
            guard let label, !unscored else {
                return [Double](repeating: .nan, count: operation.samples.count)
            }
            return label
        }
    }
}
