import CellData
import CellModel
import Foundation
import Testing
import TestSupport
@testable import Evaluation

/// Issue 15: `fit` on a physics-model cell reports its residual honestly — the PyBaMM fixture
/// (Mohtat2020 NMC, one UDDS at 25 °C, exact SOC), whose voltage no Thevenin model reproduces.
@Suite("Fit of a physics-model cell")
struct PhysicsFixtureFitTests {
    static func recording(_ name: String) throws -> Recording {
        try GenericRecordingCSV.read(path: SharedData.fixtures.appendingPathComponent("physics/\(name).csv").path, options: .init())
    }

    /// RMS of the 1RC model's voltage against the measured one over the recording, computed here
    /// apart from the fit (current held over each tick instead of the fit's trapezoid), mV.
    static func residual1RCmV(_ model: CellModelParameters, _ recording: Recording) -> Double {
        var branch = 0.0, sum = 0.0, n = 0, previousTime: Double?
        let pair = model.thevenin1RC.pairs[0]
        for op in recording.operations {
            guard let soc = op.providedSOC else { continue }
            let s = op.samples
            for k in 0..<s.count {
                let t = op.startTimeS + s.timeS[k], temp = s.temperatureC[k], i = s.currentA[k]
                let r = pair.resistanceOhm.value(soc: soc[k], temperatureC: temp)
                let tau = r * pair.capacitanceF.value(soc: soc[k], temperatureC: temp)
                if let p = previousTime {
                    let a = Foundation.exp(-(t - p) / tau)
                    branch = a * branch + r * (1 - a) * i
                }
                previousTime = t
                let v = model.ocv.voltage(soc: soc[k], temperatureC: temp) + model.thevenin1RC.r0Ohm.value(soc: soc[k], temperatureC: temp) * i + branch
                sum += (v - s.voltageV[k]) * (v - s.voltageV[k])
                n += 1
            }
        }
        return 1000 * (sum / Double(max(n, 1))).squareRoot()
    }

    @Test("the reported residual equals an independent recomputation; noise shows up on the noisy copy")
    func residualIsHonest() throws {
        let clean = try Self.recording("mohtat2020-nmc-25C-udds-short")
        let (model, summary) = try RecordingFit.fit([clean], capacityAh: nil, ocv: nil)
        let reported = try #require(model.fitReport.residual1RCmV)
        let independent = Self.residual1RCmV(model, clean)
        #expect(abs(reported - independent) <= 0.1 * independent, "reported \(reported) mV, recomputed \(independent) mV")
        // A physics cell is not a Thevenin cell: the error is real, not a few µV.
        #expect(reported > 1, "\(reported) mV")
        #expect(summary.ocvSource.contains("rate"), "\(summary.ocvSource)")
        // The same model on the noisy-sensor copy (2 mV voltage noise, current gain and offset)
        // scores worse, by at least the noise.
        let noisy = Self.residual1RCmV(model, try Self.recording("mohtat2020-nmc-25C-udds-short-noisy"))
        #expect(noisy > (independent * independent + 1.5 * 1.5).squareRoot(), "noisy \(noisy) mV, clean \(independent) mV")
    }
}
