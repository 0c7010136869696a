import BMSCore

/// What `bmsim data summary` prints for one cell.
public struct RecordingSummary: Sendable, Equatable, Codable {
    /// Cell name.
    public var cell: String
    /// Recorded operations (gaps excluded).
    public var operations: Int
    /// Discharges.
    public var discharges: Int
    /// Charges.
    public var charges: Int
    /// Explicit gaps.
    public var gaps: Int
    /// Distinct ambient temperatures, °C, ascending.
    public var ambientTemperaturesC: [Double]
    /// Capacity of the first discharge that has one, Ah.
    public var capacityFirstAh: Double?
    /// Capacity of the last discharge that has one, Ah.
    public var capacityLastAh: Double?
    /// Median sampling interval of the discharges, s.
    public var medianDischargeIntervalS: Double?
    /// Median sampling interval of the charges, s.
    public var medianChargeIntervalS: Double?
    /// Number of samples in recorded operations.
    public var samples: Int
    /// Findings per kind and action, e.g. `"voltageSpike/repaired": 3`.
    public var qualityCounts: [String: Int]
    /// Seconds from the first to the last sample of the recording.
    public var spanS: Double
    /// Where the recording was read from (a file, or a NASA folder).
    public var source: String

    /// Summarises `recording`.
    public init(_ recording: Recording) {
        let recorded = recording.recordedOperations
        cell = recording.cell
        source = recording.source
        operations = recorded.count
        discharges = recorded.filter { $0.kind == .discharge }.count
        charges = recorded.filter { $0.kind == .charge }.count
        gaps = recording.operations.count - recorded.count
        ambientTemperaturesC = Array(Set(recorded.compactMap(\.ambientTemperatureC))).sorted()
        let capacities = recorded.compactMap(\.capacityAh)
        capacityFirstAh = capacities.first
        capacityLastAh = capacities.last
        func medianInterval(_ kind: OperationKind) -> Double? {
            var dts: [Double] = []
            for op in recorded where op.kind == kind {
                let t = op.samples.timeS
                if t.count > 1 { for k in 1..<t.count { dts.append(t[k] - t[k - 1]) } }
            }
            return dts.isEmpty ? nil : OrderStatistics.median(dts)
        }
        medianDischargeIntervalS = medianInterval(.discharge)
        medianChargeIntervalS = medianInterval(.charge)
        samples = recorded.reduce(0) { $0 + $1.samples.count }
        var counts: [String: Int] = [:]
        for f in recording.qualityFindings {
            let key = f.kind == .indexFlag ? "indexFlag:\(f.detail)" : "\(f.kind.rawValue)/\(f.action.rawValue)"
            counts[key, default: 0] += 1
        }
        qualityCounts = counts
        spanS = (recording.operations.last?.endTimeS ?? 0) - (recording.operations.first?.startTimeS ?? 0)
    }
}
