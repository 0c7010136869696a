/// Fields of comma-separated output, quoted per RFC 4180: a field that holds a comma, a
/// double quote, CR or LF is wrapped in double quotes with each double quote doubled; any
/// other field is written as it is (so numbers and plain names are unchanged). Every CSV
/// file BMSim writes with text fields (comparison tables, telemetry, grids, predictions)
/// builds its lines here.
public enum CSVField {
    /// `field`, quoted when it needs to be.
    public static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One CSV line: the fields quoted, joined by commas, ending in `\n`.
    public static func line(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\n"
    }
}
