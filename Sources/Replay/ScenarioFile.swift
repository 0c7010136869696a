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
            data = Data(try InputFile.read(path: path))
        } catch {
            throw .unreadable(path: path, reason: error.reason)
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
            if context.codingPath.isEmpty, let syntax = jsonSyntaxError(data) {
                throw .scenarioFile(location: .json(file: file, bytes: [UInt8](data), parserMessage: syntax),
                                    detail: "not valid JSON: \(syntax)")
            }
            throw .scenarioFile(location: InputLocation(file: file),
                                detail: "field '\(path(context.codingPath))': \(context.debugDescription)")
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

    /// The JSON parser's message for bytes that are not JSON at all, nil for valid JSON.
    static func jsonSyntaxError(_ data: Data) -> String? {
        do { _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]); return nil } catch {
            return (error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"
        }
    }
}
