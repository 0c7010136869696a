import BMSCore
import CellData
import Estimators
import QuantizedLSTM
import TestSupport
import Testing

/// The LSTM estimator on real NASA discharges of test cell B0043 (skipped without the data).
@Suite("LSTM estimator on NASA B0043", .enabled(if: SharedData.available))
struct LSTMEstimatorNASATests {
    /// B0043's usable discharges with their reference SOC (CellData's reader and labels).
    static let discharges: [LabelledDischarge] = {
        guard let root = SharedData.nasa, let dataset = try? NASADataset(root: root),
              let list = try? dataset.labelledDischarges(cell: "B0043") else { return [] }
        return list
    }()

    /// Test RMSE of the demo blob on B0043, SOC points, as `Docs/Results.md` (`## LSTM
    /// estimator`) states it: the engine streaming on the 10 s grid of each discharge from
    /// reset, output after step k scored against SOC[k] (the convention of `bmsim quantize
    /// --evaluate`). Recomputed independently below from CellData + the engine alone.
    static let documentedGridRMSEPercent = 4.04
    /// The estimator at 1 s ticks may differ from the grid figure by: the held output (up
    /// to one 10 s step old; 10 s at 2 A is 0.28 SOC points), the cut-off tail scored on
    /// the coulomb count instead of the model, and the rest sample replayed at the start
    /// (9 s instead of 0 s before the load). Stated tolerance: 0.5 points.
    static let tickToleranceSOCPoints = 0.5

    @Test("on the 10 s grid the estimator equals the engine run directly from the rest sample before the discharge")
    func equalsEngineOnGrid() throws {
        try #require(!Self.discharges.isEmpty)
        let model = LSTMTestSupport.demoModel
        let engine = QuantizedLSTMEngine(model: model)
        let settings = LSTMEstimatorSettings()
        // Every 4th discharge (16 of 65, early to late life) keeps the debug-build test short.
        for discharge in Self.discharges.enumerated().filter({ $0.offset % 4 == 0 }).map(\.element) {
            let ticks = discharge.resampled(dtS: 10).measurements()
            let lstm = LSTMEstimator(model: model, soc: 1)
            guard let start = ticks.firstIndex(where: { $0.currentA < -settings.dischargeThresholdA }) else {
                Issue.record("cycle \(discharge.cycle) never discharges"); continue
            }
            engine.reset()
            if start > 0 { _ = engine.step(LSTMTestSupport.raw(ticks[start - 1])) }
            // Compared: every step of the model run, i.e. from the start until the tick that
            // ends the discharge (60 s at ≥ −0.1 A, the cut-off tail, or a charging tick
            // above +0.1 A); after it the estimate is the coulomb count and the engine is
            // not stepped.
            var mismatches = 0, compared = 0
            for (k, m) in ticks.enumerated() {
                let wasInDischarge = lstm.inDischarge
                let soc = lstm.update(m).soc
                if k < start {
                    // Before the load: the coulomb count from 1 (a few mA of rest current).
                    if abs(soc - 1) > 1e-4 { mismatches += 1 }
                } else if k == start || (wasInDischarge && m.currentA <= settings.dischargeThresholdA) {
                    compared += 1
                    let engineSOC = Double(engine.step(LSTMTestSupport.raw(m))) / 10_000
                    if lstm.modelSOC != engineSOC { mismatches += 1 }
                    // Confirmed after 60 s (6 grid steps) of discharge: the output is the estimate.
                    if lstm.runConfirmed && soc != engineSOC { mismatches += 1 }
                    if k - start >= 6 && k - start < 100 && !lstm.runConfirmed { mismatches += 1 }
                }
            }
            #expect(mismatches == 0, "cycle \(discharge.cycle): \(mismatches) of \(ticks.count) steps differ")
            #expect(compared >= ticks.count * 9 / 10, "cycle \(discharge.cycle): only \(compared) of \(ticks.count) steps in the model run")
            #expect(lstm.dischargesStarted == 1)
        }
    }

    @Test("RMSE on B0043's discharges: the grid figure of Docs/Results.md, and the estimator at 1 s ticks within 0.5 points of it")
    func rmseOnTestCell() throws {
        try #require(!Self.discharges.isEmpty)
        let model = LSTMTestSupport.demoModel
        let engine = QuantizedLSTMEngine(model: model)
        var gridSquares = 0.0, gridCount = 0
        let lstm = LSTMEstimator(model: model, soc: 1)
        var tickSquares = 0.0, tickCount = 0
        for discharge in Self.discharges {
            let grid = discharge.resampled(dtS: 10)
            engine.reset()
            for (k, m) in grid.measurements().enumerated() {
                let error = Double(engine.step(LSTMTestSupport.raw(m))) / 100 - grid.soc![k] * 100
                gridSquares += error * error
                gridCount += 1
            }
            let fine = discharge.resampled(dtS: 1)
            lstm.reset(soc: 1)
            for (k, m) in fine.measurements().enumerated() {
                let error = (lstm.update(m).soc - fine.soc![k]) * 100
                tickSquares += error * error
                tickCount += 1
            }
        }
        let gridRMSE = (gridSquares / Double(gridCount)).squareRoot()
        let tickRMSE = (tickSquares / Double(tickCount)).squareRoot()
        print("B0043: \(Self.discharges.count) discharges, grid RMSE \(gridRMSE) % (\(gridCount) steps), "
              + "estimator at 1 s ticks RMSE \(tickRMSE) % (\(tickCount) ticks)")
        #expect(abs(gridRMSE - Self.documentedGridRMSEPercent) < 0.005)   // the doc's two decimals
        #expect(abs(tickRMSE - gridRMSE) <= Self.tickToleranceSOCPoints)
    }
}
