import BMSCore
import CellModel
import Foundation
import TestSupport
import Testing
@testable import Estimators

/// Reads a generic-format CSV written by `bmsim simulate` (test-only helper).
func readSyntheticCSV(_ url: URL) throws -> [(t: Double, v: Double, i: Double, temp: Double, soc: Double)] {
    let text = try String(contentsOf: url, encoding: .utf8)
    return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst().map { line in
        let f = line.split(separator: ",").prefix(5).map { Double($0)! }
        return (f[0], f[1], f[2], f[3], f[4])
    }
}

@Suite("Shipped fixtures")
struct FixtureTests {
    let modelURL = SharedData.fixtures.appendingPathComponent("models/cell-default.json")

    @Test("the shipped cell model loads and validates")
    func defaultModelLoads() throws {
        let model = try CellModelFile.load(from: modelURL)
        #expect(model.capacityAh > 1 && model.capacityAh < 2.1)
        #expect(model.thevenin2RC.pairCount == 2)
    }

    @Test("filters on the fitted model converge from a 30 % error on the synthetic drive fixture",
          arguments: [EstimatorKind.ekf2RC, .ukf2RC])
    func driveFixture(kind: EstimatorKind) throws {
        let model = try CellModelFile.load(from: modelURL)
        let rows = try readSyntheticCSV(SharedData.fixtures.appendingPathComponent("recordings/synthetic-drive.csv"))
        var config = EstimatorConfig()
        config.voltageNoiseV = 0.01          // the truth is this model: only sensor noise remains
        config.capacityAh = model.capacityAh
        let filter = makeEstimator(kind, model: model, config: config, soc: rows[0].soc - 0.3)
        var worst = 0.0
        for (k, r) in rows.enumerated() {
            let e = filter.update(CellMeasurement(voltageV: r.v, currentA: r.i, temperatureC: r.temp,
                                                  dtSeconds: k == 0 ? 0 : r.t - rows[k - 1].t))
            if r.t >= 600 { worst = max(worst, abs(e.soc - r.soc)) }
        }
        #expect(worst < 0.03, "\(kind.rawValue): worst error after 10 min \(worst)")
    }
}
