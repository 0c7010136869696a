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

    /// One piece of a stretch: samples `samples` of operation `operation`.
    public struct Piece: Sendable, Equatable {
        /// Index into the operations given.
        public var operation: Int
        /// Sample indices of that operation.
        public var samples: Range<Int>
    }

    /// The stretches of recorded time of `operations` (in time order): runs of samples with
    /// no gap operation, hole or long pause at a label change between them. Gap operations
    /// belong to none; a sample that repeats the last time stays (the caller decides which of
    /// the two readings to keep).
    public static func stretches(_ operations: [CellOperation]) -> [[Piece]] {
        var out: [[Piece]] = [], current: [Piece] = []
        var lastTime: Double?, lastIntervalS: Double?
        func close() {
            if !current.isEmpty { out.append(current) }
            current = []
            lastIntervalS = nil
        }
        for (index, op) in operations.enumerated() {
            if op.isGap { close(); continue }
            var start = 0
            for k in 0..<op.samples.count {
                let time = op.startTimeS + op.samples.timeS[k]
                if let last = lastTime {
                    let cut = k == 0 ? !operationContinues(pauseS: time - last, lastIntervalS: lastIntervalS)
                                     : time - last > maximumSampleIntervalS
                    if cut {
                        if k > start { current.append(Piece(operation: index, samples: start..<k)) }
                        close()
                        start = k
                    } else if time > last {
                        lastIntervalS = time - last
                    }
                }
                lastTime = time
            }
            if op.samples.count > start { current.append(Piece(operation: index, samples: start..<op.samples.count)) }
        }
        close()
        return out
    }
}
