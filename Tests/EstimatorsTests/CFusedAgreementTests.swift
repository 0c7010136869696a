import BMSCore
import CBMSSoc
import CellData
import CellModel
import Estimators
import Foundation
import Testing
import TestSupport
import WeightBlob

/// `bms_soc_fused_t` (bms_fused.h, ekf+lstm in C) holding a C EKF and a C LSTM wrapper, as
/// `makeEstimator(.ekfLSTM, …)` builds the Swift one.
final class CFused: CEstimator {
    let ekf: CEKF, lstm: CLSTM
    let state = UnsafeMutablePointer<bms_soc_fused_t>.allocate(capacity: 1)
    let status: bms_soc_status_t
    init(ekf: CEKF, lstm: CLSTM, noise: bms_fusion_noise_t) {
        self.ekf = ekf
        self.lstm = lstm
        var n = noise
        status = bms_soc_fused_init(state, ekf.state, lstm.state, &n)
    }
    deinit { state.deallocate() }
    func update(_ m: CellMeasurement32) -> bms_soc_estimate_t {
        cEstimate { _ = bms_soc_fused_tick(state, m.voltageV, m.currentA, m.temperatureC, m.dtSeconds, &$0) }
    }
    func wake(afterSleepSeconds s: Float) { _ = bms_soc_fused_wake(state, s) }
    func reset(soc: Float) { _ = bms_soc_fused_reset(state, soc) }
}

/// ekf+lstm in C against `FusedEKFLSTMEstimator`: the same fused model steps and the SOC within
/// the tolerance of its parts, with the shipped `ekf+lstm` blob (`lstm-soh-nll`: the network's own
/// σ) and with band noise (`lstm-soh`), on the project's recordings and on NASA test-cell lives.
@Suite("ekf+lstm in C (bms_fused.h) agrees with the Swift one")
struct CFusedAgreementTests {
    /// The Swift and C ekf+lstm for `blobName` as replay builds them (no counter between runs,
    /// the learned prior and the envelope from the blob).
    static func pair(blobName: String) throws -> (FusedEKFLSTMEstimator, CFused) {
        let (model, cModel, blobBytes, blob) = try CEstimatorAgreementTests.models(
            blob: SharedData.fixtures.appendingPathComponent("models/\(blobName)"))
        let envelope = try TrainingEnvelope(metadata: blob.metadataValue)
        let swift = FusedEKFLSTMEstimator(
            filter: TheveninEKF(model: model, pairs: 1, config: EstimatorConfig()),
            lstm: LSTMEstimator(model: blob, envelope: envelope, capacityAh: Double(Float(model.capacityAh)),
                                chargeEfficiency: Double(Float(model.coulombicEfficiency)),
                                capacityLearner: CapacityLearner(model: model, config: EstimatorConfig())),
            noise: .default)
        var noise = bms_fusion_noise_t()
        bms_fusion_noise_default(&noise)
        let c = CFused(ekf: CEKF(model: cModel, config: CConfig()),
                       lstm: CLSTM(blobBytes: blobBytes, cell: cModel, config: CConfig(),
                                   learnPriorCapacity: blob.expectsLearnedPrior, envelope: envelope),
                       noise: noise)
        #expect(c.status == BMS_SOC_OK && c.ekf.status == BMS_SOC_OK && c.lstm.status == BMS_SOC_OK)
        return (swift, c)
    }

    @Test("the shipped noise is LSTMFusionNoise.default, and R is its variance", arguments: [0.0, 0.1, 0.45, 0.99, 1.3, -0.2])
    func noiseAgrees(soc: Double) {
        var noise = bms_fusion_noise_t()
        bms_fusion_noise_default(&noise)
        let swift = LSTMFusionNoise.default
        #expect(Int(noise.bands) == swift.socBandSigma.count && noise.decorrelation_s == swift.decorrelationSeconds
                && noise.filter_variance_ratio == swift.filterVarianceRatio)
        for step in [10.0, 100.0, 5000.0, 0] {
            #expect(bms_fusion_noise_variance(&noise, soc, 0, step) == swift.variance(lstmSOC: soc, stepSeconds: step))
            #expect(bms_fusion_noise_variance(&noise, soc, 0.031, step) == swift.variance(networkSigma: 0.031, stepSeconds: step))
        }
    }

    @Test("bad noise and NULL parts are refused; a refused init writes nothing")
    func refusals() throws {
        let (_, c) = try Self.pair(blobName: "lstm-soh.bmsq")
        var good = bms_fusion_noise_t()
        bms_fusion_noise_default(&good)
        var bad: [bms_fusion_noise_t] = []
        for change in 0..<5 {
            var n = good
            switch change {
            case 0: n.bands = 0
            case 1: n.bands = UInt8(BMS_FUSION_MAX_BANDS + 1)
            case 2: n.band_sigma.2 = -0.01
            case 3: n.decorrelation_s = .nan
            default: n.filter_variance_ratio = 0
            }
            bad.append(n)
        }
        let fused = UnsafeMutablePointer<bms_soc_fused_t>.allocate(capacity: 1)
        defer { fused.deallocate() }
        fused.initialize(to: bms_soc_fused_t())
        for var n in bad {
            #expect(bms_fusion_noise_check(&n) == BMS_SOC_ERR_CONFIG)
            #expect(bms_soc_fused_init(fused, c.ekf.state, c.lstm.state, &n) == BMS_SOC_ERR_CONFIG)
            #expect(fused.pointee.filter == nil, "a refused init writes nothing")
        }
        #expect(bms_soc_fused_init(fused, nil, c.lstm.state, &good) == BMS_SOC_ERR_ARGUMENT)
        #expect(bms_soc_fused_init(fused, c.ekf.state, nil, &good) == BMS_SOC_ERR_ARGUMENT)
        #expect(bms_soc_fused_init(fused, c.ekf.state, c.lstm.state, nil) == BMS_SOC_ERR_ARGUMENT)
        var e = bms_soc_estimate_t()
        #expect(bms_soc_fused_tick(nil, 4, -1, 25, 1, &e) == BMS_SOC_ERR_ARGUMENT)
        #expect(bms_soc_fused_reset(fused, .nan) == BMS_SOC_ERR_ARGUMENT)
        // The EKF's SOC measurement refuses a non-finite z or a variance that is not positive, changing nothing.
        let before = c.ekf.state.pointee.x.0
        #expect(bms_soc_ekf_apply_soc_measurement(c.ekf.state, .nan, 1e-4) == 0)
        #expect(bms_soc_ekf_apply_soc_measurement(c.ekf.state, 0.5, 0) == 0)
        #expect(bms_soc_ekf_apply_soc_measurement(c.ekf.state, 0.5, -1) == 0)
        #expect(bms_soc_ekf_apply_soc_measurement(nil, 0.5, 1e-4) == 0)
        #expect(c.ekf.state.pointee.x.0 == before)
    }

    @Test("NASA test-cell lives: the same fused steps, the SOC within the learned prior's tolerance",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"),
          arguments: ["lstm-soh-nll.bmsq", "lstm-soh.bmsq"])
    func nasaLivesAgree(blobName: String) throws {
        let dataset = try NASADataset(root: try #require(SharedData.nasa))
        for cell in ["B0043", "B0047"] {
            let (swift, c) = try Self.pair(blobName: blobName)
            let d = CDrive.compare(CDrive.events(try dataset.recording(cell: cell)), swift: swift, c: c)
            print("CFusedAgreement \(blobName) \(cell): \(swift.fusions) fusions (C \(c.state.pointee.fusions)), "
                  + "max |C − Swift| \(d.maxSOC * 100) SOC points (tick \(d.worstTick))")
            #expect(Int(c.state.pointee.fusions) == swift.fusions && swift.fusions > 100, "\(cell)")
            #expect(d.maxSOC <= CEstimatorAgreementTests.learnedPriorTolerance, "\(cell)")
            #expect(d.holdingMismatches == 0)
        }
    }

    @Test("the project's recordings (no NASA data needed): the same fused steps, the SOC within tolerance",
          arguments: ["synthetic-cycle.csv", "synthetic-drive.csv"])
    func fixtureRecordingsAgree(file: String) throws {
        let (swift, c) = try Self.pair(blobName: "lstm-soh-nll.bmsq")
        let path = SharedData.fixtures.appendingPathComponent("recordings/\(file)").path
        let d = CDrive.compare(CDrive.events(try GenericRecordingCSV.read(path: path)), swift: swift, c: c)
        print("CFusedAgreement \(file): \(swift.fusions) fusions (C \(c.state.pointee.fusions)), max |C − Swift| \(d.maxSOC * 100) SOC points")
        #expect(Int(c.state.pointee.fusions) == swift.fusions)
        #expect(d.maxSOC <= CEstimatorAgreementTests.learnedPriorTolerance)
    }
}
