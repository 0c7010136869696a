import ArgumentParser
import CellModel
import Foundation
import Testing
import TestSupport
@testable import bmsim

/// `bmsim export --cell-model cell.json --c-source NAME`: the cell model as const float32
/// tables for the C estimators. The committed `Examples/c/model` files are this command's
/// output (so the examples and the C host test run the fixture model); the printed flash
/// figure is the bytes of the arrays written; bad usage and a bad model fail cleanly.
@Suite("bmsim export --cell-model")
struct ExportCellModelTests {
    static let cellJSON = SharedData.fixtures.appendingPathComponent("models/cell-default.json")
    static let examples = SharedData.packageRoot.appendingPathComponent("Examples/c/model")

    static func exportCellModel(_ arguments: [String]) throws -> CellModelExportReport {
        try #require(try ExportCommand.parseAsRoot(arguments) as? ExportCommand).exportCellModel()
    }

    @Test("Examples/c/model/cell_model, lstm_model, firmware_lstm and firmware_fusion_lstm (.c, .h) are the export of the fixtures (regenerate with the commands in Examples/c/README.md)")
    func committedModelsAreCurrent() throws {
        let tmp = try ExportCSourceTests.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let report = try Self.exportCellModel(["--cell-model", Self.cellJSON.path, "--c-source", tmp.appendingPathComponent("gen/cell_model").path])
        _ = try ExportCSourceTests.export([SharedData.fixtures.appendingPathComponent("models/lstm-f.bmsq").path,
                                           "--c-source", tmp.appendingPathComponent("gen/lstm_model").path])
        _ = try ExportCSourceTests.export([SharedData.fixtures.appendingPathComponent("models/lstm-soh-shrunk.bmsq").path,
                                           "--c-source", tmp.appendingPathComponent("gen/firmware_lstm").path])
        _ = try ExportCSourceTests.export([SharedData.fixtures.appendingPathComponent("models/lstm-soh-nll.bmsq").path,
                                           "--c-source", tmp.appendingPathComponent("gen/firmware_fusion_lstm").path])
        for name in ["cell_model.c", "cell_model.h", "lstm_model.c", "lstm_model.h", "firmware_lstm.c", "firmware_lstm.h",
                     "firmware_fusion_lstm.c", "firmware_fusion_lstm.h"] {
            let made = try String(contentsOf: tmp.appendingPathComponent("gen/\(name)"), encoding: .utf8)
            let committed = try String(contentsOf: Self.examples.appendingPathComponent(name), encoding: .utf8)
            #expect(made == committed, "Examples/c/model/\(name) is stale")
        }
        #expect(report.files == [tmp.appendingPathComponent("gen/cell_model.h").path, tmp.appendingPathComponent("gen/cell_model.c").path])
        #expect(report.symbol == "cell_model" && report.macroPrefix == "CELL_MODEL")
        #expect(report.ocvPoints == 58 && report.theveninPoints == 90)
        // The flash figure is the float count of the arrays written, times 4.
        let source = try String(contentsOf: tmp.appendingPathComponent("gen/cell_model.c"), encoding: .utf8)
        let floats = source.split(separator: "\n").filter { $0.hasPrefix("static const float ") }
            .compactMap { line -> Int? in
                guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { return nil }
                return Int(line[line.index(after: open)..<close])
            }.reduce(0, +)
        #expect(report.flashTableBytes == 4 * floats)
        let header = try String(contentsOf: tmp.appendingPathComponent("gen/cell_model.h"), encoding: .utf8)
        #expect(header.contains("#define CELL_MODEL_TABLE_BYTES \(report.flashTableBytes)\n"))
        #expect(header.contains("extern const bms_cell_model_t cell_model;"))
    }

    @Test("Examples/c/model/cell_model_charge_transfer.{c,h} are the export of Fixtures/models/cell-charge-transfer.json, its a and I_ref in a bms_soc_charge_transfer_t")
    func committedChargeTransferModelIsCurrent() throws {
        let tmp = try ExportCSourceTests.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let json = SharedData.fixtures.appendingPathComponent("models/cell-charge-transfer.json")
        let report = try Self.exportCellModel(["--cell-model", json.path, "--c-source",
                                               tmp.appendingPathComponent("gen/cell_model_charge_transfer").path])
        for name in ["cell_model_charge_transfer.c", "cell_model_charge_transfer.h"] {
            let made = try String(contentsOf: tmp.appendingPathComponent("gen/\(name)"), encoding: .utf8)
            let committed = try String(contentsOf: Self.examples.appendingPathComponent(name), encoding: .utf8)
            #expect(made == committed, "Examples/c/model/\(name) is stale")
        }
        #expect(report.chargeTransferGroups == 1 && report.table.contains("charge-transfer term (1 group)"))
        let term = try #require(try CellModelFile.load(from: json).chargeTransfer?.groups.first)
        let source = try String(contentsOf: tmp.appendingPathComponent("gen/cell_model_charge_transfer.c"), encoding: .utf8)
        #expect(source.contains("static const bms_soc_charge_transfer_t cell_model_charge_transfer_charge_transfer = {\n"))
        #expect(source.contains("    .charge_transfer = &cell_model_charge_transfer_charge_transfer,\n"))
        #expect(source.contains("    \(CellModelCSourceEmitter.literal(Float(term.coefficientV))),\n"))
        #expect(source.contains("    \(CellModelCSourceEmitter.literal(Float(term.referenceCurrentA))),\n"))
        // Without the term neither appears (the files of a model without it are as before the term).
        let plain = try String(contentsOf: Self.examples.appendingPathComponent("cell_model.c"), encoding: .utf8)
        #expect(!plain.contains("charge_transfer"))
    }

    @Test("Examples/c/model/cell_model_2rc.{c,h} are the export of the fixture model with --two-rc: its 2RC tables in a bms_soc_two_rc_t")
    func committedTwoRCModelIsCurrent() throws {
        let tmp = try ExportCSourceTests.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let report = try Self.exportCellModel(["--cell-model", Self.cellJSON.path, "--c-source",
                                               tmp.appendingPathComponent("gen/cell_model_2rc").path, "--two-rc"])
        for name in ["cell_model_2rc.c", "cell_model_2rc.h"] {
            let made = try String(contentsOf: tmp.appendingPathComponent("gen/\(name)"), encoding: .utf8)
            let committed = try String(contentsOf: Self.examples.appendingPathComponent(name), encoding: .utf8)
            #expect(made == committed, "Examples/c/model/\(name) is stale")
        }
        #expect(report.twoRCPoints == 90 && report.table.contains("2RC R0/R1/tau1/R2/tau2 90 points each"))
        let source = try String(contentsOf: tmp.appendingPathComponent("gen/cell_model_2rc.c"), encoding: .utf8)
        #expect(source.contains("static const bms_soc_two_rc_t cell_model_2rc_two_rc = {\n"))
        #expect(source.contains("    .two_rc = &cell_model_2rc_two_rc,\n"))
        // The second branch's values are the cell.json's (as float32), and the 2RC residual too.
        let model = try CellModelFile.load(from: Self.cellJSON)
        let two = model.thevenin(pairCount: 2)
        let tau2 = two.pairs[1].timeConstantS.values.map { CellModelCSourceEmitter.literal(Float($0)) }
        #expect(source.contains("static const float cell_model_2rc_two_rc_tau2_s_values[\(tau2.count)] = {\n    "
                                + tau2.prefix(6).joined(separator: ", ") + ","))
        let residual = try #require(model.fitReport.residual2RCmV)
        #expect(source.contains("    .residual_mV = \(CellModelCSourceEmitter.literal(Float(residual))),\n"))
        // The 2RC tables share the 1RC tables' grid arrays (and the residual curve its temperatures),
        // so they add only their values: 5 × 90 floats and one residual per group.
        let plain = try Self.exportCellModel(["--cell-model", Self.cellJSON.path, "--c-source", tmp.appendingPathComponent("gen/p").path])
        let groups = (model.fitReport.ocvTemperatureGroups ?? []).filter { $0.residual2RCmV != nil }.count
        #expect(groups == 2 && report.flashTableBytes - plain.flashTableBytes == 4 * (5 * 90 + groups))
        #expect(plain.twoRCPoints == 0 && !plain.table.contains("2RC"))
        let without = try String(contentsOf: Self.examples.appendingPathComponent("cell_model.c"), encoding: .utf8)
        #expect(!without.contains("two_rc"))
    }

    @Test("a model whose filters run two pairs (filterPairs 2) exports its 2RC tables without --two-rc; the header says how many pairs")
    func filterPairsExport() throws {
        let tmp = try ExportCSourceTests.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        var model = try CellModelFile.load(from: Self.cellJSON)
        model.filterPairs = 2
        let json = tmp.appendingPathComponent("two.json")
        try CellModelFile.encode(model).write(to: json)
        let two = try Self.exportCellModel(["--cell-model", json.path, "--c-source", tmp.appendingPathComponent("gen/m2").path])
        #expect(two.filterPairs == 2 && two.twoRCPoints == 90 && two.table.contains("filters  2 R-C pairs  M2_FILTER_PAIRS"))
        let header = try String(contentsOf: tmp.appendingPathComponent("gen/m2.h"), encoding: .utf8)
        let source = try String(contentsOf: tmp.appendingPathComponent("gen/m2.c"), encoding: .utf8)
        #expect(header.contains("#define M2_FILTER_PAIRS 2\n") && source.contains("    .two_rc = &m2_two_rc,\n"))
        // The same tables as --two-rc on the model without the field: only the macro differs.
        let forced = try String(contentsOf: Self.examples.appendingPathComponent("cell_model_2rc.c"), encoding: .utf8)
        #expect(source.replacingOccurrences(of: "m2", with: "cell_model_2rc").replacingOccurrences(of: "M2", with: "CELL_MODEL_2RC")
                == forced)
        // One pair: the macro is 1, and without --two-rc no 2RC tables.
        let committed = try String(contentsOf: Self.examples.appendingPathComponent("cell_model.h"), encoding: .utf8)
        #expect(committed.contains("#define CELL_MODEL_FILTER_PAIRS 1\n"))
        let twoRCHeader = try String(contentsOf: Self.examples.appendingPathComponent("cell_model_2rc.h"), encoding: .utf8)
        #expect(twoRCHeader.contains("#define CELL_MODEL_2RC_FILTER_PAIRS 1\n")
                && twoRCHeader.contains("bms_soc_ekf_init_pairs(&ekf_2rc, &cell_model_2rc, &config, 1.0f, 2);"))
    }

    @Test("every float32 literal reads back as the table value it stands for")
    func literalsRoundTrip() {
        for value: Float in [0, 1, -0.4, 0.1, 1e-5, 2.5e-7, 3.5811415, 1_100_848.9, -0.009460104, .ulpOfOne, 123_456_792] {
            let text = CellModelCSourceEmitter.literal(value)
            #expect(text.hasSuffix("f") && (text.contains(".") || text.contains("e")))
            #expect(Float(String(text.dropLast())) == value, "\(value) → \(text)")
        }
    }

    @Test("bad usage is a usage error that says what to give")
    func badUsage() throws {
        let json = Self.cellJSON.path
        let cases: [([String], String)] = [
            (["m.bmsq", "--cell-model", json, "--c-source", "m"], "not both"),
            (["--cell-model", json, "--c-header", "m.h"], "not --c-header"),
            (["--cell-model", json], "needs --c-source"),
            (["--cell-model", json, "--c-source", "out/my-model"], "'my-model' is not a C identifier"),
            (["--c-source", "m"], "Give a .bmsq blob (or --cell-model cell.json)"),
            (["m.bmsq", "--c-source", "m", "--two-rc"], "--two-rc is for --cell-model"),
        ]
        for (arguments, message) in cases {
            #expect {
                _ = try ExportCommand.parseAsRoot(arguments)
            } throws: { error in
                ExportCommand.message(for: error).contains(message)
            }
        }
    }

    @Test("a missing or invalid cell.json fails with its path and writes nothing")
    func badModelFile() throws {
        let tmp = try ExportCSourceTests.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let bad = tmp.appendingPathComponent("bad.json")
        var text = try String(contentsOf: Self.cellJSON, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"capacityAh\" : 1.5890785867406987", with: "\"capacityAh\" : -1")
        text = text.replacingOccurrences(of: "\"capacityAh\":1.5890785867406987", with: "\"capacityAh\":-1")
        try text.write(to: bad, atomically: true, encoding: .utf8)
        for path in [tmp.appendingPathComponent("none.json").path, bad.path] {
            #expect {
                _ = try Self.exportCellModel(["--cell-model", path, "--c-source", tmp.appendingPathComponent("gen/m").path])
            } throws: { error in
                "\(error)".contains(path)
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.appendingPathComponent("gen").path).isEmpty)
    }

    @Test("a model with hysteresis exports its groups: the C arrays hold the cell.json's M, M0 and γ as float32")
    func hysteresisRoundTrip() throws {
        let tmp = try ExportCSourceTests.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        var model = try CellModelFile.load(from: Self.cellJSON)
        let groups: [Hysteresis.Group] = [.init(temperatureC: 15, maximumV: 0.0213, instantaneousV: 0.0041, rateConstant: 27.5),
                                          .init(temperatureC: 35, maximumV: 0.0172, instantaneousV: 0.0033, rateConstant: 41.25)]
        model.hysteresis = Hysteresis(groups: groups)
        let path = tmp.appendingPathComponent("lfp.json")
        try CellModelFile.encode(model).write(to: path)
        _ = try Self.exportCellModel(["--cell-model", path.path, "--c-source", tmp.appendingPathComponent("gen/m").path])
        let source = try String(contentsOf: tmp.appendingPathComponent("gen/m.c"), encoding: .utf8)
        let lines = source.split(separator: "\n").map(String.init)
        let field = try #require(lines.first { $0.hasPrefix("    .hysteresis = {") }, "no .hysteresis initializer")
        let parts = field.drop { $0 != "{" }.dropFirst().prefix { $0 != "}" }
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(parts.count == 5 && parts.last == "2")
        /// The float literals of the array `name` (its definition and the lines up to `};`).
        func values(_ name: String) throws -> [Float] {
            let start = try #require(lines.firstIndex { $0.hasPrefix("static const float \(name)[") }, "no array \(name)")
            let body = lines[(start + 1)...].prefix { $0 != "};" }.joined()
            return body.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                .compactMap { Float($0.hasSuffix("f") ? String($0.dropLast()) : $0) }
        }
        #expect(try values(parts[0]) == groups.map { Float($0.temperatureC) })
        #expect(try values(parts[1]) == groups.map { Float($0.maximumV) })
        #expect(try values(parts[2]) == groups.map { Float($0.instantaneousV) })
        #expect(try values(parts[3]) == groups.map { Float($0.rateConstant) })
        // Without hysteresis the initializer is absent (count 0), as in Examples/c/model.
        let plain = try String(contentsOf: Self.examples.appendingPathComponent("cell_model.c"), encoding: .utf8)
        #expect(!plain.contains(".hysteresis"))
    }
}
