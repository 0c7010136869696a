/// Why a cell model cannot be flattened for the C estimators (`CellModelCTables`,
/// `bmsim export --cell-model`): a part the C code would refuse at init, named with the field,
/// what it must be and what it is.
public enum CellModelCExportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The charge-transfer term (`CellModelParameters.chargeTransfer`) breaks what
    /// `bms_soc_charge_transfer_check` asks (`BMS_SOC_ERR_MODEL_CHARGE_TRANSFER`): `field` is
    /// its path as in `cell.json` (`chargeTransfer.groups[1].coefficientV`).
    case invalidChargeTransfer(cell: String, field: String, expected: String, found: String)

    /// One line for the user.
    public var description: String {
        switch self {
        case .invalidChargeTransfer(let cell, let field, let expected, let found):
            return "cell model '\(cell)': \(field) must be \(expected), found \(found); the C estimators (bms_soc) "
                + "would refuse it (BMS_SOC_ERR_MODEL_CHARGE_TRANSFER)"
        }
    }
}

extension CellModelCTables {
    /// Checks a charge-transfer term as `bms_soc_charge_transfer_check` does, with the limits
    /// of `cell.json` (`CellModelValidation.Limits`): 1…65,535 groups, temperatures finite and
    /// strictly increasing, a in 0…2 V, I_ref in 1 µA…100 kA (NaN fails every range).
    static func checkChargeTransfer(_ term: ChargeTransfer, cell: String) throws(CellModelCExportError) {
        func fail(_ field: String, _ expected: String, _ found: String) -> CellModelCExportError {
            .invalidChargeTransfer(cell: cell, field: field, expected: expected, found: found)
        }
        guard (1...Int(UInt16.max)).contains(term.groups.count) else {
            throw fail("chargeTransfer.groups", "1…\(UInt16.max) groups", "\(term.groups.count)")
        }
        let aRange = CellModelValidation.Limits.chargeTransferV
        let referenceRange = CellModelValidation.Limits.chargeTransferReferenceA
        for (i, g) in term.groups.enumerated() {
            // Compared as the C code will: in float32.
            let previous = i == 0 ? -Float.infinity : Float(term.groups[i - 1].temperatureC)
            guard g.temperatureC.isFinite, Float(g.temperatureC) > previous else {
                throw fail("chargeTransfer.groups[\(i)].temperatureC", "finite and above the previous group's", "\(g.temperatureC)")
            }
            guard aRange.contains(g.coefficientV) else {
                throw fail("chargeTransfer.groups[\(i)].coefficientV", "in \(aRange.lowerBound)…\(aRange.upperBound) V",
                           "\(g.coefficientV)")
            }
            guard referenceRange.contains(g.referenceCurrentA) else {
                throw fail("chargeTransfer.groups[\(i)].referenceCurrentA",
                           "in \(referenceRange.lowerBound)…\(referenceRange.upperBound) A", "\(g.referenceCurrentA)")
            }
        }
    }
}
