import ArgumentParser
import CellData
import Foundation
import QuantizedLSTM
import Testing
import TestSupport
import WeightBlob
@testable import bmsim

/// `bmsim export --c-source NAME`: the pair compiles with the C runtime into a program of
/// two translation units that share one array and step bit-exactly with the Swift engine;
/// the printed flash and RAM figures equal sizes computed apart; bad inputs fail cleanly.
@Suite("bmsim export --c-source", .serialized)
struct ExportCSourceTests {
    static let models = SharedData.fixtures.appendingPathComponent("models")

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-csource-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("gen"), withIntermediateDirectories: true)
        return url
    }

    /// `bmsim export arguments…` run in-process: the report it would print.
    static func export(_ arguments: [String]) throws -> ExportReport {
        try #require(try ExportCommand.parseAsRoot(arguments) as? ExportCommand).export()
    }

    /// The first `cc` on PATH.
    static let cc: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        .map { "\($0)/cc" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs `executable arguments…` in `folder`: status, stdout and stderr.
    static func run(_ executable: String, _ arguments: [String], in folder: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let out = folder.appendingPathComponent("stdout-\(UUID().uuidString)"), err = folder.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    /// A second translation unit that includes the header and hands out what it sees.
    static let unitA = """
        #include <stddef.h>
        #include "bms_model.h"
        const uint8_t *blob_seen_by_unit_a(void) { return bms_model; }
        size_t size_seen_by_unit_a(void) { return sizeof bms_model; }

        """

    /// Checks the header's macros against the loaded model, then steps the samples of the
    /// file argv[1] (`voltage_uV current_mA temperature_dC` per line), one SOC per line.
    static let testMain = """
        #include <stdio.h>
        #include "bms_lstm.h"
        #include "bms_model.h"
        const uint8_t *blob_seen_by_unit_a(void);
        size_t size_seen_by_unit_a(void);
        static bms_lstm_model_t model;
        static int16_t workspace[BMS_MODEL_WORKSPACE_WORDS];
        static bms_lstm_context_t context;
        int main(int argc, char **argv) {
            FILE *in;
            long v, i, t;
            int32_t soc;
            bms_status_t status;
            if (argc != 2 || (in = fopen(argv[1], "r")) == NULL) return 2;
            printf("one_array %d size %lu words %lu\\n", blob_seen_by_unit_a() == bms_model,
                   (unsigned long)size_seen_by_unit_a(), (unsigned long)BMS_MODEL_WORKSPACE_WORDS);
            status = bms_lstm_load_blob(bms_model, BMS_MODEL_SIZE, &model);
            if (status != BMS_OK) { printf("load %s\\n", bms_status_name(status)); return 1; }
            if (bms_lstm_workspace_words(&model) != BMS_MODEL_WORKSPACE_WORDS || model.feature_count != BMS_MODEL_FEATURES
                || model.lstm_layer_count != BMS_MODEL_LSTM_LAYERS || model.lstm[0].hidden_size != BMS_MODEL_LSTM0_HIDDEN
                || model.dense_layer_count != BMS_MODEL_DENSE_LAYERS || model.charge_step_s != BMS_MODEL_CHARGE_STEP_S
                || model.prior_capacity_mAh != BMS_MODEL_PRIOR_CAPACITY_MAH || model.features[0].feature != BMS_MODEL_FEATURE0
                || bms_crc32(bms_model, BMS_MODEL_SIZE - 4u) != BMS_MODEL_CRC32) { printf("macros disagree\\n"); return 1; }
            if (bms_lstm_init_context(&model, workspace, BMS_MODEL_WORKSPACE_WORDS, &context) != BMS_OK) return 1;
            while (fscanf(in, "%ld %ld %ld", &v, &i, &t) == 3) {
                if (bms_lstm_step_s8(&context, (int32_t)v, (int32_t)i, (int32_t)t, &soc) != BMS_OK) return 1;
                printf("%ld\\n", (long)soc);
            }
            fclose(in);
            return 0;
        }

        """

    @Test("NAME.c + NAME.h link into two units with one array and step as the Swift engine does",
          .enabled(if: cc != nil, "needs a C compiler `cc` on PATH"),
          arguments: ["golden", "golden-charge", "golden-v3"])
    func exportedPairLinksIntoTwoUnitsAndMatchesTheSwiftEngine(_ folder: String) throws {
        let tmp = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let blob = SharedData.fixtures.appendingPathComponent("\(folder)/golden-model.bmsq")
        let report = try Self.export([blob.path, "--c-source", tmp.appendingPathComponent("gen/bms_model").path, "--quiet"])
        let golden = try #require(GoldenVectors(bytes: [UInt8](try Data(contentsOf: blob.deletingLastPathComponent()
            .appendingPathComponent("golden-steps.bin")))))
        let samples = Array(golden.samples.prefix(1500))
        try Data(samples.map { "\($0.voltageUV) \($0.currentMA) \($0.temperatureDeciC)\n" }.joined().utf8)
            .write(to: tmp.appendingPathComponent("samples.txt"))
        try Data(Self.unitA.utf8).write(to: tmp.appendingPathComponent("unit_a.c"))
        try Data(Self.testMain.utf8).write(to: tmp.appendingPathComponent("main.c"))

        let runtime = SharedData.packageRoot.appendingPathComponent("Sources/CBMSRuntime")
        let runtimeSources = try FileManager.default.contentsOfDirectory(atPath: runtime.path).filter { $0.hasSuffix(".c") }
            .sorted().map { runtime.appendingPathComponent($0).path }
        let compile = try Self.run(try #require(Self.cc), ["-std=c99", "-O1", "-Wall", "-Wextra", "-Werror", "-pedantic",
                                                           "-I", runtime.appendingPathComponent("include").path, "-I", "gen"]
            + runtimeSources + ["gen/bms_model.c", "unit_a.c", "main.c", "-o", "exported-model-test"], in: tmp)
        try #require(compile.status == 0, "cc failed: \(compile.stderr)")

        let outcome = try Self.run(tmp.appendingPathComponent("exported-model-test").path, ["samples.txt"], in: tmp)
        var lines = outcome.stdout.split(separator: "\n")
        try #require(outcome.status == 0 && !lines.isEmpty, "status \(outcome.status): \(outcome.stdout)")
        #expect(lines.removeFirst() == "one_array 1 size \(report.flashBlobBytes) words \(report.workspaceWords)")
        let engine = QuantizedLSTMEngine(model: try BlobReader.decode([UInt8](try Data(contentsOf: blob))).model)
        let swift = samples.map { engine.step($0) }
        let c = lines.map { Int32($0) }
        #expect(c.count == samples.count)
        #expect(c == swift, "first difference at step \(String(describing: zip(c, swift).enumerated().first { $0.element.0 != $0.element.1 }?.offset))")
        #expect(swift == Array(golden.socCentiPercent.prefix(samples.count)))
    }

    /// Fixture model, its hidden size and input count (from the float model's JSON, read in
    /// the test), and the workspace words worked out by hand:
    /// `2·32 + F + 4·32 + 2·1 + ⌈max(F, 32, 1)⌉₄ + ⌈32⌉₄` = 258 + F.
    static let fixtureModels: [(name: String, words: Int)] = [("lstm-demo", 263), ("lstm-demo-charge", 262)]

    @Test("the printed flash and RAM figures equal sizes computed apart", arguments: fixtureModels)
    func figuresEqualIndependentSizes(_ fixture: (name: String, words: Int)) throws {
        let tmp = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let blob = Self.models.appendingPathComponent("\(fixture.name).bmsq")
        let fileBytes = try #require(try FileManager.default.attributesOfItem(atPath: blob.path)[.size] as? Int)
        let float = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.models
            .appendingPathComponent("\(fixture.name).json"))) as? [String: Any])
        let architecture = try #require(float["architecture"] as? [String: Any])
        let inputs = try #require(architecture["inputSize"] as? Int)
        let layers = try #require(architecture["layers"] as? [[String: [String: Any]]])
        let hidden = layers.compactMap { $0["lstm"]?["units"] as? Int }
        let dense = layers.compactMap { $0["dense"]?["units"] as? Int }
        #expect(hidden == [32] && dense == [1])
        #expect(fixture.words == 2 * 32 + inputs + 4 * 32 + 2 * 1 + (max(inputs, 32, 1) + 3) / 4 * 4 + 32)

        let report = try Self.export([blob.path, "--c-source", tmp.appendingPathComponent("gen/m").path])
        #expect(report.flashBlobBytes == fileBytes)
        #expect(report.workspaceWords == fixture.words)
        #expect(report.ramWorkspaceBytes == fixture.words * MemoryLayout<Int16>.size)
        #expect(report.lstmStateBytes == hidden.reduce(0) { $0 + 2 * $1 } * 2)
        #expect(report.estimatorStateBytes == report.lstmStateBytes + 4 + 4 + 4 + 1)

        // What the executable prints, in each format.
        let name = tmp.appendingPathComponent("gen/printed").path
        let table = try BMSimProcess.run(["export", blob.path, "--c-source", name])
        #expect(table.status == 0, "stderr: \(table.stderr)")
        let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ") }
        #expect(rows.contains { $0.starts(with: ["flash", "blob", "\(fileBytes)"]) }, "\(table.stdout)")
        #expect(rows.contains { $0.starts(with: ["RAM", "workspace", "\(2 * fixture.words)"]) }, "\(table.stdout)")
        #expect(rows.contains { $0.starts(with: ["RAM", "estimator", "state", "\(report.estimatorStateBytes)"]) }, "\(table.stdout)")
        let json = try BMSimProcess.run(["export", blob.path, "--c-source", name, "--format", "json", "--quiet"])
        #expect(try ReportJSON.decoder().decode(ExportReport.self, from: Data(json.stdout.utf8)) == report
            .with(files: [name + ".h", name + ".c"], symbol: "printed"))
        let csv = try BMSimProcess.run(["export", blob.path, "--c-source", name, "--format", "csv"])
        let csvRow = "printed,\(report.formatVersion),\(fileBytes),\(fixture.words),\(2 * fixture.words),"
            + "\(report.lstmStateBytes),13,\(report.estimatorStateBytes)"
        #expect(csv.stdout.split(whereSeparator: \.isNewline).map(String.init).last == csvRow)
        let quiet = try BMSimProcess.run(["export", blob.path, "--c-source", name, "--quiet"])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty)
    }
}

extension ExportReport {
    /// The same figures for other files and symbol.
    func with(files: [String], symbol: String) -> ExportReport {
        var copy = self
        copy.files = files
        copy.symbol = symbol
        copy.macroPrefix = symbol.uppercased()
        return copy
    }
}
