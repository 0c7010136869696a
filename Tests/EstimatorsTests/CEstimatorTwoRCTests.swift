import BMSCore
import CBMSSoc
import CellData
import CellModel
@testable import Estimators
import Foundation
import Testing
import TestSupport

/// The C EKF on two R–C pairs (`bms_soc_ekf_init_pairs(..., 2)`, the model's `bms_soc_two_rc_t`)
/// against the Swift `TheveninEKF(pairs: 2)` on the same float32 ticks, with the tolerance of
/// `CEstimatorAgreementTests`: whole NASA lives on the bundled model; the hysteresis plant and the
/// fixture model with a law (4 states: SOC, v1, v2, h); the charge-transfer fixture with the
/// temperature swept. Then what the 1RC filter must not notice (a model that carries 2RC
/// tables runs bit for bit as one without), and every refusal at init.
@Suite("C EKF on the 2RC model agrees with the Swift one (bms_soc)", .serialized)
struct CEstimatorTwoRCTests {
    /// Both 2RC EKFs over `events` (the C one must initialise).
    static func compare(_ events: [CDrive.Event], model: CellModelParameters, swiftConfig: EstimatorConfig = EstimatorConfig(),
                        cConfig: CConfig = CConfig()) -> (difference: CDrive.Difference, c: CEKF, swift: TheveninEKF) {
        let cEKF = CEKF(model: CCellModel(try! CellModelCTables(model)), config: cConfig, pairs: 2)
        #expect(cEKF.status == BMS_SOC_OK)
        let swiftEKF = TheveninEKF(model: model, pairs: 2, config: swiftConfig)
        return (CDrive.compare(events, swift: swiftEKF, c: cEKF), cEKF, swiftEKF)
    }

    static func expectAgreement(_ d: CDrive.Difference, _ what: String) {
        print("CEstimatorTwoRC \(what): max |C − Swift| SOC points: ekf-2rc \(d.maxSOC * 100) (σ \(d.maxSigma * 100), "
              + "tick \(d.worstTick))")
        #expect(d.maxSOC <= CEstimatorAgreementTests.tolerance && d.maxSigma <= CEstimatorAgreementTests.tolerance, "\(what)")
        #expect(d.holdingMismatches == 0, "\(what)")
    }

    @Test("ekf-2rc: |C − Swift| ≤ 0.01 SOC points at every tick of whole NASA test-cell lives, the same capacity learning",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func wholeLivesAgree() throws {
        let model = try CellModelFile.load(from: CEstimatorAgreementTests.modelURL)
        let dataset = try NASADataset(root: try #require(SharedData.nasa))
        for cell in CEstimatorAgreementTests.cells {
            let events = CDrive.events(try dataset.recording(cell: cell))
            let (d, c, swift) = Self.compare(events, model: model)
            Self.expectAgreement(d, cell)
            #expect(c.state.pointee.states == 3 && c.state.pointee.pairs == 2 && c.state.pointee.hysteresis_index == 0)
            #expect(Int(c.state.pointee.learner.measurement_count) == swift.common.learner.measurementCount)
            #expect(abs(Double(c.state.pointee.capacity_Ah) - swift.currentCapacityAh) < 1e-4)
            #expect(Int(c.state.pointee.covariance_resets) == swift.covarianceResets)
            // v2 is a state of its own: the C filter carries it as Swift does.
            #expect(abs(Double(c.state.pointee.x.2) - swift.state[2]) < 1e-3, "\(cell) v2")
        }
    }

    @Test("with hysteresis (4 states): the plant's drive and slow test, and the fixture model with a two-group law; h in [−1, 1]")
    func hysteresisAgrees() throws {
        let (swiftConfig, cConfig) = CEstimatorHysteresisTests.configs()
        var slow = HysteresisPlant(soc: 0.98, h: 1, sign: 1)
        let slowTrace = slow.run(HysteresisPlant.slowTest(), dtSeconds: 10, noiseV: 0.001, seed: 5)
        let drive = HysteresisFilterTests.drive
        let runs = [("plant drive", CEstimatorHysteresisTests.events(drive, wakeAt: drive.timeS.count - 1500,
                                                                     resetAt: drive.timeS.count / 2)),
                    ("plant slow test", CEstimatorHysteresisTests.events(slowTrace, wakeAt: slowTrace.timeS.count - 200,
                                                                         resetAt: -1))]
        for (name, events) in runs {
            let (d, c, swift) = Self.compare(events, model: HysteresisFilterTests.model(), swiftConfig: swiftConfig,
                                             cConfig: cConfig)
            Self.expectAgreement(d, name)
            #expect(c.state.pointee.states == 4 && c.state.pointee.hysteresis_index == 3)
            #expect(abs(Double(c.state.pointee.x.3) - swift.state[3]) < 1e-3 && abs(c.state.pointee.x.3) <= 1, "\(name) h")
        }
        var model = try CellModelFile.load(from: CEstimatorAgreementTests.modelURL)
        model.hysteresis = Hysteresis(groups: [.init(temperatureC: 15, maximumV: 0.03, instantaneousV: 0.006, rateConstant: 25),
                                               .init(temperatureC: 35, maximumV: 0.015, instantaneousV: 0.002, rateConstant: 45)])
        for file in ["synthetic-cycle.csv", "synthetic-drive.csv"] {
            let path = SharedData.fixtures.appendingPathComponent("recordings/\(file)").path
            let (d, c, _) = Self.compare(CDrive.events(try GenericRecordingCSV.read(path: path)), model: model)
            Self.expectAgreement(d, "fixture model + law, \(file)")
            #expect(c.state.pointee.states == 4)
        }
    }

    @Test("with the charge-transfer term: the fitted fixture on its UDDS recording, two groups with the temperature swept 0–30 °C")
    func chargeTransferAgrees() throws {
        var model = try CellModelFile.load(from: CEstimatorChargeTransferTests.modelURL)
        let events = try CEstimatorChargeTransferTests.events(CEstimatorChargeTransferTests.recordings[0])
        Self.expectAgreement(Self.compare(events, model: model).difference, "charge transfer, UDDS")
        let fitted = try #require(model.chargeTransfer?.groups.first)
        model.chargeTransfer = ChargeTransfer(groups: [.init(temperatureC: 0, coefficientV: 0.0456, referenceCurrentA: 1.86), fitted])
        let swept = CEstimatorChargeTransferTests.swept(events, fromC: 0, toC: 30)
        Self.expectAgreement(Self.compare(swept, model: model).difference, "charge transfer, two groups, 0–30 °C")
    }

    @Test("the 2RC filter is not the 1RC one: on a NASA life the two C filters differ by more than the tolerance",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func twoRCIsItsOwnModel() throws {
        let model = try CellModelFile.load(from: CEstimatorAgreementTests.modelURL)
        let cModel = CCellModel(try CellModelCTables(model))
        let one = CEKF(model: cModel, config: CConfig()), two = CEKF(model: cModel, config: CConfig(), pairs: 2)
        let dataset = try NASADataset(root: try #require(SharedData.nasa))
        var gap: Float = 0
        for case .tick(let m) in CDrive.events(try dataset.recording(cell: "B0007")) {
            gap = max(gap, abs(one.update(m).soc - two.update(m).soc))
        }
        #expect(Double(gap) > 10 * CEstimatorAgreementTests.tolerance, "the 2RC tables must be read (gap \(gap))")
    }

    @Test("the 1RC filter never reads the 2RC tables: with and without them, bit for bit")
    func oneRCIgnoresTwoRCTables() throws {
        let model = try CellModelFile.load(from: CEstimatorAgreementTests.modelURL)
        let tables = try CellModelCTables(model)
        let with = CEKF(model: CCellModel(tables), config: CConfig())
        let without = CEKF(model: CCellModel(tables, twoRC: false), config: CConfig())
        let path = SharedData.fixtures.appendingPathComponent("recordings/synthetic-cycle.csv").path
        var identical = true, ticks = 0
        for case .tick(let m) in CDrive.events(try GenericRecordingCSV.read(path: path)) {
            let a = with.update(m), b = without.update(m)
            if a.soc.bitPattern != b.soc.bitPattern || a.sigma.bitPattern != b.sigma.bitPattern { identical = false }
            ticks += 1
        }
        #expect(identical && ticks > 1000)
        #expect(with.state.pointee.states == 2 && with.state.pointee.pairs == 1)
    }

    @Test("refused at init: a pair count other than 1 or 2, no 2RC tables, bad 2RC tables or residuals; never a crash")
    func refusals() throws {
        let tables = try CellModelCTables(CellModelFile.load(from: CEstimatorAgreementTests.modelURL))
        for pairs: Int32 in [0, 3, -1] {
            #expect(CEKF(model: CCellModel(tables), config: CConfig(), pairs: pairs).status == BMS_SOC_ERR_ARGUMENT)
        }
        #expect(CEKF(model: CCellModel(tables, twoRC: false), config: CConfig(), pairs: 2).status == BMS_SOC_ERR_MODEL_TWO_RC)
        #expect(CEKF(model: CCellModel(tables, twoRC: false), config: CConfig(), pairs: 1).status == BMS_SOC_OK)
        // A bad value in the second branch: NaN τ2, τ2 = 0, negative R2 (a copy of the table with one value changed).
        let count = tables.twoRC.tau2S.values.count
        func edited(_ values: [Float], at k: Int, to v: Float) -> UnsafePointer<Float> {
            var copy = values
            copy[k] = v
            let p = UnsafeMutablePointer<Float>.allocate(capacity: copy.count)
            p.initialize(from: copy, count: copy.count)
            return UnsafePointer(p)
        }
        let cases: [(String, (inout bms_soc_two_rc_t) -> Void, bms_soc_status_t)] = [
            ("NaN tau2", { $0.tau2_s.values = edited(tables.twoRC.tau2S.values, at: count / 2, to: .nan) }, BMS_SOC_ERR_MODEL_VALUE),
            ("tau2 = 0", { $0.tau2_s.values = edited(tables.twoRC.tau2S.values, at: 0, to: 0) }, BMS_SOC_ERR_MODEL_VALUE),
            ("R2 < 0", { $0.r2_ohm.values = edited(tables.twoRC.r2Ohm.values, at: count - 1, to: -1e-3) }, BMS_SOC_ERR_MODEL_VALUE),
            ("R0 infinite", { $0.r0_ohm.values = edited(tables.twoRC.r0Ohm.values, at: 1, to: .infinity) }, BMS_SOC_ERR_MODEL_VALUE),
            ("SOC grid not increasing", {
                $0.r1_ohm.soc_points = edited(tables.twoRC.r1Ohm.socPoints, at: 1, to: tables.twoRC.r1Ohm.socPoints[0])
            }, BMS_SOC_ERR_MODEL_GRID),
            ("one SOC point", { $0.tau1_s.soc_count = 1 }, BMS_SOC_ERR_MODEL_TABLE),
            ("no values", { $0.r2_ohm.values = nil }, BMS_SOC_ERR_MODEL_TABLE),
            ("NaN residual", { $0.residual_mV = .nan }, BMS_SOC_ERR_MODEL_NOISE),
            ("negative residual", { $0.residual_mV = -1 }, BMS_SOC_ERR_MODEL_NOISE),
        ]
        for (what, edit, expected) in cases {
            let model = CCellModel(tables, editTwoRC: edit)
            // A model with bad 2RC tables is refused by every estimator (bms_cell_model_check), not only the 2RC filter.
            #expect(CEKF(model: model, config: CConfig(), pairs: 2).status == expected, "\(what)")
            #expect(CEKF(model: model, config: CConfig()).status == expected, "\(what), 1RC")
            #expect(CAhCounter(model: model, config: CConfig()).status == expected, "\(what), ah")
            #expect(String(cString: bms_soc_status_name(expected)) != "unknown")
        }
        #expect(String(cString: bms_soc_status_name(BMS_SOC_ERR_MODEL_TWO_RC)) == "model has no 2RC tables")
        #expect(String(cString: bms_soc_status_name(BMS_SOC_ERR_TWO_RC_COMPILED_OUT)) == "2RC compiled out")
    }
}
