import CellModel
import Testing

/// A charge-transfer term the C estimators would refuse (`bms_soc_charge_transfer_check`) is
/// refused by the exporter already (`CellModelCTables`), naming the field, what it must be and
/// what it is: a model built in code is not checked as a `cell.json` is.
@Suite("C export of the charge-transfer term: bad groups")
struct CellModelCExportErrorTests {
    static func model(_ groups: [ChargeTransfer.Group]) -> CellModelParameters {
        var m = CellModelParameters.synthetic18650()
        m.chargeTransfer = ChargeTransfer(groups: groups)
        return m
    }

    static let good = ChargeTransfer.Group(temperatureC: 0, coefficientV: 0.045, referenceCurrentA: 1.9)

    @Test("a = NaN, a < 0, a > 2 V, I_ref ≤ 0, I_ref NaN, no groups, temperatures not increasing: each refused with its field",
          arguments: [
              ([.init(temperatureC: 0, coefficientV: .nan, referenceCurrentA: 1.9)],
               "chargeTransfer.groups[0].coefficientV", "nan"),
              ([good, .init(temperatureC: 25, coefficientV: -0.01, referenceCurrentA: 5)],
               "chargeTransfer.groups[1].coefficientV", "-0.01"),
              ([.init(temperatureC: 0, coefficientV: 2.5, referenceCurrentA: 1.9)],
               "chargeTransfer.groups[0].coefficientV", "2.5"),
              ([.init(temperatureC: 0, coefficientV: 0.02, referenceCurrentA: 0)],
               "chargeTransfer.groups[0].referenceCurrentA", "0.0"),
              ([good, .init(temperatureC: 25, coefficientV: 0.02, referenceCurrentA: -3)],
               "chargeTransfer.groups[1].referenceCurrentA", "-3.0"),
              ([.init(temperatureC: 0, coefficientV: 0.02, referenceCurrentA: .nan)],
               "chargeTransfer.groups[0].referenceCurrentA", "nan"),
              ([], "chargeTransfer.groups", "0"),
              ([good, good], "chargeTransfer.groups[1].temperatureC", "0.0"),
              ([.init(temperatureC: .infinity, coefficientV: 0.02, referenceCurrentA: 1)],
               "chargeTransfer.groups[0].temperatureC", "inf"),
          ] as [([ChargeTransfer.Group], String, String)])
    func badGroupsAreRefused(groups: [ChargeTransfer.Group], field: String, found: String) {
        let model = Self.model(groups)
        #expect {
            _ = try CellModelCTables(model)
        } throws: { error in
            guard case .invalidChargeTransfer(let cell, let f, _, let value) = error as? CellModelCExportError else { return false }
            return cell == model.cellName && f == field && value == found
        }
        #expect {
            _ = try CellModelCSourceEmitter.emit(model: model, identifier: "m", macroPrefix: "M", headerFileName: "m.h")
        } throws: { error in
            "\(error)".contains(field) && "\(error)".contains("BMS_SOC_ERR_MODEL_CHARGE_TRANSFER")
        }
    }

    @Test("the message names the cell, the field, the range and the value")
    func message() {
        let error = CellModelCExportError.invalidChargeTransfer(cell: "nmc", field: "chargeTransfer.groups[0].coefficientV",
                                                                expected: "in 0.0…2.0 V", found: "nan")
        #expect(error.description == "cell model 'nmc': chargeTransfer.groups[0].coefficientV must be in 0.0…2.0 V, "
                + "found nan; the C estimators (bms_soc) would refuse it (BMS_SOC_ERR_MODEL_CHARGE_TRANSFER)")
    }

    @Test("the edges of the ranges are accepted: a = 0 and 2 V, I_ref = 1 µA and 100 kA")
    func edgesAccepted() throws {
        _ = try CellModelCTables(Self.model([.init(temperatureC: -10, coefficientV: 0, referenceCurrentA: 1e-6),
                                             .init(temperatureC: 40, coefficientV: 2, referenceCurrentA: 1e5)]))
    }
}
