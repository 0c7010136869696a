import BMSCore
import CBMSSoc
import CellData
import CellModel
@testable import Estimators
import Foundation
import Testing
import TestSupport

/// The C Ah counter and 1RC EKF with the model's hysteresis (`bms_soc_hysteresis.c`) against
/// the Swift ones (`AhCounterEstimator`, `TheveninEKF` with h as a state) on the same float32
/// ticks: the synthetic LFP-like plant of `HysteresisPlant` (its drive and its C/20 slow test
/// with hour-long rests, wake-ups and a reset) and the fixture model with a two-group law on the
/// project's simulated recordings. Same tolerance as `CEstimatorAgreementTests`.
@Suite("C estimators with hysteresis agree with the Swift ones (bms_soc)", .serialized)
struct CEstimatorHysteresisTests {
    /// The plant's config for both sides (its capacity, rest current and voltage σ). The flat-OCV
    /// threshold is 0.09 V/SOC instead of 0.1: two of the plant's plateau segments rise exactly
    /// 0.1 V per SOC, where float32 and Double fall on either side of the default threshold and
    /// the Ah counter's rested reading takes another branch (0.33 SOC points apart, measured).
    static func configs(hysteresis: Bool = true) -> (swift: EstimatorConfig, c: CConfig) {
        var swift = HysteresisFilterTests.config(hysteresis: hysteresis)
        swift.minimumOCVSlopeVPerSOC = 0.09
        let c = CConfig {
            $0.minimum_ocv_slope_V_per_soc = Float(swift.minimumOCVSlopeVPerSOC)
            $0.capacity_Ah = Float(swift.capacityAh ?? 0)
            $0.voltage_noise_V = Float(swift.voltageNoiseV ?? 0)
            $0.rest_current_A = Float(swift.restCurrentA)
            $0.use_model_hysteresis = hysteresis ? 1 : 0
        }
        return (swift, c)
    }

    /// A plant trace as ticks (first Δt 0); from `wakeAt` on, 600 s of samples are slept through
    /// (a wake-up), and at `resetAt` the estimators restart at full.
    static func events(_ trace: HysteresisPlant.Trace, wakeAt: Int, resetAt: Int) -> [CDrive.Event] {
        var out: [CDrive.Event] = []
        var k = 0, previousTime = trace.timeS[0]
        while k < trace.timeS.count {
            if k == wakeAt {
                let skipTo = trace.timeS.firstIndex { $0 >= trace.timeS[k] + 600 } ?? trace.timeS.count - 1
                out.append(.wake(Float(trace.timeS[skipTo] - previousTime)))
                k = skipTo
                previousTime = trace.timeS[k]
            }
            if k == resetAt { out.append(.reset) }
            let dt = k == 0 ? 0 : trace.timeS[k] - previousTime
            out.append(.tick(CellMeasurement32(voltageV: Float(trace.voltageV[k]), currentA: Float(trace.currentA[k]),
                                               temperatureC: 25, dtSeconds: Float(k == wakeAt ? 0 : dt))))
            previousTime = trace.timeS[k]
            k += 1
        }
        return out
    }

    /// Runs both pairs over `events`, checking h in [−1, 1] on the C side at every tick; the
    /// largest |h_C − h_Swift| and h's range (C EKF) come back with the differences.
    static func run(_ events: [CDrive.Event], model: CellModelParameters, swiftConfig: EstimatorConfig, cConfig: CConfig)
        -> (ah: CDrive.Difference, ekf: CDrive.Difference, hGap: Double, hRange: ClosedRange<Float>, hOutside: Int) {
        let cModel = CCellModel(try! CellModelCTables(model))
        let swiftAh = AhCounterEstimator(model: model, config: swiftConfig), cAh = CAhCounter(model: cModel, config: cConfig)
        let swiftEKF = TheveninEKF(model: model, pairs: 1, config: swiftConfig), cEKF = CEKF(model: cModel, config: cConfig)
        var hGap = 0.0, low: Float = 1, high: Float = -1, outside = 0
        var ah = CDrive.Difference(), ekf = CDrive.Difference()
        for event in events {
            ah.merge(CDrive.compare([event], swift: swiftAh, c: cAh))
            ekf.merge(CDrive.compare([event], swift: swiftEKF, c: cEKF))
            guard case .tick = event, cEKF.state.pointee.states == 3 else { continue }
            let h = cEKF.state.pointee.x.2, hAh = cAh.state.pointee.hysteresis_h
            if !(abs(h) <= 1 && abs(hAh) <= 1) { outside += 1 }
            low = min(low, h)
            high = max(high, h)
            hGap = max(hGap, abs(Double(h) - swiftEKF.state[2]), abs(Double(hAh) - swiftAh.hysteresisH))
        }
        return (ah, ekf, hGap, low...max(low, high), outside)
    }

    @Test("the hysteresis plant's drive and C/20 slow test (wake-up, reset, hour-long rests): |C − Swift| ≤ 0.01 SOC points, h in [−1, 1]")
    func plantAgrees() {
        let model = HysteresisFilterTests.model()
        let (swiftConfig, cConfig) = Self.configs()
        var slow = HysteresisPlant(soc: 0.98, h: 1, sign: 1)
        let slowTrace = slow.run(HysteresisPlant.slowTest(), dtSeconds: 10, noiseV: 0.001, seed: 5)
        let drive = HysteresisFilterTests.drive
        let runs = [("drive", Self.events(drive, wakeAt: drive.timeS.count - 1500, resetAt: drive.timeS.count / 2)),
                    ("slow test", Self.events(slowTrace, wakeAt: slowTrace.timeS.count - 200, resetAt: -1))]
        for (name, events) in runs {
            let r = Self.run(events, model: model, swiftConfig: swiftConfig, cConfig: cConfig)
            print("CEstimatorHysteresis plant \(name): \(events.count) events; max |C − Swift| SOC points: ah \(r.ah.maxSOC * 100), "
                  + "ekf-1rc \(r.ekf.maxSOC * 100) (σ \(r.ekf.maxSigma * 100)); max |h_C − h_Swift| \(r.hGap); C EKF h in \(r.hRange)")
            #expect(r.ah.maxSOC <= CEstimatorAgreementTests.tolerance, "\(name) ah")
            #expect(r.ekf.maxSOC <= CEstimatorAgreementTests.tolerance && r.ekf.maxSigma <= CEstimatorAgreementTests.tolerance,
                    "\(name) ekf")
            #expect(r.hGap <= 1e-3 && r.hOutside == 0, "\(name) h")
            #expect(r.hRange.upperBound - r.hRange.lowerBound > 1, "\(name): h must move (charge and discharge)")
            #expect(r.ah.holdingMismatches == 0 && r.ekf.holdingMismatches == 0)
        }
    }

    @Test("the fixture model with a two-group law (M, M0, γ interpolated over temperature) on the simulated recordings",
          arguments: ["synthetic-cycle.csv", "synthetic-drive.csv"])
    func fixtureModelWithLawAgrees(file: String) throws {
        var model = try CellModelFile.load(from: CEstimatorAgreementTests.modelURL)
        model.hysteresis = Hysteresis(groups: [.init(temperatureC: 15, maximumV: 0.03, instantaneousV: 0.006, rateConstant: 25),
                                               .init(temperatureC: 35, maximumV: 0.015, instantaneousV: 0.002, rateConstant: 45)])
        let path = SharedData.fixtures.appendingPathComponent("recordings/\(file)").path
        let events = CDrive.events(try GenericRecordingCSV.read(path: path))
        let r = Self.run(events, model: model, swiftConfig: EstimatorConfig(), cConfig: CConfig())
        print("CEstimatorHysteresis fixture model + law, \(file): max |C − Swift| SOC points: ah \(r.ah.maxSOC * 100), "
              + "ekf-1rc \(r.ekf.maxSOC * 100) (σ \(r.ekf.maxSigma * 100)); max |h_C − h_Swift| \(r.hGap); h in \(r.hRange)")
        #expect(r.ah.maxSOC <= CEstimatorAgreementTests.tolerance)
        #expect(r.ekf.maxSOC <= CEstimatorAgreementTests.tolerance && r.ekf.maxSigma <= CEstimatorAgreementTests.tolerance)
        #expect(r.hGap <= 1e-3 && r.hOutside == 0)
        #expect(r.hRange.upperBound - r.hRange.lowerBound > 0.5, "h must move")
    }

    @Test("use_model_hysteresis = 0 on a model with hysteresis runs bit for bit as the model without it")
    func switchedOffIsTheModelWithout() {
        let (_, on) = Self.configs(hysteresis: true)
        let (_, off) = Self.configs(hysteresis: false)
        let with = CCellModel(try! CellModelCTables(HysteresisFilterTests.model()))
        let without = CCellModel(try! CellModelCTables(HysteresisFilterTests.model(hysteresis: false)))
        let events = Self.events(HysteresisFilterTests.drive, wakeAt: -1, resetAt: -1)
        let pairs: [(any CEstimator, any CEstimator)] = [(CEKF(model: with, config: off), CEKF(model: without, config: on)),
                                                         (CAhCounter(model: with, config: off), CAhCounter(model: without, config: on))]
        for (a, b) in pairs {
            var identical = true
            for case .tick(let m) in events {
                let x = a.update(m), y = b.update(m)
                if x.soc.bitPattern != y.soc.bitPattern || x.sigma.bitPattern != y.sigma.bitPattern { identical = false }
            }
            #expect(identical)
        }
        #expect(CEKF(model: with, config: on).state.pointee.states == 3)
        #expect(CEKF(model: with, config: off).state.pointee.states == 2)
    }
}

extension CDrive.Difference {
    /// Keeps the larger of each figure (the worst tick's index is not carried).
    mutating func merge(_ other: CDrive.Difference) {
        maxSOC = max(maxSOC, other.maxSOC)
        maxSigma = max(maxSigma, other.maxSigma)
        maxRoundedSOC = max(maxRoundedSOC, other.maxRoundedSOC)
        holdingMismatches += other.holdingMismatches
    }
}
