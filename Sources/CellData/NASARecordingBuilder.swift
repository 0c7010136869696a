/// One NASA operation as read from either source, before gaps and quality rules.
struct NASARawOperation {
    var nasaCycle: Int
    /// `charge`, `discharge` or `impedance`.
    var type: String
    var startSeconds: Double?
    var ambientTemperatureC: Double?
    var capacityAh: Double?
    /// Samples (may contain NaN rows); `nil` when not in the source.
    var samples: OperationSamples?
    /// NASA index flags (CSV path only).
    var indexFlags: [String] = []
}

/// Turns NASA operations (from the `.mat` file or the CSV + index) into a `Recording`:
/// applies the quality rules, places operations on one timeline (seconds since the start of
/// the first recorded operation) and makes the gaps between records explicit.
enum NASARecordingBuilder {
    static func build(cell: String, source: String, raw: [NASARawOperation], policy: QualityPolicy) -> Recording {
        let ordered = raw.sorted { $0.nasaCycle < $1.nasaCycle }
        guard let firstRecorded = ordered.first(where: { $0.samples != nil && $0.type != "impedance" }) else {
            return Recording(cell: cell, source: source, operations: [])
        }
        let origin = firstRecorded.startSeconds ?? 0
        var operations: [CellOperation] = []
        var pendingUnrecorded: [UnrecordedCycle] = []
        var lastEndS = 0.0
        for op in ordered {
            guard op.nasaCycle >= firstRecorded.nasaCycle else { continue }   // before the first record
            guard let samples = op.samples, let kind = OperationKind(rawValue: op.type), kind != .rest else {
                pendingUnrecorded.append(UnrecordedCycle(nasaCycle: op.nasaCycle, type: op.type))
                continue
            }
            var (clean, findings) = DataQuality.clean(samples, kind: kind, policy: policy)
            guard clean.count > 0 else {
                findings.append(QualityFinding(kind: .nanSample, sampleIndex: nil, sampleCount: samples.count,
                                               action: .droppedOperation, detail: "no valid sample left; operation dropped"))
                pendingUnrecorded.append(UnrecordedCycle(nasaCycle: op.nasaCycle, type: op.type))
                continue
            }
            if kind == .discharge, !ReferenceSOC.reachesReferenceVoltage(clean) {
                let rules = ReferenceSOC.Rules()
                let loaded = (0..<clean.count).filter { clean.currentA[$0] < -rules.loadedCurrentA }
                let lowest = loaded.map { clean.voltageV[$0] }.min()
                findings.append(QualityFinding(
                    kind: .referenceVoltageNotReached, sampleIndex: nil, sampleCount: 0, action: .kept,
                    detail: "never below \(DataQuality.formatted(rules.referenceVoltageV)) V under load (lowest loaded "
                        + (lowest.map { "\(DataQuality.formatted($0)) V" } ?? "sample: none") + "): no reference SOC"))
            }
            for flag in op.indexFlags {
                findings.append(QualityFinding(kind: .indexFlag, sampleIndex: nil, sampleCount: 0, action: .kept, detail: flag))
            }
            var startS = (op.startSeconds ?? origin) - origin + clean.timeS[0]
            // Operation times are made relative to their own first valid sample.
            DataQuality.makeTimesRelative(&clean, &findings)
            if let previous = operations.last {
                if startS < lastEndS {
                    findings.append(QualityFinding(kind: .nonMonotoneTime, sampleIndex: 0, sampleCount: 0, action: .kept,
                                                   detail: "starts \(DataQuality.formatted(lastEndS - startS)) s before the "
                                                   + "previous operation ends; moved to its end"))
                    startS = lastEndS
                }
                let gapS = startS - lastEndS
                if gapS > 0 || !pendingUnrecorded.isEmpty {
                    operations.append(gap(after: previous, before: clean, startS: lastEndS, durationS: gapS,
                                          ambientC: op.ambientTemperatureC, unrecorded: pendingUnrecorded))
                }
            }
            pendingUnrecorded = []
            let operation = CellOperation(kind: kind, nasaCycle: op.nasaCycle, startTimeS: startS,
                                          ambientTemperatureC: op.ambientTemperatureC,
                                          capacityAh: kind == .discharge ? op.capacityAh : nil,
                                          samples: clean, quality: findings)
            lastEndS = operation.endTimeS
            operations.append(operation)
        }
        return Recording(cell: cell, source: source, operations: operations)
    }

    /// The explicit rest between two records: zero current, V and T linear between the neighbours.
    static func gap(after previous: CellOperation, before next: OperationSamples, startS: Double, durationS: Double,
                    ambientC: Double?, unrecorded: [UnrecordedCycle]) -> CellOperation {
        let v0 = previous.samples.voltageV.last ?? next.voltageV[0]
        let t0 = previous.samples.temperatureC.last ?? next.temperatureC[0]
        let samples = durationS > 0
            ? OperationSamples(timeS: [0, durationS], voltageV: [v0, next.voltageV[0]], currentA: [0, 0],
                               temperatureC: [t0, next.temperatureC[0]])
            : OperationSamples(timeS: [0], voltageV: [v0], currentA: [0], temperatureC: [t0])
        let quality = unrecorded.map {
            QualityFinding(kind: .unrecordedOperation, sampleIndex: nil, sampleCount: 0, action: .kept,
                           detail: "\($0.type) cycle \($0.nasaCycle) happened in this gap; its samples are not in the source")
        }
        return CellOperation(kind: .rest, nasaCycle: nil, startTimeS: startS, ambientTemperatureC: ambientC, capacityAh: nil,
                             samples: samples, isGap: true, quality: quality, unrecordedCycles: unrecorded)
    }
}
