/// Escaping of names (cells, scenarios, estimators) put into the HTML, SVG and Markdown
/// that a replay writes, so that a name is always shown as text and never read as markup
/// or as a table column.
enum TextEscaping {
    /// `text` for HTML / SVG element content and quoted attribute values: `&`, `<`, `>`, `"`
    /// and `'` as character references.
    static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// `text` for one cell of a Markdown table: `\` and `|` backslash-escaped, line breaks
    /// as spaces.
    static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: " ")
    }
}
