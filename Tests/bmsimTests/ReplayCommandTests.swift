import ArgumentParser
import Estimators
import Foundation
import Testing
import TestSupport
@testable import bmsim
@testable import Replay

/// `bmsim replay` / `compare` through their parsed commands (function calls, no child process).
@Suite("bmsim replay and compare", .serialized)
struct ReplayCommandTests {
    func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-cli-\(UUID().uuidString)")
    }

    @Test("replay with no PATH runs the bundled recording and writes table, telemetry, plots, index.html")
    func replayBundled() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let command = try ReplayCommand.parseAsRoot(["--out", out.path, "--quiet", "--format", "csv"]) as! ReplayCommand
        try command.run()
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(files.contains("index.html") && files.contains("comparison.json"))
        #expect(files.contains { $0.hasPrefix("telemetry_") && $0.hasSuffix(".csv") })
        // One figure for the run, and the ranking, heat map and error distribution.
        #expect(files.filter { $0.hasSuffix(".svg") }.count == 4)
        let report = try ComparisonReport.read(json: Data(contentsOf: out.appendingPathComponent("comparison.json")))
        #expect(Set(report.rows.map(\.metrics.estimator)) == ["ah", "ocv", "ekf", "ukf", "lstm"])
        #expect(report.rows.allSatisfy { $0.metrics.nonFiniteTicks == 0 && $0.metrics.scoredTicks > 0 })
    }

    @Test("compare: every scenario × estimator row, ranked Markdown and JSON")
    func compareBundled() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let command = try CompareCommand.parseAsRoot(["--out", out.path, "--quiet", "--estimators", "ah,ocv",
                                                      "--scenarios", "nominal,current-bias"]) as! CompareCommand
        try command.run()
        let markdown = try String(contentsOf: out.appendingPathComponent("comparison.md"), encoding: .utf8)
        #expect(markdown.contains("**Ranking**"))
        #expect(markdown.split(separator: "\n").filter { $0.contains("| nominal |") || $0.contains("| current-bias |") }.count == 4)
    }

    @Test("bad options are rejected before any work")
    func badOptions() throws {
        // The filter experiment options refuse what they cannot use, naming the option.
        for bad in [["--rest-anchor", "soon"], ["--rest-anchor", "-5"], ["--voltage-noise-reference", "0"],
                    ["--voltage-noise-reference", "nan"], ["--voltage-noise-per-residual", "-1"],
                    ["--ukf-alpha", "0"], ["--ukf-alpha", "nan"], ["--ukf-alpha", "4"]] {
            do {
                _ = try ReplayCommand.parseAsRoot(bad)
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(ReplayCommand.message(for: error).contains(bad[0]), "\(bad)")
            }
        }
        let experiment = try ReplayCommand.parseAsRoot(["--rest-anchor", "off", "--voltage-noise-reference", "20",
                                                        "--filter-charge-updates"]) as! ReplayCommand
        let config = experiment.shared.estimatorConfig()
        #expect(config.restAnchorSeconds == nil && config.voltageNoiseReferenceSeconds == 20 && config.filterVoltageUpdatesWhileCharging)
        #expect(config.ukfInnovationAtMeanPoint && config.ukfAlpha == EstimatorConfig().ukfAlpha)
        let ukf = try ReplayCommand.parseAsRoot(["--ukf-alpha", "1", "--ukf-weighted-innovation", "--no-current-auto-zero"])
            as! ReplayCommand
        #expect(ukf.shared.estimatorConfig().ukfAlpha == 1 && !ukf.shared.estimatorConfig().ukfInnovationAtMeanPoint)
        #expect(ukf.shared.adjusted(.currentBias).currentOffset == .off)
        #expect(experiment.shared.adjusted(.currentBias).currentOffset == nil)
        #expect(throws: (any Error).self) { try ReplayCommand.parseAsRoot(["--tick", "0.001"]) }
        #expect(throws: (any Error).self) { try ReplayCommand.parseAsRoot(["--threads", "0"]) }
        #expect(throws: (any Error).self) { try CompareCommand.parseAsRoot(["--model-period", "-1"]) }
        #expect(throws: (any Error).self) { try ReplayCommand.parseAsRoot(["--current-sign", "sideways"]) }
        // An unknown estimator is refused when the options are parsed (EstimatorList).
        #expect(throws: (any Error).self) {
            try ReplayCommand.parseAsRoot(["--estimators", "ah,kalman", "--quiet", "--out", temporaryFolder().path])
        }
    }

    @Test("estimator names: aliases resolve, unknown names are typed errors")
    func factoryNames() throws {
        let factory = ClassicalEstimatorFactory(model: BundledData.cellModel())
        let setup = EstimatorSetup(capacityAh: nil, initialSOC: 0.8, updatePeriodSeconds: 1, voltageNoiseV: 0, currentNoiseA: 0)
        #expect(try factory.makeEstimator(name: "ekf", setup: setup).name == factory.makeEstimator(name: "ekf-1rc", setup: setup).name)
        #expect(abs(try factory.makeEstimator(name: "ah", setup: setup).estimate.soc - 0.8) < 1e-12)
        #expect(throws: ReplayError.self) { try factory.makeEstimator(name: "kalman", setup: setup) }
        #expect(throws: ReplayError.self) { try factory.makeEstimator(name: "lstm", setup: setup) }
        #expect(!factory.knownNames.contains("lstm"))
    }

    @Test("on a cell model with filterPairs 2, ekf and ukf run on two R–C pairs (and say so); ekf-1rc still runs one")
    func filterPairsAliases() throws {
        var model = BundledData.cellModel()
        let setup = EstimatorSetup(capacityAh: nil, initialSOC: 0.8, updatePeriodSeconds: 1, voltageNoiseV: 0, currentNoiseA: 0)
        #expect(try ClassicalEstimatorFactory(model: model).makeEstimator(name: "ukf", setup: setup).name == "ukf-1rc")
        model.filterPairs = 2
        let factory = ClassicalEstimatorFactory(model: model)
        #expect(try factory.makeEstimator(name: "ekf", setup: setup).name == "ekf-2rc")
        #expect(try factory.makeEstimator(name: "ukf", setup: setup).name == "ukf-2rc")
        #expect(try factory.makeEstimator(name: "ekf-1rc", setup: setup).name == "ekf-1rc")
        #expect(EstimatorList.kind(of: "ekf", filterPairs: 2) == .ekf2RC && EstimatorList.kind(of: "ekf", filterPairs: 1) == .ekf1RC)
        #expect(EstimatorList.kind(of: "ah", filterPairs: 2) == .ah && EstimatorList.kind(of: "kalman", filterPairs: 2) == nil)
        let list = try EstimatorList.parse("ah,ekf,ukf,ekf-1rc")
        #expect(list.kinds(filterPairs: 2) == [.ah, .ekf2RC, .ukf2RC, .ekf1RC] && list.kinds() == [.ah, .ekf1RC, .ukf1RC, .ekf1RC])
        let note = try #require(list.twoPairNote(filterPairs: 2))
        #expect(note.contains("ekf = ekf-2rc, ukf = ukf-2rc") && note.contains("ekf-1rc or ukf-1rc"))
        #expect(list.twoPairNote(filterPairs: nil) == nil && list.twoPairNote(filterPairs: 1) == nil)
        #expect(try EstimatorList.parse("ah,ekf-2rc").twoPairNote(filterPairs: 2) == nil)
    }

    @Test("lstm: the bundled demo blob by default, --lstm-model errors are typed")
    func lstmWiring() throws {
        let factory = try ClassicalEstimatorFactory.load(cellModelPath: nil)
        #expect(factory.lstmModel != nil && factory.knownNames.contains("lstm"))
        let setup = EstimatorSetup(capacityAh: nil, initialSOC: 0.8, updatePeriodSeconds: 1, voltageNoiseV: 0, currentNoiseA: 0)
        let lstm = try factory.makeEstimator(name: "lstm", setup: setup)
        #expect(lstm.name == "lstm" && lstm.estimate.soc == 0.8)
        let missing = temporaryFolder().appendingPathComponent("none.bmsq").path
        #expect(throws: CLIError.self) { try ClassicalEstimatorFactory.load(cellModelPath: nil, lstmModelPath: missing) }
        let garbage = temporaryFolder()
        try FileManager.default.createDirectory(at: garbage, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: garbage) }
        let bad = garbage.appendingPathComponent("bad.bmsq")
        try Data("not a blob".utf8).write(to: bad, options: .atomic)
        #expect(throws: ReplayError.self) { try ClassicalEstimatorFactory.load(cellModelPath: nil, lstmModelPath: bad.path) }
        let options = try ReplaySharedOptions.parse([])
        #expect(options.estimatorNames == ["ah", "ocv", "ekf", "ukf", "lstm"])
        #expect(try ReplaySharedOptions.parse(["--estimators", "ah,lstm"]).estimatorNames == ["ah", "lstm"])
    }
}
