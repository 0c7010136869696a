import ArgumentParser
import Estimators
import Testing
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
        #expect(eval.estimators.kinds == [.ekf1RC, .lstm, .ekfLSTM] && eval.grid == 1 && eval.fusionDecorrelation == 5000)
        let replay = try ReplayCommand.parseAsRoot(["/data", "--estimators", "ekf+lstm", "--fusion-decorrelation", "100",
                                                    "--fusion-sigma-scale", "2"]) as! ReplayCommand
        let noise = replay.shared.estimatorConfig().fusionNoise
        #expect(noise.decorrelationSeconds == 100 && noise.socBandSigma == LSTMFusionNoise.default.socBandSigma.map { $0 * 2 })
    }
}
