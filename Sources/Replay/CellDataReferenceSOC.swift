import CellData

/// The project's reference SOC from `CellData` (`ReferenceSOC.label`), as a labeller;
/// operations CellData leaves unlabelled (no preceding measured discharge) become NaN,
/// which Replay replays but does not score.
public struct CellDataReferenceSOC: ReferenceSOCLabeller {
    /// Creates the labeller.
    public init() {}

    /// One array per operation, one SOC fraction per sample (NaN where undefined).
    public func referenceSOC(for recording: Recording) -> [[Double]] {
        zip(ReferenceSOC.label(recording), recording.operations).map { label, operation in
            label ?? [Double](repeating: .nan, count: operation.samples.count)
        }
    }
}
