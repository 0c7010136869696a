import Foundation
import Testing
@testable import CellModel

@Suite("cell.json: per-temperature-group fit residuals (optional; bad values rejected by field)")
struct GroupResidualFileTests {
    /// The synthetic model with two OCV groups carrying residuals, as JSON.
    func jsonWithGroupResiduals() throws -> [String: Any] {
        var m = CellModelParameters.synthetic18650()
        m.fitReport.ocvTemperatureGroups = [
            .init(upperC: 14, temperatureC: 5.5, readings: 94, offsetmV: -14, rmsErrorReferencemV: 32,
                  rmsErrormV: 24, rmsSOCErrorPoints: 4, residual1RCmV: 148, residual2RCmV: 168, residualSamples: 9195),
            .init(lowerC: 14, temperatureC: 26.3, readings: 1324, offsetmV: -0.5, rmsErrorReferencemV: 16,
                  rmsErrormV: 16, rmsSOCErrorPoints: 2.7, residual1RCmV: 144, residual2RCmV: 140, residualSamples: 92490)]
        #expect(try CellModelFile.decode(try CellModelFile.encode(m)) == m)   // round trip
        return try JSONSerialization.jsonObject(with: try CellModelFile.encode(m)) as! [String: Any]
    }

    func decode(_ object: [String: Any]) throws(CellModelFileError) -> CellModelParameters {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return try CellModelFile.decode(data, file: "bad.json")
    }

    /// `base` with group `i`'s `key` set to `value` (`nil` removes it).
    func with(_ base: [String: Any], group i: Int, _ key: String, _ value: Any?) -> [String: Any] {
        var o = base
        var report = o["fitReport"] as! [String: Any]
        var groups = report["ocvTemperatureGroups"] as! [[String: Any]]
        groups[i][key] = value
        report["ocvTemperatureGroups"] = groups
        o["fitReport"] = report
        return o
    }

    @Test("files without per-group residuals still load")
    func oldFilesLoad() throws {
        var base = try jsonWithGroupResiduals()
        for i in 0..<2 {
            for key in ["residual1RCmV", "residual2RCmV", "residualSamples"] { base = with(base, group: i, key, nil) }
        }
        let m = try decode(base)
        #expect(m.fitReport.ocvTemperatureGroups?.count == 2)
        #expect(m.fitReport.ocvTemperatureGroups?.allSatisfy { $0.residual1RCmV == nil } == true)
    }

    @Test("NaN, negative or zero residuals and unordered group temperatures are rejected")
    func badValuesRejected() throws {
        let base = try jsonWithGroupResiduals()
        #expect(throws: CellModelFileError.nonFinite(file: "bad.json",
                                                     field: "fitReport.ocvTemperatureGroups[1].residual1RCmV")) {
            _ = try decode(with(base, group: 1, "residual1RCmV", "NaN"))
        }
        #expect(throws: CellModelFileError.notPositive(file: "bad.json",
                                                       field: "fitReport.ocvTemperatureGroups[0].residual2RCmV",
                                                       found: -3)) {
            _ = try decode(with(base, group: 0, "residual2RCmV", -3.0))
        }
        #expect(throws: CellModelFileError.notPositive(file: "bad.json",
                                                       field: "fitReport.ocvTemperatureGroups[0].residual1RCmV",
                                                       found: 0)) {
            _ = try decode(with(base, group: 0, "residual1RCmV", 0.0))
        }
        #expect(throws: CellModelFileError.notIncreasing(file: "bad.json",
                                                         field: "fitReport.ocvTemperatureGroups.temperatureC[1]",
                                                         previous: 5.5, found: 5.5)) {
            _ = try decode(with(base, group: 1, "temperatureC", 5.5))
        }
    }
}
