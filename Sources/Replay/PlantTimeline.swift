import BMSCore
import CellData

/// The recorded cell as a plant the firmware samples at tick times: the whole life of a
/// recording (charges, rests and discharges in time order) flattened into one time axis.
///
/// At a tick time `t` the plant value is the linear interpolation of the recording inside
/// an operation; inside an explicit gap (`isGap`) the current is held (zero-order hold) from
/// the gap's first sample while voltage and temperature are interpolated; between two
/// operations the cell is open-circuit (0 A; a record that ends under load, as NASA
/// discharges cut at 2.7 V do, must not be extended for days) with V and T interpolated.
/// After the last sample every channel holds. The reference SOC is interpolated inside
/// operations and held between them, and returned beside the plant, for scoring only.
///
/// Queries must come in non-decreasing time order (a cursor moves forward), which makes a
/// query O(1) amortised and allocation-free.
public struct PlantTimeline: Sendable {
    /// Absolute time (s since the recording's first operation start) of each sample, all
    /// operations concatenated.
    let timeS: [Double]
    let voltageV: [Double]
    let currentA: [Double]
    let temperatureC: [Double]
    let referenceSOC: [Double]
    /// Index of the operation each sample belongs to.
    let operationIndex: [Int32]
    /// Per operation: kind, gap flag, first and last sample index.
    /// `unrecordedFullCharge`: the operation follows a gap in which the source lost a CC-CV
    /// charge (NASA's CSV keeps every tenth charge), so a BMS would have seen the charge
    /// terminate at 4.2 V / 20 mA just before it (see `ReplayRunner.run`).
    public let operations: [(kind: OperationKind, isGap: Bool, first: Int, last: Int, unrecordedFullCharge: Bool)]
    private var cursor = 0

    /// Builds the timeline; `referenceSOC[k][j]` labels sample j of operation k.
    public init(recording: Recording, referenceSOC labels: [[Double]]) throws(ReplayError) {
        precondition(labels.count == recording.operations.count, "one reference array per operation")
        var t: [Double] = [], v: [Double] = [], i: [Double] = [], c: [Double] = [], r: [Double] = []
        var op: [Int32] = []
        var ops: [(OperationKind, Bool, Int, Int, Bool)] = []
        var lastTime = -Double.infinity
        var chargeLostInGap = false
        for (k, operation) in recording.operations.enumerated() {
            if operation.isGap, let last = operation.unrecordedCycles.last(where: \.movesCharge) {
                chargeLostInGap = last.type == "charge"
            }
            let s = operation.samples
            guard s.count > 0 else { continue }
            guard labels[k].count == s.count else {
                throw .emptyRecording(cell: recording.cell, detail: "operation \(k): \(labels[k].count) reference values for \(s.count) samples")
            }
            let first = t.count
            for j in 0..<s.count {
                let time = operation.startTimeS + s.timeS[j]
                guard time.isFinite, time > lastTime else { continue }  // keep time strictly increasing
                lastTime = time
                t.append(time); v.append(s.voltageV[j]); i.append(s.currentA[j]); c.append(s.temperatureC[j])
                r.append(labels[k][j]); op.append(Int32(ops.count))
            }
            if t.count > first {
                let fullCharge = !operation.isGap && chargeLostInGap
                if !operation.isGap { chargeLostInGap = false }
                ops.append((operation.kind, operation.isGap, first, t.count - 1, fullCharge))
            }
        }
        guard t.count >= 2 else {
            throw .emptyRecording(cell: recording.cell, detail: "fewer than two samples with finite, increasing time")
        }
        timeS = t; voltageV = v; currentA = i; temperatureC = c; referenceSOC = r; operationIndex = op
        operations = ops.map { (kind: $0.0, isGap: $0.1, first: $0.2, last: $0.3, unrecordedFullCharge: $0.4) }
    }

    /// Time of the first sample with a finite reference SOC (a NASA life starts with a
    /// charge from an unknown state, which CellData leaves unlabelled), or nil if none.
    public var firstLabelledTimeS: Double? { referenceSOC.firstIndex { $0.isFinite }.map { timeS[$0] } }

    /// Time of the first sample, s.
    public var startTimeS: Double { timeS[0] }
    /// Time of the last sample, s.
    public var endTimeS: Double { timeS[timeS.count - 1] }

    /// The plant at time `t` as a measurement with `dtSeconds = dt`, the reference SOC, the
    /// index of the operation `t` falls in (or -1 between operations / in gaps), and whether
    /// that operation is a discharge.
    public mutating func sample(at t: Double, dt: Double) -> (plant: CellMeasurement, referenceSOC: Double, operation: Int) {
        while cursor + 1 < timeS.count && timeS[cursor + 1] <= t { cursor += 1 }
        let j = cursor
        if j + 1 >= timeS.count || t < timeS[j] {
            // After the last sample (or before the first): hold.
            return (CellMeasurement(voltageV: voltageV[j], currentA: currentA[j], temperatureC: temperatureC[j],
                                    dtSeconds: dt), referenceSOC[j], -1)
        }
        let opIndex = Int(operationIndex[j])
        let w = (t - timeS[j]) / (timeS[j + 1] - timeS[j])
        if operationIndex[j + 1] != operationIndex[j] {
            // Between two operations nothing was recorded and no load or charger was on:
            // open circuit (0 A), V and T linear between the two recorded neighbours; the
            // reference holds the value at the end of the earlier operation. Not scored.
            return (CellMeasurement(voltageV: voltageV[j] + w * (voltageV[j + 1] - voltageV[j]), currentA: 0,
                                    temperatureC: temperatureC[j] + w * (temperatureC[j + 1] - temperatureC[j]),
                                    dtSeconds: dt), referenceSOC[j], -1)
        }
        let gap = operations[opIndex].isGap
        let current = gap ? currentA[j] : currentA[j] + w * (currentA[j + 1] - currentA[j])
        return (CellMeasurement(voltageV: voltageV[j] + w * (voltageV[j + 1] - voltageV[j]), currentA: current,
                                temperatureC: temperatureC[j] + w * (temperatureC[j + 1] - temperatureC[j]),
                                dtSeconds: dt),
                referenceSOC[j] + w * (referenceSOC[j + 1] - referenceSOC[j]), gap ? -1 : opIndex)
    }

    /// When the cursor is in a gap or between two operations: the time the next recorded
    /// (non-gap) operation starts, else the end of the recording.
    public var unscoredStretchEndS: Double {
        var op = Int(operationIndex[cursor])
        if cursor + 1 < timeS.count && operationIndex[cursor + 1] != operationIndex[cursor] { op += 1 }
        while op < operations.count && operations[op].isGap { op += 1 }
        guard op < operations.count else { return endTimeS }
        let first = timeS[operations[op].first]
        return first > timeS[cursor] ? first : endTimeS
    }

    /// Moves the cursor back to the start.
    public mutating func rewind() { cursor = 0 }
}
