extension InputLocation {
    /// The 1-based line and column (in bytes) of byte `byteOffset` in the text `bytes`
    /// (clamped to the text).
    public static func text(file: String, bytes: [UInt8], byteOffset: Int) -> InputLocation {
        let end = min(max(byteOffset, 0), bytes.count)
        var line = 1, lineStart = 0
        for k in 0..<end where bytes[k] == UInt8(ascii: "\n") {
            line += 1
            lineStart = k + 1
        }
        return InputLocation(file: file, line: line, column: end - lineStart + 1)
    }

    /// Where a JSON parser's message (`"… around character 34."`, as Foundation's parser
    /// words it) points in `bytes`; the file alone when the message has no position.
    public static func json(file: String, bytes: [UInt8], parserMessage: String) -> InputLocation {
        let words = parserMessage.split(separator: " ")
        guard let k = words.firstIndex(of: "character"), k + 1 < words.count,
              let offset = Int(words[k + 1].prefix { $0.isNumber }) else {
            return InputLocation(file: file)
        }
        return text(file: file, bytes: bytes, byteOffset: offset)
    }
}
