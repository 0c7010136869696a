import BMSCore
import CellData
import Firmware
import Foundation
import Testing
@testable import Replay

/// The firmware's current auto-zero in the replay's results and reports: what it learned per
/// run, the summary line, and the shard parts that carry it.
@Suite("Current auto-zero in replay reports")
struct CurrentOffsetReportTests {
    let runner = ReplayRunner(factory: testFactory)

    /// The synthetic life (its pauses unrecorded: the firmware wakes at each) under `current-bias`
    /// without noise, auto-zero on or off.
    func run(autoZero: Bool) throws -> ReplayResult {
        var scenario = ReplayScenario.currentBias
        scenario.sensor.current.noiseSigma = 0
        if !autoZero { scenario.currentOffset = .off }
        return try runner.run(recording: syntheticRecording(pausesAreGaps: true), scenario: scenario, estimators: ["count"])
    }

    @Test("each run records the offset learned; the report says it per scenario, or that it was off")
    func summaryLine() throws {
        let on = try run(autoZero: true)
        let summary = try #require(on.currentOffset)
        #expect(summary.enabled)
        // The sensor's 50 mA, learned after a pause (the synthetic life rests at 0 A after it).
        #expect(summary.calibrations >= 1 && abs(summary.offsetA - 0.05) < 1e-9, "\(summary)")
        let off = try run(autoZero: false)
        #expect(off.currentOffset == CurrentOffsetSummary(enabled: false, offsetA: 0, calibrations: 0))
        var renamed = off
        renamed.scenario = "current-bias-raw"
        let report = ComparisonReport(results: [on, renamed])
        #expect(report.currentOffsets?.count == 2)
        let line = report.currentOffsetLine()
        #expect(line.hasPrefix("current auto-zero, offset at the end of the runs: current-bias: "))
        #expect(line.contains("calibrations over 1 runs; current-bias-raw: off\n"))
        #expect(report.textTable().hasSuffix(line))
        #expect(report.markdown().hasSuffix("\n" + line))
    }

    @Test("a report without summaries (merged from old parts) prints no line")
    func noSummaries() throws {
        var r = try run(autoZero: true)
        r.currentOffset = nil
        let report = ComparisonReport(results: [r])
        #expect(report.currentOffsets == nil && report.currentOffsetLine().isEmpty)
    }

    @Test("shard parts carry the summary through JSON and merge; a part without it still merges")
    func partsCarryIt() throws {
        let r = try run(autoZero: true)
        let part = ComparisonPart(shard: ShardSpec("1/1")!, jobCount: 1, jobs: [0], results: [r], figures: [nil])
        let read = try ComparisonPart.read(json: part.json(), file: "part.json")
        let merged = try ComparisonPart.merge([read], files: ["part.json"]).results
        #expect(merged[0].currentOffset == r.currentOffset)
        // A part written before the field existed: the key is absent.
        var object = try #require(JSONSerialization.jsonObject(with: part.json()) as? [String: Any])
        var runs = try #require(object["runs"] as? [[String: Any]])
        runs[0].removeValue(forKey: "current_offset")
        object["runs"] = runs
        let old = try ComparisonPart.read(json: JSONSerialization.data(withJSONObject: object), file: "old.json")
        #expect(try ComparisonPart.merge([old], files: ["old.json"]).results[0].currentOffset == nil)
    }
}
