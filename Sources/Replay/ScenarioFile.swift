import BMSCore
import Foundation

extension ReplayScenario {
    /// Resolves a `--scenario` argument: a preset name, else a path to a JSON scenario file.
    public static func resolve(_ nameOrPath: String) throws(ReplayError) -> ReplayScenario {
        if let preset = preset(named: nameOrPath) { return preset }
        guard FileManager.default.fileExists(atPath: nameOrPath) else {
            throw .unknownScenario(name: nameOrPath, known: presets.map(\.name))
        }
        return try load(path: nameOrPath)
    }

    /// Reads a scenario JSON file (format in `Docs/BMSLoop.md`).
    public static func load(path: String) throws(ReplayError) -> ReplayScenario {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .scenarioFile(location: InputLocation(file: path), detail: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, file: path)
    }

    /// Decodes a scenario from JSON bytes and checks its values (`validate()`); `file`
    /// names the source in errors.
    public static func decode(_ data: Data, file: String) throws(ReplayError) -> ReplayScenario {
        let scenario = try decodeFields(data, file: file)
        do { try scenario.validate() } catch {
            throw .scenarioFile(location: InputLocation(file: file), detail: "\(error)")
        }
        return scenario
    }

    private static func decodeFields(_ data: Data, file: String) throws(ReplayError) -> ReplayScenario {
        do {
            return try JSONDecoder().decode(ReplayScenario.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .scenarioFile(location: InputLocation(file: file),
                                detail: "missing field '\(path(context.codingPath + [key]))'")
        } catch let DecodingError.typeMismatch(type, context) {
            throw .scenarioFile(location: InputLocation(file: file),
                                detail: "field '\(path(context.codingPath))': expected \(type)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw .scenarioFile(location: InputLocation(file: file),
                                detail: "field '\(path(context.codingPath))': expected \(type), found null")
        } catch let DecodingError.dataCorrupted(context) {
            let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
            throw .scenarioFile(location: InputLocation(file: file, byteOffset: byteOffset(in: underlying)),
                                detail: "not valid JSON at '\(path(context.codingPath))': \(underlying ?? context.debugDescription)")
        } catch {
            throw .scenarioFile(location: InputLocation(file: file), detail: "\(error)")
        }
    }

    /// The scenario as pretty-printed JSON (for `--print-scenario` and docs).
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return (try? encoder.encode(self)) ?? Data()
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    private static func byteOffset(in message: String?) -> Int? {
        guard let message, let range = message.range(of: "character ") else { return nil }
        return Int(message[range.upperBound...].prefix { $0.isNumber })
    }
}
