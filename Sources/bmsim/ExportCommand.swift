import ArgumentParser
import Foundation
import WeightBlob

/// `bmsim export model.bmsq --c-header model.h [--symbol name]`: the blob as a C99 header
/// (aligned `const uint8_t` array and `#define`s) for a firmware build.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a validated .bmsq blob as a C header (const uint8_t array + size defines).")

    @Argument(help: "The .bmsq blob.")
    var blob: String

    @Option(name: .customLong("c-header"), help: "Header file to write.")
    var cHeader: String

    @Option(help: "C identifier of the array (default: the header's file name).")
    var symbol: String?

    @OptionGroup var kernelLayout: KernelLayoutArgument
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (decoded, bytes) = try kernelLayout.reencode(try BlobFile.load(blob),
                                                         bytes: try InputBytes.read(blob))
        let url = URL(fileURLWithPath: cHeader)
        let name = symbol ?? url.deletingPathExtension().lastPathComponent
        let text = CHeaderEmitter.emit(blob: decoded, bytes: bytes, symbol: name)
        try output.write(text, to: cHeader)
        print("wrote \(cHeader): \(bytes.count) bytes as \(CHeaderEmitter.sanitize(name))[]")
    }
}
