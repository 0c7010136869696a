import CellModel
import Foundation
import Testing

/// `cell.json`'s `filterPairs` (version 4): the R–C pairs `ekf` and `ukf` run on the model.
/// Written only when set (a model without it is written as before), read back, and refused
/// with its field when it is not 1 or 2, not a number, or in a file of an older version.
@Suite("cell.json filterPairs (version 4)")
struct FilterPairsFileTests {
    func json(_ model: CellModelParameters) throws -> [String: Any] { try cellModelJSON(model) }

    func decode(_ object: [String: Any]) throws(CellModelFileError) -> CellModelParameters {
        try decodeCellModel(object, file: "fp.json")
    }

    @Test("round trip as version 4; without the field a model is written as before (version 1, no key)")
    func roundTrip() throws {
        var model = CellModelParameters.synthetic18650()
        #expect(try json(model)["version"] as? Int == 1 && json(model)["filterPairs"] == nil)
        #expect(try CellModelFile.decode(try CellModelFile.encode(model)).filterPairs == nil)
        model.filterPairs = 2
        #expect(try json(model)["version"] as? Int == 4 && json(model)["filterPairs"] as? Int == 2)
        #expect(try CellModelFile.decode(try CellModelFile.encode(model)) == model)
        // With hysteresis and the charge-transfer term too: still version 4, everything kept.
        model.hysteresis = Hysteresis(groups: [.init(temperatureC: 25, maximumV: 0.01, instantaneousV: 0, rateConstant: 20)])
        model.chargeTransfer = ChargeTransfer.synthetic18650
        #expect(try json(model)["version"] as? Int == 4)
        #expect(try CellModelFile.decode(try CellModelFile.encode(model)) == model)
    }

    @Test("refused with its field: 0, 3, −1, 1.5, NaN, a string, an array; in a version-1 to 3 file")
    func badValues() throws {
        var model = CellModelParameters.synthetic18650()
        model.filterPairs = 2
        for bad in [0, 3, -1, 1.5] {
            var o = try json(model)
            o["filterPairs"] = bad
            #expect(throws: CellModelFileError.outOfRange(file: "fp.json", field: "filterPairs", found: bad,
                                                          allowed: "1 or 2")) { _ = try decode(o) }
        }
        var nan = try json(model)
        nan["filterPairs"] = "NaN"
        #expect(throws: CellModelFileError.nonFinite(file: "fp.json", field: "filterPairs")) { _ = try decode(nan) }
        for bad: Any in ["2", [2]] {
            var o = try json(model)
            o["filterPairs"] = bad
            #expect { _ = try decode(o) } throws: { error in
                guard let e = error as? CellModelFileError, case .malformed(_, let field, _) = e else { return false }
                return field == "filterPairs"
            }
        }
        for version in [1, 2, 3] {
            var o = try json(model)
            o["version"] = version
            #expect(throws: CellModelFileError.malformed(
                file: "fp.json", field: "filterPairs",
                detail: "a model with filterPairs must be version 4 (an older reader would ignore it)")) { _ = try decode(o) }
        }
        // 1 is accepted (a hand-written file may say so); the model then runs one pair.
        var o = try json(model)
        o["filterPairs"] = 1
        #expect(try decode(o).filterPairs == 1)
    }
}
