import ArgumentParser
import Foundation
import WeightBlob

/// `bmsim export model.bmsq --c-source NAME [--symbol name]`: the blob as `NAME.c` (the
/// array, defined once) and `NAME.h` (`extern` declaration and `#define`s) for a firmware
/// build, and the flash and RAM it needs. `--c-header FILE.h` writes the older single
/// header (`static const` array: for a build with one translation unit that uses it).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a validated .bmsq blob as C (NAME.c + NAME.h, or one header) and print its flash and RAM.")

    @Argument(help: "The .bmsq blob.")
    var blob: String

    @Option(name: .customLong("c-source"), help: ArgumentHelp(
        "Write NAME.c (the array, defined once) and NAME.h (extern declaration, sizes, workspace, model macros).",
        valueName: "NAME"))
    var cSource: String?

    @Option(name: .customLong("c-header"), help: ArgumentHelp(
        "Write one header with a static array instead (one translation unit only).", valueName: "FILE.h"))
    var cHeader: String?

    @Option(help: "C identifier of the array (default: the file name of NAME, or of the header).")
    var symbol: String?

    @Flag(help: "Print nothing with --format table (JSON and CSV reports are still printed).")
    var quiet = false

    @OptionGroup var kernelLayout: KernelLayoutArgument
    @OptionGroup var format: FormatOption
    @OptionGroup var output: OutputOptions

    func validate() throws {
        switch (cSource, cHeader) {
        case (nil, nil): throw ValidationError("Give --c-source NAME (NAME.c and NAME.h) or --c-header FILE.h.")
        case (.some, .some): throw ValidationError("Give one of --c-source and --c-header, not both.")
        case let (name?, nil): _ = try sourceTarget(name)
        case (nil, .some): break
        }
    }

    func run() throws {
        let report = try export()
        if quiet && format.format == .table { return }
        try format.print(report)
    }

    /// Writes the file(s) and returns what `run` prints.
    func export() throws -> ExportReport {
        let read = try InputBytes.read(blob)
        let (decoded, bytes) = try kernelLayout.reencode(try BlobFile.decode(read, path: blob), bytes: read)
        if let cSource {
            let target = try sourceTarget(cSource)
            let files = CSourceEmitter.emit(blob: decoded, bytes: bytes, identifier: target.identifier,
                                            headerFileName: target.headerFileName)
            try output.check(target.headerPath)
            try output.check(target.sourcePath)
            try output.write(files.header, to: target.headerPath)
            try output.write(files.source, to: target.sourcePath)
            return ExportReport(files: [target.headerPath, target.sourcePath], symbol: target.identifier,
                                blob: decoded, blobBytes: bytes.count)
        } else {
            let path = cHeader ?? ""
            let name = CHeaderEmitter.sanitize(symbol ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
            try output.write(CHeaderEmitter.emit(blob: decoded, bytes: bytes, symbol: name), to: path)
            return ExportReport(files: [path], symbol: name, blob: decoded, blobBytes: bytes.count)
        }
    }

    /// Where `--c-source NAME` writes and the array's identifier, or a usage error naming
    /// what is wrong with the identifier.
    func sourceTarget(_ name: String) throws -> CSourceTarget {
        guard !CSourceTarget.stem(of: name).fileName.isEmpty else {
            throw ValidationError("--c-source \(name): no file name to write (give one such as build/model)")
        }
        do { return try CSourceTarget(name: name, symbol: symbol) } catch {
            let option = symbol == nil ? "--c-source \(name)" : "--symbol"
            throw ValidationError("\(option): \(error.description)"
                + (symbol == nil ? " (rename the files or give --symbol)" : ""))
        }
    }
}

/// The files `--c-source NAME` writes (`NAME.h`, `NAME.c`; NAME may hold folders, and a
/// trailing `.c` or `.h` is dropped) and the C identifier of the array: `--symbol`, else
/// NAME's file name, which must then be a C identifier itself.
struct CSourceTarget: Equatable {
    var headerPath: String
    var sourcePath: String
    /// The header's file name as the `.c` file includes it (same folder).
    var headerFileName: String
    var identifier: String

    init(name: String, symbol: String?) throws(CIdentifierError) {
        let (stem, fileName) = Self.stem(of: name)
        identifier = try CIdentifier.checked(symbol ?? fileName)
        headerPath = stem + ".h"
        sourcePath = stem + ".c"
        headerFileName = fileName + ".h"
    }

    /// NAME without a trailing `.c` or `.h`, and its last path component.
    static func stem(of name: String) -> (stem: String, fileName: String) {
        var stem = name
        if stem.hasSuffix(".c") || stem.hasSuffix(".h") { stem.removeLast(2) }
        return (stem, String(stem.split(separator: "/", omittingEmptySubsequences: false).last ?? ""))
    }
}
