/// When two samples of a recording lie on one stretch of recorded time, and when the time
/// between them was not recorded: the rule the replay's time axis (`PlantTimeline`) and a
/// generic dataset's labelled sequences (`GenericDataset.labelled`) share.
///
/// - Inside an operation, two samples more than `maximumSampleIntervalS` apart are a hole in
///   the log.
/// - A `gap` operation (`CellOperation.isGap`) is time the log did not capture.
/// - Where a generic log's `operation` label changes, the new operation continues the log when
///   its first sample repeats the last time, or comes within `boundaryIntervalFactor` of the
///   log's sampling intervals (the interval between the two samples before the change); a
///   longer pause is a logger stopped between two steps.
public enum LogContinuity {
    /// The longest time between two samples of one operation that is interpolated, s.
    public static let maximumSampleIntervalS = 3600.0
    /// The longest time between two operations that continue one another, in sampling
    /// intervals of the log just before the change (a tester's step change lands within one;
    /// twice allows for jitter).
    public static let boundaryIntervalFactor = 2.0

    /// Whether a new operation whose first sample comes `pauseS` after the last sample
    /// continues the log, given the interval between the two samples before (nil when unknown:
    /// the last sample was the first after a break).
    public static func operationContinues(pauseS: Double, lastIntervalS: Double?) -> Bool {
        pauseS <= maximumSampleIntervalS
            && (pauseS == 0 || lastIntervalS.map { pauseS <= boundaryIntervalFactor * $0 } == true)
    }
}
