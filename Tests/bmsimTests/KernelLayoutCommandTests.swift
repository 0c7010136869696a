import ArgumentParser
import Foundation
import Testing
import TestSupport
import WeightBlob
@testable import bmsim

/// `--layout rows|v3` on `export`, and `inspect` naming the blob's own version and layout.
@Suite struct KernelLayoutCommandTests {
    let v1 = SharedData.fixtures.appendingPathComponent("golden/golden-model.bmsq").path
    let v3 = SharedData.fixtures.appendingPathComponent("golden-v3/golden-model.bmsq").path

    @Test func exportWithLayoutV3WritesTheVersion3Blob() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-v3-\(UUID().uuidString).h")
        defer { try? FileManager.default.removeItem(at: out) }
        let command = try ExportCommand.parseAsRoot([v1, "--c-header", out.path, "--symbol", "m", "--layout", "v3"])
            as! ExportCommand
        try command.run()
        let text = try String(contentsOf: out, encoding: .utf8)
        let expected = [UInt8](try Data(contentsOf: URL(fileURLWithPath: v3)))
        #expect(text.contains("#define M_FORMAT_VERSION 3 "))
        #expect(text.contains("#define M_SIZE \(expected.count)u"))
        let body = text.split(separator: "{", maxSplits: 1)[1].split(separator: "}")[0]
        let bytes = body.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map { UInt8($0.dropFirst(2), radix: 16)! }
        #expect(bytes == expected)
    }

    @Test func inspectNamesTheBlobsOwnVersionAndLayout() throws {
        let text3 = BlobInspection(try BlobFile.load(v3)).table
        let text1 = BlobInspection(try BlobFile.load(v1)).table
        #expect(text3.hasPrefix("BMSQ v3,") && text3.contains("LSTM kernels v3 (interleaved per unit)"))
        #expect(text1.hasPrefix("BMSQ v1,") && text1.contains("LSTM kernels rows"))
    }

    @Test func anUnknownLayoutIsAParseError() {
        #expect(throws: (any Error).self) {
            try ExportCommand.parseAsRoot([v1, "--c-header", "/tmp/never.h", "--layout", "columns"])
        }
    }
}
