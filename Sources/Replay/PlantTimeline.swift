import BMSCore
import CellData

/// The recorded cell as a plant the firmware samples at tick times: the recorded operations
/// of a life (charges, rests and discharges in time order) flattened into one time axis.
///
/// Only recorded samples are on the axis. Gaps (`CellOperation.isGap`: time the recording
/// did not capture) and the time between two operations are **not** filled in: there is no
/// made-up voltage ramp. A replay sleeps through them (`nextRecordedTimeS`), as a BMS in
/// storage does, and wakes at the next recorded sample.
///
/// Two recorded operations with no gap operation between them, the second starting no later
/// than `boundaryIntervalFactor` sampling intervals after the first's last sample (the log's
/// interval just before the change), are one continuous log whose `operation` label changed
/// (a generic CSV's rows): the replay ticks through the time between them
/// (`Operation.continuesPrevious`), holding the last sample of the first — a tester logs a
/// step's first row when the step starts, so the new current begins at the new operation's
/// first sample, not on a ramp towards it. A longer pause between two operations is time the
/// log did not capture, slept through as a gap. A NASA recording has a gap operation between
/// every two records, so its records never continue one another. An operation whose first
/// sample repeats its predecessor's last time (the format allows it at a boundary) continues
/// it and keeps that sample: the plant runs on from the new operation's first values.
///
/// At a tick time `t` inside an operation the plant value is the linear interpolation of the
/// recording; after the last sample every channel holds. The reference SOC is interpolated
/// inside operations and returned beside the plant, for scoring only.
///
/// Two samples of one operation more than `maximumSampleIntervalS` apart are a hole in the
/// log, not a slow sample: the operation is split there on the axis, so the replay sleeps
/// through the hole instead of ticking through it (a generic CSV whose second row is at
/// t = 10¹¹ s took about 12 h of ticks).
///
/// Queries must come in non-decreasing time order (a cursor moves forward), which makes a
/// query O(1) amortised and allocation-free.
public struct PlantTimeline: Sendable {
    /// Absolute time (s since the recording's first operation start) of each sample, all
    /// recorded operations concatenated.
    let timeS: [Double]
    let voltageV: [Double]
    let currentA: [Double]
    let temperatureC: [Double]
    let referenceSOC: [Double]
    /// Index (into `operations`) of the operation each sample belongs to.
    let operationIndex: [Int32]
    /// One recorded operation on the axis.
    public struct Operation: Sendable, Equatable {
        /// Charge, discharge or (recorded) rest.
        public var kind: OperationKind
        /// Index of the operation in `Recording.operations`.
        public var recordingIndex: Int
        /// First and last sample index on the axis.
        public var first: Int
        /// Last sample index on the axis.
        public var last: Int
        /// The operation follows a gap in which the source lost a CC-CV charge (NASA's CSV
        /// keeps every tenth charge), so a BMS would have seen the charge terminate at
        /// 4.2 V / 20 mA just before it (see `ReplayRunner.run`).
        public var unrecordedFullCharge: Bool
        /// The operation continues the one before it on the axis without a break: the replay
        /// ticks through the time between the two (the earlier one's last sample held) instead
        /// of sleeping through it.
        public var continuesPrevious: Bool = false
    }
    /// The recorded operations, in time order (an operation with a hole in its log is two
    /// entries with the same `recordingIndex`).
    public let operations: [Operation]
    /// The longest time between two samples of one operation that is interpolated, s
    /// (`LogContinuity`).
    public static let maximumSampleIntervalS = LogContinuity.maximumSampleIntervalS
    /// The longest time between two operations that continue one another, in sampling
    /// intervals of the log just before the change (`LogContinuity`).
    public static let boundaryIntervalFactor = LogContinuity.boundaryIntervalFactor
    private var cursor = 0

    /// Builds the timeline; `referenceSOC[k][j]` labels sample j of operation k (NaN where
    /// there is no reference).
    public init(recording: Recording, referenceSOC labels: [[Double]]) throws(ReplayError) {
        precondition(labels.count == recording.operations.count, "one reference array per operation")
        for (k, operation) in recording.operations.enumerated() where !operation.isGap && labels[k].count != operation.samples.count {
            throw .emptyRecording(cell: recording.cell,
                                  detail: "operation \(k): \(labels[k].count) reference values for \(operation.samples.count) samples")
        }
        var t: [Double] = [], v: [Double] = [], i: [Double] = [], c: [Double] = [], r: [Double] = []
        var op: [Int32] = []
        var ops: [Operation] = []
        var lastTime = -Double.infinity
        var chargeLostInGap = false
        var nextOperation = 0   // the first operation not yet passed: the gaps before a piece are read once
        // One piece of a stretch of recorded time (`LogContinuity.stretches`) is one operation on
        // the axis; every piece after a stretch's first continues the one before it.
        for stretch in LogContinuity.stretches(recording.operations) {
            for (n, piece) in stretch.enumerated() {
                for gap in recording.operations[nextOperation..<piece.operation] where gap.isGap {
                    if let last = gap.unrecordedCycles.last(where: \.movesCharge) { chargeLostInGap = last.type == "charge" }
                }
                nextOperation = max(nextOperation, piece.operation)
                let k = piece.operation, operation = recording.operations[k], s = operation.samples
                let continues = n > 0, first = t.count
                for j in piece.samples {
                    let time = operation.startTimeS + s.timeS[j]
                    // Time strictly increases, except that an operation may start at its
                    // predecessor's last time: kept, its own first values carry the plant on.
                    let repeatsBoundary = continues && t.count == first && time == lastTime
                    guard time.isFinite, time > lastTime || repeatsBoundary else { continue }
                    lastTime = time
                    t.append(time); v.append(s.voltageV[j]); i.append(s.currentA[j]); c.append(s.temperatureC[j])
                    r.append(labels[k][j]); op.append(Int32(ops.count))
                }
                if t.count > first {
                    ops.append(Operation(kind: operation.kind, recordingIndex: k, first: first, last: t.count - 1,
                                         unrecordedFullCharge: chargeLostInGap, continuesPrevious: continues))
                    chargeLostInGap = false
                }
            }
        }
        guard t.count >= 2 else {
            throw .emptyRecording(cell: recording.cell, detail: "fewer than two samples with finite, increasing time")
        }
        timeS = t; voltageV = v; currentA = i; temperatureC = c; referenceSOC = r; operationIndex = op
        operations = ops
    }

    /// Time of the first sample with a finite reference SOC, or nil if none.
    public var firstLabelledTimeS: Double? { referenceSOC.firstIndex { $0.isFinite }.map { timeS[$0] } }

    /// The first time at least `seconds` into a discharge with a finite reference at which
    /// the cell is under load (|I| > `loadedCurrentA`), or nil when no discharge qualifies.
    public func firstLoadedTimeS(afterDischargeSeconds seconds: Double, loadedCurrentA: Double = 0.1) -> Double? {
        for operation in operations where operation.kind == .discharge {
            let startS = timeS[operation.first]
            for j in operation.first...operation.last
            where timeS[j] - startS >= seconds && abs(currentA[j]) > loadedCurrentA && referenceSOC[j].isFinite {
                return timeS[j]
            }
        }
        return nil
    }

    /// Time of the first sample, s.
    public var startTimeS: Double { timeS[0] }
    /// Time of the last sample, s.
    public var endTimeS: Double { timeS[timeS.count - 1] }

    /// The plant at time `t` as a measurement with `dtSeconds = dt`, the reference SOC, and
    /// the index (into `operations`) of the recorded operation `t` falls in, or −1 when `t` is
    /// outside every recorded operation (between two operations that do not continue one
    /// another, before the first sample or after the last; the plant then holds the nearest
    /// earlier sample, and is not to be used: the firmware sleeps there). Between two
    /// operations of which the second continues the first: the first's last sample, held,
    /// with the reference SOC interpolated between the two.
    public mutating func sample(at t: Double, dt: Double) -> (plant: CellMeasurement, referenceSOC: Double, operation: Int) {
        while cursor + 1 < timeS.count && timeS[cursor + 1] <= t { cursor += 1 }
        let j = cursor
        if j + 1 >= timeS.count || t < timeS[j] || operationIndex[j + 1] != operationIndex[j] {
            let held = CellMeasurement(voltageV: voltageV[j], currentA: currentA[j], temperatureC: temperatureC[j],
                                       dtSeconds: dt)
            if t > timeS[j] && j + 1 < timeS.count && operations[Int(operationIndex[j + 1])].continuesPrevious {
                // The plant holds its last row; the SOC, a state, runs on between the two labels.
                let w = (t - timeS[j]) / (timeS[j + 1] - timeS[j])
                return (held, referenceSOC[j] + w * (referenceSOC[j + 1] - referenceSOC[j]), Int(operationIndex[j]))
            }
            return (held, referenceSOC[j], t == timeS[j] ? Int(operationIndex[j]) : -1)
        }
        let w = (t - timeS[j]) / (timeS[j + 1] - timeS[j])
        return (CellMeasurement(voltageV: voltageV[j] + w * (voltageV[j + 1] - voltageV[j]),
                                currentA: currentA[j] + w * (currentA[j + 1] - currentA[j]),
                                temperatureC: temperatureC[j] + w * (temperatureC[j + 1] - temperatureC[j]),
                                dtSeconds: dt),
                referenceSOC[j] + w * (referenceSOC[j + 1] - referenceSOC[j]), Int(operationIndex[j]))
    }

    /// When the last query fell outside every recorded operation: the time of the next
    /// recorded sample (where the firmware wakes), or nil after the last sample.
    public var nextRecordedTimeS: Double? {
        cursor + 1 < timeS.count ? timeS[cursor + 1] : nil
    }

    /// When the last query fell outside every recorded operation: the index (into
    /// `operations`) of the operation the next recorded sample belongs to.
    public var nextRecordedOperation: Int? {
        cursor + 1 < timeS.count ? Int(operationIndex[cursor + 1]) : nil
    }

    /// Moves the cursor back to the start.
    public mutating func rewind() { cursor = 0 }
}
