import BMSCore
import CBMSSoc
import CellData
import CellModel
@testable import Estimators
import Foundation
import Testing
import TestSupport

/// The C 1RC EKF with the model's charge-transfer term (`bms_soc_charge_transfer.c`) against the
/// Swift one (`TheveninEKF`, `TheveninStateModel.measurement` adding a·asinh(I/I_ref)) on the same
/// float32 ticks, with the tolerance of `CEstimatorAgreementTests`. The model is
/// `Fixtures/models/cell-charge-transfer.json`: `bmsim fit --charge-transfer on` on the project's
/// PyBaMM UDDS recording (Mohtat2020 NMC, 25 °C; one group, a = 47 mV, I_ref = 5.6 A), run on
/// that recording and its noisy copy; then with a second, cold group and the temperature swept
/// 0–30 °C (the groups' voltages interpolated), and with a hysteresis law as well (3 states).
/// The C Ah counter never reads the term; it is compared too, as the firmware runs both.
@Suite("C EKF with the charge-transfer term agrees with the Swift one (bms_soc)", .serialized)
struct CEstimatorChargeTransferTests {
    static let modelURL = SharedData.fixtures.appendingPathComponent("models/cell-charge-transfer.json")
    static let recordings = ["mohtat2020-nmc-25C-udds-short.csv", "mohtat2020-nmc-25C-udds-short-noisy.csv"]

    static func events(_ file: String) throws -> [CDrive.Event] {
        CDrive.events(try GenericRecordingCSV.read(path: SharedData.fixtures.appendingPathComponent("physics/\(file)").path))
    }

    /// `events` with the temperature swept linearly from `fromC` to `toC` over the ticks.
    static func swept(_ events: [CDrive.Event], fromC: Float, toC: Float) -> [CDrive.Event] {
        let ticks = max(1, events.filter { if case .tick = $0 { true } else { false } }.count - 1)
        var k = 0
        return events.map { event in
            guard case .tick(var m) = event else { return event }
            m.temperatureC = fromC + (toC - fromC) * Float(k) / Float(ticks)
            k += 1
            return .tick(m)
        }
    }

    /// Both EKFs and both Ah counters over `events`; also the largest |SOC| gap between the Swift
    /// EKF with and without the term (that the drive exercises it).
    static func run(_ events: [CDrive.Event], model: CellModelParameters)
        -> (ekf: CDrive.Difference, ah: CDrive.Difference, termEffect: Double, states: UInt8) {
        let cModel = CCellModel(try! CellModelCTables(model))
        let cEKF = CEKF(model: cModel, config: CConfig())
        #expect(cEKF.status == BMS_SOC_OK)
        let ekf = CDrive.compare(events, swift: TheveninEKF(model: model, pairs: 1, config: EstimatorConfig()), c: cEKF)
        let ah = CDrive.compare(events, swift: AhCounterEstimator(model: model, config: EstimatorConfig()),
                                c: CAhCounter(model: cModel, config: CConfig()))
        var plain = model
        plain.chargeTransfer = nil
        let with = TheveninEKF(model: model, pairs: 1, config: EstimatorConfig())
        let without = TheveninEKF(model: plain, pairs: 1, config: EstimatorConfig())
        var effect = 0.0
        for case .tick(let m) in events { effect = max(effect, abs(with.update(m.swift).soc - without.update(m.swift).soc)) }
        return (ekf, ah, effect, cEKF.state.pointee.states)
    }

    static func expectAgreement(_ r: (ekf: CDrive.Difference, ah: CDrive.Difference, termEffect: Double, states: UInt8),
                                _ what: String) {
        print("CEstimatorChargeTransfer \(what): max |C − Swift| SOC points: ekf-1rc \(r.ekf.maxSOC * 100) "
              + "(σ \(r.ekf.maxSigma * 100), tick \(r.ekf.worstTick)), ah \(r.ah.maxSOC * 100); "
              + "the term moves the Swift EKF by up to \(r.termEffect * 100) points")
        #expect(r.ekf.maxSOC <= CEstimatorAgreementTests.tolerance && r.ekf.maxSigma <= CEstimatorAgreementTests.tolerance, "\(what) ekf")
        #expect(r.ah.maxSOC <= CEstimatorAgreementTests.tolerance, "\(what) ah")
        #expect(r.ekf.holdingMismatches == 0 && r.ah.holdingMismatches == 0)
        // The comparison means something only if the term changes the estimate far beyond the tolerance.
        #expect(r.termEffect > 10 * CEstimatorAgreementTests.tolerance, "\(what): the term must matter")
    }

    @Test("the fitted model on its UDDS recording and the noisy copy: |C − Swift| ≤ 0.01 SOC points", arguments: recordings)
    func fittedModelAgrees(file: String) throws {
        let model = try CellModelFile.load(from: Self.modelURL)
        let term = try #require(model.chargeTransfer, "the fixture has the term")
        #expect(term.groups.count == 1 && term.groups[0].coefficientV > 0.01)
        Self.expectAgreement(Self.run(try Self.events(file), model: model), file)
    }

    @Test("two groups (0 °C and the fitted one) with the temperature swept 0–30 °C; and with a hysteresis law (3 states)")
    func twoGroupsAndHysteresisAgree() throws {
        var model = try CellModelFile.load(from: Self.modelURL)
        let fitted = try #require(model.chargeTransfer?.groups.first)
        model.chargeTransfer = ChargeTransfer(groups: [.init(temperatureC: 0, coefficientV: 0.0456, referenceCurrentA: 1.86), fitted])
        let events = Self.swept(try Self.events(Self.recordings[0]), fromC: 0, toC: 30)
        let two = Self.run(events, model: model)
        Self.expectAgreement(two, "two groups, 0–30 °C")
        #expect(two.states == 2)
        model.hysteresis = Hysteresis(groups: [.init(temperatureC: 15, maximumV: 0.02, instantaneousV: 0.004, rateConstant: 30)])
        let both = Self.run(events, model: model)
        Self.expectAgreement(both, "two groups + hysteresis, 0–30 °C")
        #expect(both.states == 3)
    }
}
