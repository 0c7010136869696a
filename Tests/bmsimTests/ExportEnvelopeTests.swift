import BMSCore
import Estimators
import Foundation
import Testing
import TestSupport
import WeightBlob
@testable import bmsim

/// `bmsim export model.bmsq --c-source NAME` carries the blob's training envelope into the
/// header (`NAME_ENVELOPE`), compiled by a C compiler to the very doubles Swift's
/// `TrainingEnvelope(metadata:)` reads, and `bms_soc_lstm_settings_use_envelope` derives from
/// it what `LSTMEstimator` does; a blob without one says so; a malformed one is refused.
@Suite("bmsim export: the training envelope in the C header", .serialized)
struct ExportEnvelopeTests {
    /// Prints the envelope's seven bounds and what the settings derive from them, in `%a`.
    static let envelopeMain = """
        #include <stdio.h>
        #include "bms_soc.h"
        #include "bms_model.h"
        #if BMS_MODEL_HAS_ENVELOPE != 1
        #error "no envelope"
        #endif
        static const bms_soc_envelope_t envelope = BMS_MODEL_ENVELOPE;
        int main(void) {
            bms_soc_lstm_settings_t settings;
            bms_soc_lstm_settings_default(&settings);
            if (bms_soc_lstm_settings_use_envelope(&settings, &envelope) != BMS_SOC_OK) return 1;
            printf("%a %a %a %a %a %a %a\\n", envelope.current_min_A, envelope.current_max_A, envelope.temperature_min_C,
                   envelope.temperature_max_C, envelope.start_voltage_min_V, envelope.soc_min, envelope.soc_max);
            printf("%a %d\\n", settings.full_start_min_rest_voltage_V, (int)settings.run_through_charge);
            return 0;
        }

        """

    @Test("the shipped default's envelope compiles to the doubles Swift reads, and the settings derive what LSTMEstimator does",
          .enabled(if: ExportCSourceTests.cc != nil, "needs a C compiler `cc` on PATH"))
    func envelopeCompilesToTheSwiftDoubles() throws {
        let tmp = try ExportCSourceTests.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let blobURL = ExportCSourceTests.models.appendingPathComponent("lstm-soh-shrunk.bmsq")
        _ = try ExportCSourceTests.export([blobURL.path, "--c-source", tmp.appendingPathComponent("gen/bms_model").path, "--quiet"])
        let header = try String(contentsOf: tmp.appendingPathComponent("gen/bms_model.h"), encoding: .utf8)
        #expect(header.contains("#define BMS_MODEL_HAS_ENVELOPE 1"))
        try Data(Self.envelopeMain.utf8).write(to: tmp.appendingPathComponent("main.c"))

        let root = SharedData.packageRoot.appendingPathComponent("Sources")
        func sources(_ folder: String) throws -> [String] {
            let url = root.appendingPathComponent(folder)
            return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".c") }.sorted()
                .map { url.appendingPathComponent($0).path }
        }
        let compile = try ExportCSourceTests.run(try #require(ExportCSourceTests.cc),
            ["-std=c99", "-O1", "-Wall", "-Wextra", "-Werror", "-pedantic",
             "-I", root.appendingPathComponent("CBMSSoc/include").path, "-I", root.appendingPathComponent("CBMSRuntime/include").path,
             "-I", "gen"] + (try sources("CBMSSoc")) + (try sources("CBMSRuntime")) + ["main.c", "-lm", "-o", "envelope-test"], in: tmp)
        try #require(compile.status == 0, "cc failed: \(compile.stderr)")
        let outcome = try ExportCSourceTests.run(tmp.appendingPathComponent("envelope-test").path, [], in: tmp)
        try #require(outcome.status == 0, "status \(outcome.status): \(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map { $0.split(separator: " ") }
        try #require(lines.count == 2 && lines[0].count == 7 && lines[1].count == 2, "\(outcome.stdout)")

        let blob = try BlobReader.decode([UInt8](try Data(contentsOf: blobURL)), source: blobURL.path).model
        let e = try #require(try TrainingEnvelope(metadata: blob.metadataValue))
        let bounds = [e.currentMinA, e.currentMaxA, e.temperatureMinC, e.temperatureMaxC, e.startVoltageMinV, e.socMin, e.socMax]
        for (text, swift) in zip(lines[0], bounds) {
            #expect(Double(String(text)) == swift, "C \(text) against Swift \(swift)")   // %a: exact
        }
        #expect(Double(String(lines[1][0])) == e.startVoltageMinV - TrainingEnvelope.Tolerance().voltageV)
        #expect((lines[1][1] == "1") == LSTMEstimator(model: blob, envelope: e, capacityAh: 2).runsThroughCharge)
    }

    @Test("a blob without an envelope: HAS_ENVELOPE 0 and no ENVELOPE macro")
    func noEnvelope() throws {
        let tmp = try ExportCSourceTests.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        _ = try ExportCSourceTests.export([ExportCSourceTests.models.appendingPathComponent("lstm-f.bmsq").path,
                                           "--c-source", tmp.appendingPathComponent("gen/bms_model").path, "--quiet"])
        let header = try String(contentsOf: tmp.appendingPathComponent("gen/bms_model.h"), encoding: .utf8)
        #expect(header.contains("#define BMS_MODEL_HAS_ENVELOPE 0"))
        #expect(!header.contains("BMS_MODEL_ENVELOPE "))
    }

    @Test("a malformed or partial envelope in the metadata is refused with the key named, for --c-source and --c-header",
          arguments: [[("envelope_current_a", "-4..x"), ("envelope_temperature_c", "0..40"), ("envelope_start_voltage_v", "4.1"),
                       ("envelope_soc", "0..1")],
                      [("envelope_current_a", "-4..0.05")]])
    func malformedEnvelopeIsRefused(_ entries: [(String, String)]) throws {
        let tmp = try ExportCSourceTests.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let source = ExportCSourceTests.models.appendingPathComponent("lstm-f.bmsq")
        var model = try BlobReader.decode([UInt8](try Data(contentsOf: source)), source: source.path).model
        model.metadata += entries.map { BlobMetadataEntry(key: $0.0, value: $0.1) }
        let bad = tmp.appendingPathComponent("bad-envelope.bmsq")
        try Data(try BlobWriter.encode(model)).write(to: bad)
        for target in [["--c-source", tmp.appendingPathComponent("gen/bms_model").path],
                       ["--c-header", tmp.appendingPathComponent("gen/bms_model_only.h").path]] {
            do {
                _ = try ExportCSourceTests.export([bad.path] + target + ["--quiet"])
                Issue.record("\(target[0]): a malformed envelope was exported")
            } catch {
                let message = "\(error)"
                #expect(message.contains("bad-envelope.bmsq") && message.contains("training envelope"), "\(message)")
                #expect(message.contains(entries.count == 1 ? "envelope_temperature_c" : "envelope_current_a"), "\(message)")
            }
            #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("gen/bms_model.h").path))
            #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("gen/bms_model_only.h").path))
        }
    }
}
