import Testing
import CellModel
import FloatModel
@testable import bmsim

@Suite struct TrainCommandTests {
    @Test func kernelOptionAcceptsEveryVariantThisCPURunsAndRejectsOthers() throws {
        let base = ["--data", "/nonexistent", "--mode", "window", "--out", "/tmp/never-written.json"]
        for k in ["blas", "portable"] { _ = try TrainCommand.parseAsRoot(base + ["--kernel", k]) }
        _ = try TrainCommand.parseAsRoot(base)   // default: the best variant
        #expect(throws: (any Error).self) { try TrainCommand.parseAsRoot(base + ["--kernel", "sse9"]) }
    }

    @Test func lossMustBeKnownAndNLLBetaInItsRange() throws {
        let base = ["--data", "/nonexistent", "--mode", "window", "--out", "/tmp/never-written.json"]
        let nll = try #require(try TrainCommand.parseAsRoot(base + ["--loss", "gaussian-nll", "--nll-beta", "1"]) as? TrainCommand)
        #expect(nll.loss == "gaussian-nll" && nll.nllBeta == 1)
        for bad in [["--loss", "nll"], ["--loss", "gaussian-nll", "--nll-beta", "-0.5"], ["--nll-beta", "2"], ["--nll-beta", "nan"]] {
            #expect(throws: (any Error).self) { try TrainCommand.parseAsRoot(base + bad) }
        }
        #expect(throws: (any Error).self) { try FusionFloatCommand.parseAsRoot(["m.json", "--data", "/x", "--sigma", "oracle"]) }
        #expect(throws: (any Error).self) { try FusionFloatCommand.parseAsRoot(["m.json", "--data", "/x", "--r-scale", "0"]) }
    }

    @Test func weightNoiseMustBeFiniteAndNonNegative() throws {
        let base = ["--data", "/nonexistent", "--mode", "window", "--out", "/tmp/never-written.json"]
        #expect(try TrainCommand.parseAsRoot(base + ["--weight-noise", "2"]) is TrainCommand)
        for bad in ["-1", "nan", "inf"] {
            #expect(throws: (any Error).self) { try TrainCommand.parseAsRoot(base + ["--weight-noise=\(bad)"]) }
        }
    }

    @Test func averageLastIsAtMostTheEpochsAndNotNegative() throws {
        let base = ["--data", "/nonexistent", "--mode", "window", "--out", "/tmp/never-written.json", "--epochs", "40"]
        let averaged = try #require(try TrainCommand.parseAsRoot(base + ["--average-last", "10"]) as? TrainCommand)
        #expect(averaged.averageLast == 10)
        #expect(try TrainCommand.parseAsRoot(base + ["--average-last", "40"]) is TrainCommand)
        for bad in ["41", "-1", "x"] {
            #expect(throws: (any Error).self) { try TrainCommand.parseAsRoot(base + ["--average-last=\(bad)"]) }
        }
    }
}

@Suite struct PriorCapacityOptionTests {
    let base = ["--data", "/nonexistent", "--mode", "window", "--out", "/tmp/never-written.json"]

    @Test func learnedOrAFixedCapacityIsAcceptedAndBadValuesAreRefused() throws {
        let charge = base + ["--features", "charge-no-current"]
        let learned = try #require(try TrainCommand.parseAsRoot(charge + ["--prior-capacity", "learned"]) as? TrainCommand)
        #expect(learned.priorCapacity == .learned)
        let fixed = try #require(try TrainCommand.parseAsRoot(charge + ["--prior-capacity", "2.0"]) as? TrainCommand)
        #expect(fixed.priorCapacity == .fixed(2))
        for bad in ["nan", "-1", "inf", "1e9", "learnt", ""] {
            #expect(throws: (any Error).self) { try TrainCommand.parseAsRoot(charge + ["--prior-capacity=\(bad)"]) }
        }
        // The learned prior needs the charge counter; the capacity input needs the learned prior.
        #expect(throws: (any Error).self) { try TrainCommand.parseAsRoot(base + ["--prior-capacity", "learned"]) }
        #expect(throws: (any Error).self) {
            try TrainCommand.parseAsRoot(base + ["--features", "charge-no-current+capacity", "--prior-capacity", "2"])
        }
        _ = try TrainCommand.parseAsRoot(base + ["--features", "charge-no-current+capacity", "--prior-capacity", "learned"])
    }

    @Test func priorNoiseMustBeAFractionInRange() throws {
        let learned = base + ["--features", "charge-no-current", "--prior-capacity", "learned"]
        _ = try TrainCommand.parseAsRoot(learned + ["--prior-noise", "0"])
        for bad in ["nan", "-0.1", "0.6", "inf"] {
            #expect(throws: (any Error).self) { try TrainCommand.parseAsRoot(learned + ["--prior-noise=\(bad)"]) }
        }
    }

    @Test func evaluatePriorScaleMustBePositiveAndFinite() throws {
        let evaluate = ["model.json", "--data", "/nonexistent"]
        _ = try EvaluateCommand.parseAsRoot(evaluate + ["--prior-scale", "0.9"])
        for bad in ["nan", "0", "-1", "inf"] {
            #expect(throws: (any Error).self) { try EvaluateCommand.parseAsRoot(evaluate + ["--prior-scale=\(bad)"]) }
        }
    }

    @Test func aLearnedPriorReadsTheCellModelsDesignCapacityTable() throws {
        let command = try #require(try TrainCommand.parseAsRoot(
            base + ["--features", "charge-no-current", "--prior-capacity", "learned"]) as? TrainCommand)
        let rule = try #require(try command.learnedPriorRule())
        let model = BundledData.cellModel()
        for t in [0.0, 4, 14, 24, 30, 43, 50] {
            #expect(abs(rule.firstCapacityAh(temperatureC: t) - model.designCapacityAh(temperatureC: t)) < 1e-12)
        }
        #expect(rule.trainingNoise == 0.1)
        let missing = try #require(try TrainCommand.parseAsRoot(
            base + ["--features", "charge-no-current", "--prior-capacity", "learned", "--cell-model", "/nonexistent.json"]) as? TrainCommand)
        #expect(throws: (any Error).self) { _ = try missing.learnedPriorRule() }
    }
}
