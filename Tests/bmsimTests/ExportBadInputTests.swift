import ArgumentParser
import CellData
import Foundation
import Testing
import TestSupport
@testable import bmsim

/// `bmsim export --c-source` on bad inputs: a missing or truncated blob, a name that is no
/// C identifier, an output that is not a regular file. Each is a typed error with the path
/// or name and its reason, and nothing is written.
@Suite("bmsim export --c-source, bad inputs")
struct ExportBadInputTests {
    static let demo = SharedData.fixtures.appendingPathComponent("models/lstm-demo.bmsq")

    /// Files in `folder`, sorted.
    static func contents(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test func aMissingBlobIsAMissingInputAndNothingIsWritten() throws {
        let tmp = try ExportCSourceTests.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let missing = tmp.appendingPathComponent("none.bmsq").path
        #expect {
            _ = try ExportCSourceTests.export([missing, "--c-source", tmp.appendingPathComponent("gen/m").path])
        } throws: { error in
            guard case let .missingInput(path, _) = error as? CLIError else { return false }
            return path == missing && (error as? CLIError)?.status == .noInput
        }
        #expect(try Self.contents(tmp.appendingPathComponent("gen")).isEmpty)
    }

    @Test func aTruncatedBlobIsBadInputThatSaysTruncatedAndNothingIsWritten() throws {
        let tmp = try ExportCSourceTests.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let bytes = try Data(contentsOf: Self.demo)
        for length in [0, 3, 40, bytes.count / 2, bytes.count - 1] {
            let cut = tmp.appendingPathComponent("cut-\(length).bmsq")
            try bytes.prefix(length).write(to: cut)
            #expect {
                _ = try ExportCSourceTests.export([cut.path, "--c-source", tmp.appendingPathComponent("gen/m").path])
            } throws: { error in
                guard let error = error as? CLIError, case let .badInput(path, reason) = error else { return false }
                return path == cut.path && reason.contains("truncated") && error.status == .dataError
            }
        }
        #expect(try Self.contents(tmp.appendingPathComponent("gen")).isEmpty)
    }

    @Test("a name that is no C identifier is a usage error naming it and the reason")
    func badIdentifierIsAUsageError() throws {
        let cases: [([String], String)] = [
            (["--c-source", "out/my-model"], "--c-source out/my-model: 'my-model' is not a C identifier: '-' at position 3"),
            (["--c-source", "out/2024_model"], "'2024_model' is not a C identifier: it starts with a digit"),
            (["--c-source", "out/static"], "'static' is a C keyword"),
            (["--c-source", "out/model", "--symbol", "__model"], "--symbol: '__model' is reserved in C"),
            (["--c-source", "out/"], "--c-source out/: no file name to write"),
            ([], "Give --c-source NAME"),
            (["--c-source", "m", "--c-header", "m.h"], "not both"),
        ]
        for (options, message) in cases {
            #expect {
                _ = try ExportCommand.parseAsRoot([Self.demo.path] + options)
            } throws: { error in
                ExportCommand.message(for: error).contains(message) && ExportCommand.exitCode(for: error) == .validationFailure
            }
        }
        // A file name that is no identifier is fine with --symbol; NAME.c is accepted for NAME.
        let target = try CSourceTarget(name: "out/my-model.c", symbol: "my_model")
        #expect([target.headerPath, target.sourcePath, target.headerFileName, target.identifier]
            == ["out/my-model.h", "out/my-model.c", "my-model.h", "my_model"])
    }

    @Test func aFIFOAsNAMEdotHIsRefusedAndNAMEdotCIsNotWritten() throws {
        let tmp = try ExportCSourceTests.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let fifo = tmp.appendingPathComponent("gen/m.h").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect {
            _ = try ExportCSourceTests.export([Self.demo.path, "--c-source", tmp.appendingPathComponent("gen/m").path])
        } throws: { error in
            guard case let .output(.notRegular(path, kind)) = error as? CLIError else { return false }
            return path == fifo && kind == .fifo
        }
        #expect(try Self.contents(tmp.appendingPathComponent("gen")) == ["m.h"])
    }
}
