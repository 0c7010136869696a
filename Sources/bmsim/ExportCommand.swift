import ArgumentParser
import BMSCore
import CellModel
import Foundation
import WeightBlob

/// `bmsim export model.bmsq --c-source NAME [--symbol name]`: the blob as `NAME.c` (the
/// array, defined once) and `NAME.h` (`extern` declaration and `#define`s) for a firmware
/// build, and the flash and RAM it needs. `--c-header FILE.h` writes the older single
/// header (`static const` array: for a build with one translation unit that uses it).
/// `bmsim export --cell-model cell.json --c-source NAME`: the cell model as `NAME.c` (float32
/// tables and a `const bms_cell_model_t NAME`) and `NAME.h` for the C estimators
/// (`bms_soc.h`, Docs/CEstimators.md).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a validated .bmsq blob as C (NAME.c + NAME.h, or one header) and print its flash and RAM; "
            + "or, with --cell-model, a cell model for the C estimators.")

    @Argument(help: "The .bmsq blob (omit with --cell-model).")
    var blob: String?

    @Option(name: .customLong("cell-model"), help: ArgumentHelp(
        "Export this cell.json for the C estimators (bms_soc.h) instead of a blob; needs --c-source.", valueName: "cell.json"))
    var cellModel: String?

    @Option(name: .customLong("c-source"), help: ArgumentHelp(
        "Write NAME.c (the array, defined once) and NAME.h (extern declaration, sizes, workspace, model macros).",
        valueName: "NAME"))
    var cSource: String?

    @Option(name: .customLong("c-header"), help: ArgumentHelp(
        "Write one header with a static array instead (one translation unit only).", valueName: "FILE.h"))
    var cHeader: String?

    @Flag(name: .customLong("two-rc"), help: ArgumentHelp(
        "With --cell-model: also write the 2RC tables (bms_soc_two_rc_t), for the EKF on two R-C pairs "
            + "(bms_soc_ekf_init_pairs(..., 2)); about as much flash again as the 1RC tables. A model whose filters "
            + "run two pairs (cell.json filterPairs 2) gets them without it."))
    var twoRC = false

    @Option(help: "C identifier of the array (default: the file name of NAME, or of the header).")
    var symbol: String?

    @Flag(help: "Print nothing with --format table (JSON and CSV reports are still printed).")
    var quiet = false

    @OptionGroup var kernelLayout: KernelLayoutArgument
    @OptionGroup var format: FormatOption
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if cellModel != nil {
            guard blob == nil else { throw ValidationError("Give a .bmsq blob or --cell-model, not both.") }
            guard cHeader == nil else { throw ValidationError("--cell-model writes --c-source NAME (NAME.c and NAME.h), not --c-header.") }
            guard let name = cSource else { throw ValidationError("--cell-model needs --c-source NAME (NAME.c and NAME.h).") }
            _ = try sourceTarget(name)
            return
        }
        guard !twoRC else { throw ValidationError("--two-rc is for --cell-model (the cell model's 2RC tables), not a blob.") }
        guard blob != nil else { throw ValidationError("Give a .bmsq blob (or --cell-model cell.json).") }
        switch (cSource, cHeader) {
        case (nil, nil): throw ValidationError("Give --c-source NAME (NAME.c and NAME.h) or --c-header FILE.h.")
        case (.some, .some): throw ValidationError("Give one of --c-source and --c-header, not both.")
        case let (name?, nil): _ = try sourceTarget(name)
        case (nil, .some): break
        }
    }

    func run() throws {
        if cellModel != nil {
            let report = try exportCellModel()
            if quiet && format.format == .table { return }
            try format.print(report)
            return
        }
        let report = try export()
        if quiet && format.format == .table { return }
        try format.print(report)
    }

    /// Writes the cell model's `NAME.h` and `NAME.c` and returns what `run` prints.
    func exportCellModel() throws -> CellModelExportReport {
        let path = cellModel ?? ""
        let model = try CellModelFile.load(from: URL(fileURLWithPath: path))
        let target = try sourceTarget(cSource ?? "")
        let files = try CellModelCSourceEmitter.emit(model: model, identifier: target.identifier,
                                                 macroPrefix: CIdentifier.macroPrefix(target.identifier),
                                                 headerFileName: target.headerFileName, twoRC: twoRC)
        try write(header: files.header, source: files.source, to: target)
        return CellModelExportReport(files: [target.headerPath, target.sourcePath], symbol: target.identifier,
                                     tables: try CellModelCTables(model), tableBytes: files.tableBytes,
                                     twoRC: twoRC || model.filterPairs == 2, filterPairs: model.filterPairs ?? 1)
    }

    /// Writes `NAME.h` and `NAME.c`, after checking that neither path is refused.
    func write(header: String, source: String, to target: CSourceTarget) throws {
        try output.check(target.headerPath)
        try output.check(target.sourcePath)
        try output.write(header, to: target.headerPath)
        try output.write(source, to: target.sourcePath)
    }

    /// Writes the file(s) and returns what `run` prints.
    func export() throws -> ExportReport {
        let path = blob ?? ""
        let read = try InputBytes.read(path)
        let (decoded, bytes) = try kernelLayout.reencode(try BlobFile.decode(read, path: path), bytes: read)
        // The header carries the training envelope (PREFIX_ENVELOPE): a malformed one is refused, not dropped.
        do { _ = try TrainingEnvelope(metadata: decoded.model.metadataValue) } catch {
            throw CLIError.badInput(path: path, reason: "\(error.description); the C header could not carry it")
        }
        if let cSource {
            let target = try sourceTarget(cSource)
            let files = CSourceEmitter.emit(blob: decoded, bytes: bytes, identifier: target.identifier,
                                            headerFileName: target.headerFileName)
            try write(header: files.header, source: files.source, to: target)
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
