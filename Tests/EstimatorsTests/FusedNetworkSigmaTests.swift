import BMSCore
import CellModel
import Testing
import WeightBlob
@testable import Estimators

/// `ekf+lstm` with a blob that has an uncertainty head (format version 6): R takes the
/// network's σ of each step, R = σ_net² · max(1, τ/Δt) · ρ_P; the gates stay those of the band design.
@Suite("EKF + LSTM fusion with the network's σ")
struct FusedNetworkSigmaTests {
    static let cell = CellModelParameters.synthetic18650()

    /// The demo blob with a second output row whose log σ² is the constant `logVariance`
    /// (zero weights, bias = its Q4.11 value, rescale 1) and the given label span.
    static func headModel(logVariance: Double, spanPPM: Int32) -> BlobModel {
        var model = LSTMTestSupport.demoModel
        let last = model.denseLayers.count - 1
        var layer = model.denseLayers[last]
        layer.outputSize = 2
        layer.weight += [Int8](repeating: 0, count: layer.inputSize)
        layer.bias.append(Int32((logVariance * 2048).rounded()))
        layer.multipliers.append(1 << 30)
        layer.shifts.append(30)
        model.denseLayers[last] = layer
        model.uncertaintyHead = BlobUncertaintyHead(labelSpanPPM: spanPPM)
        return model
    }

    static func run(_ blob: BlobModel, noise: LSTMFusionNoise = .default) -> FusedEKFLSTMEstimator {
        let fused = FusedEKFLSTMEstimator(filter: TheveninEKF(model: cell, pairs: 1, config: EstimatorConfig(), soc: 1),
                                          lstm: LSTMEstimator(model: blob, capacityAh: 2, soc: 1), noise: noise)
        for m in LSTMTestSupport.profile([(0, 120), (-2, 900), (0, 300)], dt: 1) { _ = fused.update(m) }
        return fused
    }

    @Test("σ_SOC = e^{s/4096} · span: worked values and the clamp's ends")
    func sigmaFromTheLogVariance() {
        let head = BlobUncertaintyHead(labelSpanPPM: 400_000)
        #expect(abs(head.sigmaSOC(logVarianceQ11: 0) - 0.4) < 1e-15)
        #expect(abs(head.sigmaSOC(logVarianceQ11: -8 * 2048) - 0.4 * Double.exp(-4)) < 1e-15)
        #expect(abs(head.sigmaSOC(logVarianceQ11: 4 * 2048) - 0.4 * Double.exp(2)) < 1e-14)
        #expect(abs(head.sigmaSOC(logVarianceQ11: Int16.min) - 0.4 * Double.exp(-8)) < 1e-15)
        let noise = LSTMFusionNoise(socBandSigma: [0.5], decorrelationSeconds: 100, filterVarianceRatio: 3)
        #expect(abs(noise.variance(networkSigma: 0.02, stepSeconds: 10) - 0.02 * 0.02 * 10 * 3) < 1e-15)
        #expect(abs(noise.variance(networkSigma: 0.02, stepSeconds: 400) - 0.02 * 0.02 * 3) < 1e-15)
    }

    @Test("the same gates fuse the same steps; the network's σ, not the bands, sets how far each pulls")
    func networkSigmaReplacesTheBands() {
        let bands = Self.run(LSTMTestSupport.demoModel)
        let sure = Self.run(Self.headModel(logVariance: -14, spanPPM: 100_000))    // σ ≈ 0.009 %
        let unsure = Self.run(Self.headModel(logVariance: 4, spanPPM: 10_000_000))  // σ ≈ 74 (fractions)
        #expect(sure.networkSigma != nil && bands.networkSigma == nil)
        #expect(bands.fusions == 84 && sure.fusions == 84 && unsure.fusions == 84)
        // The LSTMs run the same integers (row 0 is unchanged), so their SOCs agree.
        #expect(sure.lstm.estimate.soc == bands.lstm.estimate.soc)
        // A near-certain network drags the filter onto its output; a near-useless one leaves the EKF.
        let plain = TheveninEKF(model: Self.cell, pairs: 1, config: EstimatorConfig(), soc: 1)
        var lastLSTM = 0.0
        let probe = LSTMEstimator(model: LSTMTestSupport.demoModel, capacityAh: 2, soc: 1)
        for m in LSTMTestSupport.profile([(0, 120), (-2, 900)], dt: 1) {
            _ = plain.update(m)
            lastLSTM = probe.update(m).soc
        }
        let sureAtEnd = Self.runDischarge(Self.headModel(logVariance: -14, spanPPM: 100_000))
        let unsureAtEnd = Self.runDischarge(Self.headModel(logVariance: 4, spanPPM: 10_000_000))
        #expect(abs(sureAtEnd.estimate.soc - lastLSTM) < abs(plain.estimate.soc - lastLSTM))
        #expect(abs(unsureAtEnd.estimate.soc - plain.estimate.soc) < 1e-3)
        #expect(sure.estimate.soc != bands.estimate.soc && unsure.estimate.soc != sure.estimate.soc)
    }

    /// Rest then the discharge only (ends under load, right after the last fusion).
    static func runDischarge(_ blob: BlobModel) -> FusedEKFLSTMEstimator {
        let fused = FusedEKFLSTMEstimator(filter: TheveninEKF(model: cell, pairs: 1, config: EstimatorConfig(), soc: 1),
                                          lstm: LSTMEstimator(model: blob, capacityAh: 2, soc: 1), noise: .default)
        for m in LSTMTestSupport.profile([(0, 120), (-2, 900)], dt: 1) { _ = fused.update(m) }
        return fused
    }
}
