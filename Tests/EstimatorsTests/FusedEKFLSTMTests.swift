import BMSCore
import CellModel
import Foundation
import Testing
@testable import Estimators

/// `ekf+lstm` (`FusedEKFLSTMEstimator`) and the EKF's scalar SOC update under it.
@Suite("EKF + LSTM fusion")
struct FusedEKFLSTMTests {
    static let cell = CellModelParameters.synthetic18650()

    /// A 1RC EKF with cross-covariances: a few loaded updates from 0.8.
    static func workedFilter(steps: Int = 30, currentA: Double = -2) -> TheveninEKF {
        let ekf = TheveninEKF(model: cell, pairs: 1, config: EstimatorConfig(), soc: 0.8)
        for k in 0..<steps {
            _ = ekf.update(CellMeasurement(voltageV: 3.85 - 0.001 * Double(k), currentA: currentA, temperatureC: 25, dtSeconds: 1))
        }
        return ekf
    }

    @Test("the scalar update equals the textbook Kalman update computed by hand (x + K(z − Hx), P − K S Kᵀ)")
    func scalarUpdateByHand() {
        let ekf = Self.workedFilter()
        let x = ekf.state, p = ekf.covariance
        let n = x.count
        #expect(n == 2 && p[1] != 0, "the worked filter must have a cross-covariance")
        let z = 0.7, r = 4e-4
        // By hand, H = [1, 0]: S = P00 + r, K = P[:,0] / S.
        let s = p[0] + r
        let k = (0..<n).map { p[$0 * n] / s }
        let expectedX = (0..<n).map { x[$0] + k[$0] * (z - x[0]) }
        let expectedP = (0..<(n * n)).map { ij in p[ij] - k[ij / n] * s * k[ij % n] }
        #expect(ekf.applySOCMeasurement(z, variance: r))
        for i in 0..<n { #expect(abs(ekf.state[i] - expectedX[i]) < 1e-12) }
        for ij in 0..<(n * n) { #expect(abs(ekf.covariance[ij] - expectedP[ij]) < 1e-12) }
        #expect(abs(ekf.estimate.soc - expectedX[0]) < 1e-15)
        #expect(abs(ekf.estimate.sigma! - expectedP[0].squareRoot()) < 1e-12)
    }

    @Test("a measurement that is not finite, or a variance ≤ 0 or not finite, changes nothing")
    func badMeasurementIgnored() {
        for (z, r) in [(Double.nan, 1e-4), (.infinity, 1e-4), (0.5, 0), (0.5, -1), (0.5, .nan), (0.5, .infinity)] {
            let ekf = Self.workedFilter()
            let x = ekf.state, p = ekf.covariance
            #expect(!ekf.applySOCMeasurement(z, variance: r))
            #expect(ekf.state == x && ekf.covariance == p)
        }
    }

    @Test("the fused SOC lies between the filter's and z, so stays in [0, 1], and P stays positive-definite", arguments: 0..<40)
    func staysInRangeAndPositive(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed + 1))
        let ekf = Self.workedFilter(steps: 1 + Int(rng.next() % 200), currentA: -0.5 - Double(rng.next() % 40) / 10)
        for _ in 0..<50 {
            let before = ekf.state[0]
            let z = Double(rng.next() % 10_001) / 10_000
            let r = pow(10, -6 + 7 * Double(rng.next() % 1000) / 1000)   // 1e-6 … 10
            #expect(ekf.applySOCMeasurement(z, variance: r))
            let after = ekf.state[0]
            #expect(after >= min(before, z) - 1e-12 && after <= max(before, z) + 1e-12)
            if (0...1).contains(before) { #expect((0...1).contains(after)) }
            #expect(SmallMatrix.isPositiveDefinite(ekf.covariance))
            #expect(ekf.covarianceResets == 0)
        }
    }

    static func fused(noise: LSTMFusionNoise = .default) -> FusedEKFLSTMEstimator {
        FusedEKFLSTMEstimator(filter: TheveninEKF(model: cell, pairs: 1, config: EstimatorConfig(), soc: 1),
                              lstm: LSTMEstimator(model: LSTMTestSupport.demoModel, capacityAh: 2, soc: 1), noise: noise)
    }

    @Test("no fusion on the count: rest, charge and the first minimumDischargeSeconds of a run leave the plain EKF's estimate")
    func noFusionOnCount() {
        let fused = Self.fused()
        let plain = TheveninEKF(model: Self.cell, pairs: 1, config: EstimatorConfig(), soc: 1)
        // Rest, a charge, rest, then 59 s of discharge (not yet a confirmed run).
        let ticks = LSTMTestSupport.profile([(0, 300), (1.5, 600), (0, 300), (-2, 59)], dt: 1)
        for m in ticks {
            let a = fused.update(m), b = plain.update(m)
            #expect(a.soc == b.soc && a.sigma == b.sigma)
        }
        #expect(fused.fusions == 0 && fused.lstm.modelSteps > 0)
    }

    @Test("at most one fusion per model step, only in a confirmed run begun at rest, counted exactly")
    func oncePerModelStep() {
        let fused = Self.fused()
        let ticks = LSTMTestSupport.profile([(0, 120), (-2, 900), (0, 300)], dt: 1)
        var confirmedLoadedSteps = 0, steps = fused.lstm.modelSteps, fusions = 0
        for m in ticks {
            _ = fused.update(m)
            if fused.lstm.modelSteps != steps && fused.lstm.runConfirmed && m.currentA < -0.1 { confirmedLoadedSteps += 1 }
            steps = fused.lstm.modelSteps
            #expect(fused.fusions - fusions <= 1)
            fusions = fused.fusions
        }
        // Discharge tick j = 0…899: the run starts at j = 0 (1 s of discharge), then steps at
        // j = 10, 20, …, 890; confirmed once j + 1 ≥ 60 s, so j = 60…890: 84 fusions.
        #expect(fused.fusions == confirmedLoadedSteps && confirmedLoadedSteps == 84)
    }

    @Test("a run begun under load (woken mid-discharge) is not fused")
    func runBegunUnderLoadNotFused() {
        let fused = Self.fused()
        for m in LSTMTestSupport.profile([(-2, 900)], dt: 1) { _ = fused.update(m) }
        #expect(fused.lstm.modelSteps > 0 && fused.lstm.runConfirmed && !fused.lstm.runStartedAtRest)
        #expect(fused.fusions == 0)
    }

    @Test("an LSTM output flagged outside its training envelope is not fused; the same run inside it is")
    func envelopeGate() {
        func fusions(temperatureMaxC: Double) -> (fusions: Int, flagged: Bool) {
            let envelope = TrainingEnvelope(currentMinA: -4, currentMaxA: 0.05, temperatureMinC: 0,
                                            temperatureMaxC: temperatureMaxC, startVoltageMinV: 3, socMin: -1, socMax: 2)
            let fused = FusedEKFLSTMEstimator(
                filter: TheveninEKF(model: Self.cell, pairs: 1, config: EstimatorConfig(), soc: 1),
                lstm: LSTMEstimator(model: LSTMTestSupport.demoModel, envelope: envelope, capacityAh: 2, soc: 1), noise: .default)
            var flagged = false
            // The profile's temperature is 24 °C + 1 mK/s: above 24.4 °C (23.4 + 1 °C tolerance)
            // after t = 400 s, i.e. from discharge tick j = 281 (the rest is 120 s).
            for m in LSTMTestSupport.profile([(0, 120), (-2, 900)], dt: 1) {
                flagged = flagged || !fused.lstm.update(m).envelope.isEmpty
                _ = fused.filter.update(m)
            }
            let run = FusedEKFLSTMEstimator(
                filter: TheveninEKF(model: Self.cell, pairs: 1, config: EstimatorConfig(), soc: 1),
                lstm: LSTMEstimator(model: LSTMTestSupport.demoModel, envelope: envelope, capacityAh: 2, soc: 1), noise: .default)
            for m in LSTMTestSupport.profile([(0, 120), (-2, 900)], dt: 1) { _ = run.update(m) }
            return (run.fusions, flagged)
        }
        let inside = fusions(temperatureMaxC: 40)
        #expect(!inside.flagged && inside.fusions == 84)   // as `oncePerModelStep`
        let hot = fusions(temperatureMaxC: 23.4)
        // Confirmed from j = 59, first fused step j = 60; flagged (sticky) from j = 281: steps j = 60…280 fused (23).
        #expect(hot.flagged && hot.fusions == 23, "\(hot.fusions)")
    }

    @Test("noise: band edges, R = σ² · max(1, τ/Δt) · ρ_P, validity")
    func noiseModel() {
        let noise = LSTMFusionNoise(socBandSigma: [0.01, 0.02, 0.04, 0.05], decorrelationSeconds: 100, filterVarianceRatio: 3)
        #expect(noise.band(of: -0.3) == 0 && noise.band(of: 0.2499) == 0 && noise.band(of: 0.25) == 1)
        #expect(noise.band(of: 0.99) == 3 && noise.band(of: 1.7) == 3 && noise.band(of: .nan) == 0)
        #expect(abs(noise.variance(lstmSOC: 0.6, stepSeconds: 10) - 0.04 * 0.04 * 10 * 3) < 1e-15)
        #expect(abs(noise.variance(lstmSOC: 0.6, stepSeconds: 400) - 0.04 * 0.04 * 1 * 3) < 1e-15)
        #expect(noise.isValid && LSTMFusionNoise.default.isValid)
        for bad in [LSTMFusionNoise(socBandSigma: [], decorrelationSeconds: 1),
                    LSTMFusionNoise(socBandSigma: [0.01, 0], decorrelationSeconds: 1),
                    LSTMFusionNoise(socBandSigma: [.nan], decorrelationSeconds: 1),
                    LSTMFusionNoise(socBandSigma: [0.01], decorrelationSeconds: -1),
                    LSTMFusionNoise(socBandSigma: [0.01], decorrelationSeconds: .infinity),
                    LSTMFusionNoise(socBandSigma: [0.01], decorrelationSeconds: 1, filterVarianceRatio: 0)] {
            #expect(!bad.isValid)
        }
    }

    @Test("factory: ekf+lstm needs a blob; it is the EKF of ekf with the LSTM, and its state bytes are both")
    func factory() throws {
        #expect(throws: EstimatorFactoryError.blobModelMissing(kind: .ekfLSTM)) {
            _ = try makeEstimator(.ekfLSTM, model: Self.cell)
        }
        let fused = try makeEstimator(.ekfLSTM, model: Self.cell, lstmModel: LSTMTestSupport.demoModel, soc: 0.6)
        #expect(fused.name == "ekf+lstm" && fused.estimate.soc == 0.6)
        let parts = try #require(fused as? FusedEKFLSTMEstimator)
        #expect(parts.filter.name == "ekf-1rc" && parts.noise == EstimatorConfig().fusionNoise)
        #expect(fused.stateBytes == parts.filter.stateBytes + parts.lstm.stateBytes + 8)
        fused.reset(soc: 0.3)
        #expect(fused.estimate.soc == 0.3 && parts.lstm.estimate.soc == 0.3)
    }
}
