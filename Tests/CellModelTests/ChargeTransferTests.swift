import Foundation
import Testing
import TestSupport
@testable import CellModel

/// The charge-transfer term (`ChargeTransfer`): its voltage against a hand formula, the
/// simulator with it, `cell.json` version 3 and its bad input, and the C exporter's refusal.
@Suite("Charge-transfer term: voltage, simulator, cell.json, C export")
struct ChargeTransferTests {
    static let term = ChargeTransfer.synthetic18650

    /// asinh written out: ln(x + √(x² + 1)) (odd: −asinh(−x) for x < 0, which is exact there).
    static func handAsinh(_ x: Double) -> Double { x < 0 ? -handAsinh(-x) : log(x + (x * x + 1).squareRoot()) }

    @Test("η = a asinh(I / I_ref) at a group, the voltages interpolated between groups, held beyond")
    func voltage() {
        // 4 °C: 0.06 · asinh(−4 / 0.8) = 0.06 · ln(−5 + √26)… written for x = 5 and negated.
        #expect(abs(Self.term.voltageV(currentA: -4, temperatureC: 4) - (-0.06 * log(5 + 26.0.squareRoot()))) < 1e-15)
        #expect(abs(Self.term.voltageV(currentA: 3, temperatureC: 24) - 0.03 * Self.handAsinh(2)) < 1e-15)
        // 14 °C: halfway between the 4 and 24 °C voltages (not between their parameters).
        let mid = 0.5 * (0.06 * Self.handAsinh(-2 / 0.8) + 0.03 * Self.handAsinh(-2 / 1.5))
        #expect(abs(Self.term.voltageV(currentA: -2, temperatureC: 14) - mid) < 1e-15)
        // Held below the first group and above the last; 0 at no current; odd in I.
        #expect(Self.term.voltageV(currentA: 1, temperatureC: -20) == Self.term.voltageV(currentA: 1, temperatureC: 4))
        #expect(Self.term.voltageV(currentA: 1, temperatureC: 60) == Self.term.voltageV(currentA: 1, temperatureC: 44))
        #expect(Self.term.voltageV(currentA: 0, temperatureC: 10) == 0)
        #expect(Self.term.voltageV(currentA: 2.5, temperatureC: 30) == -Self.term.voltageV(currentA: -2.5, temperatureC: 30))
        // The resistance it adds falls with the current: η / I at C/5 is 3.2× that at 4C (4 °C).
        let small = Self.term.voltageV(currentA: -0.4, temperatureC: 4) / -0.4
        let large = Self.term.voltageV(currentA: -8, temperatureC: 4) / -8
        #expect(small > 3 * large)
    }

    @Test("dη/dI matches central differences at and between groups")
    func slope() {
        for t in [0.0, 4, 10, 24, 37, 44, 50] {
            for i in [-8.0, -1, -0.2, 0, 0.3, 2, 6] {
                let h = 1e-5
                let numeric = (Self.term.voltageV(currentA: i + h, temperatureC: t)
                               - Self.term.voltageV(currentA: i - h, temperatureC: t)) / (2 * h)
                let analytic = Self.term.slopeOhm(currentA: i, temperatureC: t)
                #expect(abs(numeric - analytic) <= 1e-7 * max(1, abs(analytic)), "T \(t), I \(i): \(numeric) vs \(analytic)")
            }
        }
    }

    @Test("the simulator adds η to the model without it; the CV current solves the nonlinear voltage")
    func simulator() {
        var with = CellModelParameters.synthetic18650()
        with.chargeTransfer = Self.term
        var a = CellSimulator(model: with, pairCount: 2, soc: 0.6)
        var b = CellSimulator(model: .synthetic18650(), pairCount: 2, soc: 0.6)
        for (k, current) in [-4.0, -4, 1.5, 0, -0.3, 6].enumerated() {
            let t = [4.0, 9, 24, 30, 44, 2][k]
            let va = a.step(currentA: current, dtSeconds: 1, temperatureC: t)
            let vb = b.step(currentA: current, dtSeconds: 1, temperatureC: t)
            #expect(abs(va - vb - Self.term.voltageV(currentA: current, temperatureC: t)) < 1e-12)
        }
        // The CV current: one step at it ends at the target voltage (within the SOC's move over
        // the tick, which `currentHolding` leaves out; the linear solution would be 40 mV off).
        let target = a.terminalVoltage(currentA: 0, temperatureC: 4) + 0.3
        let i = a.currentHolding(voltageV: target, dtSeconds: 1, temperatureC: 4)
        var copy = a
        #expect(abs(copy.step(currentA: i, dtSeconds: 1, temperatureC: 4) - target) < 1e-3)
        #expect(i > 0)
    }

    func json(_ model: CellModelParameters) throws -> [String: Any] { try cellModelJSON(model) }

    func decode(_ object: [String: Any]) throws(CellModelFileError) -> CellModelParameters {
        try decodeCellModel(object, file: "ct.json")
    }

    @Test("round trip as version 3; models without the term are written as before (version 1 or 2)")
    func roundTrip() throws {
        var model = CellModelParameters.synthetic18650()
        #expect(try json(model)["version"] as? Int == 1)
        #expect(try json(model)["chargeTransfer"] == nil)
        model.hysteresis = Hysteresis(groups: [.init(temperatureC: 25, maximumV: 0.01, instantaneousV: 0, rateConstant: 20)])
        #expect(try json(model)["version"] as? Int == 2)
        model.chargeTransfer = Self.term
        #expect(try json(model)["version"] as? Int == 3)
        #expect(try CellModelFile.decode(try CellModelFile.encode(model)) == model)
        model.hysteresis = nil
        #expect(try json(model)["version"] as? Int == 3)
        #expect(try CellModelFile.decode(try CellModelFile.encode(model)).chargeTransfer == Self.term)
    }

    /// The version-3 model with `change` applied to its first group.
    func editedGroup(_ change: (inout [String: Any]) -> Void) throws -> [String: Any] {
        var model = CellModelParameters.synthetic18650()
        model.chargeTransfer = Self.term
        var o = try json(model)
        var c = o["chargeTransfer"] as! [String: Any]
        var groups = c["groups"] as! [[String: Any]]
        change(&groups[0])
        c["groups"] = groups
        o["chargeTransfer"] = c
        return o
    }

    @Test("bad values are rejected with their field: NaN, negative a, I_ref ≤ 0, out of range, missing")
    func badValues() throws {
        let f = "ct.json"
        #expect(throws: CellModelFileError.nonFinite(file: f, field: "chargeTransfer.groups[0].coefficientV")) {
            _ = try decode(try editedGroup { $0["coefficientV"] = "NaN" })
        }
        #expect(throws: CellModelFileError.nonFinite(file: f, field: "chargeTransfer.groups[0].referenceCurrentA")) {
            _ = try decode(try editedGroup { $0["referenceCurrentA"] = "inf" })
        }
        #expect(throws: CellModelFileError.outOfRange(file: f, field: "chargeTransfer.groups[0].coefficientV", found: -0.01,
                                                      allowed: "0.0…2.0")) {
            _ = try decode(try editedGroup { $0["coefficientV"] = -0.01 })
        }
        #expect(throws: CellModelFileError.notPositive(file: f, field: "chargeTransfer.groups[0].referenceCurrentA", found: 0)) {
            _ = try decode(try editedGroup { $0["referenceCurrentA"] = 0 })
        }
        #expect(throws: CellModelFileError.notPositive(file: f, field: "chargeTransfer.groups[0].referenceCurrentA", found: -2)) {
            _ = try decode(try editedGroup { $0["referenceCurrentA"] = -2 })
        }
        #expect(throws: CellModelFileError.missingField(file: f, field: "chargeTransfer.groups[0].referenceCurrentA")) {
            _ = try decode(try editedGroup { $0["referenceCurrentA"] = nil })
        }
    }

    @Test("bad structure: no group, temperatures not increasing, the field in a version-1 or version-2 file")
    func badStructure() throws {
        var model = CellModelParameters.synthetic18650()
        model.chargeTransfer = Self.term
        var o = try json(model)
        o["chargeTransfer"] = ["groups": [[String: Any]]()]
        #expect(throws: CellModelFileError.self) { _ = try decode(o) }
        o = try json(model)
        var c = o["chargeTransfer"] as! [String: Any]
        var groups = c["groups"] as! [[String: Any]]
        groups[1]["temperatureC"] = 4.0
        c["groups"] = groups
        o["chargeTransfer"] = c
        #expect(throws: CellModelFileError.self) { _ = try decode(o) }
        for version in [1, 2] {
            o = try json(model)
            o["version"] = version
            #expect(throws: CellModelFileError.malformed(
                file: "ct.json", field: "chargeTransfer",
                detail: "a model with a charge-transfer term must be version 3 (an older reader would ignore it)")) {
                _ = try decode(o)
            }
        }
        o = try json(model)
        o["version"] = 5
        #expect(throws: CellModelFileError.unsupportedFormat(file: "ct.json", expected: "bmsim-cell-model v1–v4",
                                                             found: "bmsim-cell-model v5")) { _ = try decode(o) }
    }

    @Test("the C exporter flattens the term as float32 groups; without it the arrays are empty")
    func cExportFlattens() throws {
        var model = CellModelParameters.synthetic18650()
        let plain = try CellModelCTables(model)
        #expect(plain.chargeTransferTemperaturesC.isEmpty && plain.chargeTransferCoefficientV.isEmpty
                && plain.chargeTransferReferenceCurrentA.isEmpty)
        model.chargeTransfer = Self.term
        let tables = try CellModelCTables(model)
        #expect(tables.chargeTransferTemperaturesC == Self.term.groups.map { Float($0.temperatureC) })
        #expect(tables.chargeTransferCoefficientV == Self.term.groups.map { Float($0.coefficientV) })
        #expect(tables.chargeTransferReferenceCurrentA == Self.term.groups.map { Float($0.referenceCurrentA) })
    }
}
