/// Why a name cannot be the C identifier of an exported blob array. Every case carries the
/// name as given.
public enum CIdentifierError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name is empty.
    case empty
    /// A character other than an ASCII letter, digit or `_`, at `offset` (0-based).
    case invalidCharacter(name: String, character: Character, offset: Int)
    /// The name starts with a digit.
    case startsWithDigit(name: String)
    /// The name is a C99 keyword (`int`, `const`…).
    case keyword(name: String)
    /// The name starts with `__` or `_` and a capital letter (reserved for the
    /// implementation, C99 7.1.3).
    case reserved(name: String)

    /// One sentence.
    public var description: String {
        switch self {
        case .empty: "the C identifier is empty"
        case let .invalidCharacter(name, character, offset):
            "'\(name)' is not a C identifier: '\(character)' at position \(offset + 1) "
                + "(use ASCII letters, digits and '_')"
        case let .startsWithDigit(name): "'\(name)' is not a C identifier: it starts with a digit"
        case let .keyword(name): "'\(name)' is a C keyword, not usable as an identifier"
        case let .reserved(name): "'\(name)' is reserved in C (starts with '__' or '_' and a capital letter)"
        }
    }
}

/// C identifiers for exported arrays and the macros derived from them.
public enum CIdentifier {
    /// The C99 keywords.
    static let keywords: Set<String> = [
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
        "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
        "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
        "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool", "_Complex", "_Imaginary",
    ]

    /// `name` itself when it is a usable C identifier (`[A-Za-z_][A-Za-z0-9_]*`, not a
    /// keyword, not reserved); throws why not. `bms_model` passes; `my-model`, `9lives`,
    /// `static` and `__blob` do not.
    public static func checked(_ name: String) throws(CIdentifierError) -> String {
        guard let first = name.first else { throw .empty }
        for (offset, c) in name.enumerated() where !(c.isASCII && (c.isLetter || c.isNumber || c == "_")) {
            throw .invalidCharacter(name: name, character: c, offset: offset)
        }
        if first.isNumber { throw .startsWithDigit(name: name) }
        if keywords.contains(name) { throw .keyword(name: name) }
        if name.hasPrefix("__") || (first == "_" && name.dropFirst().first?.isUppercase == true) {
            throw .reserved(name: name)
        }
        return name
    }

    /// The prefix of every macro exported with the array `name`: `name` in capitals
    /// (`bms_model` → `BMS_MODEL`, so `BMS_MODEL_SIZE`, `BMS_MODEL_WORKSPACE_WORDS`).
    public static func macroPrefix(_ name: String) -> String { name.uppercased() }
}
