import BMSCore
import CellData
import CellModel

/// `bmsim fit` on generic recordings (any cell): reference SOC per sample, capacity, OCV
/// source, data-driven grids, then `TheveninIdentification` on the labelled parts.
///
/// * SOC: the `soc` column where present; else `ReferenceSOC.anchoredReferences` (counted
///   from full charges with the label capacity). Operations without a reference are left out.
/// * Capacity: `--capacity` (or a dataset's `nominal_capacity_ah`); else the median Ah from a full-charge anchor to the lowest
///   voltage of stretches that reach the recordings' cut-off; else ΔAh/ΔSOC of the `soc`
///   column; else the `capacity_ah` column.
/// * OCV: a given table (held fixed); else a slow test (C/20 or slower charge and
///   discharge, mean of the branches, a row per temperature); else rate extrapolation.
public enum RecordingFit {
    /// One recording with its reference SOC.
    public struct LabelledRecording: Sendable {
        /// Unique name (the file name without extension), also the residual key in `cell.json`.
        public var name: String
        /// Runs of consecutive labelled operations (gaps excluded), cut where the log did not record
        /// (`LogContinuity`), time in recording seconds.
        public var segments: [IdentificationSegment]
        /// Each labelled charge or discharge alone, with its kind (for the slow-test OCV).
        public var operations: [(kind: OperationKind, segment: IdentificationSegment)]
        /// Operations (not gaps) without a reference, by reason.
        public var excluded: [String: Int]
        /// Operations (not gaps) in all.
        public var operationCount: Int
    }

    /// The capacity and where it came from.
    public struct Capacity: Sendable, Equatable {
        /// Ah.
        public var ah: Double
        /// One line for the fit report.
        public var source: String
    }

    /// Everything the fit decided besides the model, for the report.
    public struct Summary: Sendable {
        /// The recordings as labelled.
        public var recordings: [LabelledRecording]
        /// Capacity used.
        public var capacity: Capacity
        /// How the OCV was obtained.
        public var ocvSource: String
        /// Identification options (grids) used.
        public var options: IdentificationOptions
        /// With hysteresis: h at the first sample of each fitted segment (the order of
        /// `recordings.flatMap(\.segments)`), for `traces`.
        public var initialH: [Double]? = nil
    }

    /// Names for `recordings`: the source file name without extension, with as many parent
    /// folders as tell it apart from the others (`0C-ocv`, `10C-ocv`; `PathSuffixes`), made unique.
    public static func names(_ recordings: [Recording]) -> [String] {
        var seen: [String: Int] = [:]
        let labels = PathSuffixes.distinguishing(recordings.map { $0.source.isEmpty ? $0.cell : $0.source })
        return labels.map { label in
            let file = label.replacingOccurrences(of: "/", with: "-")
            let stem = file.hasSuffix(".csv") || file.hasSuffix(".mat") ? String(file.dropLast(4)) : file
            seen[stem, default: 0] += 1
            return seen[stem]! == 1 ? stem : "\(stem)-\(seen[stem]!)"
        }
    }

    /// The capacity of the cell (see the type's documentation for the order); a given one is
    /// reported as coming from `optionSource`.
    public static func capacity(_ recordings: [Recording], option: Double?,
                                optionSource: String = "--capacity") throws(RecordingFitError) -> Capacity {
        if let option { return Capacity(ah: option, source: "capacity: \(optionSource) \(option) Ah") }
        if let rules = ReferenceSOC.genericRules(recordings) {
            let stretches = recordings.flatMap { ReferenceSOC.anchoredDischarges($0, rules: rules) }
            if let cutoff = stretches.map(\.lowestVoltageV).min() {
                let full = stretches.filter { $0.lowestVoltageV <= cutoff + 0.05 && $0.drawnAh > 0 }.map(\.drawnAh)
                if !full.isEmpty {
                    return Capacity(ah: OrderStatistics.median(full), source: "capacity: median of \(full.count) full "
                                    + "discharge(s), Ah from a full-charge anchor to the lowest voltage (\(cutoff) V)")
                }
            }
        }
        var drawn = 0.0, moved = 0.0, ops = 0
        for r in recordings {
            for op in r.operations where !op.isGap {
                guard let soc = op.providedSOC, let first = soc.first, let last = soc.last, abs(last - first) >= 0.01 else { continue }
                let q = ReferenceSOC.cumulativeChargeAs(timeS: op.samples.timeS, currentA: op.samples.currentA)
                drawn += abs(q[q.count - 1]) / 3600
                moved += abs(last - first)
                ops += 1
            }
        }
        if moved > 0, drawn > 0 {
            return Capacity(ah: drawn / moved, source: "capacity: ΔAh/ΔSOC of the soc column over \(ops) operation(s)")
        }
        let column = recordings.flatMap { $0.operations.compactMap(\.capacityAh) }.filter { $0 > 0 && $0.isFinite }
        if !column.isEmpty {
            return Capacity(ah: OrderStatistics.median(column), source: "capacity: median of the capacity_ah column")
        }
        throw .noCapacity(sources: recordings.map(\.source))
    }

    /// Labels every recording (`capacityOption`, else the recording's own `capacity_ah`,
    /// else `cellCapacityAh`, normalises the counted SOC) and cuts it into segments.
    public static func label(_ recordings: [Recording], names: [String], capacityOption: Double?,
                             cellCapacityAh: Double) -> [LabelledRecording] {
        let rules = ReferenceSOC.genericRules(recordings) ?? ReferenceSOC.Rules()
        return zip(recordings, names).map { r, name in
            let ownCapacity = r.operations.compactMap(\.capacityAh).first { $0 > 0 && $0.isFinite }
            let labels = ReferenceSOC.anchoredReferences(r, capacityAh: capacityOption ?? ownCapacity ?? cellCapacityAh,
                                                         rules: rules)
            var out = LabelledRecording(name: name, segments: [], operations: [], excluded: [:], operationCount: 0)
            var run: [(CellOperation, [Double])] = []
            func flush() {
                if !run.isEmpty { out.segments += segments(name, run) }
                run = []
            }
            for (op, label) in zip(r.operations, labels) {
                if !op.isGap { out.operationCount += 1 }
                switch label {
                case let .labelled(soc) where !op.isGap:
                    run.append((op, soc))
                    if op.kind != .rest { out.operations.append((op.kind, segment(name, [(op, soc)]))) }
                case let .excluded(reason) where !op.isGap:
                    out.excluded[reason.rawValue, default: 0] += 1
                    flush()
                default:
                    flush()
                }
            }
            flush()
            return out
        }
    }

    /// Operations joined into segments on the recording's time axis, cut where the log did not
    /// record (`LogContinuity`: a hole of more than an hour, a pause at a change of operation
    /// longer than two of the log's intervals), so no fitted model steps across unrecorded time;
    /// a piece of one sample is left out.
    static func segments(_ name: String, _ ops: [(CellOperation, [Double])]) -> [IdentificationSegment] {
        LogContinuity.stretches(ops.map(\.0)).compactMap { stretch in
            guard stretch.reduce(0, { $0 + $1.samples.count }) >= 2 else { return nil }
            return segment(name, stretch.map { (ops[$0.operation].0.slice($0.samples), Array(ops[$0.operation].1[$0.samples])) })
        }
    }

    /// Operations joined into one segment on the recording's time axis.
    static func segment(_ name: String, _ ops: [(CellOperation, [Double])]) -> IdentificationSegment {
        var t: [Double] = [], v: [Double] = [], i: [Double] = [], temp: [Double] = [], soc: [Double] = []
        for (op, labels) in ops {
            t += op.samples.timeS.map { op.startTimeS + $0 }
            v += op.samples.voltageV
            i += op.samples.currentA
            temp += op.samples.temperatureC
            soc += labels
        }
        return IdentificationSegment(cell: name, timeS: t, voltageV: v, currentA: i, temperatureC: temp, soc: soc)
    }

    /// Identification options from the data: OCV temperature range and resistance temperatures
    /// from the cell temperatures seen (clusters of operation medians 5 °C wide, at most 6; no
    /// smoothness rows along temperature when the nodes are those clusters),
    /// resistance SOC points over the SOC range seen, one OCV row, the loaded-voltage floor
    /// 5 % of the voltage span above the lowest voltage, and the 1RC τ refined (10 evaluations).
    public static func options(_ labelled: [LabelledRecording]) -> IdentificationOptions {
        var o = IdentificationOptions()
        let segs = labelled.flatMap(\.segments)
        let temps = segs.flatMap(\.temperatureC).filter(\.isFinite)
        let socs = segs.flatMap(\.soc).filter(\.isFinite)
        let volts = segs.flatMap(\.voltageV).filter(\.isFinite)
        guard let tMin = temps.min(), let tMax = temps.max(), let sMin = socs.min(), let sMax = socs.max(),
              let vMin = volts.min(), let vMax = volts.max() else { return o }
        o.ocvTemperatureRangeC = (tMin - 0.5)...(tMax + 0.5)
        o.ocvTemperatureDependence = false
        o.ocvSignedCurrent = true
        o.minimumLoadedVoltageV = vMin + 0.05 * (vMax - vMin)
        // τ of the 1RC model refined between the grid's candidates (the NASA fit keeps its grid τ).
        o.tau1RCRefinementSteps = 10
        var medians = segs.map { OrderStatistics.median($0.temperatureC) }.filter(\.isFinite).sorted()
        if medians.isEmpty { medians = [tMin] }
        var clusters: [[Double]] = []
        for m in medians {
            if let first = clusters.last?.first, m - first <= 5 { clusters[clusters.count - 1].append(m) } else { clusters.append([m]) }
        }
        var grid = clusters.map { (10 * $0.reduce(0, +) / Double($0.count)).rounded() / 10 }
        // Every node is then a temperature the recordings were made at, so no temperature
        // smoothness: it pulled a cold cell's resistances towards the next warmer node's
        // (Ecker2015 at 0 °C, Docs/Results.md "Temperature smoothness"). Six nodes spread over
        // more clusters keep it: some may have little data.
        o.resistanceTemperatureSmoothness = 0
        if grid.count > 6 {
            grid = (0..<6).map { (10 * (tMin + (tMax - tMin) * Double($0) / 5)).rounded() / 10 }
            o.resistanceTemperatureSmoothness = 1
        }
        o.resistanceTemperaturesC = grid
        // (SOC rounded to 0.001 first: a count that ends at 1.0000001 needs no node at 1.1.)
        let lo = max(-0.4, ((sMin * 1000).rounded() / 100).rounded(.down) / 10)
        let hi = max(lo + 0.2, min(1.2, ((sMax * 1000).rounded() / 100).rounded(.up) / 10))
        o.resistanceSOCPoints = stride(from: lo, through: hi + 1e-9, by: 0.1).map { ($0 * 100).rounded() / 100 }
        o.ocvSOCPoints = stride(from: lo, through: hi + 1e-9, by: 0.05).map { ($0 * 100).rounded() / 100 }
        return o
    }

    /// The OCV curve of a table read by `OCVTableCSV`.
    public static func ocvCurve(_ table: OCVTableCSV.Table) -> OCVCurve {
        OCVCurve(table: SOCTemperatureTable(socPoints: table.socPoints, temperaturesC: table.temperaturesC,
                                            values: table.values, extrapolateSOC: true))
    }

    /// The OCV of a slow test, when the recordings hold one: labelled charges and discharges
    /// at C/20 or slower (mean |I| ≤ 1.05 · capacity/20) spanning ≥ 50 % SOC; a row per
    /// temperature cluster (5 °C) that has both branches (`SlowTestOCV.row`, or with
    /// `hysteresis` `SlowTestOCV.rowWithHysteresis`). Nil otherwise.
    public static func slowTestOCV(_ labelled: [LabelledRecording], capacityAh: Double, socPoints: [Double],
                                   hysteresis: Bool = false) -> (curve: OCVCurve, source: String)? {
        // Nodes every 0.01 in the first and last 0.05 of the grid: a cell's OCV is steepest at
        // its ends (a PyBaMM NMC: 2.86 → 3.46 V over the first 5 %), where 0.05 steps of a
        // piecewise-linear table miss it by 0.1 V.
        let socPoints = SlowTestOCV.refinedAtEnds(socPoints)
        var rows: [(temperatureC: Double, voltageV: [Double])] = []
        var used = 0
        _ = slowTests(labelled, capacityAh: capacityAh) { test in
            let read = hysteresis ? SlowTestOCV.rowWithHysteresis : SlowTestOCV.row
            guard let row = read(test.charge, test.discharge, socPoints, 1) else { return false }
            rows.append((test.temperatureC, row))
            used += test.charge.count + test.discharge.count
            return true
        }
        guard !rows.isEmpty else { return nil }
        return (SlowTestOCV.curve(rows: rows, socPoints: socPoints),
                "OCV: slow test (\(used) charge/discharge operations at C/20 or slower), mean of the charge and discharge "
                    + "branches per SOC node, rows at \(rows.map(\.temperatureC)) °C, held fixed")
    }
}

private extension CellOperation {
    /// The operation's samples `range` (times still relative to `startTimeS`).
    func slice(_ range: Range<Int>) -> CellOperation {
        var copy = self
        copy.samples = OperationSamples(timeS: Array(samples.timeS[range]), voltageV: Array(samples.voltageV[range]),
                                        currentA: Array(samples.currentA[range]), temperatureC: Array(samples.temperatureC[range]))
        copy.providedSOC = providedSOC.map { Array($0[range]) }
        return copy
    }
}
