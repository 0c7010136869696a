import BMSCore
import CellData
import CellModel
import Estimators
import Foundation
import Testing
import TestSupport
@testable import Evaluation

/// `bmsim fit --hysteresis` on the synthetic LFP-like plant of `TestSupport.HysteresisPlant`
/// (its own written-out loop; M = 20 mV, M0 = 4 mV, γ = 30): a C/20 slow test (10 s samples)
/// and a drive with regenerative pulses (1 s samples), 1 mV voltage noise, written as generic
/// CSVs and read back.
@Suite("Fit with hysteresis (synthetic LFP plant)", .serialized)
struct HysteresisFitTests {
    /// The plant's recordings: slow test and drive (seed `drive`), optionally without hysteresis.
    static func recordings(drive seed: UInt64 = 5, hysteresis: Bool = true, slowTest: Bool = true,
                           slowPolarisation: Bool = false) throws -> [Recording] {
        func plant(_ soc: Double) -> HysteresisPlant {
            var p = HysteresisPlant(soc: soc, h: 1, sign: 1)
            if !hysteresis { p.maximumV = 0; p.instantaneousV = 0 }
            // A slow RC (a diffusion-like polarisation) the drive's 1RC fit cannot hold: the C/20
            // gap then reads more than the fitted R0 + R1 explain, without any hysteresis.
            if slowPolarisation { p.r1Ohm = 0.05; p.tau1S = 20_000 }
            return p
        }
        var slow = plant(0.98), drive = plant(0.9)
        let slowTrace = slow.run(HysteresisPlant.slowTest(), dtSeconds: 10, noiseV: 0.001, seed: 2)
        let driveTrace = drive.run(HysteresisPlant.drive(seed: seed), dtSeconds: 1, noiseV: 0.001, seed: 4)
        var out = [try GenericRecordingCSV.parse(Array(drive.csvText(driveTrace, cell: "LFP").utf8), name: "drive.csv")]
        if slowTest {
            out.insert(try GenericRecordingCSV.parse(Array(slow.csvText(slowTrace, cell: "LFP").utf8), name: "slow.csv"), at: 0)
        }
        return out
    }

    /// The default (`auto`) fit of the plant with hysteresis, made once (≈ 25 s in a debug build).
    static let fitted: (model: CellModelParameters, summary: RecordingFit.Summary)? = try? RecordingFit.fit(
        recordings(), capacityAh: nil, ocv: nil)

    @Test("auto turns hysteresis on: M within 10 %, M + M0 within 10 %, γ within a factor 1.5; residual ≈ the 1 mV noise")
    func recoversThePlant() throws {
        let (model, _) = try #require(Self.fitted)
        let law = try #require(model.hysteresis)
        let g = try #require(law.groups.first)
        let report = try #require(model.fitReport.hysteresis)
        print("HysteresisFit plant: M \(g.maximumV * 1000) mV, M0 \(g.instantaneousV * 1000) mV, γ \(g.rateConstant); "
              + "residual 1RC \(report.residual1RCWithoutmV!) → \(report.residual1RCWithmV!) mV; \(report.decision)")
        #expect(law.groups.count == 1 && abs(g.temperatureC - 25) < 0.1)
        #expect(abs(g.maximumV - 0.020) <= 0.002, "M \(g.maximumV)")
        #expect(abs(g.maximumV + g.instantaneousV - 0.024) <= 0.0024, "M + M0 \(g.maximumV + g.instantaneousV)")
        #expect(g.rateConstant >= 30 / 1.5 && g.rateConstant <= 30 * 1.5, "γ \(g.rateConstant)")
        #expect(report.used && report.mode == "auto" && report.decision.hasPrefix("on"))
        #expect(try #require(report.residual1RCWithmV) < 2)
        #expect(try #require(report.residual1RCWithoutmV) > 10)
        // The resistances are the plant's once the hysteresis is out of them (R0 8 mΩ, R1 4 mΩ).
        let r0 = model.thevenin1RC.r0Ohm.value(soc: 0.5, temperatureC: 25)
        let r1 = model.thevenin1RC.pairs[0].resistanceOhm.value(soc: 0.5, temperatureC: 25)
        #expect(abs(r0 - 0.008) < 0.0008 && abs(r1 - 0.004) < 0.0008, "R0 \(r0), R1 \(r1)")
        // The OCV at the steep ends, where the plain mean of the branches is off by up to M.
        for z in [0.06, 0.1, 0.5, 0.95, 0.97] {
            #expect(abs(model.ocv.voltage(soc: z, temperatureC: 25) - HysteresisPlant.ocv(z)) < 0.006, "OCV at \(z)")
        }
    }

    @Test("the traces and the file carry the hysteresis: the fitted recordings' residual per temperature is the small one")
    func tracesAndFile() throws {
        let (model, summary) = try #require(Self.fitted)
        let traces = RecordingFit.traces(summary.recordings, model: model, initialH: summary.initialH)
        for t in traces { #expect(t.residualmV.oneRC < 2.5, "\(t.name): \(t.residualmV.oneRC) mV") }
        // Without the hysteresis term the same model misses by ≈ M.
        var bare = model
        bare.hysteresis = nil
        #expect(RecordingFit.traces(summary.recordings, model: bare).allSatisfy { $0.residualmV.oneRC > 8 })
        let back = try CellModelFile.decode(try CellModelFile.encode(model))
        #expect(back == model && back.fitReport.hysteresis == model.fitReport.hysteresis)
    }

    /// The same data fitted with `--hysteresis off`.
    static let fittedOff: CellModelParameters? = try? RecordingFit.fit(recordings(), capacityAh: nil, ocv: nil, hysteresis: .off).model

    @Test("end to end: the EKF and UKF on the fitted model beat them on the model fitted without hysteresis (unseen drive)",
          arguments: [EstimatorKind.ekf1RC, .ukf1RC])
    func filtersOnTheFittedModel(kind: EstimatorKind) throws {
        let on = try #require(Self.fitted?.model), off = try #require(Self.fittedOff)
        var plant = HysteresisPlant(soc: 0.9, h: 1, sign: 1)
        let drive = plant.run(HysteresisPlant.drive(seed: 7), dtSeconds: 1, noiseV: 0.001, seed: 3)
        func rmsePercent(_ model: CellModelParameters) throws -> Double {
            // The filters' own default noise: 10 × each model's fit residual.
            let filter = try makeEstimator(kind, model: model, config: EstimatorConfig().scaledToCell(capacityAh: 5), soc: 0.9)
            var sum = 0.0
            for k in drive.timeS.indices {
                let e = filter.update(CellMeasurement(voltageV: drive.voltageV[k], currentA: drive.currentA[k], temperatureC: 25,
                                                      dtSeconds: k == 0 ? 0 : 1))
                sum += (e.soc - drive.soc[k]) * (e.soc - drive.soc[k])
            }
            return 100 * (sum / Double(drive.timeS.count)).squareRoot()
        }
        let withH = try rmsePercent(on), without = try rmsePercent(off)
        print("HysteresisFit \(kind.rawValue) on the fitted models, unseen drive: RMSE \(withH) % with hysteresis, \(without) % without")
        #expect(withH < without)
        #expect(withH < 2)
    }

    @Test("--hysteresis off: no hysteresis, the gap still reported; a plant without hysteresis stays off in auto")
    func offAndNoHysteresis() throws {
        let off = try #require(Self.fittedOff)
        #expect(off.hysteresis == nil)
        let report = try #require(off.fitReport.hysteresis)
        #expect(!report.used && report.decision == "off (--hysteresis off)" && report.groups[0].hysteresismV > 15)
        let (plain, _) = try RecordingFit.fit(try Self.recordings(hysteresis: false), capacityAh: nil, ocv: nil)
        let plainReport = try #require(plain.fitReport.hysteresis)
        print("HysteresisFit plant without hysteresis: \(plainReport.decision)")
        #expect(plain.hysteresis == nil && !plainReport.used)
        #expect(abs(plainReport.groups[0].hysteresismV) < 3)
        // auto off = the fit as before: the same tables as with the mode off.
        let (plainOff, _) = try RecordingFit.fit(try Self.recordings(hysteresis: false), capacityAh: nil, ocv: nil, hysteresis: .off)
        #expect(plain.thevenin1RC == plainOff.thevenin1RC && plain.thevenin2RC == plainOff.thevenin2RC && plain.ocv == plainOff.ocv)
    }

    @Test("auto: a gap above the threshold that the fitted hysteresis does not explain (residual ≤ 35 % lower) stays off")
    func gapWithoutHysteresisStaysOff() throws {
        let recordings = try Self.recordings(hysteresis: false, slowPolarisation: true)
        let (auto, _) = try RecordingFit.fit(recordings, capacityAh: nil, ocv: nil)
        let report = try #require(auto.fitReport.hysteresis)
        print("HysteresisFit plant with a slow RC, no hysteresis: \(report.decision)")
        #expect(report.groups[0].hysteresismV > RecordingFit.hysteresisThresholdmV, "the gap must read above the threshold")
        #expect(auto.hysteresis == nil && !report.used)
        #expect(report.decision.hasPrefix("off (auto: largest M + M0") && report.decision.contains("not more than 35 %"))
        let with = try #require(report.residual1RCWithmV), without = try #require(report.residual1RCWithoutmV)
        #expect(100 * (without - with) / without <= RecordingFit.hysteresisMinimumGainPercent)
        // Off by this rule is the fit with the mode off.
        let (off, _) = try RecordingFit.fit(recordings, capacityAh: nil, ocv: nil, hysteresis: .off)
        #expect(auto.thevenin1RC == off.thevenin1RC && auto.thevenin2RC == off.thevenin2RC && auto.ocv == off.ocv)
    }

    @Test("--hysteresis on without a slow test is a typed error; auto without one fits no hysteresis and reports none")
    func onWithoutSlowTest() throws {
        let drive = try Self.recordings(slowTest: false)
        #expect(throws: RecordingFitError.noSlowTestForHysteresis(sources: drive.map(\.source))) {
            _ = try RecordingFit.fit(drive, capacityAh: 5, ocv: nil, hysteresis: .on)
        }
        #expect(RecordingFitError.noSlowTestForHysteresis(sources: ["a.csv"]).description.contains("slow test"))
        let (model, _) = try RecordingFit.fit(drive, capacityAh: 5, ocv: nil)
        #expect(model.hysteresis == nil && model.fitReport.hysteresis == nil)
    }
}
