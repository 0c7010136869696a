/// Emits a cell model as C99 for the C estimators (`bms_soc.h`): `NAME.c` defines the float32
/// tables (`static const`) and one `const bms_cell_model_t NAME`; `NAME.h` declares it
/// `extern` with the table bytes. Identical arrays (a grid shared by several tables) are
/// written once.
///
/// ```c
/// /* bmsim export --cell-model cell.json --c-source cell_model  →  cell_model.c, cell_model.h */
/// #include "cell_model.h"
/// bms_soc_ah_init(&ah, &cell_model, &config, 1.0f);
/// ```
public enum CellModelCSourceEmitter {
    /// The two files' text.
    public struct Files: Sendable, Equatable {
        /// `NAME.h`.
        public var header: String
        /// `NAME.c`.
        public var source: String
        /// Bytes of float32 table data in `NAME.c` (each distinct array once): flash.
        public var tableBytes: Int
    }

    /// The pair for `model` under the C identifier `identifier` (checked by the caller); the
    /// source includes the header as `headerFileName`; `macroPrefix` prefixes the macros.
    /// A model with hysteresis gets its groups (`bms_soc_hysteresis_t`); one without, count 0.
    /// A model with a charge-transfer term gets a `static const bms_soc_charge_transfer_t
    /// NAME_charge_transfer` and `.charge_transfer` pointing at it; one without, neither (its
    /// files are those of a build before the term existed). With `twoRC`, or on a model whose
    /// filters run two pairs (`filterPairs` 2), the 2RC model as a `static const bms_soc_two_rc_t
    /// NAME_two_rc` and `.two_rc` pointing at it (for `bms_soc_ekf_init_pairs(..., 2)`); otherwise
    /// neither. The header defines `PREFIX_FILTER_PAIRS`, the model's `filterPairs` (1 without), to
    /// pass to `bms_soc_ekf_init_pairs`. Throws for a term the C code would refuse (`CellModelCTables`).
    public static func emit(model: CellModelParameters, identifier: String, macroPrefix p: String,
                            headerFileName: String, twoRC requested: Bool = false) throws(CellModelCExportError) -> Files {
        let t = try CellModelCTables(model)
        let filterPairs = model.filterPairs ?? 1
        let twoRC = requested || filterPairs == 2
        var arrays: [(name: String, values: [Float])] = []
        func array(_ suffix: String, _ values: [Float]) -> String {
            if values.isEmpty { return "NULL" }
            if let same = arrays.first(where: { $0.values == values }) { return same.name }
            let name = "\(identifier)_\(suffix)"
            arrays.append((name, values))
            return name
        }
        func table(_ field: String, _ table: CellModelCTables.Table, prefix: String = "") -> [String] {
            let s = array("\(prefix)\(field)_soc", table.socPoints)
            let tc = array("\(prefix)\(field)_temperatures", table.temperaturesC)
            let v = array("\(prefix)\(field)_values", table.values)
            return ["    .\(field) = { \(s), \(tc), \(v), \(table.socPoints.count), \(table.temperaturesC.count) },"]
        }
        func curve(_ field: String, _ curve: CellModelCTables.Curve, prefix: String = "") -> [String] {
            let tc = array("\(prefix)\(field)_temperatures", curve.temperaturesC)
            let v = array("\(prefix)\(field)_values", curve.values)
            return ["    .\(field) = { \(tc), \(v), \(curve.values.count) },"]
        }
        var body = ["const bms_cell_model_t \(identifier) = {",
                    "    .capacity_Ah = \(literal(t.capacityAh)),"]
        body += curve("capacity_by_temperature", t.capacityByTemperature)
        body += curve("design_capacity", t.designCapacity)
        body.append("    .coulombic_efficiency = \(literal(t.coulombicEfficiency)),")
        body += table("ocv_V", t.ocv)
        body += table("r0_ohm", t.r0Ohm)
        body += table("r1_ohm", t.r1Ohm)
        body += table("tau1_s", t.tau1S)
        body.append("    .relaxation_minimum_rest_s = \(literal(t.relaxationMinimumRestS)),")
        body.append("    .relaxation_maximum_rest_s = \(literal(t.relaxationMaximumRestS)),")
        body += curve("relaxation_slope_V_per_log_s", t.relaxationSlopeVPerLogS)
        body += curve("relaxation_reference_rest_s", t.relaxationReferenceRestS)
        body.append("    .has_rested_ocv_floor = \(t.restedOCVTrustedFromSOC == nil ? 0 : 1),")
        body.append("    .rested_ocv_trusted_from_soc = \(literal(t.restedOCVTrustedFromSOC ?? 0)),")
        body.append("    .has_soc_zero_loaded_voltage = \(t.socZeroLoadedVoltageV == nil ? 0 : 1),")
        body.append("    .soc_zero_loaded_voltage_V = \(literal(t.socZeroLoadedVoltageV ?? 0)),")
        body.append("    .residual_1rc_mV = \(literal(t.residual1RCmV)),")
        body += curve("residual_1rc_mV_by_temperature", t.residual1RCmVByTemperature)
        if !t.hysteresisTemperaturesC.isEmpty {
            let tc = array("hysteresis_temperatures", t.hysteresisTemperaturesC)
            let m = array("hysteresis_maximum", t.hysteresisMaximumV)
            let m0 = array("hysteresis_instantaneous", t.hysteresisInstantaneousV)
            let gamma = array("hysteresis_rate", t.hysteresisRateConstant)
            body.append("    .hysteresis = { \(tc), \(m), \(m0), \(gamma), \(t.hysteresisTemperaturesC.count) },")
        }
        var transfer: [String] = []
        if !t.chargeTransferTemperaturesC.isEmpty {
            let tc = array("charge_transfer_temperatures", t.chargeTransferTemperaturesC)
            let a = array("charge_transfer_coefficient", t.chargeTransferCoefficientV)
            let reference = array("charge_transfer_reference_current", t.chargeTransferReferenceCurrentA)
            transfer = ["static const bms_soc_charge_transfer_t \(identifier)_charge_transfer = {",
                        "    .temperatures_C = \(tc),", "    .coefficient_V = \(a),",
                        "    .reference_current_A = \(reference),", "    .count = \(t.chargeTransferTemperaturesC.count),",
                        "};", ""]
            body.append("    .charge_transfer = &\(identifier)_charge_transfer,")
        }
        var two: [String] = []
        if twoRC {
            let r = t.twoRC
            two = ["static const bms_soc_two_rc_t \(identifier)_two_rc = {"]
            two += table("r0_ohm", r.r0Ohm, prefix: "two_rc_") + table("r1_ohm", r.r1Ohm, prefix: "two_rc_")
                + table("tau1_s", r.tau1S, prefix: "two_rc_") + table("r2_ohm", r.r2Ohm, prefix: "two_rc_")
                + table("tau2_s", r.tau2S, prefix: "two_rc_")
            two.append("    .residual_mV = \(literal(r.residualmV)),")
            two += curve("residual_mV_by_temperature", r.residualmVByTemperature, prefix: "two_rc_")
            two += ["};", ""]
            body.append("    .two_rc = &\(identifier)_two_rc,")
        }
        body.append("};")

        var c = ["/* Generated by `bmsim export --cell-model` from a cell.json — do not edit. */",
                 "#include <stddef.h>", "#include \"\(headerFileName)\"", ""]
        for a in arrays {
            c.append("static const float \(a.name)[\(a.values.count)] = {")
            c += stride(from: 0, to: a.values.count, by: 6).map { start in
                "    " + a.values[start..<min(start + 6, a.values.count)].map(literal).joined(separator: ", ") + ","
            }
            c.append("};")
        }
        c.append("")
        c += transfer
        c += two
        c += body
        let tableBytes = 4 * arrays.reduce(0) { $0 + $1.values.count }
        let h = ["/* Generated by `bmsim export --cell-model` from a cell.json — do not edit.",
                 " * Cell: \(commentSafe(model.cellName))",
                 " * Compile the .c file once; include this header where the model is used:",
                 " *",
                 " *   #include \"bms_soc.h\"",
                 " *   #include \"\(headerFileName)\"",
                 " *   bms_soc_ah_init(&ah, &\(identifier), &config, 1.0f);",
                 " *   bms_soc_ekf_init_pairs(&ekf, &\(identifier), &config, 1.0f, \(p)_FILTER_PAIRS);   (the model's R-C pairs)",
                 twoRC && filterPairs == 1
                    ? " *   bms_soc_ekf_init_pairs(&ekf_2rc, &\(identifier), &config, 1.0f, 2);   (the 2RC tables, exported too)" : nil,
                 " *",
                 " * Flash: \(p)_TABLE_BYTES bytes of float32 tables plus the bms_cell_model_t.",
                 " */",
                 "#ifndef \(p)_H", "#define \(p)_H", "", "#include \"bms_soc.h\"", "",
                 "/** Bytes of float32 table data in the generated .c file. */",
                 "#define \(p)_TABLE_BYTES \(tableBytes)", "",
                 "/** The R-C pairs this model's filters run (cell.json filterPairs; 1 without): bms_soc_ekf_init_pairs. */",
                 "#define \(p)_FILTER_PAIRS \(filterPairs)", "",
                 "#ifdef __cplusplus", "extern \"C\" {", "#endif", "",
                 "/** The cell model; defined once, in the generated .c file. */",
                 "extern const bms_cell_model_t \(identifier);", "",
                 "#ifdef __cplusplus", "}", "#endif", "#endif /* \(p)_H */"]

        return Files(header: h.compactMap { $0 }.joined(separator: "\n") + "\n", source: c.joined(separator: "\n") + "\n",
                     tableBytes: tableBytes)
    }

    /// A float32 C literal that reads back as `value` (the shortest round-trip digits + `f`).
    package static func literal(_ value: Float) -> String {
        precondition(value.isFinite, "a validated model has finite tables")
        var text = "\(value)"
        if !text.contains(".") && !text.contains("e") { text += ".0" }
        return text + "f"
    }

    /// `text` with `*/` and line breaks removed, for a C comment.
    static func commentSafe(_ text: String) -> String {
        var out = ""
        var previous: Character = " "
        for ch in text {
            let c: Character = ch.isNewline ? " " : ch
            if previous == "*" && c == "/" { out.append(" ") }
            out.append(c)
            previous = c
        }
        return out
    }
}
