import Testing
import QuantizedLSTM
@testable import Quantizer

/// `QuantizationDiagnosis` against direct runs of the float reference and the int8 engine.
struct QuantizationDiagnosisTests {
    let sequences = [SyntheticDischarge.samples(steps: 150, seed: 1), SyntheticDischarge.samples(steps: 90, seed: 2),
                     SyntheticDischarge.samples(steps: 120, seed: 3)]

    @Test func worstDischargesAreTheLargestDifferencesOfDirectRuns() throws {
        let model = ReferenceLSTMModel.random(lstmSizes: [16], denseSizes: [1], seed: 4)
        let (blob, _) = try PostTrainingQuantizer(errorCompensation: false).quantize(model, calibration: sequences)
        let diagnosis = try QuantizationDiagnosis.run(float: model, blob: blob, sequences: sequences, count: 2)
        // Independent: per sequence, the largest |int8 − float| and its step.
        var perSequence: [(Double, Int)] = []
        for sequence in sequences {
            let runner = ReferenceLSTMRunner(model: model), engine = QuantizedLSTMEngine(model: blob)
            var best = (0.0, 0)
            for (k, sample) in sequence.enumerated() {
                let d = abs(runner.step(sample) * 100 - Double(engine.step(sample)) / 100)
                if d > best.0 { best = (d, k) }
            }
            perSequence.append(best)
        }
        let order = perSequence.indices.sorted { perSequence[$0].0 > perSequence[$1].0 }
        #expect(diagnosis.worst.map(\.sequence) == Array(order.prefix(2)))
        for w in diagnosis.worst {
            #expect(abs(w.absDelta - perSequence[w.sequence].0) < 1e-9)
            #expect(w.step == perSequence[w.sequence].1)
            #expect(w.separationStep <= w.step)
        }
        let overall = QuantizationEvaluation.run(float: model, blob: blob, sequences: sequences)
        #expect(abs(diagnosis.stages[0].maxAbsDeltaPercent - overall.maxAbsDeltaPercent) < 1e-9)
        #expect(abs(diagnosis.worst[0].absDelta - overall.maxAbsDeltaPercent) < 1e-9)
    }

    /// With a linear Dense(1) head the units' contributions add up to the head applied to
    /// the int8 hidden state minus the float output; with the head's weights on their int8
    /// grid that is int8 − float up to the head's int16/int32 rounding.
    @Test func unitContributionsAddUpToTheDifference() throws {
        let random = ReferenceLSTMModel.random(lstmSizes: [16], denseSizes: [1], seed: 4)
        let quantizer = PostTrainingQuantizer(errorCompensation: false)
        let (first, report) = try quantizer.quantize(random, calibration: sequences)
        var model = random
        model.denseLayers = try random.withDequantizedWeights(of: first).denseLayers
        let blob = try quantizer.quantize(model, plan: report.plan)
        let diagnosis = try QuantizationDiagnosis.run(float: model, blob: blob, sequences: sequences, count: 3,
                                                      unitsShown: 16)
        for w in diagnosis.worst {
            #expect(w.units.count == 16)
            #expect(zip(w.units, w.units.dropFirst()).allSatisfy { abs($0.socPoints) >= abs($1.socPoints) })
            let sum = w.units.reduce(0) { $0 + $1.socPoints }
            let delta = w.integer - w.float
            #expect(abs(delta) > 0.1)
            #expect(abs(sum - delta) < 0.02 + 0.02 * abs(delta), "Σ units \(sum) vs int8 − float \(delta)")
        }
    }

    /// A model whose weights already sit on their int8 grid loses nothing to weight
    /// rounding: every weight stage is 0 and the whole difference is the arithmetic's.
    @Test func weightsOnTheGridLeaveOnlyTheArithmeticStage() throws {
        let random = ReferenceLSTMModel.random(lstmSizes: [16], denseSizes: [1], seed: 6)
        let quantizer = PostTrainingQuantizer(errorCompensation: false)
        let (first, report) = try quantizer.quantize(random, calibration: sequences)
        let onGrid = try random.withDequantizedWeights(of: first)
        let blob = try quantizer.quantize(onGrid, plan: report.plan)
        let diagnosis = try QuantizationDiagnosis.run(float: onGrid, blob: blob, sequences: sequences, count: 1)
        #expect(diagnosis.stages.count == 6)
        for stage in diagnosis.stages[1...4] { #expect(stage.maxAbsDeltaPercent < 1e-4, "\(stage.name)") }
        let all = diagnosis.stages[0], arithmetic = diagnosis.stages[5]
        #expect(all.maxAbsDeltaPercent > 0)
        #expect(abs(all.maxAbsDeltaPercent - arithmetic.maxAbsDeltaPercent) < 1e-9)
    }
}
