import Foundation

/// The one JSON style of everything `bmsim` writes as a report (`comparison.json`, the
/// classical-eval report, every `--format json`): snake_case field names (converted from the
/// Swift property names by `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase`; dictionary
/// keys such as cell names are left as they are), sorted keys, pretty-printed, and the
/// non-finite numbers as the strings `"inf"`, `"-inf"` and `"nan"`.
public enum ReportJSON {
    /// The encoder of every report.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// The decoder of a report written by `encoder()`. It reads the older camelCase files
    /// too: `convertFromSnakeCase` leaves a key without underscores as it is.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// `value` encoded with `encoder()`.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try encoder().encode(value)
    }
}
