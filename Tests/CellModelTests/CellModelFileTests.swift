import Foundation
import Testing
import TestSupport
@testable import CellModel

@Suite("cell.json: round trip and rejection of bad files")
struct CellModelFileTests {
    let model = CellModelParameters.synthetic18650()

    /// `base` with its object under `key` changed by `change`.
    func editing(_ base: [String: Any], _ key: String, _ change: (inout [String: Any]) -> Void) -> [String: Any] {
        var o = base
        var section = o[key] as! [String: Any]
        change(&section)
        o[key] = section
        return o
    }

    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try CellModelFile.encode(model)) as! [String: Any]
    }

    func decode(_ object: [String: Any]) throws(CellModelFileError) -> CellModelParameters {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return try CellModelFile.decode(data, file: "bad.json")
    }

    @Test("encode → decode gives the same model; the written file is loadable")
    func roundTrip() throws {
        let back = try CellModelFile.decode(try CellModelFile.encode(model))
        #expect(back == model)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cell-\(UUID()).json")
        try CellModelFile.encode(model).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try CellModelFile.load(from: url) == model)
    }

    @Test("a non-monotone OCV row is rejected with its field")
    func nonMonotoneOCV() throws {
        var o = try json()
        var ocv = o["ocv"] as! [String: Any]
        var rows = ocv["voltageV"] as! [[Double]]
        rows[1][5] = rows[1][4] - 0.01
        ocv["voltageV"] = rows
        o["ocv"] = ocv
        #expect(throws: CellModelFileError.notIncreasing(file: "bad.json", field: "ocv.voltageV[1][5]",
                                                         previous: rows[1][4], found: rows[1][5])) {
            _ = try decode(o)
        }
    }

    @Test("OCV temperatures: NaN, missing or not increasing are rejected with their field")
    func badOCVTemperatures() throws {
        let base = try json()
        let temps = (base["ocv"] as! [String: Any])["temperaturesC"] as! [Double]
        #expect(temps.count >= 2)   // the synthetic model has an OCV row per temperature
        func with(_ change: (inout [String: Any]) -> Void) -> [String: Any] { editing(base, "ocv", change) }
        var nan: [Any] = temps
        nan[1] = "NaN"
        #expect(throws: CellModelFileError.nonFinite(file: "bad.json", field: "ocv.temperaturesC[1]")) {
            _ = try decode(with { $0["temperaturesC"] = nan })
        }
        #expect(throws: CellModelFileError.missingField(file: "bad.json", field: "ocv.temperaturesC")) {
            _ = try decode(with { $0.removeValue(forKey: "temperaturesC") })
        }
        var swapped = temps
        swapped.swapAt(0, 1)
        #expect(throws: CellModelFileError.notIncreasing(file: "bad.json", field: "ocv.temperaturesC[1]",
                                                         previous: swapped[0], found: swapped[1])) {
            _ = try decode(with { $0["temperaturesC"] = swapped })
        }
    }

    @Test("a negative resistance is rejected")
    func negativeResistance() throws {
        var o = try json()
        var t = o["thevenin2RC"] as! [String: Any]
        var r = t["rOhm"] as! [[[Double]]]
        r[1][0][2] = -0.01
        t["rOhm"] = r
        o["thevenin2RC"] = t
        #expect(throws: CellModelFileError.notPositive(file: "bad.json", field: "thevenin2RC.rOhm[1][0][2]",
                                                       found: -0.01)) { _ = try decode(o) }
    }

    @Test("a NaN entry is rejected")
    func nanEntry() throws {
        var o = try json()
        var t = o["thevenin1RC"] as! [String: Any]
        var r0 = t["r0Ohm"] as! [[Any]]
        r0[0][3] = "NaN"
        t["r0Ohm"] = r0
        o["thevenin1RC"] = t
        #expect(throws: CellModelFileError.nonFinite(file: "bad.json", field: "thevenin1RC.r0Ohm[0][3]")) {
            _ = try decode(o)
        }
    }

    @Test("a missing field is rejected with its name")
    func missingField() throws {
        var o = try json()
        var t = o["thevenin1RC"] as! [String: Any]
        t.removeValue(forKey: "cF")
        o["thevenin1RC"] = t
        #expect(throws: CellModelFileError.missingField(file: "bad.json", field: "thevenin1RC.cF")) {
            _ = try decode(o)
        }
        var o2 = try json()
        o2.removeValue(forKey: "capacityAh")
        #expect(throws: CellModelFileError.missingField(file: "bad.json", field: "capacityAh")) {
            _ = try decode(o2)
        }
    }

    @Test("wrong shapes, wrong format and broken JSON are rejected")
    func otherErrors() throws {
        var o = try json()
        var ocv = o["ocv"] as! [String: Any]
        ocv["voltageV"] = [[3.0, 4.0]]
        o["ocv"] = ocv
        #expect(throws: CellModelFileError.shapeMismatch(file: "bad.json", field: "ocv.voltageV",
                                                         expected: 3, found: 1)) { _ = try decode(o) }
        var f = try json()
        f["version"] = 99
        #expect(throws: CellModelFileError.unsupportedFormat(file: "bad.json", expected: "bmsim-cell-model v1–v4",
                                                             found: "bmsim-cell-model v99")) { _ = try decode(f) }
        #expect(throws: CellModelFileError.self) {
            _ = try CellModelFile.decode(Data("{ not json".utf8), file: "bad.json")
        }
        #expect(throws: CellModelFileError.self) {
            _ = try CellModelFile.load(from: URL(fileURLWithPath: "/nonexistent/cell.json"))
        }
    }

    /// The model with a two-group relaxation law, as JSON.
    func jsonWithRelaxation() throws -> [String: Any] {
        var m = model
        m.restRelaxation = RestRelaxation(minimumRestS: 60, maximumRestS: 1e6, groups: [
            .init(temperatureC: 5, slopeVPerLogS: -0.009, referenceRestS: 270, readings: 93),
            .init(temperatureC: 26, slopeVPerLogS: -0.0017, referenceRestS: 450, readings: 1323)])
        #expect(try CellModelFile.decode(try CellModelFile.encode(m)) == m)   // round trip
        return try JSONSerialization.jsonObject(with: try CellModelFile.encode(m)) as! [String: Any]
    }

    @Test("rest relaxation: optional (old files load), NaN / non-positive / unordered entries rejected by field")
    func restRelaxationFields() throws {
        // A file without the field (every file before it) loads, with no law.
        let old = try json()
        #expect(old["restRelaxation"] == nil)
        #expect(try decode(old).restRelaxation == nil)
        let base = try jsonWithRelaxation()
        func with(_ change: (inout [String: Any]) -> Void) -> [String: Any] { editing(base, "restRelaxation", change) }
        func group(_ i: Int, _ key: String, _ value: Any) -> [String: Any] {
            with { law in
                var groups = law["groups"] as! [[String: Any]]
                groups[i][key] = value
                law["groups"] = groups
            }
        }
        #expect(throws: CellModelFileError.nonFinite(file: "bad.json", field: "restRelaxation.groups[1].slopeVPerLogS")) {
            _ = try decode(group(1, "slopeVPerLogS", "NaN"))
        }
        #expect(throws: CellModelFileError.notPositive(file: "bad.json", field: "restRelaxation.groups[0].referenceRestS",
                                                       found: -270)) {
            _ = try decode(group(0, "referenceRestS", -270.0))
        }
        #expect(throws: CellModelFileError.notPositive(file: "bad.json", field: "restRelaxation.minimumRestS", found: 0)) {
            _ = try decode(with { $0["minimumRestS"] = 0.0 })
        }
        #expect(throws: CellModelFileError.nonFinite(file: "bad.json", field: "restRelaxation.maximumRestS")) {
            _ = try decode(with { $0["maximumRestS"] = "inf" })
        }
        #expect(throws: CellModelFileError.notIncreasing(file: "bad.json", field: "restRelaxation.[minimumRestS, maximumRestS][1]",
                                                         previous: 60, found: 50)) {
            _ = try decode(with { $0["maximumRestS"] = 50.0 })
        }
        #expect(throws: CellModelFileError.notIncreasing(file: "bad.json", field: "restRelaxation.groups.temperatureC[1]",
                                                         previous: 5, found: 5)) {
            _ = try decode(group(1, "temperatureC", 5.0))
        }
        #expect(throws: CellModelFileError.shapeMismatch(file: "bad.json", field: "restRelaxation.groups.temperatureC",
                                                         expected: 1, found: 0)) {
            _ = try decode(with { $0["groups"] = [Any]() })
        }
        #expect(throws: CellModelFileError.missingField(file: "bad.json", field: "restRelaxation.groups[0].slopeVPerLogS")) {
            _ = try decode(with { law in
                var groups = law["groups"] as! [[String: Any]]
                groups[0].removeValue(forKey: "slopeVPerLogS")
                law["groups"] = groups
            })
        }
    }
}

/// Reliability issue row 17: numbers a cell model cannot mean are refused by name.
@Suite("Cell model value ranges")
struct CellModelRangeTests {
    /// The bundled model's JSON with `edit` applied, decoded.
    func decodeEdited(_ edit: (inout [String: Any]) -> Void) throws -> Result<CellModelParameters, CellModelFileError> {
        let url = SharedData.fixtures.appendingPathComponent("models/cell-default.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&object)
        let data = try JSONSerialization.data(withJSONObject: object)
        return Result { () throws(CellModelFileError) in try CellModelFile.decode(data, file: "bad.json") }
    }

    @Test("the bundled model is inside every range")
    func bundledPasses() throws {
        #expect(throws: Never.self) { try decodeEdited { _ in }.get() }
    }

    @Test("coulombicEfficiency 7, capacity 1e9 Ah, a kelvin temperature grid are out of range", arguments: [
        ("coulombicEfficiency", 7.0), ("coulombicEfficiency", 0.1), ("capacityAh", 1e9),
    ])
    func scalarOutOfRange(field: String, value: Double) throws {
        let result = try decodeEdited { $0[field] = value }
        guard case let .failure(error) = result, case let .outOfRange(file, found, number, _) = error else {
            Issue.record("accepted or wrong error: \(result)"); return
        }
        #expect(file == "bad.json" && found == field && number == value)
        #expect(error.description.hasPrefix("bad.json: field \(field) is "))
    }

    @Test("design capacity: optional (a file without it loads and starts from the default), refused by field when bad")
    func designCapacityField() throws {
        let bundled = try decodeEdited { _ in }.get()
        let design = try #require(bundled.designCapacityByTemperature)
        #expect(bundled.designCapacityAh(temperatureC: 24) == design.capacityAh[design.temperaturesC.firstIndex(of: 24)!])
        #expect(bundled.initialCapacityAh(temperatureC: 4) == bundled.designCapacityAh(temperatureC: 4))
        // Without the field: the estimators start from the default capacity, as before.
        let old = try decodeEdited { $0.removeValue(forKey: "designCapacityByTemperature") }.get()
        #expect(old.designCapacityByTemperature == nil)
        #expect(old.designCapacityAh(temperatureC: 30) == old.defaultCapacityAh(temperatureC: 30))
        #expect(old.initialCapacityAh(temperatureC: 4) == old.capacityAh)
        let cases: [(String, [String: Any], String)] = [
            ("NaN", ["temperaturesC": [4, 24], "capacityAh": [1.5, "NaN"]], "designCapacityByTemperature.capacityAh[1]"),
            ("not increasing", ["temperaturesC": [24, 4], "capacityAh": [1.5, 1.8]], "designCapacityByTemperature.temperaturesC"),
            ("shape", ["temperaturesC": [4, 24], "capacityAh": [1.5]], "designCapacityByTemperature.capacityAh"),
            ("negative", ["temperaturesC": [24], "capacityAh": [-1.8]], "designCapacityByTemperature.capacityAh[0]"),
        ]
        for (name, table, field) in cases {
            let result = try decodeEdited { $0["designCapacityByTemperature"] = table }
            guard case let .failure(error) = result else { Issue.record("\(name): accepted"); continue }
            #expect(error.description.contains(field), "\(name): \(error)")
        }
    }

    @Test("an OCV temperature grid in kelvin is refused with its index")
    func kelvinGrid() throws {
        let result = try decodeEdited { object in
            var ocv = object["ocv"] as! [String: Any]
            ocv["temperaturesC"] = (ocv["temperaturesC"] as! [Double]).map { $0 + 273.15 }
            object["ocv"] = ocv
        }
        guard case let .failure(.outOfRange(_, field, _, _)) = result else { Issue.record("accepted: \(result)"); return }
        #expect(field == "ocv.temperaturesC[0]")
    }
}
