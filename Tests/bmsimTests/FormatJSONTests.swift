import Foundation
import Replay
import Testing
import TestSupport
@testable import bmsim

/// `--format json` of every command that prints results, run as a child process on small
/// inputs and parsed back with `JSONSerialization`; `--format csv` gives one header line and
/// rows. Field names are snake_case (`ReportJSON`).
@Suite("bmsim --format json|csv", .serialized)
struct FormatJSONTests {
    static let fixtures = SharedData.fixtures
    static let recording = fixtures.appendingPathComponent("recordings/synthetic_cycle.csv").path
    static let models = fixtures.appendingPathComponent("models").path

    /// Commands that need no NASA data: arguments with `@TMP@` for a scratch folder.
    static let commands: [[String]] = [
        ["replay", recording, "--estimators", "ah,ekf", "--quiet", "--out", "@TMP@/replay"],
        ["compare", recording, "--estimators", "ah", "--scenarios", "nominal", "--quiet", "--out", "@TMP@/compare"],
        ["inspect", "\(models)/lstm-demo.bmsq"],
        ["estimator-bench", "--updates", "2000", "--repeats", "1"],
        ["data", "summary", recording],
        ["soak", "--ticks", "20000", "--quiet"],
        ["bench-lstm", "--lstm-model", "\(models)/lstm-demo.bmsq", "--steps", "200", "--windows", "10", "--repeats", "1"],
    ]

    /// Commands on the small NASA-shaped folder (`@NASA@`) or the shared one (`@FULL@`).
    static let nasaCommands: [[String]] = [
        ["classical-eval", "--data", "@NASA@", "--cell-model", "\(models)/cell-default.json", "--cells", "B0039",
         "--estimators", "ah,ekf"],
        ["evaluate", "\(models)/lstm-demo.json", "--data", "@NASA@", "--cells", "B0005", "--per-cell"],
        ["quantize", "\(models)/lstm-demo.json", "--data", "@NASA@", "--cells", "B0005", "--out", "@TMP@/m.bmsq"],
        ["fit", "--data", "@NASA@", "--cells", "B0005,B0006", "--every", "1", "--out", "@TMP@/cell.json"],
        ["data", "summary", "@FULL@", "--cells", "B0005"],
        ["data", "timing", "@FULL@", "--repeats", "1"],
    ]

    /// Runs `arguments` with `--format format` and returns stdout (status 0 checked).
    static func run(_ arguments: [String], format: String, tmp: URL, nasa: URL?) throws -> String {
        let resolved = arguments.map {
            $0.replacingOccurrences(of: "@TMP@", with: tmp.path).replacingOccurrences(of: "@NASA@", with: nasa?.path ?? "")
                .replacingOccurrences(of: "@FULL@", with: SharedData.nasa?.path ?? "")
        } + ["--format", format]
        let outcome = try BMSimProcess.run(resolved)
        #expect(outcome.status == 0 && !outcome.signalled, "bmsim \(resolved): \(outcome.stderr)")
        return outcome.stdout
    }

    /// Checks `stdout` is one JSON document with snake_case keys only.
    static func checkJSON(_ stdout: String, _ arguments: [String]) throws {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        var keys: [String] = []
        func collect(_ value: Any, dictionaryKeysAreData: Bool) {
            if let d = value as? [String: Any] {
                for (k, v) in d {
                    if !dictionaryKeysAreData { keys.append(k) }
                    // Free-form maps (digests, metadata, quality counts) have data, not field names, as keys.
                    collect(v, dictionaryKeysAreData: ["digests", "metadata", "quality_counts"].contains(k))
                }
            } else if let a = value as? [Any] {
                a.forEach { collect($0, dictionaryKeysAreData: false) }
            }
        }
        collect(object, dictionaryKeysAreData: false)
        #expect(!keys.isEmpty, "\(arguments): no fields")
        for key in keys { #expect(key == key.lowercased(), "\(arguments): field \(key) is not snake_case") }
    }

    /// Checks `stdout` is a header line and at least one row, every row as wide as the header.
    static func checkCSV(_ stdout: String, _ arguments: [String]) {
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count >= 2, "\(arguments): \(stdout)")
        guard let header = lines.first else { return }
        #expect(header.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "," }, "\(arguments): header \(header)")
        let width = header.split(separator: ",").count
        for line in lines.dropFirst() where !line.contains("\"") {
            #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == width, "\(arguments): \(line)")
        }
    }

    @Test("json and csv on the fixtures", arguments: commands)
    func fixtures(_ arguments: [String]) throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-format-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        try Self.checkJSON(try Self.run(arguments, format: "json", tmp: tmp, nasa: nil), arguments)
        Self.checkCSV(try Self.run(arguments, format: "csv", tmp: tmp, nasa: nil), arguments)
    }

    @Test("json and csv on a small NASA-shaped folder", .enabled(if: SharedData.available), arguments: nasaCommands)
    func nasa(_ arguments: [String]) throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-format-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let nasa = try TrainSignalTests.smallNASAFolder(in: tmp, operations: 2)
        try Self.checkJSON(try Self.run(arguments, format: "json", tmp: tmp, nasa: nasa), arguments)
        Self.checkCSV(try Self.run(arguments, format: "csv", tmp: tmp, nasa: nasa), arguments)
    }

    @Test("comparison.json is snake_case and reads back, old camelCase files too")
    func comparisonFile() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-format-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        _ = try Self.run(Self.commands[1], format: "table", tmp: tmp, nasa: nil)
        let data = try Data(contentsOf: tmp.appendingPathComponent("compare/comparison.json"))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"mean_rmse_percent\"") && !text.contains("meanRMSEPercent"))
        let report = try ComparisonReport.read(json: data)
        #expect(report.ranking.first?.estimator == "ah")
        let legacy = text.replacingOccurrences(of: "mean_rmse_percent", with: "meanRMSEPercent")
            .replacingOccurrences(of: "mean_mae_percent", with: "meanMAEPercent")
            .replacingOccurrences(of: "worst_max_abs_error_percent", with: "worstMaxAbsErrorPercent")
            .replacingOccurrences(of: "rmse_percent", with: "rmsePercent")
        #expect(try ComparisonReport.read(json: Data(legacy.utf8)).ranking == report.ranking)
    }
}
