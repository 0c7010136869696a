import CellData
import Foundation

/// Which slice of a run list one machine replays: shard `index` of `count` (1-based, as
/// `--shard 2/8` and a Slurm array or Kubernetes Indexed Job number them) takes the jobs whose
/// index in the whole list is ≡ index − 1 (mod count). Round robin, so long and short lives
/// spread over the shards.
public struct ShardSpec: Sendable, Equatable, Codable, CustomStringConvertible {
    /// 1 … count.
    public let index: Int
    /// Number of shards, ≥ 1.
    public let count: Int

    /// Parses `i/n`; `nil` unless 1 ≤ i ≤ n ≤ `maximumCount`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]),
              n >= 1, n <= Self.maximumCount, i >= 1, i <= n else { return nil }
        index = i
        count = n
    }

    /// The most shards a run may be cut into.
    public static let maximumCount = 100_000

    /// True when job `jobIndex` (0-based, in the whole list) belongs to this shard.
    public func contains(jobIndex: Int) -> Bool { jobIndex % count == index - 1 }

    /// `i/n`.
    public var description: String { "\(index)/\(count)" }

    private enum CodingKeys: String, CodingKey { case index, count }

    /// Decodes and checks 1 ≤ index ≤ count ≤ `maximumCount`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let i = try c.decode(Int.self, forKey: .index), n = try c.decode(Int.self, forKey: .count)
        guard let spec = ShardSpec("\(i)/\(n)") else {
            throw DecodingError.dataCorruptedError(forKey: .index, in: c, debugDescription: "shard \(i)/\(n) is not 1 ≤ i ≤ n")
        }
        self = spec
    }
}

/// One shard's share of a comparison (`bmsim compare --shard i/n`): for each of its runs what
/// the report needs (names, metrics, excluded spans, digest, error histograms) and the run's
/// figure. `merge` puts the parts of all shards back into the results of the whole run list,
/// from which `ComparisonReport` gives the same report, byte for byte, as a run without shards.
public struct ComparisonPart: Sendable, Codable, Equatable {
    /// The `format` string of a part file.
    public static let formatName = "bmsim-compare-part"
    /// The version this build writes and reads.
    public static let version = 1

    /// `formatName`.
    public var format: String
    /// `version`.
    public var version: Int
    /// The shard this part holds.
    public var shard: ShardSpec
    /// Jobs in the whole run list (cells × scenarios, times the noise draws).
    public var jobCount: Int
    /// The noise draws of `compare --noise-draws`, when more than one: the list is the cells ×
    /// scenarios of `draws[0]`, then of `draws[1]`…, so job j is of draw
    /// `draws[j / (jobCount / draws.count)]`. Absent for one draw (and in parts written before).
    public var draws: [Int]?
    /// The runs of this shard, in job order.
    public var runs: [Run]

    /// One run of the shard.
    public struct Run: Sendable, Codable, Equatable {
        /// Index in the whole run list.
        public var job: Int
        /// Cell name.
        public var cell: String
        /// The recording's source.
        public var source: String
        /// Scenario name.
        public var scenario: String
        /// Accuracy per estimator.
        public var metrics: [SOCMetrics]
        /// Operations without a reference, by reason.
        public var excluded: [ExcludedSpan]
        /// Telemetry digest, hexadecimal (a 64-bit number does not survive JSON's doubles).
        public var digest: String
        /// Bin counts of each estimator's |error| histogram (`AbsErrorHistogram.counts`).
        public var errorHistograms: [[Int]]
        /// The run's figure (`run_<stem>.svg`), when drawn.
        public var figure: String?
        /// What the current auto-zero learned (absent in parts written before it was recorded).
        public var currentOffset: CurrentOffsetSummary?
    }

    /// The part of `shard` holding `results` (jobs `jobs`, in order) of a list of `jobCount`
    /// over `draws` (nil: one draw).
    public init(shard: ShardSpec, jobCount: Int, draws: [Int]? = nil, jobs: [Int], results: [ReplayResult], figures: [String?]) {
        format = Self.formatName
        version = Self.version
        self.shard = shard
        self.jobCount = jobCount
        self.draws = draws
        runs = zip(jobs, zip(results, figures)).map { job, rf in
            let (r, figure) = rf
            return Run(job: job, cell: r.cell, source: r.source, scenario: r.scenario, metrics: r.metrics,
                       excluded: r.excluded, digest: String(r.digest, radix: 16),
                       errorHistograms: r.errorHistograms.map(\.counts), figure: figure, currentOffset: r.currentOffset)
        }
    }

    /// The results of the whole run list, in job order, from the parts of every shard (any
    /// order), each run's figure, and each run's noise draw (`draws`, or `[0]` with one draw).
    /// Throws when a part is of another format or version, the parts disagree on the shard
    /// count, the list's length or the draws, a shard is missing or given twice, or a job is
    /// missing, repeated or in the wrong shard. `files` names the parts in errors.
    public static func merge(_ parts: [ComparisonPart], files: [String]) throws(ComparisonMergeError)
        -> (results: [ReplayResult], figures: [String?], draws: [Int], drawOfRun: [Int]) {
        guard let first = parts.first else { throw .noParts }
        var byJob: [Int: Run] = [:]
        var shardsSeen: [Int: String] = [:]
        for (part, file) in zip(parts, files) {
            guard part.format == formatName, part.version == version else {
                throw .wrongFormat(file: file, found: "\(part.format) v\(part.version)", expected: "\(formatName) v\(version)")
            }
            guard part.shard.count == first.shard.count, part.jobCount == first.jobCount else {
                throw .inconsistent(file: file, detail: "shard \(part.shard) of \(part.jobCount) jobs; the first part is "
                                    + "shard \(first.shard) of \(first.jobCount) jobs")
            }
            guard part.draws == first.draws else {
                func text(_ draws: [Int]?) -> String { draws.map { "noise draws \($0)" } ?? "one noise draw" }
                throw .inconsistent(file: file, detail: "\(text(part.draws)); the first part has \(text(first.draws))")
            }
            if let draws = part.draws, draws.isEmpty || part.jobCount % draws.count != 0 {
                throw .inconsistent(file: file, detail: "\(part.jobCount) jobs cannot be \(draws.count) noise draws of one list")
            }
            if let other = shardsSeen[part.shard.index] {
                throw .inconsistent(file: file, detail: "shard \(part.shard) is also in \(other)")
            }
            shardsSeen[part.shard.index] = file
            for run in part.runs {
                guard run.job >= 0, run.job < part.jobCount, part.shard.contains(jobIndex: run.job),
                      byJob[run.job] == nil else {
                    throw .inconsistent(file: file, detail: "job \(run.job) does not belong here or is repeated")
                }
                guard UInt64(run.digest, radix: 16) != nil,
                      run.errorHistograms.allSatisfy({ AbsErrorHistogram(counts: $0) != nil }) else {
                    throw .inconsistent(file: file, detail: "job \(run.job) has a malformed digest or error histogram")
                }
                byJob[run.job] = run
            }
        }
        let missingShards = (1...first.shard.count).filter { shardsSeen[$0] == nil }
        guard missingShards.isEmpty else { throw .missingShards(missingShards, of: first.shard.count) }
        // A job that failed or was interrupted in its shard is missing from the part.
        let missingJobs = (0..<first.jobCount).filter { byJob[$0] == nil }
        guard missingJobs.isEmpty else { throw .missingJobs(missingJobs) }
        let runs = (0..<first.jobCount).map { byJob[$0]! }
        let results = runs.map { run in
            ReplayResult(cell: run.cell, source: run.source, scenario: run.scenario, metrics: run.metrics, ticks: 0,
                         sleptTicks: 0, startTimeS: 0, excluded: run.excluded, digest: UInt64(run.digest, radix: 16)!,
                         flaggedTicks: [], injectedFaults: [], protectionEventCount: 0, protectionEvents: [],
                         telemetry: TelemetrySeries(estimators: run.metrics.map(\.estimator)),
                         errorHistograms: run.errorHistograms.map { AbsErrorHistogram(counts: $0)! },
                         currentOffset: run.currentOffset)
        }
        let draws = first.draws ?? [0]
        let perDraw = first.jobCount / draws.count
        return (results, runs.map(\.figure), draws, (0..<first.jobCount).map { draws[$0 / max(1, perDraw)] })
    }

    /// Pretty JSON, in the snake_case style of `ReportJSON`.
    public func json() throws -> Data { try ReportJSON.encode(self) }

    /// A part read from `json()`; `file` names it in errors.
    public static func read(json data: Data, file: String) throws(ComparisonMergeError) -> ComparisonPart {
        do {
            return try ReportJSON.decoder().decode(ComparisonPart.self, from: data)
        } catch {
            throw .unreadable(file: file, detail: "not a compare part: \(error)")
        }
    }
}

/// Why `ComparisonPart.merge` refused its parts.
public enum ComparisonMergeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No part given.
    case noParts
    /// A part file could not be read or decoded.
    case unreadable(file: String, detail: String)
    /// A part of another format or version.
    case wrongFormat(file: String, found: String, expected: String)
    /// Parts that do not belong to one run list.
    case inconsistent(file: String, detail: String)
    /// Shards not given (1-based), of `of`.
    case missingShards([Int], of: Int)
    /// Jobs (0-based) that no part holds: they failed or were interrupted in their shard.
    case missingJobs([Int])

    /// The message.
    public var description: String {
        switch self {
        case .noParts: return "no part files given"
        case let .unreadable(file, detail): return "\(file): \(detail)"
        case let .wrongFormat(file, found, expected): return "\(file): format \(found), expected \(expected)"
        case let .inconsistent(file, detail): return "\(file): \(detail)"
        case let .missingShards(shards, n):
            return "shards missing: \(shards.prefix(20).map { "\($0)/\(n)" }.joined(separator: ", "))"
                + (shards.count > 20 ? " and \(shards.count - 20) more" : "")
        case let .missingJobs(jobs):
            return "jobs without a result (failed or interrupted in their shard; re-run it): "
                + jobs.prefix(20).map(String.init).joined(separator: ", ") + (jobs.count > 20 ? " and \(jobs.count - 20) more" : "")
        }
    }
}
