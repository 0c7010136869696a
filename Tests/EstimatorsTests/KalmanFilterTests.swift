import BMSCore
import Foundation
import CellModel
import Testing
@testable import Estimators

/// Shared helpers: a simulated cell and a way to read a filter's covariance.
enum FilterHarness {
    static let model = CellModelParameters.synthetic18650()

    static func covariance(_ e: any SOCEstimator) -> [Double] {
        if let ekf = e as? TheveninEKF { return ekf.covariance }
        return (e as! TheveninUKF).covariance
    }

    static func state(_ e: any SOCEstimator) -> [Double] {
        if let ekf = e as? TheveninEKF { return ekf.state }
        return (e as! TheveninUKF).state
    }

    static func resets(_ e: any SOCEstimator) -> Int {
        if let ekf = e as? TheveninEKF { return ekf.covarianceResets }
        return (e as! TheveninUKF).covarianceResets
    }

    /// True when the n×n matrix is finite, symmetric and positive-definite.
    static func isSPD(_ p: [Double]) -> Bool {
        let n = Int(Double(p.count).squareRoot())
        for i in 0..<n { for j in 0..<n where abs(p[i * n + j] - p[j * n + i]) > 1e-15 * (1 + abs(p[i * n + j])) { return false } }
        return SmallMatrix.isPositiveDefinite(p)
    }
}

@Suite("EKF and UKF")
struct KalmanFilterTests {
    @Test("converge from a 30 % SOC error on a simulated drive cycle and stay within 2 %",
          arguments: [(EstimatorKind.ekf1RC, 1), (.ekf2RC, 2), (.ukf1RC, 1), (.ukf2RC, 2)])
    func convergence(kind: EstimatorKind, pairs: Int) throws {
        let model = FilterHarness.model
        // Known truth: the simulator runs the same model structure the filter assumes.
        var sim = CellSimulator(model: model, pairCount: pairs, soc: 0.95)
        var rng = SeededGenerator(seed: 7)
        let filter = try makeEstimator(kind, model: model, soc: 0.65)
        var walk = 0.0
        var worstAfter10Min = 0.0
        for tick in 0..<4800 {                       // 80 min at 1 s, mean 1.2 A discharge
            walk = min(max(walk + 0.2 * rng.nextGaussian(), -2), 2)
            let current = -1.2 + walk
            let v = sim.step(currentA: current, dtSeconds: 1, temperatureC: 24)
            let e = filter.update(CellMeasurement(voltageV: v + 0.002 * rng.nextGaussian(),
                                                  currentA: current + 0.01 * rng.nextGaussian(),
                                                  temperatureC: 24, dtSeconds: 1))
            if tick >= 600 { worstAfter10Min = max(worstAfter10Min, abs(e.soc - sim.soc)) }
        }
        #expect(worstAfter10Min < 0.02, "\(kind.rawValue): worst error after 10 min \(worstAfter10Min)")
    }

    /// 10^6 steps, as the issue asks (≈ 50 s for both filters in a debug build on 2 cores);
    /// `BMSIM_FILTER_STEPS` sets another count for a quick local run.
    static let longRunSteps = Int(ProcessInfo.processInfo.environment["BMSIM_FILTER_STEPS"] ?? "") ?? 1_000_000

    @Test("covariance stays symmetric positive-definite over 10^6 noisy steps with bias state",
          arguments: [EstimatorKind.ekf2RC, .ukf2RC])
    func covarianceStaysPD(kind: EstimatorKind) throws {
        let model = FilterHarness.model
        var config = EstimatorConfig()
        config.estimateCurrentBias = true
        let filter = try makeEstimator(kind, model: model, config: config, soc: 0.3)
        var sim = CellSimulator(model: model, pairCount: 2, soc: 0.5)
        var rng = SeededGenerator(seed: 11)
        var allPD = true
        var allFinite = true
        for tick in 0..<Self.longRunSteps {
            let current = 1.2 * Double.sin(Double(tick) * 2 * Double.pi / 7200) + 0.5 * rng.nextGaussian()  // SOC 0.5…0.88
            let v = sim.step(currentA: current, dtSeconds: 1, temperatureC: 24)
            let e = filter.update(CellMeasurement(voltageV: v + 0.005 * rng.nextGaussian(),
                                                  currentA: current + 0.05 * rng.nextGaussian() + 0.02,
                                                  temperatureC: 24 + 3 * rng.nextGaussian(), dtSeconds: 1))
            if tick % 1000 == 0 {
                allPD = allPD && FilterHarness.isSPD(FilterHarness.covariance(filter))
                allFinite = allFinite && e.soc.isFinite && e.sigma!.isFinite
            }
        }
        #expect(allPD)
        #expect(allFinite)
        #expect(FilterHarness.resets(filter) == 0)
        // The bias state found the +20 mA offset.
        #expect(abs(FilterHarness.state(filter).last! - 0.02) < 0.01)
    }

    @Test("NaN and out-of-range measurements do not poison state or covariance",
          arguments: [EstimatorKind.ekf1RC, .ekf2RC, .ukf1RC, .ukf2RC])
    func badMeasurementsHold(kind: EstimatorKind) throws {
        let filter = try makeEstimator(kind, model: FilterHarness.model, soc: 0.8)
        _ = filter.update(CellMeasurement(voltageV: 3.95, currentA: -1, temperatureC: 24, dtSeconds: 1))
        let x0 = FilterHarness.state(filter), p0 = FilterHarness.covariance(filter), e0 = filter.estimate
        let bad = [CellMeasurement(voltageV: .nan, currentA: -1, temperatureC: 24, dtSeconds: 1),
                   CellMeasurement(voltageV: 3.9, currentA: .nan, temperatureC: 24, dtSeconds: 1),
                   CellMeasurement(voltageV: 3.9, currentA: -1, temperatureC: .infinity, dtSeconds: 1),
                   CellMeasurement(voltageV: 3.9, currentA: -1, temperatureC: 24, dtSeconds: .nan),
                   CellMeasurement(voltageV: 42, currentA: -1, temperatureC: 24, dtSeconds: 1),
                   CellMeasurement(voltageV: 3.9, currentA: -1e6, temperatureC: 24, dtSeconds: 1)]
        for m in bad {
            let e = filter.update(m)
            #expect(e.holding)
            #expect(e.soc == e0.soc)
        }
        #expect(FilterHarness.state(filter) == x0)
        #expect(FilterHarness.covariance(filter) == p0)
        let good = filter.update(CellMeasurement(voltageV: 3.95, currentA: -1, temperatureC: 24, dtSeconds: 1))
        #expect(!good.holding && good.soc.isFinite)
    }

    @Test("a rested first sample after reset corrects a 30 % error at once (iterated EKF, UKF)",
          arguments: [EstimatorKind.ekf1RC, .ekf2RC, .ukf1RC, .ukf2RC])
    func wakeUpOnRestedCell(kind: EstimatorKind) throws {
        let model = FilterHarness.model
        let filter = try makeEstimator(kind, model: model, soc: 0.6)
        let restedV = model.ocv.voltage(soc: 0.9, temperatureC: 24)
        let e = filter.update(CellMeasurement(voltageV: restedV, currentA: 0, temperatureC: 24, dtSeconds: 0))
        #expect(abs(e.soc - 0.9) < 0.02, "\(kind.rawValue): \(e.soc)")
        // Under load the same voltage error is trusted far less (model error dominates).
        let loaded = try makeEstimator(kind, model: model, soc: 0.6)
        _ = loaded.update(CellMeasurement(voltageV: 3.8, currentA: -1, temperatureC: 24, dtSeconds: 1))
        let r0 = model.thevenin1RC.r0Ohm.value(soc: 0.9, temperatureC: 24)
        let l = loaded.update(CellMeasurement(voltageV: restedV - r0, currentA: -1, temperatureC: 24, dtSeconds: 1))
        #expect(abs(l.soc - 0.9) > 0.05)
    }

    @Test("EKF: the wake-up update's iteration count and the EKF-only initial SOC σ are honoured")
    func ekfWakeUpSettings() throws {
        let model = FilterHarness.model
        let restedV = model.ocv.voltage(soc: 0.9, temperatureC: 24)
        // A rested wake-up after an unknown time re-anchors (the state moves to the reading's SOC
        // before the update), so the iterated rest update starts at its solution: 1 or 5
        // iterations land on the reading alike; below 1 counts as 1.
        func wakeUp(iterations: Int) -> Double {
            var config = EstimatorConfig()
            config.restUpdateIterations = iterations
            let ekf = TheveninEKF(model: model, pairs: 1, config: config, soc: 0.3)
            return ekf.update(CellMeasurement(voltageV: restedV, currentA: 0, temperatureC: 24, dtSeconds: 0)).soc
        }
        let once = wakeUp(iterations: 1), five = wakeUp(iterations: 5)
        #expect(abs(once - 0.9) < 0.01 && abs(five - 0.9) < 0.01, "\(once) vs \(five)")
        #expect(wakeUp(iterations: 0) == once)
        // The start keeps `initialSOCSigma` until a settled wake-up reading widens it to the
        // EKF's own σ (checked in `wakeUpSituation`); the UKF keeps `initialSOCSigma`.
        var config = EstimatorConfig()
        config.ekfInitialSOCSigma = 1.0
        let ekf = TheveninEKF(model: model, pairs: 2, config: config, soc: 0.5)
        #expect(abs(ekf.covariance[0] - 0.04) < 1e-15 && ekf.estimate.sigma == 0.2)
        ekf.reset(soc: 0.4)
        #expect(abs(ekf.covariance[0] - 0.04) < 1e-15)
        let ukf = TheveninUKF(model: model, pairs: 2, config: config, soc: 0.5)
        #expect(abs(ukf.covariance[0] - 0.04) < 1e-15)
        #expect(EstimatorConfig().ekfInitialSOCSigma == 1.0)
    }

    @Test("EKF: the start σ widens on a wake-up after an unknown or long time, not after a short interruption")
    func wakeUpSituation() throws {
        let model = FilterHarness.model
        let restedV = model.ocv.voltage(soc: 0.9, temperatureC: 24)
        func firstUpdate(_ m: CellMeasurement, sigma: Double? = 1.0) -> SOCEstimate {
            var config = EstimatorConfig()
            config.ekfInitialSOCSigma = sigma
            config.voltageNoiseV = 1.0          // loaded voltage trusted as little as on NASA data
            let ekf = TheveninEKF(model: model, pairs: 1, config: config, soc: 0.7)
            return ekf.update(m)
        }
        // History unknown (Δt = 0) or a rest of ≥ restMinimumSeconds: the reading decides.
        for dt in [0.0, 300, 3600] {
            let e = firstUpdate(CellMeasurement(voltageV: restedV, currentA: 0, temperatureC: 24, dtSeconds: dt))
            #expect(abs(e.soc - 0.9) < 0.01, "Δt \(dt): \(e.soc)")
        }
        // The wake-up re-anchors whatever the start's σ (nil = initialSOCSigma 0.2).
        let narrow = firstUpdate(CellMeasurement(voltageV: restedV, currentA: 0, temperatureC: 24, dtSeconds: 0), sigma: nil)
        #expect(abs(narrow.soc - 0.9) < 0.01, "\(narrow.soc)")
        // After a 10 s interruption the start is current: it keeps σ 0.2 and the rested voltage
        // is blended with it (MAP in between, not decisive).
        let short = firstUpdate(CellMeasurement(voltageV: restedV, currentA: 0, temperatureC: 24, dtSeconds: 10))
        #expect(short.soc < 0.9 - 0.005 && short.soc > 0.7, "\(short.soc)")
        // Under load there is no OCV reading; the start is kept after a short interruption and
        // widened after an unknown one (the loaded voltage then moves it further).
        let loadedShort = firstUpdate(CellMeasurement(voltageV: restedV, currentA: -1, temperatureC: 24, dtSeconds: 10))
        #expect(abs(loadedShort.soc - 0.7) < 0.02 && abs(loadedShort.sigma! - 0.2) < 0.01, "\(loadedShort)")
        let loadedUnknown = firstUpdate(CellMeasurement(voltageV: restedV, currentA: -1, temperatureC: 24, dtSeconds: 0))
        #expect(loadedUnknown.sigma! > 0.5 && loadedUnknown.soc > loadedShort.soc + 0.02, "\(loadedUnknown)")
    }

    @Test("later settled rests are OCV readings only when configured",
          arguments: [EstimatorKind.ekf2RC, .ukf2RC])
    func laterRests(kind: EstimatorKind) throws {
        let model = FilterHarness.model
        let restedV = model.ocv.voltage(soc: 0.9, temperatureC: 24)
        var results: [Double] = []
        for enabled in [false, true] {
            var config = EstimatorConfig()
            config.filterUpdatesAtLaterRests = enabled
            config.voltageNoiseV = 2.0          // loaded voltage trusted as little as on NASA data
            // A start known to 0.2 (the old EKF default): with an uninformative start the
            // 900 ordinary updates alone would reach the rest OCV and hide the flag's effect.
            config.ekfInitialSOCSigma = 0.2
            let filter = try makeEstimator(kind, model: model, config: config, soc: 0.6)
            _ = filter.update(CellMeasurement(voltageV: 3.7, currentA: -1, temperatureC: 24, dtSeconds: 1))
            for _ in 0..<900 {
                _ = filter.update(CellMeasurement(voltageV: restedV, currentA: 0, temperatureC: 24, dtSeconds: 1))
            }
            results.append(filter.estimate.soc)
        }
        #expect(abs(results[1] - 0.9) < 0.02)
        #expect(abs(results[0] - 0.9) > abs(results[1] - 0.9) + 0.02)
    }

    @Test("factory names and reset")
    func factory() throws {
        for kind in EstimatorKind.classical {
            let e = try makeEstimator(kind, model: FilterHarness.model, soc: 0.5)
            #expect(e.name == kind.rawValue)
            #expect(e.stateBytes > 0)
            e.reset(soc: 0.25)
            #expect(e.estimate.soc == 0.25)
        }
    }
}
