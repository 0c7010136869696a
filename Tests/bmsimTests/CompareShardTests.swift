import ArgumentParser
import CellData
import Foundation
import Testing
import TestSupport
@testable import bmsim
@testable import Replay

/// `compare --shard i/n` and `compare merge`: the merged report equals the run without shards.
@Suite("compare in shards, then merged", .serialized)
struct CompareShardTests {
    func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-shard-\(UUID().uuidString)")
    }

    func files(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix("part-") }.sorted()
    }

    /// Runs `compare ARGS` once into `whole` and in 3 shards (run in `order`, merged in
    /// `mergeOrder`) into `sharded`; expects the same file names and bytes in both, and returns
    /// the names and the part files.
    @discardableResult
    func expectShardsEqualOneRun(_ args: [String], whole: URL, sharded: URL, order: [Int] = [1, 2, 3],
                                 mergeOrder: [Int] = [1, 2, 3]) throws -> (names: [String], parts: [String]) {
        let one = try CompareCommand.parseAsRoot(args + ["--out", whole.path]) as! CompareCommand
        try one.run()
        for i in order {
            let shard = try CompareCommand.parseAsRoot(args + ["--out", sharded.path, "--shard", "\(i)/3"]) as! CompareCommand
            try shard.run()
        }
        let parts = mergeOrder.map { sharded.appendingPathComponent("part-\($0)-of-3.json").path }
        var merge = try BMSim.parseAsRoot(CompareMergeCommand.routed(["compare", "merge"] + parts + ["--out", sharded.path, "--format", "csv"]))
        try merge.run()
        let names = try files(whole)
        #expect(names == (try files(sharded)))
        for name in names {
            let a = try Data(contentsOf: whole.appendingPathComponent(name))
            let b = try Data(contentsOf: sharded.appendingPathComponent(name))
            #expect(a == b, "\(name) differs")
        }
        return (names, parts)
    }

    @Test("3 cells × 2 scenarios in 3 shards, merged in any order: every file byte-identical to one run")
    func mergedEqualsOneRun() throws {
        let nasa = try #require(SharedData.nasa, "needs BMSIM_DATA")
        let args = [nasa.path, "--cells", "B0025,B0029,B0052", "--scenarios", "nominal,sensor-faults",
                    "--estimators", "ah,ekf", "--quiet", "--no-timing", "--format", "csv"]
        let whole = temporaryFolder(), sharded = temporaryFolder()
        defer { for f in [whole, sharded] { try? FileManager.default.removeItem(at: f) } }
        let (names, parts) = try expectShardsEqualOneRun(args, whole: whole, sharded: sharded, order: [2, 3, 1], mergeOrder: [3, 1, 2])
        let routed = CompareMergeCommand.routed(["compare", "merge"] + parts + ["--out", sharded.path, "--x"])
        #expect(routed.first == "compare-merge" && routed.count == parts.count + 4)
        #expect(names.contains("comparison.json") && names.filter { $0.hasPrefix("run_") }.count == 6)
        // The shards really split the work: each part holds its round-robin share of the 6 jobs.
        for i in 1...3 {
            let part = try ComparisonPart.read(json: Data(contentsOf: sharded.appendingPathComponent("part-\(i)-of-3.json")), file: "p")
            #expect(part.runs.map(\.job) == [i - 1, i + 2] && part.jobCount == 6)
        }
    }

    @Test("A cell under a seeded scenario gives the same run whatever else is in the list, in any order")
    func runDoesNotDependOnTheList() throws {
        let nasa = try #require(SharedData.nasa, "needs BMSIM_DATA")
        let common = ["--estimators", "ah,ekf", "--quiet", "--no-timing", "--format", "csv"]
        let many = temporaryFolder(), alone = temporaryFolder()
        defer { for f in [many, alone] { try? FileManager.default.removeItem(at: f) } }
        let first = try CompareCommand.parseAsRoot([nasa.path, "--cells", "B0029,B0052", "--scenarios", "nominal,sensor-faults",
                                                     "--out", many.path] + common) as! CompareCommand
        try first.run()
        let second = try CompareCommand.parseAsRoot([nasa.path, "--cells", "B0052", "--scenarios", "sensor-faults",
                                                      "--out", alone.path] + common) as! CompareCommand
        try second.run()
        let runs = try files(alone).filter { $0.hasPrefix("run_") }
        #expect(runs.count == 1)
        for name in runs {
            let a = try Data(contentsOf: many.appendingPathComponent(name))
            let b = try Data(contentsOf: alone.appendingPathComponent(name))
            #expect(a == b, "\(name) differs between the 4-run list and the run alone")
        }
        // The seed is a function of the names, and different names give different seeds.
        #expect(ReplayJob.stableSeedOffset(cell: "B0052", scenario: "sensor-faults")
                == ReplayJob.stableSeedOffset(cell: "B0052", scenario: "sensor-faults"))
        #expect(ReplayJob.stableSeedOffset(cell: "B0052", scenario: "sensor-faults")
                != ReplayJob.stableSeedOffset(cell: "B0029", scenario: "sensor-faults"))
        #expect(ReplayJob.stableSeedOffset(cell: "ab", scenario: "c") != ReplayJob.stableSeedOffset(cell: "a", scenario: "bc"))
        // Draw 0 is the default; other draws give other seeds.
        let draws = (0..<5).map { ReplayJob.stableSeedOffset(cell: "B0052", scenario: "sensor-faults", draw: $0) }
        #expect(draws[0] == ReplayJob.stableSeedOffset(cell: "B0052", scenario: "sensor-faults") && Set(draws).count == 5)
    }

    @Test("--noise-draw: another draw of the noise changes a noisy run and leaves a noise-free one alone; bad values are refused")
    func noiseDraw() throws {
        let nasa = try #require(SharedData.nasa, "needs BMSIM_DATA")
        func rmse(_ draw: Int) throws -> [String: String] {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let run = try CompareCommand.parseAsRoot([nasa.path, "--cells", "B0052", "--scenarios", "nominal,sensor-faults",
                                                      "--estimators", "ah", "--quiet", "--no-timing", "--format", "csv",
                                                      "--noise-draw", "\(draw)", "--out", folder.path]) as! CompareCommand
            try run.run()
            let lines = try String(contentsOf: folder.appendingPathComponent("comparison.csv"), encoding: .utf8).split(separator: "\n")
            var byScenario: [String: String] = [:]
            for line in lines.dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                byScenario[String(f[1])] = String(f[3])
            }
            return byScenario
        }
        let first = try rmse(0), second = try rmse(1), again = try rmse(0)
        #expect(first == again)
        #expect(first["nominal"] == second["nominal"] && first["sensor-faults"] != second["sensor-faults"])
        for bad in ["-1", "1000001", "x"] {
            #expect(throws: (any Error).self) { _ = try CompareCommand.parseAsRoot([nasa.path, "--noise-draw", bad]) }
        }
    }

    @Test("--noise-draws N: each draw's figure equals the run with --noise-draw K; the report files are the first draw's")
    func noiseDraws() throws {
        let nasa = try #require(SharedData.nasa, "needs BMSIM_DATA")
        let common = [nasa.path, "--cells", "B0052", "--scenarios", "nominal,sensor-faults", "--estimators", "ah",
                      "--quiet", "--no-timing", "--format", "csv"]
        func run(_ extra: [String]) throws -> URL {
            let folder = temporaryFolder()
            let command = try CompareCommand.parseAsRoot(common + extra + ["--out", folder.path]) as! CompareCommand
            try command.run()
            return folder
        }
        let many = try run(["--noise-draw", "1", "--noise-draws", "2"])
        let singles = try (1...2).map { try run(["--noise-draw", "\($0)"]) }
        defer { for f in [many] + singles { try? FileManager.default.removeItem(at: f) } }
        // The report files are the first draw's, byte for byte.
        let first = try Data(contentsOf: singles[0].appendingPathComponent("comparison.csv"))
        #expect(try Data(contentsOf: many.appendingPathComponent("comparison.csv")) == first)
        func rmse(_ folder: URL, _ scenario: String) throws -> Double {
            let lines = try String(contentsOf: folder.appendingPathComponent("comparison.csv"), encoding: .utf8).split(separator: "\n")
            let f = try #require(lines.first { $0.hasPrefix("B0052,\(scenario),") }).split(separator: ",")
            return try #require(Double(f[3]))
        }
        let summary = try ReportJSON.decoder().decode(NoiseDrawSummary.self,
                                                      from: Data(contentsOf: many.appendingPathComponent("draws.json")))
        #expect(summary.draws == [1, 2])
        let faulted = try #require(summary.rows.first { $0.scenario == "sensor-faults" && $0.estimator == "ah" })
        let separately = try singles.map { try rmse($0, "sensor-faults") }
        #expect(faulted.perDraw == separately)
        #expect(faulted.spread > 0 && faulted.runs == 1)
        let nominal = try #require(summary.rows.first { $0.scenario == "nominal" })
        let nominalAlone = try rmse(singles[0], "nominal")
        #expect(nominal.spread == 0 && nominal.mean == nominalAlone)
        let names = try files(many)
        #expect(names.contains("draws.md") && names.contains("draws.csv"))
        let page = try String(contentsOf: many.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(page.contains("<h2>Noise draws</h2>") && page.contains("<td>sensor-faults</td>"))
        #expect(!(try String(contentsOf: singles[0].appendingPathComponent("index.html"), encoding: .utf8)).contains("Noise draws"))
        #expect(names.filter { $0.hasPrefix("run_") }.count == 2)
        // A summary that could not be made (a run failed in one draw) leaves none, and one draw has none.
        #expect(CompareCommand.summary(.failure(.countMismatch(draws: 2, reports: 1))) == nil)
        #expect(CompareCommand.summary(nil) == nil && CompareCommand.summary(.success(summary)) == summary)
        // Bad counts are refused before any work.
        for bad in [["--noise-draws", "0"], ["--noise-draws", "101"], ["--noise-draws", "x"],
                    ["--noise-draw", "1000000", "--noise-draws", "2"]] {
            #expect(throws: (any Error).self) { _ = try CompareCommand.parseAsRoot([nasa.path] + bad) }
        }
    }

    @Test("replay --noise-draws N: the table, telemetry and figures are the first draw's; draws.json has each draw's figure")
    func replayNoiseDraws() throws {
        let nasa = try #require(SharedData.nasa, "needs BMSIM_DATA")
        let common = [nasa.path, "--cells", "B0052", "--scenario", "sensor-faults", "--estimators", "ah", "--quiet",
                      "--format", "csv"]
        func run(_ extra: [String]) throws -> URL {
            let folder = temporaryFolder()
            let command = try ReplayCommand.parseAsRoot(common + extra + ["--out", folder.path]) as! ReplayCommand
            try command.run()
            return folder
        }
        let many = try run(["--noise-draw", "1", "--noise-draws", "2"])
        let singles = try (1...2).map { try run(["--noise-draw", "\($0)"]) }
        defer { for f in [many] + singles { try? FileManager.default.removeItem(at: f) } }
        func rmse(_ folder: URL) throws -> Double {
            let lines = try String(contentsOf: folder.appendingPathComponent("comparison.csv"), encoding: .utf8).split(separator: "\n")
            let f = try #require(lines.first { $0.hasPrefix("B0052,sensor-faults,") }).split(separator: ",")
            return try #require(Double(f[3]))
        }
        #expect(try rmse(many) == (try rmse(singles[0])))
        // The telemetry files are the first draw's, byte for byte, and only its.
        let telemetry = try files(many).filter { $0.hasPrefix("telemetry_") }
        #expect(telemetry == (try files(singles[0]).filter { $0.hasPrefix("telemetry_") }) && telemetry.count == 1)
        for name in telemetry {
            #expect(try Data(contentsOf: many.appendingPathComponent(name)) == Data(contentsOf: singles[0].appendingPathComponent(name)))
        }
        let summary = try ReportJSON.decoder().decode(NoiseDrawSummary.self,
                                                      from: Data(contentsOf: many.appendingPathComponent("draws.json")))
        let row = try #require(summary.rows.first { $0.scenario == "sensor-faults" && $0.estimator == "ah" })
        let separately = try singles.map(rmse)
        #expect(summary.draws == [1, 2] && row.perDraw == separately && row.spread > 0)
        #expect(!(try files(singles[0])).contains("draws.json"))
        for bad in [["--noise-draws", "0"], ["--noise-draws", "101"], ["--noise-draw", "999999", "--noise-draws", "3"]] {
            #expect(throws: (any Error).self) { _ = try ReplayCommand.parseAsRoot([nasa.path] + bad) }
        }
    }

    @Test("--noise-draws with --shard: the merged parts give the files of one run, draws summary included")
    func noiseDrawsInShards() throws {
        let nasa = try #require(SharedData.nasa, "needs BMSIM_DATA")
        let args = [nasa.path, "--cells", "B0052", "--scenarios", "nominal,sensor-faults", "--estimators", "ah",
                    "--noise-draw", "2", "--noise-draws", "2", "--quiet", "--no-timing", "--format", "csv"]
        let whole = temporaryFolder(), sharded = temporaryFolder()
        defer { for f in [whole, sharded] { try? FileManager.default.removeItem(at: f) } }
        // 3 shards of 4 jobs (2 scenarios × 2 draws): shard 1 holds a run of each draw.
        let (names, parts) = try expectShardsEqualOneRun(args, whole: whole, sharded: sharded)
        #expect(names.contains("draws.json") && names.filter { $0.hasPrefix("run_") }.count == 2)
        let part = try ComparisonPart.read(json: Data(contentsOf: URL(fileURLWithPath: parts[0])), file: "p")
        #expect(part.draws == [2, 3] && part.jobCount == 4 && part.runs.map(\.job) == [0, 3])
        // Only the first draw's runs carry a figure.
        #expect(part.runs.map { $0.figure != nil } == [true, false])
    }

    @Test("--shard: i/n with 1 ≤ i ≤ n; the shards partition any job list")
    func shardSpec() {
        for bad in ["0/3", "4/3", "1/0", "a/b", "3", "-1/2", "1/2/3", "", "1/100001"] {
            #expect(ShardSpec(bad) == nil, "\(bad)")
            #expect(throws: (any Error).self) { _ = try CompareCommand.parseAsRoot(["--shard", bad]) }
        }
        #expect(ShardSpec("2/8")?.description == "2/8")
        for n in 1...7 {
            for job in 0..<50 {
                #expect((1...n).filter { ShardSpec("\($0)/\(n)")!.contains(jobIndex: job) }.count == 1)
            }
        }
    }

    /// A part of shard `i` of 2 over 4 jobs, with one run per job it holds.
    func part(_ i: Int, jobs: [Int], jobCount: Int = 4) -> ComparisonPart {
        var metrics = SOCMetricsAccumulator()
        metrics.add(estimate: 0.5, reference: 0.5, timeS: 0, operation: 0, isDischarge: true)
        let result = ReplayResult(cell: "C", source: "c.csv", scenario: "nominal",
                                  metrics: [metrics.result(estimator: "ah", nanosecondsPerUpdate: 0, stateBytes: 4)],
                                  ticks: 1, sleptTicks: 0, startTimeS: 0, excluded: [], digest: 0xABC, flaggedTicks: [],
                                  injectedFaults: [], protectionEventCount: 0, protectionEvents: [],
                                  telemetry: TelemetrySeries(estimators: ["ah"]), errorHistograms: [AbsErrorHistogram()])
        var results = jobs.map { _ in result }
        for k in results.indices { results[k].cell = "C\(jobs[k])" }
        return ComparisonPart(shard: ShardSpec("\(i)/2")!, jobCount: jobCount, jobs: jobs, results: results,
                              figures: jobs.map { _ in nil })
    }

    @Test("merge refuses missing, repeated or foreign parts and jobs, naming the file")
    func mergeErrors() throws {
        let ok = try ComparisonPart.merge([part(2, jobs: [1, 3]), part(1, jobs: [0, 2])], files: ["b", "a"])
        #expect(ok.results.map(\.cell) == ["C0", "C1", "C2", "C3"] && ok.results[0].digest == 0xABC)
        func refused(_ parts: [ComparisonPart], _ check: (ComparisonMergeError) -> Bool) {
            do {
                _ = try ComparisonPart.merge(parts, files: parts.indices.map { "p\($0).json" })
                Issue.record("accepted")
            } catch { #expect(check(error), "\(error)") }
        }
        refused([]) { $0 == .noParts }
        refused([part(1, jobs: [0, 2])]) { $0 == .missingShards([2], of: 2) }
        refused([part(1, jobs: [0, 2]), part(1, jobs: [0, 2])]) { "\($0)".contains("p1.json: shard 1/2 is also in p0.json") }
        refused([part(1, jobs: [0, 2]), part(2, jobs: [1])]) { $0 == .missingJobs([3]) }          // a failed run
        refused([part(1, jobs: [0, 1]), part(2, jobs: [3])]) { "\($0)".contains("job 1 does not belong here") }
        refused([part(1, jobs: [0, 2]), part(2, jobs: [1, 3], jobCount: 6)]) { "\($0)".contains("of 6 jobs") }
        var old = part(2, jobs: [1, 3])
        old.version = 99
        refused([part(1, jobs: [0, 2]), old]) { "\($0)".contains("p1.json: format bmsim-compare-part v99") }
        var bad = part(2, jobs: [1, 3])
        bad.runs[0].errorHistograms = [[1, 2, 3]]
        refused([part(1, jobs: [0, 2]), bad]) { "\($0)".contains("malformed digest or error histogram") }
        bad = part(2, jobs: [1, 3])
        bad.runs[1].digest = "not hex"
        refused([part(1, jobs: [0, 2]), bad]) { "\($0)".contains("malformed") }
        // Noise draws: the parts must agree on them, and the list must split into them.
        #expect(ok.draws == [0] && ok.drawOfRun == [0, 0, 0, 0])
        var drawn = [part(1, jobs: [0, 2]), part(2, jobs: [1, 3])]
        for k in drawn.indices { drawn[k].draws = [3, 4] }
        let two = try ComparisonPart.merge(drawn, files: ["a", "b"])
        #expect(two.draws == [3, 4] && two.drawOfRun == [3, 3, 4, 4])
        refused([drawn[0], part(2, jobs: [1, 3])]) { "\($0)".contains("p1.json: one noise draw; the first part has noise draws [3, 4]") }
        for k in drawn.indices { drawn[k].draws = [0, 1, 2] }
        refused(drawn) { "\($0)".contains("4 jobs cannot be 3 noise draws") }
        for k in drawn.indices { drawn[k].draws = [] }
        refused(drawn) { "\($0)".contains("cannot be 0 noise draws") }
    }

    @Test("merge of a truncated, empty or wrong file, or no file: a clear error and status")
    func mergeBadFiles() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try part(1, jobs: [0, 2]).json()
        let truncated = folder.appendingPathComponent("truncated.json")
        try good.prefix(good.count / 2).write(to: truncated)
        let shard = folder.appendingPathComponent("bad-shard.json")
        try Data(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "\"index\" : 1", with: "\"index\" : 0").utf8)
            .write(to: shard)
        for (file, status) in [(truncated.path, CLIExitStatus.dataError), (shard.path, .dataError),
                               (folder.appendingPathComponent("missing.json").path, .noInput)] {
            do {
                var merge = try BMSim.parseAsRoot(CompareMergeCommand.routed(["compare", "merge", file, "--out", folder.path]))
                try merge.run()
                Issue.record("\(file) accepted")
            } catch {
                #expect(CLIExitStatus.classify(error) == status, "\(file): \(error)")
                #expect("\(error)".contains(file))
            }
        }
        #expect(throws: (any Error).self) { _ = try BMSim.parseAsRoot(["compare-merge"]) }
    }
}
