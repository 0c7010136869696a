import BMSCore
import CellData
import Foundation
import Firmware

/// Everything one replay (one recording × one scenario × the estimator set) produced.
public struct ReplayResult: Sendable {
    /// Cell name.
    public var cell: String
    /// Where the recording came from (`Recording.source`: its file or folder).
    public var source: String
    /// Scenario name.
    public var scenario: String
    /// Accuracy per estimator, in configured order.
    public var metrics: [SOCMetrics]
    /// Base ticks the run spans (awake and asleep).
    public var ticks: Int
    /// Base ticks the firmware slept through (gaps and the time between records).
    public var sleptTicks: Int
    /// Recording time at which the run started, s.
    public var startTimeS: Double
    /// Operations after the start that have no reference SOC (not scored), by reason.
    public var excluded: [ExcludedSpan]
    /// FNV-1a-64 digest of the telemetry frames.
    public var digest: UInt64
    /// Ticks on which each fault flag was raised: dropout, not-finite, stuck, spike, timestamp-jump, resync.
    public var flaggedTicks: [Int]
    /// Faults injected, by `FaultKind` order.
    public var injectedFaults: [Int]
    /// Protection events in total, and the kept ones.
    public var protectionEventCount: Int
    /// The protection events kept in the ring (oldest first).
    public var protectionEvents: [ProtectionEvent]
    /// Decimated telemetry (empty unless kept).
    public var telemetry: TelemetrySeries
    /// |error| histogram of each estimator over the scored ticks, in `metrics` order.
    public var errorHistograms: [AbsErrorHistogram] = []
    /// The data of the run's figure (nil unless `ReplayOptions.plotWindow` asked for it).
    public var trace: RunTrace? = nil
    /// What the firmware's current auto-zero learned (nil for results merged from parts
    /// written before it was recorded).
    public var currentOffset: CurrentOffsetSummary? = nil
}

/// Recorded operations of one reason without a reference SOC: replayed, never scored.
public struct ExcludedSpan: Sendable, Equatable, Codable {
    /// Why (`ReferenceSOC.Exclusion`).
    public var reason: ReferenceSOC.Exclusion
    /// Operations.
    public var operations: Int
    /// Their recorded time, s.
    public var seconds: Double

    /// Creates a span summary.
    public init(reason: ReferenceSOC.Exclusion, operations: Int, seconds: Double) {
        self.reason = reason
        self.operations = operations
        self.seconds = seconds
    }

    /// The excluded operations of `recording` that end after `fromS`, summed by reason (gaps
    /// are left out: the firmware sleeps through them), in reason order.
    public static func summarise(_ recording: Recording, references: [ReferenceSOC.Label], fromS: Double) -> [ExcludedSpan] {
        var byReason: [ReferenceSOC.Exclusion: ExcludedSpan] = [:]
        for (op, label) in zip(recording.operations, references) where !op.isGap && op.endTimeS > fromS {
            guard case .excluded(let reason) = label else { continue }
            let seconds = op.endTimeS - max(op.startTimeS, fromS)
            byReason[reason, default: ExcludedSpan(reason: reason, operations: 0, seconds: 0)].operations += 1
            byReason[reason]!.seconds += seconds
        }
        return byReason.keys.sorted().map { byReason[$0]! }
    }
}

extension ReplayResult {
    /// Names that tell the runs apart in tables, titles and file names, in order: the cell
    /// name; where runs of one scenario share it (two recordings declaring the same cell), the
    /// cell name with its recording's file name, e.g. `B0005 (b.csv)` (with as many folders as
    /// tell two files of one name apart: `X (noisy/hwfet.csv)`); and where even that
    /// repeats (one file given twice), ` #2`, ` #3`… on the later runs. The same results always
    /// get the same names.
    public static func runNames(_ results: [ReplayResult]) -> [String] {
        runNames(keys: results.map { RunKey(cell: $0.cell, source: $0.source, scenario: $0.scenario) })
    }

    /// What names a run: its cell, its recording's source and its scenario.
    public struct RunKey: Sendable, Equatable {
        /// Cell name.
        public var cell: String
        /// The recording's source (file or folder).
        public var source: String
        /// Scenario name.
        public var scenario: String

        /// Creates a key.
        public init(cell: String, source: String, scenario: String) {
            self.cell = cell
            self.source = source
            self.scenario = scenario
        }
    }

    /// `runNames` from the runs' keys alone (a shard names its runs as the whole run list does).
    public static func runNames(keys: [RunKey]) -> [String] {
        // Within a scenario, a shared cell name gets its file (with the folders that tell two
        // files of one name apart, `noisy/hwfet.csv`).
        var names = keys.map(\.cell)
        for scenario in Set(keys.map(\.scenario)) {
            let members = keys.indices.filter { keys[$0].scenario == scenario }
            let labelled = PathSuffixes.labelled(members.map { keys[$0].cell }, sources: members.map { keys[$0].source })
            for (n, name) in zip(members, labelled) { names[n] = name }
        }
        return DistinctNames.make(names, groups: keys.map(\.scenario), separator: " #")
    }
}

/// Makes repeated names distinct by a numeric suffix.
enum DistinctNames {
    /// `names` in order, a name that repeats (the same `key` in the same group) given on its
    /// second, third… use the first free suffix `separator` + 2, 3, …; first uses are kept.
    static func make(_ names: [String], groups: [String]? = nil, separator: String,
                     key: (String) -> String = { $0 }) -> [String] {
        let groups = groups ?? Array(repeating: "", count: names.count)
        func slot(_ name: String, _ group: String) -> [String] { [group, key(name)] }
        var taken = Set(zip(names, groups).map(slot))
        var used: Set<[String]> = []
        return zip(names, groups).map { name, group in
            if used.insert(slot(name, group)).inserted { return name }
            var n = 2
            while taken.contains(slot(name + separator + "\(n)", group)) { n += 1 }
            let distinct = name + separator + "\(n)"
            taken.insert(slot(distinct, group))
            used.insert(slot(distinct, group))
            return distinct
        }
    }
}
