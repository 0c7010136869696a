import Foundation
import Testing
import TestSupport
@testable import CellModel

/// Plett's one-state hysteresis (`Hysteresis`): the recursion against hand-worked values, the
/// temperature interpolation, and its optional `cell.json` field (version 2).
@Suite("Hysteresis: the law and its cell.json field")
struct HysteresisTests {
    static let law = Hysteresis(groups: [
        .init(temperatureC: 0, maximumV: 0.03, instantaneousV: 0.004, rateConstant: 20),
        .init(temperatureC: 40, maximumV: 0.01, instantaneousV: 0.002, rateConstant: 60)])

    @Test("the recursion: hand-worked decay and steps, charge-positive signs, s holds at rest")
    func recursion() {
        // 5 A discharge for 36 s on 5 Ah, γ = 30: |Ī Δt γ / 3600 Q| = 5·36·30/18000 = 0.3.
        let a = Hysteresis.decay(meanCurrentA: -5, dtSeconds: 36, capacityAh: 5, efficiency: 0.9, rateConstant: 30)
        #expect(abs(a - exp(-0.3)) < 1e-15)
        #expect(abs(Hysteresis.step(0.5, decay: a, meanCurrentA: -5) - (exp(-0.3) * 0.5 - (1 - exp(-0.3)))) < 1e-15)
        // On charge η applies: 0.9 · 0.3.
        let c = Hysteresis.decay(meanCurrentA: 5, dtSeconds: 36, capacityAh: 5, efficiency: 0.9, rateConstant: 30)
        #expect(abs(c - exp(-0.27)) < 1e-15)
        #expect(Hysteresis.step(-1, decay: c, meanCurrentA: 5) > -1)
        // No current: h and s hold.
        #expect(Hysteresis.decay(meanCurrentA: 0, dtSeconds: 1000, capacityAh: 5, efficiency: 1, rateConstant: 30) == 1)
        #expect(Hysteresis.step(0.3, decay: 1, meanCurrentA: 0) == 0.3)
        #expect(Hysteresis.nextSign(-1, currentA: 0.01, thresholdA: 0.05) == -1)
        #expect(Hysteresis.nextSign(-1, currentA: 0.2, thresholdA: 0.05) == 1)
        #expect(Hysteresis.nextSign(1, currentA: -0.2, thresholdA: 0.05) == -1)
    }

    @Test("states over a recorded current: h → +1 after a long charge, → −1 after a long discharge")
    func statesOverACurrent() {
        let law = Hysteresis(groups: [.init(temperatureC: 25, maximumV: 0.02, instantaneousV: 0, rateConstant: 30)])
        let times = (0..<2000).map(Double.init)
        let current = times.map { $0 < 1000 ? 5.0 : -5.0 }
        let (h, s) = law.states(timeS: times, currentA: current, temperatureC: times.map { _ in 25 }, capacityAh: 5,
                                efficiency: 1, initialH: 0, initialSign: 0, signThresholdA: 0.05)
        // 999 s at 5 A on 5 Ah with γ 30 is 8.3 e-folds: h = 1 − e^−8.3.
        #expect(abs(h[999] - (1 - exp(-999.0 * 5 * 30 / 18000))) < 1e-12)
        #expect(s[999] == 1 && s[1500] == -1)
        #expect(h[1999] < -0.999)
    }

    @Test("M, M0, γ are linear between the groups and held beyond them")
    func temperatureInterpolation() {
        let mid = Self.law.parameters(temperatureC: 10)
        #expect(abs(mid.maximumV - 0.025) < 1e-15 && abs(mid.instantaneousV - 0.0035) < 1e-15
                && abs(mid.rateConstant - 30) < 1e-12)
        #expect(Self.law.parameters(temperatureC: -20).maximumV == 0.03)
        #expect(Self.law.parameters(temperatureC: 60).rateConstant == 60)
        #expect(abs(Self.law.voltageV(h: -0.5, sign: 1, temperatureC: 0) - (-0.015 + 0.004)) < 1e-15)
    }

    func json(_ model: CellModelParameters) throws -> [String: Any] { try cellModelJSON(model) }

    func decode(_ object: [String: Any]) throws(CellModelFileError) -> CellModelParameters {
        try decodeCellModel(object, file: "h.json")
    }

    @Test("round trip as version 2; a model without hysteresis is still written as version 1, as before")
    func roundTrip() throws {
        var model = CellModelParameters.synthetic18650()
        #expect(try json(model)["version"] as? Int == 1)
        #expect(try json(model)["hysteresis"] == nil)
        model.hysteresis = Self.law
        let o = try json(model)
        #expect(o["version"] as? Int == 2)
        #expect(try decode(o) == model)
        // An older file (version 1, no hysteresis field) loads with none.
        #expect(try decode(try json(.synthetic18650())).hysteresis == nil)
        // The shipped NASA model has none.
        let shipped = try CellModelFile.load(from: SharedData.fixtures.appendingPathComponent("models/cell-default.json"))
        #expect(shipped.hysteresis == nil)
    }

    /// The version-2 model with `change` applied to its first hysteresis group.
    func editedGroup(_ change: (inout [String: Any]) -> Void) throws -> [String: Any] {
        var model = CellModelParameters.synthetic18650()
        model.hysteresis = Self.law
        var o = try json(model)
        var h = o["hysteresis"] as! [String: Any]
        var groups = h["groups"] as! [[String: Any]]
        change(&groups[0])
        h["groups"] = groups
        o["hysteresis"] = h
        return o
    }

    @Test("bad hysteresis values are rejected with their field: NaN, negative M or M0, γ ≤ 0, out of range")
    func badValues() throws {
        let f = "h.json"
        #expect(throws: CellModelFileError.nonFinite(file: f, field: "hysteresis.groups[0].maximumV")) {
            _ = try decode(try editedGroup { $0["maximumV"] = "NaN" })
        }
        #expect(throws: CellModelFileError.outOfRange(file: f, field: "hysteresis.groups[0].maximumV", found: -0.01,
                                                      allowed: "0.0…1.0")) {
            _ = try decode(try editedGroup { $0["maximumV"] = -0.01 })
        }
        #expect(throws: CellModelFileError.outOfRange(file: f, field: "hysteresis.groups[0].instantaneousV", found: -0.002,
                                                      allowed: "0.0…1.0")) {
            _ = try decode(try editedGroup { $0["instantaneousV"] = -0.002 })
        }
        #expect(throws: CellModelFileError.notPositive(file: f, field: "hysteresis.groups[0].rateConstant", found: -5)) {
            _ = try decode(try editedGroup { $0["rateConstant"] = -5 })
        }
        #expect(throws: CellModelFileError.notPositive(file: f, field: "hysteresis.groups[0].rateConstant", found: 0)) {
            _ = try decode(try editedGroup { $0["rateConstant"] = 0 })
        }
        #expect(throws: CellModelFileError.nonFinite(file: f, field: "hysteresis.groups[0].rateConstant")) {
            _ = try decode(try editedGroup { $0["rateConstant"] = "inf" })
        }
        #expect(throws: CellModelFileError.outOfRange(file: f, field: "hysteresis.groups[0].maximumV", found: 2,
                                                      allowed: "0.0…1.0")) {
            _ = try decode(try editedGroup { $0["maximumV"] = 2 })
        }
        #expect(throws: CellModelFileError.missingField(file: f, field: "hysteresis.groups[0].rateConstant")) {
            _ = try decode(try editedGroup { $0.removeValue(forKey: "rateConstant") })
        }
    }

    @Test("bad hysteresis structure: no group, temperatures not increasing, the field in a version-1 file")
    func badStructure() throws {
        var model = CellModelParameters.synthetic18650()
        model.hysteresis = Self.law
        var empty = try json(model)
        empty["hysteresis"] = ["groups": [] as [Any]]
        #expect(throws: CellModelFileError.shapeMismatch(file: "h.json", field: "hysteresis.groups.temperatureC",
                                                         expected: 1, found: 0)) { _ = try decode(empty) }
        let unordered = try editedGroup { $0["temperatureC"] = 50 }
        #expect(throws: CellModelFileError.notIncreasing(file: "h.json", field: "hysteresis.groups.temperatureC[1]",
                                                         previous: 50, found: 40)) { _ = try decode(unordered) }
        var v1 = try json(model)
        v1["version"] = 1
        #expect(throws: CellModelFileError.self) { _ = try decode(v1) }
        do {
            _ = try decode(v1)
        } catch {
            #expect(error.description.contains("hysteresis") && error.description.contains("version 2"))
        }
    }
}
