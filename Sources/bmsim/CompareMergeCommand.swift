import ArgumentParser
import BMSCore
import Foundation
import Replay

/// `bmsim compare merge PART.json… --out DIR`: the report of a comparison run in shards
/// (`compare --shard i/n`), written as one run of the whole list would have written it.
struct CompareMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare-merge",
        abstract: "Merge the part files of a sharded comparison into one report (the same files one run writes).",
        usage: "bmsim compare merge <part> ... [--out <out>] [--format <format>] [--follow-symlinks]",
        shouldDisplay: false)

    /// The arguments with `compare merge …` spelled as this command's name: `compare` itself
    /// takes recordings as positional arguments, so ArgumentParser cannot tell a subcommand
    /// from a path there. Everything else is returned unchanged.
    static func routed(_ arguments: [String]) -> [String] {
        guard arguments.count >= 2, arguments[0] == "compare", arguments[1] == "merge" else { return arguments }
        return [configuration.commandName!] + arguments.dropFirst(2)
    }

    @Argument(help: "Part files written by `bmsim compare --shard i/n`, one per shard, in any order.")
    var parts: [String] = []

    @Option(help: "Output folder for comparison.md, comparison.json, comparison.csv, the SVG plots and index.html.")
    var out: String = "out/compare"

    @OptionGroup var output: OutputOptions

    @OptionGroup var format: FormatOption

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("give the part files, e.g. out/part-*-of-8.json") }
    }

    func run() throws {
        let files = try output.replayOutput(out)
        var decoded: [ComparisonPart] = []
        for path in parts {
            let bytes: [UInt8]
            do { bytes = try InputFile.read(path: path) } catch {
                throw CLIError.missingInput(path: path, reason: error.reason)
            }
            decoded.append(try ComparisonPart.read(json: Data(bytes), file: path))
        }
        let merged = try ComparisonPart.merge(decoded, files: parts)
        let (firstDraw, drawn) = NoiseDrawSummary.split(merged.results, drawOfRun: merged.drawOfRun, draws: merged.draws)
        let results = firstDraw.map { merged.results[$0] }
        let report = ComparisonReport(results: results)
        let summary = CompareCommand.summary(drawn)
        let written = try files.writeAll(results: results, report: report, telemetryCSV: false,
                                         title: "BMSim comparison", figures: firstDraw.map { merged.figures[$0] },
                                         draws: summary)
        try report.print(format.format)
        if let summary, format.format == .table {
            try StandardOutput.write("\n" + summary.markdown())
        }
        FileHandle.standardError.write(Data("merged \(parts.count) parts, \(merged.results.count) runs; wrote \(written.count) files to \(out) (open \(out)/index.html)\n".utf8))
    }
}

extension ComparisonReport {
    /// Prints the report on stdout as `compare` does: the ranked Markdown table, or JSON / CSV.
    func print(_ format: OutputFormat) throws {
        switch format {
        case .table: try StandardOutput.write(markdown())
        case .json: try StandardOutput.write(String(decoding: json(), as: UTF8.self) + "\n")
        case .csv: try StandardOutput.write(csv())
        }
    }
}
