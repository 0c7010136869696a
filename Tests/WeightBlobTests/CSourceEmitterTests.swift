import BMSCore
import Foundation
import Testing
import TestSupport
import WeightBlob

/// `CSourceEmitter` (`bmsim export --c-source`): the header's comments name only macros it
/// defines, the runtime header's usage comment agrees with the export's naming, the array
/// is declared in the header and defined in the source, and names are checked.
struct CSourceEmitterTests {
    static let goldenFolders = ["golden", "golden-charge", "golden-v3"]

    static func export(_ folder: String, identifier: String = "bms_model") throws -> (files: CSourceEmitter.Files, bytes: [UInt8]) {
        let url = SharedData.fixtures.appendingPathComponent("\(folder)/golden-model.bmsq")
        let bytes = [UInt8](try Data(contentsOf: url))
        let files = CSourceEmitter.emit(blob: try BlobReader.decode(bytes), bytes: bytes, identifier: identifier,
                                        headerFileName: "\(identifier).h")
        return (files, bytes)
    }

    /// Names given by `#define NAME …` lines.
    static func definedMacros(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            return words.count >= 2 && words[0] == "#define" ? String(words[1]) : nil
        })
    }

    /// Every `PREFIX_…` word inside the `/* … */` comments of `text` (not `PREFIX_*`, the
    /// family's name).
    static func macroNamesInComments(_ text: String, prefix: String) -> Set<String> {
        var names = Set<String>()
        var rest = Substring(text)
        while let open = rest.range(of: "/*"), let close = rest[open.upperBound...].range(of: "*/") {
            let comment = rest[open.upperBound..<close.lowerBound]
            for word in comment.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
            where word.hasPrefix(prefix + "_") && !word.hasSuffix("_") {
                names.insert(String(word))
            }
            rest = rest[close.upperBound...]
        }
        return names
    }

    @Test("every macro the generated header's comments name is defined in it", arguments: goldenFolders)
    func headerCommentAgreesWithItsMacros(_ folder: String) throws {
        let (files, _) = try Self.export(folder)
        let named = Self.macroNamesInComments(files.header, prefix: "BMS_MODEL")
        let defined = Self.definedMacros(files.header)
        #expect(named.isSuperset(of: ["BMS_MODEL_SIZE", "BMS_MODEL_WORKSPACE_WORDS", "BMS_MODEL_STATE_BYTES"]))
        #expect(named.subtracting(defined).isEmpty, "named in a comment but not defined: \(named.subtracting(defined))")
        #expect(defined.isSuperset(of: ["BMS_MODEL_H", "BMS_MODEL_CRC32", "BMS_MODEL_FEATURES", "BMS_MODEL_LSTM_LAYERS",
                                        "BMS_MODEL_LSTM0_HIDDEN", "BMS_MODEL_FORMAT_VERSION", "BMS_MODEL_CHARGE_STEP_S",
                                        "BMS_MODEL_WORKSPACE_BYTES", "BMS_MODEL_ALIGNED"]))
    }

    @Test("bms_lstm.h's usage comment names only macros an export under its identifier defines")
    func runtimeHeaderCommentAgreesWithTheExport() throws {
        let runtime = try String(contentsOf: SharedData.packageRoot.appendingPathComponent(
            "Sources/CBMSRuntime/include/bms_lstm.h"), encoding: .utf8)
        let end = try #require(runtime.range(of: "*/"))
        let usage = String(runtime[..<end.upperBound])
        #expect(usage.contains("--c-source bms_model"))
        let named = Self.macroNamesInComments(usage, prefix: "BMS_MODEL")
        #expect(named.contains("BMS_MODEL_WORKSPACE_WORDS") && named.contains("BMS_MODEL_SIZE"))
        for folder in Self.goldenFolders {
            let defined = Self.definedMacros(try Self.export(folder).files.header)
            #expect(named.subtracting(defined).isEmpty, "\(folder): \(named.subtracting(defined))")
        }
        // No unprefixed spelling (the old MODEL_WORKSPACE_WORDS) is left in the comment.
        let bare = usage.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
            .filter { $0.hasPrefix("MODEL_") }
        #expect(bare.isEmpty, "\(bare)")
    }

    @Test("the header declares the array extern; the source defines it once, aligned, with the blob's bytes")
    func arrayIsDeclaredInTheHeaderAndDefinedInTheSource() throws {
        let (files, bytes) = try Self.export("golden-v3", identifier: "m")
        #expect(files.header.contains("extern const uint8_t m[M_SIZE];"))
        #expect(!files.header.contains("static const uint8_t") && !files.header.contains("= {"))
        #expect(files.source.hasPrefix("/* Generated") && files.source.contains("#include \"m.h\"\n"))
        #expect(files.source.components(separatedBy: "const uint8_t m[M_SIZE] M_ALIGNED = {").count == 2)
        #expect(!files.source.contains("static"))
        let body = files.source.split(separator: "{", maxSplits: 1)[1].split(separator: "}")[0]
        #expect(body.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map { UInt8($0.dropFirst(2), radix: 16)! } == bytes)
        #expect(files.header.contains("#define M_SIZE \(bytes.count)u"))
        #expect(files.header.contains("#define M_FORMAT_VERSION 3 "))
    }

    @Test("metadata becomes a comment that cannot be closed early")
    func metadataCannotEndTheComment() throws {
        var rng = SeededGenerator(seed: 3)
        var model = BlobModel.random(using: &rng)
        model.metadata = [BlobMetadataEntry(key: "note", value: "a */ int x; /* b")]
        let bytes = try BlobWriter.encode(model)
        let header = CSourceEmitter.emit(blob: try BlobReader.decode(bytes), bytes: bytes, identifier: "m",
                                         headerFileName: "m.h").header
        #expect(header.contains(" *   note = a * / int x; / * b"))
        #expect(Self.macroNamesInComments(header, prefix: "M").subtracting(Self.definedMacros(header)).isEmpty)
    }

    @Test("names that are not C identifiers are refused with the reason")
    func identifierCheck() throws {
        #expect(try CIdentifier.checked("bms_model") == "bms_model")
        #expect(try CIdentifier.checked("_model2") == "_model2")
        let refused: [(String, CIdentifierError)] = [
            ("", .empty),
            ("my-model", .invalidCharacter(name: "my-model", character: "-", offset: 2)),
            ("modèle", .invalidCharacter(name: "modèle", character: "è", offset: 3)),
            ("9lives", .startsWithDigit(name: "9lives")),
            ("static", .keyword(name: "static")),
            ("__blob", .reserved(name: "__blob")),
            ("_Model", .reserved(name: "_Model")),
        ]
        for (name, expected) in refused {
            #expect(throws: expected) { try CIdentifier.checked(name) }
        }
        #expect(CIdentifierError.invalidCharacter(name: "my-model", character: "-", offset: 2).description
            == "'my-model' is not a C identifier: '-' at position 3 (use ASCII letters, digits and '_')")
    }
}
