import BMSCore
import CellModel
@testable import Estimators
import Testing

/// `LSTMEstimator.betweenRuns`: between confirmed model runs the estimate is the BMS's Ah
/// counter with OCV correction at rest, continued from the last run's output. The reference
/// for "where a rest should pull it" is the cell model's own OCV inverse, computed here
/// independently of the estimators (`OCVCurve.soc(voltageV:temperatureC:)`).
@Suite("LSTM estimator between runs: the Ah + OCV counter")
struct LSTMBetweenRunsTests {
    let cell = CellModelParameters.synthetic18650()
    let model = LSTMTestSupport.demoModel

    func counter(soc: Double) -> AhCounterEstimator {
        var c = EstimatorConfig()
        c.ocvCorrectionAtRest = true
        c.capacityAh = 2.0
        c.useLearnedCapacity = false
        return AhCounterEstimator(model: cell, config: c, soc: soc)
    }

    /// A rested reading of the synthetic cell at `soc`, 25 °C.
    func rested(soc: Double, dt: Double) -> CellMeasurement {
        CellMeasurement(voltageV: cell.ocv.voltage(soc: soc, temperatureC: 25), currentA: 0, temperatureC: 25, dtSeconds: dt)
    }

    @Test("a run's last output is handed over when it ends; a long rest then pulls the estimate to the rested reading, the plain count stays")
    func restPullsToTheRestedReading() {
        let with = LSTMEstimator(model: model, capacityAh: 2.0, soc: 1, betweenRuns: counter(soc: 1))
        let plain = LSTMEstimator(model: model, capacityAh: 2.0, soc: 1)
        let run = LSTMTestSupport.profile([(0, 30), (-2, 900), (0, 60)], dt: 1)
        var e = (with: with.estimate, plain: plain.estimate)
        for m in run { e = (with.update(m), plain.update(m)) }
        #expect(!with.inDischarge && !plain.inDischarge && with.dischargesStarted == 1)
        // The same model run on both; when it ended, its output became both counts' base.
        #expect(with.modelSOC == plain.modelSOC)
        #expect(abs(e.with.soc - e.plain.soc) < 1e-12, "handed over: \(e.with.soc) vs \(e.plain.soc)")
        // Two hours at rest at a voltage the model reads as 40 %: the counter moves there.
        let target = 0.4
        for _ in 0..<7200 { e = (with.update(rested(soc: target, dt: 1)), plain.update(rested(soc: target, dt: 1))) }
        let reading = cell.ocv.soc(voltageV: cell.ocv.voltage(soc: target, temperatureC: 25), temperatureC: 25)
        #expect(abs(e.with.soc - reading) < 0.02, "with the counter: \(e.with.soc), reading \(reading)")
        #expect(abs(e.plain.soc - with.modelSOC) < 1e-12, "plain count: stays at the run's output")
        #expect(e.with.envelope == e.plain.envelope)
    }

    @Test("90 points wrong before a sleep: the rested wake-up reading puts it right; reset and state bytes include the counter")
    func lostEstimateRecoversOnWakeUp() {
        let lstm = LSTMEstimator(model: model, capacityAh: 2.0, soc: 0.1, betweenRuns: counter(soc: 0.1))
        for m in LSTMTestSupport.profile([(0.5, 120)], dt: 1) { _ = lstm.update(m) }
        lstm.wake(afterSleepSeconds: 6 * 3600)
        let woken = lstm.update(rested(soc: 1.0, dt: 1)).soc
        #expect(woken > 0.95, "woken at \(woken)")
        lstm.reset(soc: 0.3)
        #expect(lstm.estimate.soc == 0.3 && lstm.betweenRuns?.estimate.soc == 0.3)
        let plainBytes = LSTMEstimator(model: model, capacityAh: 2.0).stateBytes
        #expect(lstm.stateBytes == plainBytes + counter(soc: 1).stateBytes)
    }

    @Test("factory: lstm gets the counter by default, not with lstmOCVCorrectionBetweenRuns off, and not inside ekf+lstm")
    func factoryWiring() throws {
        let made = try #require(try makeEstimator(.lstm, model: cell, lstmModel: model, soc: 0.6) as? LSTMEstimator)
        #expect(made.betweenRuns != nil && made.betweenRuns?.estimate.soc == 0.6 && made.betweenRuns?.name == "ah")
        var off = EstimatorConfig()
        off.lstmOCVCorrectionBetweenRuns = false
        let plain = try #require(try makeEstimator(.lstm, model: cell, lstmModel: model, config: off) as? LSTMEstimator)
        #expect(plain.betweenRuns == nil)
        let fused = try #require(try makeEstimator(.ekfLSTM, model: cell, lstmModel: model) as? FusedEKFLSTMEstimator)
        #expect(fused.lstm.betweenRuns == nil)
    }
}
