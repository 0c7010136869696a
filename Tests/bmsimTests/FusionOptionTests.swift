import ArgumentParser
import Estimators
import Evaluation
import FloatModel
import Foundation
import Testing
import TestSupport
@testable import bmsim

/// The options `ekf+lstm` brought: `classical-eval --grid/--fusion-decorrelation/--estimators
/// lstm,ekf+lstm`, `replay --fusion-*`, `fusion-noise`'s checks.
@Suite struct FusionOptionTests {
    @Test func badFusionOptionsAreRefusedWithAClearError() {
        for bad in [["--grid", "0"], ["--grid", "61"], ["--grid", "nan"], ["--fusion-decorrelation", "-1"],
                    ["--fusion-decorrelation", "inf"], ["--estimators", "ekf+lstm2"]] {
            do {
                _ = try ClassicalEvalCommand.parseAsRoot(["--data", "/data", "--cell-model", "m.json"] + bad)
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(ClassicalEvalCommand.message(for: error).contains(bad[0] == "--estimators" ? "ekf+lstm2" : bad[0]), "\(bad)")
            }
        }
        for bad in [["--fusion-decorrelation", "-5"], ["--fusion-sigma-scale", "0"], ["--fusion-sigma-scale", "nan"]] {
            do {
                _ = try ReplayCommand.parseAsRoot(["/data"] + bad)
                Issue.record("replay \(bad) was accepted")
            } catch {
                #expect(ReplayCommand.message(for: error).contains(bad[0]), "\(bad)")
            }
        }
        for bad in [["--bands", "0"], ["--grid", "0"], ["--grid", "11"]] {
            do {
                _ = try FusionNoiseCommand.parseAsRoot(["--data", "/data"] + bad)
                Issue.record("fusion-noise \(bad) was accepted")
            } catch {
                #expect(FusionNoiseCommand.message(for: error).contains(bad[0]), "\(bad)")
            }
        }
        #expect(throws: (any Error).self) { try FusionNoiseCommand.parseAsRoot([]) }
    }

    @Test func goodFusionOptionsParse() throws {
        let eval = try ClassicalEvalCommand.parseAsRoot(["--data", "/data", "--cell-model", "m.json", "--estimators", "ekf,lstm,ekf+lstm",
                                                         "--grid", "1", "--fusion-decorrelation", "5000"]) as! ClassicalEvalCommand
        #expect(eval.estimators.kinds() == [.ekf1RC, .lstm, .ekfLSTM] && eval.grid == 1 && eval.fusionDecorrelation == 5000)
        let replay = try ReplayCommand.parseAsRoot(["/data", "--estimators", "ekf+lstm", "--fusion-decorrelation", "100",
                                                    "--fusion-sigma-scale", "2"]) as! ReplayCommand
        let noise = replay.shared.estimatorConfig().fusionNoise
        #expect(noise.decorrelationSeconds == 100 && noise.socBandSigma == LSTMFusionNoise.default.socBandSigma.map { $0 * 2 })
    }
}

/// `fusion-noise --out` and `--fusion-noise FILE`: a noise learned on a user's dataset reaches
/// `ekf+lstm` in `replay`, `compare` and `classical-eval`; a bad file ends in its typed error.
@Suite struct FusionNoiseFileOptionTests {
    static let example = SharedData.fixtures.appendingPathComponent("datasets/physics-example").path
    static let cellModel = SharedData.fixtures.appendingPathComponent("models/cell-default.json").path
    static let blob = SharedData.fixtures.appendingPathComponent("models/lstm-anystart.bmsq").path

    @Test func aLearnedNoiseIsWrittenAndReadBack() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("noise.json").path
        let learn = try FusionNoiseCommand.parseAsRoot(["--data", Self.example, "--cells", "train,test", "--cell-model", Self.cellModel,
                                                        "--lstm-model", Self.blob, "--out", out]) as! FusionNoiseCommand
        try learn.run()
        let document = try LSTMFusionNoiseFile.load(path: out)
        #expect(document.noise.isValid && document.noise != LSTMFusionNoise.default)
        #expect(document.lstmModel?.file == "lstm-anystart.bmsq")
        // replay / compare: the file's noise, then the experiment options on top of it.
        let replay = try ReplayCommand.parseAsRoot(["/data", "--fusion-noise", out, "--fusion-sigma-scale", "2"]) as! ReplayCommand
        let config = replay.shared.estimatorConfig(fusionNoise: try replay.shared.fusionNoiseDocument()?.noise)
        #expect(config.fusionNoise.socBandSigma == document.noise.socBandSigma.map { $0 * 2 })
        #expect(config.fusionNoise.decorrelationSeconds == document.noise.decorrelationSeconds)
        // classical-eval scores ekf+lstm with it.
        let report = folder.url.appendingPathComponent("report.json").path
        let eval = try ClassicalEvalCommand.parseAsRoot(["--data", Self.example, "--cell-model", Self.cellModel, "--estimators", "ekf,ekf+lstm",
                                                         "--lstm-model", Self.blob, "--fusion-noise", out, "--out", report]) as! ClassicalEvalCommand
        try eval.run()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any])
        let methods = (json["methods"] as? [[String: Any]])?.compactMap { $0["method"] as? String }
        #expect(methods == ["ekf-1rc", "ekf+lstm"], "\(methods ?? [])")
    }

    @Test func aBadNoiseFileIsADataErrorNamingTheField() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("noise.json", #"{"format": "bmsim-fusion-noise", "version": 1, "socBandSigma": [0.01, "NaN"], "decorrelationSeconds": 10, "filterVarianceRatio": 1}"#)
        let bad = folder.url.appendingPathComponent("noise.json").path
        for (path, status) in [(bad, CLIExitStatus.dataError), (folder.url.appendingPathComponent("missing.json").path, .noInput)] {
            let eval = try ClassicalEvalCommand.parseAsRoot(["--data", Self.example, "--cell-model", Self.cellModel, "--estimators", "ekf+lstm",
                                                             "--lstm-model", Self.blob, "--fusion-noise", path]) as! ClassicalEvalCommand
            do {
                try eval.run()
                Issue.record("\(path) was accepted")
            } catch {
                #expect(CLIExitStatus.classify(error) == status, "\(error)")
                #expect("\(error)".contains(path), "\(error)")
                if status == .dataError { #expect("\(error)".contains("socBandSigma[1]"), "\(error)") }
            }
        }
    }
}

/// The bundled blobs: `lstm` runs the shrunk network; `fusion-noise` learns, by default, from
/// `lstm-soh`, the blob the shipped band noise belongs to — so its document names that file.
@Suite struct BundledBlobDefaultTests {
    @Test func lstmRunsTheShrunkNetworkAndFusionNoiseLearnsFromLSTMSoh() throws {
        #expect(BundledData.lstmModelURL?.lastPathComponent == "lstm-soh-shrunk.bmsq")
        #expect(BundledData.bandNoiseLSTMModelURL?.lastPathComponent == "lstm-soh.bmsq")
        #expect(BundledData.fusionLSTMModelURL?.lastPathComponent == "lstm-soh-nll.bmsq")
        let shrunk = try FloatModelFile.read(from: SharedData.fixtures.appendingPathComponent("models/lstm-soh-shrunk.json"))
        #expect(shrunk.training.correctionScale == 0.55)
        let folder = try DatasetFolder()
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("noise.json").path
        let learn = try FusionNoiseCommand.parseAsRoot(["--data", FusionNoiseFileOptionTests.example, "--cells", "train,test",
                                                        "--cell-model", FusionNoiseFileOptionTests.cellModel, "--out", out]) as! FusionNoiseCommand
        try learn.run()
        #expect(try LSTMFusionNoiseFile.load(path: out).lstmModel?.file == "lstm-soh.bmsq")
    }

    @Test("lstm-soh-robust: lstm-soh's correction × 0.95 (chosen at prior scales 0.9, 1, 1.1), the same blob layout")
    func robustAlternative() throws {
        let models = SharedData.fixtures.appendingPathComponent("models")
        let robust = try FloatModelFile.read(from: models.appendingPathComponent("lstm-soh-robust.json"))
        let soh = try FloatModelFile.read(from: models.appendingPathComponent("lstm-soh.json"))
        let lambda = try #require(robust.training.correctionScale)
        #expect(abs(lambda - 0.95) < 1e-12)   // the 0.05 grid's 19th step
        #expect(try robust.encoded() == (try soh.scalingCorrection(by: lambda)).encoded())
        let blob = try Data(contentsOf: models.appendingPathComponent("lstm-soh-robust.bmsq"))
        #expect(blob.count == (try Data(contentsOf: models.appendingPathComponent("lstm-soh.bmsq"))).count)
    }
}
