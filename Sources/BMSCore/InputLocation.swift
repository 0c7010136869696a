/// Where in an input something went wrong: the file and, as far as known, the line and
/// column (text formats) or the byte offset (binary formats). Carried by every loading
/// error so that a user can open the file at the right place.
public struct InputLocation: Sendable, Equatable, CustomStringConvertible {
    /// File path or another name of the source (e.g. `"<memory>"`).
    public var file: String
    /// 1-based line, for text inputs.
    public var line: Int?
    /// 1-based column (field number for CSV), for text inputs.
    public var column: Int?
    /// 0-based byte offset, for binary inputs.
    public var byteOffset: Int?

    /// Creates a location.
    public init(file: String, line: Int? = nil, column: Int? = nil, byteOffset: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.byteOffset = byteOffset
    }

    /// `file:line:column` or `file@byte N`.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let column { s += ":\(column)" }
        if let byteOffset { s += " @ byte \(byteOffset)" }
        return s
    }
}
