import BMSCore
import CellModel
import Estimators
import QuantizedLSTM
import Testing
import WeightBlob

@Suite("LSTM estimator")
struct LSTMEstimatorTests {
    let model = LSTMTestSupport.demoModel

    @Test("the engine steps exactly every 10 s of measurement time, the output is held between steps",
          arguments: [1.0, 0.5, 2.5])
    func decimation(tickSeconds: Double) {
        let lstm = LSTMEstimator(model: model)
        #expect(lstm.stepSeconds == 10)
        var stepTimes: [Double] = []
        var previousSteps = 0
        var held = lstm.estimate.soc
        for (k, m) in LSTMTestSupport.profile([(-2.0, 300)], dt: tickSeconds).enumerated() {
            let e = lstm.update(m)
            let t = Double(k) * tickSeconds
            if lstm.modelSteps != previousSteps {
                #expect(lstm.modelSteps == previousSteps + 1)
                stepTimes.append(t)
                #expect(lstm.modelSOC != held)
                held = lstm.modelSOC
            } else {
                #expect(lstm.modelSOC == held)
            }
            // The output is the estimate once 60 s of discharge confirm the run.
            #expect(lstm.runConfirmed == (Double(k + 1) * tickSeconds >= 60))
            if lstm.runConfirmed { #expect(e.soc == held) }
            previousSteps = lstm.modelSteps
        }
        #expect(stepTimes == (0..<30).map { Double($0) * 10 })
    }

    @Test("a discharge after a rest restarts the model from zero state, short pauses do not")
    func resetAtDischargeStart() {
        let settings = LSTMEstimatorSettings()
        let lstm = LSTMEstimator(model: model, settings: settings)
        let first = LSTMTestSupport.profile([(0, 120), (-2, 600)], dt: 1)
        let between = LSTMTestSupport.profile([(0, 300), (1.5, 600), (0, 120)], dt: 1)
        for m in first + between { _ = lstm.update(m) }
        #expect(lstm.dischargesStarted == 1 && !lstm.inDischarge)
        // The second discharge: the engine run directly, from reset, on the last rest
        // sample and then every 10th tick, must give the same outputs.
        let second = LSTMTestSupport.profile([(-2, 600)], dt: 1).map {
            CellMeasurement(voltageV: $0.voltageV - 0.01, currentA: $0.currentA, temperatureC: 26, dtSeconds: 1)
        }
        let engine = QuantizedLSTMEngine(model: model)
        engine.reset()
        _ = engine.step(LSTMTestSupport.raw(between.last!))
        var expected = 0.0
        var previous = lstm.estimate.soc
        for (k, m) in second.enumerated() {
            if k % 10 == 0 { expected = Double(engine.step(LSTMTestSupport.raw(m))) / 10_000 }
            let soc = lstm.update(m).soc
            #expect(lstm.modelSOC == expected)
            if k >= 59 {
                // Confirmed after 60 s of discharge: the model's output.
                #expect(soc == expected)
            } else {
                // Until then the coulomb count: 2 A for 1 s of 2 Ah (the first tick's
                // trapezoid straddles 0 A and −2 A).
                let step = (k == 0 ? 1.0 : 2.0) / 3600 / 2
                #expect(abs(previous - soc - step) < 1e-12)
            }
            previous = soc
        }
        #expect(lstm.dischargesStarted == 2)
        // Pulses with 30 s pauses (shorter than the 60 s rule) stay one discharge.
        let pulsed = LSTMEstimator(model: model)
        for _ in 0..<10 { for m in LSTMTestSupport.profile([(-3, 30), (0, 30)], dt: 1) { _ = pulsed.update(m) } }
        #expect(pulsed.dischargesStarted == 1 && pulsed.modelSteps == 60)
    }

    @Test("a short negative current before a charge (NASA's charge-start artefact) is dropped, not believed")
    func chargeStartArtefactIsDropped() {
        let lstm = LSTMEstimator(model: model, capacityAh: 2.0, chargeEfficiency: 1, soc: 0.05)
        let counter = LSTMEstimator(model: model, settings: {
            var s = LSTMEstimatorSettings(); s.dischargeThresholdA = 10; return s }(),
            capacityAh: 2.0, chargeEfficiency: 1, soc: 0.05)      // never sees a discharge: a pure count
        // Rest, 5 s at −0.6 A, then a 1.5 A charge for 40 min: a model run starts and is dropped.
        let profile = LSTMTestSupport.profile([(0, 120), (-0.6, 5), (1.5, 2400), (0, 300)], dt: 1)
        var e = lstm.estimate
        for m in profile {
            e = lstm.update(m)
            #expect(abs(e.soc - counter.update(m).soc) < 1e-12)
        }
        #expect(lstm.dischargesStarted == 1 && !lstm.inDischarge)
        #expect(abs(e.soc - (0.05 + (1.5 * 2400 - 0.6 * 5) / 3600 / 2)) < 2e-3)
        // A charging current also ends a long run at once: its last output becomes the base.
        let run = LSTMEstimator(model: model, capacityAh: 2.0, chargeEfficiency: 1, soc: 1)
        for m in LSTMTestSupport.profile([(0, 60), (-2, 300)], dt: 1) { e = run.update(m) }
        #expect(run.inDischarge)
        let modelOutput = e.soc
        e = run.update(CellMeasurement(voltageV: 3.9, currentA: 1, temperatureC: 25, dtSeconds: 1))
        #expect(!run.inDischarge)
        // The tick's trapezoid straddles −2 A and +1 A: −0.5 A·s.
        #expect(abs(e.soc - (modelOutput - 0.5 / 3600 / 2)) < 1e-12)
    }

    @Test("outside discharges the estimate is a coulomb count from the last model output")
    func coulombCountBetweenDischarges() {
        let lstm = LSTMEstimator(model: model, capacityAh: 2.0, chargeEfficiency: 1, soc: 0.5)
        // Before any discharge: counted from the initial SOC. 0.2 A charge for 360 s = 0.02 Ah = 1 %.
        var e = lstm.estimate
        for m in LSTMTestSupport.profile([(0.2, 360)], dt: 1) { e = lstm.update(m) }
        #expect(abs(e.soc - 0.51) < 1e-12 && e.sigma == nil)
        // A discharge, then 60 s of rest ends it; from there a 1 A charge for 720 s adds 0.2 Ah = 10 %.
        for m in LSTMTestSupport.profile([(-2, 900), (0, 60)], dt: 1) { e = lstm.update(m) }
        #expect(!lstm.inDischarge)
        let modelOutput = e.soc
        for m in LSTMTestSupport.profile([(1, 720)], dt: 1) { e = lstm.update(m) }
        // The first charge tick's trapezoid straddles 0 A and 1 A (half a second of 1 A lost).
        #expect(abs(e.soc - (modelOutput + (720 - 0.5) / 3600 / 2)) < 1e-12)
    }

    @Test("non-finite or out-of-range measurements hold the state and set holding")
    func holdsOnBadMeasurements() {
        let clean = LSTMTestSupport.profile([(0, 30), (-2, 200)], dt: 1)
        let reference = LSTMEstimator(model: model)
        let expected = clean.map { reference.update($0).soc }
        let lstm = LSTMEstimator(model: model)
        let bad = [CellMeasurement(voltageV: .nan, currentA: -2, temperatureC: 25, dtSeconds: 1),
                   CellMeasurement(voltageV: 3.9, currentA: -.infinity, temperatureC: 25, dtSeconds: 1),
                   CellMeasurement(voltageV: 3.9, currentA: -2, temperatureC: .nan, dtSeconds: 1),
                   CellMeasurement(voltageV: 3.9, currentA: -2, temperatureC: 25, dtSeconds: .nan),
                   CellMeasurement(voltageV: 42, currentA: -2, temperatureC: 25, dtSeconds: 1)]
        for (k, m) in clean.enumerated() {
            if k % 17 == 5 {
                let before = (lstm.estimate.soc, lstm.modelSteps, lstm.engine.stateSnapshot)
                let e = lstm.update(bad[k % bad.count])
                #expect(e.holding && e.soc == before.0)
                #expect(lstm.modelSteps == before.1 && lstm.engine.stateSnapshot == before.2)
            }
            let e = lstm.update(m)
            #expect(!e.holding && e.soc == expected[k])
        }
    }

    @Test("raw conversion: hand-worked values, saturation, and agreement with Int64 rounding")
    func rawConversion() {
        let m = CellMeasurement(voltageV: 3.9123456, currentA: -2.0004, temperatureC: 24.46, dtSeconds: 1)
        #expect(RawSensorSample(m) == RawSensorSample(voltageUV: 3_912_346, currentMA: -2_000, temperatureDeciC: 245))
        let huge = CellMeasurement(voltageV: 1e300, currentA: -1e300, temperatureC: 3e8, dtSeconds: 1)
        #expect(RawSensorSample(huge) == RawSensorSample(voltageUV: .max, currentMA: .min, temperatureDeciC: .max))
        #expect(RawSensorSample.saturatedRound(-0.5) == -1 && RawSensorSample.saturatedRound(2.5) == 3)
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<20_000 {
            let x = (rng.nextUnitDouble() - 0.5) * 5e9
            let wide = Int64(x.rounded())
            let expected = Int32(clamping: wide)
            #expect(RawSensorSample.saturatedRound(x) == expected)
        }
    }

    @Test("factory: lstm needs a blob (typed error without one), state bytes include the engine's")
    func factory() throws {
        let cell = CellModelParameters.synthetic18650()
        #expect(throws: EstimatorFactoryError.blobModelMissing(kind: .lstm)) {
            _ = try makeEstimator(.lstm, model: cell)
        }
        #expect(!EstimatorKind.classical.contains(.lstm) && !EstimatorKind.classical.contains(.ekfLSTM)
                && EstimatorKind.classical.count == EstimatorKind.allCases.count - 2)
        let lstm = try makeEstimator(.lstm, model: cell, lstmModel: model, soc: 0.7)
        #expect(lstm.name == "lstm" && lstm.estimate.soc == 0.7)
        let engineBytes = QuantizedLSTMEngine(model: model).stateBytes
        // The wrapper's 50 bytes and the Ah + OCV counter between runs (`LSTMBetweenRunsTests`).
        #expect(lstm.stateBytes == engineBytes + 50 + 4 * (8 + 9))
        lstm.reset(soc: 0.25)
        #expect(lstm.estimate.soc == 0.25)
    }
}
