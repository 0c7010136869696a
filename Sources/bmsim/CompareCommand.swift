import ArgumentParser
import Foundation
import Replay

/// `bmsim compare`: cells × scenarios × estimators in one run → ranked Markdown table (stdout
/// and `--out/comparison.md`; `--format json|csv` prints the report so instead), JSON, CSV,
/// and `index.html` with the ranking, the heat map, the error distribution and a figure per run.
/// `--shard i/n` runs one slice of the list and writes a part file; `compare merge` joins them.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare SOC estimators over cells × scenarios; ranked table, JSON, CSV and an HTML report with plots.",
        discussion: """
            On a cluster: `bmsim compare … --shard i/n --out DIR` on each of n machines writes \
            DIR/part-i-of-n.json; `bmsim compare merge DIR/part-*-of-n.json --out DIR` then writes the \
            report one machine would have written (Docs/Scaling.md).
            """)

    @OptionGroup var shared: ReplaySharedOptions

    @Option(help: "Comma-separated scenario presets or JSON files.")
    var scenarios: String = ReplayScenario.presets.map(\.name).joined(separator: ",")

    @Option(help: "Output folder for comparison.md, comparison.json, comparison.csv, the SVG plots and index.html.")
    var out: String = "out/compare"

    @Option(help: ArgumentHelp("Run only shard i of n of the cells × scenarios list (round robin) and write part-i-of-n.json to --out for `bmsim compare merge`; each run is seeded by its cell and scenario names, so its results equal the run without shards.",
                               valueName: "i/n"))
    var shard: String?

    @OptionGroup var noiseDraws: NoiseDrawsOption

    @Flag(name: .customLong("no-timing"), help: "Do not time the estimator updates (ns/update reads 0), so that reports are byte-identical from run to run and between a run and its merged shards.")
    var noTiming = false

    @OptionGroup var output: OutputOptions

    @OptionGroup var format: FormatOption

    func validate() throws {
        guard !scenarioNames.isEmpty else { throw ValidationError("--scenarios is empty; give presets or JSON files") }
        _ = try noiseDraws.draws(from: shared.noiseDraw)
        if let shard, ShardSpec(shard) == nil {
            throw ValidationError("--shard \(shard): expected i/n with 1 ≤ i ≤ n ≤ \(ShardSpec.maximumCount), e.g. 3/8")
        }
    }

    /// The scenario names and files asked for, blanks dropped.
    var scenarioNames: [String] {
        scenarios.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        let files = try output.replayOutput(out)
        let list = try scenarioNames.map {
            shared.adjusted(try ReplayScenario.resolve($0))
        }
        let driver = ReplayDriver(shared: shared, keepTelemetry: false, measureTiming: !noTiming)
        let draws = try noiseDraws.draws(from: shared.noiseDraw)
        if let shard = shard.flatMap(ShardSpec.init) {
            try runShard(shard, driver: driver, scenarios: list, draws: draws, files: files)
            return
        }
        let outcome = try driver.run(scenarios: list, draws: draws)
        let (firstDraw, drawn) = NoiseDrawSummary.split(outcome.finished, drawOfRun: outcome.finishedDraws, draws: draws)
        let results = firstDraw.map { outcome.finished[$0] }
        let report = ComparisonReport(results: results)
        let summary = Self.summary(drawn)
        // The files first: a failing stdout (full disk) must not cost them.
        let written = try files.writeAll(results: results, report: report, telemetryCSV: false,
                                         title: "BMSim comparison", draws: summary)
        try report.print(format.format)
        if let summary, format.format == .table {
            try StandardOutput.write("\n" + summary.markdown())
        }
        FileHandle.standardError.write(Data("wrote \(written.count) files to \(out) (open \(out)/index.html)\n".utf8))
        try outcome.finishOrExit()
    }

    /// The summary of several draws, or nil (one draw, or a run that failed in one draw: said
    /// on stderr; the failure itself is reported by `finishOrExit`).
    static func summary(_ drawn: Result<NoiseDrawSummary, NoiseDrawSummary.SummaryError>?) -> NoiseDrawSummary? {
        switch drawn {
        case let .success(summary)?: return summary
        case let .failure(error)?:
            FileHandle.standardError.write(Data("bmsim: no draws summary: \(error)\n".utf8))
            return nil
        case nil: return nil
        }
    }

    /// Runs one shard and writes its part file (with each run's figure) to `--out`; the table
    /// goes to stdout as usual, for this shard's runs of the first draw only.
    func runShard(_ shard: ShardSpec, driver: ReplayDriver, scenarios: [ReplayScenario], draws: [Int],
                  files: ReplayOutput) throws {
        let outcome = try driver.run(scenarios: scenarios, shard: shard, draws: draws)
        // The first draw's runs are named as in one run; later draws' figures are not drawn.
        let perDraw = outcome.allKeys.count / draws.count
        let names = ReplayResult.runNames(keys: Array(outcome.allKeys.prefix(perDraw)))
        let figures = zip(outcome.finishedJobs, outcome.finished).map { job, r in
            job < perDraw ? ReplayOutput.figure(r, name: names[job]) : nil
        }
        let part = ComparisonPart(shard: shard, jobCount: outcome.allKeys.count, draws: draws.count > 1 ? draws : nil,
                                  jobs: outcome.finishedJobs, results: outcome.finished, figures: figures)
        let name = "part-\(shard.index)-of-\(shard.count).json"
        try files.write(try part.json(), to: name)
        // The table: this shard's runs of the first draw (the merge gives the summary over all).
        let report = ComparisonReport(results: zip(outcome.finishedJobs, outcome.finished).filter { $0.0 < perDraw }.map(\.1))
        try report.print(format.format)
        FileHandle.standardError.write(Data(("wrote \(out)/\(name): shard \(shard), \(outcome.finished.count) of "
            + "\(outcome.allKeys.count) runs; merge with: bmsim compare merge \(out)/part-*-of-\(shard.count).json --out DIR\n").utf8))
        try outcome.finishOrExit()
    }
}
