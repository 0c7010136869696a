import FloatModel
import Foundation
import QuantizedLSTM
import Quantizer
import Testing
import TestSupport
@testable import Trainer

/// `FloatModelFile.scalingCorrection(by:)` (`bmsim shrink`): the scaled model's SOC is the
/// prior plus λ times the model's correction, checked against the float runner on the model
/// as trained and against an independent coulomb count; its errors; the λ grid.
struct CorrectionScaleTests {
    static func model(_ name: String) throws -> FloatModelFile {
        try FloatModelFile.read(from: SharedData.fixtures.appendingPathComponent("models/\(name).json"))
    }

    static func outputs(_ file: FloatModelFile, _ samples: [RawSensorSample]) throws -> [Double] {
        let runner = ReferenceLSTMRunner(model: try ReferenceLSTMModel(file))
        return samples.map { runner.step($0) }
    }

    /// SOC(λ) = p₀ + λ (SOC(1) − p₀) at every step, with p₀ = 1 − q / C the trapezoid count of
    /// the current against the prior capacity (computed here, not by the runner); within the
    /// Float32 rounding of the scaled weights.
    @Test(arguments: [0.0, 0.3, 0.55, 1.0])
    func scaledModelIsThePriorPlusLambdaTimesTheCorrection(lambda: Double) throws {
        let file = try Self.model("lstm-soh")
        let samples = SyntheticDischarge.samples(steps: 400, seed: 77)
        let full = try Self.outputs(file, samples)
        let scaled = try Self.outputs(try file.scalingCorrection(by: lambda), samples)
        let capacity = try #require(file.scalers.priorCapacityAh)
        var drawnAh = 0.0, worst = 0.0, moved = 0.0
        for (k, sample) in samples.enumerated() {
            if k > 0 {
                drawnAh -= 0.5 * (Double(samples[k - 1].currentMA) + Double(sample.currentMA)) / 1000 * file.stepSeconds / 3600
            }
            let prior = 1 - drawnAh / capacity
            worst = max(worst, abs(scaled[k] - (prior + lambda * (full[k] - prior))))
            moved = max(moved, abs(full[k] - prior))
        }
        #expect(worst < 2e-6, "largest gap \(worst)")
        #expect(moved > 0.01, "the model corrects its prior, so λ matters")
    }

    @Test func oneIsTheIdentityAndScalesCompose() throws {
        let file = try Self.model("lstm-soh")
        let same = try file.scalingCorrection(by: 1)
        #expect(same.layers == file.layers && same.training.correctionScale == 1)
        let twice = try file.scalingCorrection(by: 0.5).scalingCorrection(by: 0.5)
        #expect(twice.training.correctionScale == 0.25)
        let back = try FloatModelFile.decode(try twice.encoded())
        #expect(back.training.correctionScale == 0.25 && back.layers == twice.layers)
        // A model as trained writes no key.
        #expect(!String(decoding: try file.encoded(), as: UTF8.self).contains("correctionScale"))
    }

    @Test func badScalesAndModelsAreTypedErrors() throws {
        let file = try Self.model("lstm-soh")
        for bad in [Double.nan, -0.1, 1.5, .infinity] {
            #expect { try file.scalingCorrection(by: bad) } throws: { error in
                guard case let .invalidScale(value) = error as? CorrectionScaleError else { return false }
                return value.isNaN ? bad.isNaN : value == bad
            }
        }
        #expect(throws: CorrectionScaleError.noPrior) { try Self.model("lstm-demo").scalingCorrection(by: 0.5) }
        #expect { try Self.model("lstm-soh-nll").scalingCorrection(by: 0.5) } throws: { error in
            guard case let .unsupportedOutput(what) = error as? CorrectionScaleError else { return false }
            return what.contains("2 unit") && "\(error)".contains("uncertainty head")
        }
        // A file whose recorded λ is outside 0…1 does not load.
        var object = try #require(try JSONSerialization.jsonObject(with: try file.encoded()) as? [String: Any])
        var training = try #require(object["training"] as? [String: Any])
        training["correctionScale"] = 2
        object["training"] = training
        #expect { try FloatModelFile.decode(try JSONSerialization.data(withJSONObject: object)) } throws: { error in
            "\(error)".contains("training.correctionScale") && "\(error)".contains("0…1")
        }
    }

    /// The search's ends are the two models' own streaming RMSE (`Evaluation.streaming`), and
    /// a group with no scored step (every cycle shorter than 50 steps) is a typed error.
    @Test func searchEndsAreTheModelsOwnRMSEAndAnEmptyGroupIsAnError() throws {
        let file = try Self.model("lstm-f")
        let prior = try file.scalingCorrection(by: 0)
        let long = syntheticCycles(count: 3, steps: 120, seed: 8).map { ScaledCycle($0, scalers: file.scalers) }
        let search = try CorrectionScaleSearch(model: file.makeNetwork(), prior: prior.makeNetwork(), scalers: file.scalers,
                                               groups: [long], step: 0.5)
        #expect(search.rows.map(\.lambda) == [0, 0.5, 1])
        let full = Evaluation.streaming(try file.makeNetwork(), cycles: long, scalers: file.scalers).metrics.rmse
        let base = Evaluation.streaming(try prior.makeNetwork(), cycles: long, scalers: file.scalers).metrics.rmse
        #expect(abs(search.rows[2].rmsePercent[0] - full) < 1e-6 && abs(search.rows[0].rmsePercent[0] - base) < 1e-6)
        #expect(search.best.score == search.rows.map(\.score).min())
        let short = syntheticCycles(count: 2, steps: 30, seed: 9).map { ScaledCycle($0, scalers: file.scalers) }
        #expect(throws: CorrectionScaleSearchError.noScoredSteps(group: 1)) {
            try CorrectionScaleSearch(model: file.makeNetwork(), prior: prior.makeNetwork(), scalers: file.scalers,
                                      groups: [long, short], step: 0.5)
        }
        #expect("\(CorrectionScaleSearchError.noScoredSteps(group: 1))".contains("group 2"))
    }

    @Test func gridRunsFromZeroToOne() {
        let fine = CorrectionScaleSearch.grid(step: 0.05)
        #expect(fine.count == 21 && fine.first == 0 && fine.last == 1)
        let coarse = CorrectionScaleSearch.grid(step: 0.3)
        #expect(coarse.count == 5 && coarse.first == 0 && coarse.last == 1 && abs(coarse[3] - 0.9) < 1e-12)
        #expect(CorrectionScaleSearch.grid(step: 1) == [0, 1])
    }
}
