import CellData
import CellModel
import Testing
@testable import Evaluation

/// The discharge-only protocol's wake-up reading report and rested-voltage table on hand-built discharges.
@Suite struct RestedVoltageReportTests {
    func discharge(_ cell: String, ambient: Double, v0: Double, i0: Double = 0, rest: Double?) -> EvaluationDischarge {
        EvaluationDischarge(cell: cell, cycle: 0, ambientC: ambient, capacityAh: 1.5, voltageGlitch: false, restBeforeS: rest,
                       samples: OperationSamples(timeS: [0, 10], voltageV: [v0, 4.0], currentA: [i0, -2],
                                                 temperatureC: [ambient, ambient]),
                       soc: [1, 0.99])
    }

    @Test func restedVoltageMediansByRestClass() {
        let cycles = [discharge("B1", ambient: 4, v0: 4.19, rest: 60), discharge("B1", ambient: 4, v0: 4.17, rest: 100),
                      discharge("B1", ambient: 4, v0: 4.18, rest: 2000), discharge("B1", ambient: 4, v0: 4.12, rest: 90_000),
                      discharge("B1", ambient: 4, v0: 4.30, i0: -2, rest: 2000),   // loaded first sample: left out
                      discharge("B1", ambient: 4, v0: 4.30, rest: nil),            // no rest time: left out
                      discharge("B2", ambient: 24, v0: 4.20, rest: 21_600)]
        let report = RestedVoltageReport.report(cycles, restCurrentA: 0.05)
        #expect(report.contains("| B1 | 4 | 4.180 (2) | 4.180 (1) | 4.120 (1) |"), "\(report)")
        #expect(report.contains("| B2 | 24 |  |  | 4.200 (1) |"), "\(report)")
    }

    @Test func wakeUpReadingErrorRawAndClamped() {
        // OCV 3.2 V at SOC 0 to 4.2 V at SOC 1, no temperature dependence: OCV⁻¹(V) = V − 3.2.
        let ocv = OCVCurve(table: SOCTemperatureTable(socPoints: [0, 1], temperaturesC: [25], values: [3.2, 4.2],
                                                      extrapolateSOC: true))
        let cycles = [discharge("B1", ambient: 4, v0: 4.17, rest: 60), discharge("B1", ambient: 4, v0: 4.25, rest: 60)]
        var model = CellModelParameters.synthetic18650()
        model.ocv = ocv
        let errors = WakeUpReadingErrors(cycles, model: model, restCurrentA: 0.05, sleepSeconds: { _ in 0 })
        // Errors −0.03 and +0.05: RMS √(0.0017) = 4.12, mean +1.00; clamped −0.03 and 0: RMS 2.12 points.
        #expect(errors.line.contains("4 °C: 4.12 / +1.00; 2.12 (2)"), "\(errors.line)")
        #expect(errors.groups.map(\.ambientC) == [4])
        #expect(abs(errors.groups[0].clamped.rmse - 0.03 / 2.0.squareRoot() * 100) < 1e-9)
    }

    @Test func wakeUpReadingIsRestCorrected() {
        // Same OCV (OCV⁻¹(V) = V − 3.2); law b = −10 mV per e-fold, t_ref = 100 s: a reading after
        // 100·e² s is raised by 20 mV, one whose sleep is unknown (0) is left alone.
        let ocv = OCVCurve(table: SOCTemperatureTable(socPoints: [0, 1], temperaturesC: [25], values: [3.2, 4.2],
                                                      extrapolateSOC: true))
        var model = CellModelParameters.synthetic18650()
        model.ocv = ocv
        model.restRelaxation = RestRelaxation(minimumRestS: 10, maximumRestS: 1e6, groups: [
            RestRelaxation.Group(temperatureC: 4, slopeVPerLogS: -0.010, referenceRestS: 100)])
        let long = 100 * 2.718281828459045 * 2.718281828459045
        let cycles = [discharge("B1", ambient: 4, v0: 4.18, rest: long), discharge("B1", ambient: 4, v0: 4.18, rest: 60)]
        let line = WakeUpReadingErrors(cycles, model: model, restCurrentA: 0.05,
                                       sleepSeconds: { ($0.restBeforeS ?? 0) > 300 ? $0.restBeforeS! : 0 }).line
        // Errors 4.20 − 4.2 = 0 and 4.18 − 4.2 = −0.02: RMS √(0.0002) = 1.41, mean −1.00.
        #expect(line.contains("4 °C: 1.41 / -1.00; 1.41 (2)"), "\(line)")
    }

    @Test func endOfDischargeRestTail() {
        // Loaded −2 A then −4 A, then 0 A for 100 s (two samples): the tail is the last sample,
        // 100 s after the last loaded one; mean loaded |I| 3 A; reference SOC at the end −0.01.
        let c = EvaluationDischarge(cell: "B1", cycle: 0, ambientC: 24, capacityAh: 1.5, voltageGlitch: false, restBeforeS: nil,
                               samples: OperationSamples(timeS: [0, 10, 20, 70, 120], voltageV: [4.1, 3.9, 2.7, 3.3, 3.4],
                                                         currentA: [-2, -2, -4, 0.001, 0], temperatureC: [24, 24, 24, 24, 24]),
                               soc: [1, 0.99, 0.0, -0.01, -0.01])
        let t = EndOfDischargeRests.tail(c, restCurrentA: 0.05, minimumRestS: 60)
        #expect(abs((t?.restS ?? 0) - 100) < 1e-12 && t?.voltageV == 3.4 && t?.socEnd == -0.01, "\(String(describing: t))")
        #expect(abs((t?.loadedCurrentA ?? 0) - 8.0 / 3) < 1e-12)
        #expect(EndOfDischargeRests.tail(c, restCurrentA: 0.05, minimumRestS: 101) == nil)   // rest too short
        let report = EndOfDischargeRests.report([c, c])
        #expect(report.contains("| B1 | 24 | 2 | 2.7 | -0.010 | 100 | 3.400 (3.400 – 3.400) |"), "\(report)")
    }
}
