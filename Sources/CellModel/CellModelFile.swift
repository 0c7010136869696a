import BMSCore
import Foundation

/// The `cell.json` file: a cell model (OCV table per temperature, 1RC and 2RC Thevenin
/// tables over SOC × temperature, capacity, fit report) as JSON, with validation.
///
/// Layout (all tables are `[temperature][soc]`; RC tables `[pair][temperature][soc]`):
/// ```json
/// { "format": "bmsim-cell-model", "version": 1, "cell": "NASA 18650 (train split)",
///   "capacityAh": 1.61, "coulombicEfficiency": 1.0,
///   "capacityByTemperature": { "temperaturesC": [4, 24, 43], "capacityAh": [1.2, 1.7, 1.6] },
///   "designCapacityByTemperature": { "temperaturesC": [4, 24, 43], "capacityAh": [1.5, 1.8, 1.8] },  (optional)
///   "ocv": { "socPoints": [...], "temperaturesC": [...], "voltageV": [[...]] },
///   "thevenin1RC": { "socPoints": [...], "temperaturesC": [...], "r0Ohm": [[...]],
///                    "rOhm": [[[...]]], "cF": [[[...]]] },
///   "thevenin2RC": { ... },
///   "restRelaxation": { "minimumRestS": 64, "maximumRestS": 1.1e6,            (optional)
///                       "groups": [{ "temperatureC": 5.5, "slopeVPerLogS": -0.0077,
///                                    "referenceRestS": 285, ... }] },
///   "restedOCVTrustedFromSOC": 0.57,                                          (optional)
///   "socZeroLoadedVoltageV": 2.7,                                             (optional)
///   "hysteresis": { "groups": [{ "temperatureC": 25, "maximumV": 0.02,        (optional, version 2)
///                                "instantaneousV": 0.005, "rateConstant": 30 }] },
///   "chargeTransfer": { "groups": [{ "temperatureC": 0, "coefficientV": 0.02, (optional, version 3)
///                                    "referenceCurrentA": 2.5 }] },
///   "filterPairs": 2,                                                         (optional, version 4)
///   "fitReport": { ... } }
/// ```
/// Version 1 is every file without hysteresis (written as before, byte for byte); a model with
/// hysteresis is written as version 2, so that a build from before it refuses the file
/// (`unsupportedFormat`) instead of running the model without its hysteresis; a model with the
/// charge-transfer term (`ChargeTransfer`) as version 3, for the same reason; a model that asks
/// its filters to run on two R–C pairs (`filterPairs`) as version 4, so that an older build refuses
/// it instead of running `ekf` and `ukf` on one pair. All four load.
/// Non-finite numbers may be written as the strings `"NaN"`, `"inf"`, `"-inf"`; they are
/// read so that validation can reject them with the field's name.
public enum CellModelFile {
    /// The `format` string.
    public static let formatName = "bmsim-cell-model"
    /// The newest version this build writes and reads (4: with `filterPairs`).
    public static let version = 4
    /// The versions this build reads: 1 (no hysteresis), 2 (hysteresis), 3 (charge transfer) and
    /// 4 (filter pairs).
    public static let supportedVersions: ClosedRange<Int> = 1...4
    /// The version a model is written as: 4 with `filterPairs`, else 3 with a charge-transfer
    /// term, else 2 with hysteresis, else 1 (files as before).
    public static func version(of model: CellModelParameters) -> Int {
        model.filterPairs != nil ? 4 : model.chargeTransfer != nil ? 3 : (model.hysteresis == nil ? 1 : 2)
    }

    /// Reads and validates a model file.
    public static func load(from url: URL) throws(CellModelFileError) -> CellModelParameters {
        let data: Data
        do {
            data = Data(try InputFile.read(path: url.path))
        } catch {
            throw .unreadable(file: url.path, reason: error.reason)
        }
        return try decode(data, file: url.path)
    }

    /// Parses and validates model JSON; `file` names the source in errors.
    public static func decode(_ data: Data, file: String = "<memory>")
        throws(CellModelFileError) -> CellModelParameters {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
        let doc: CellModelDocument
        do {
            doc = try decoder.decode(CellModelDocument.self, from: data)
        } catch let error as DecodingError {
            if case let .dataCorrupted(context) = error, context.codingPath.isEmpty,
               let syntax = jsonSyntaxError(data) {
                throw .malformed(file: "\(InputLocation.json(file: file, bytes: [UInt8](data), parserMessage: syntax))",
                                 field: "(root)", detail: "not valid JSON: \(syntax)")
            }
            throw map(error, file: file)
        } catch {
            throw .malformed(file: file, field: "(root)", detail: "\(error)")
        }
        return try CellModelValidation(file: file).parameters(from: doc)
    }

    /// Encodes a model as pretty-printed JSON.
    public static func encode(_ model: CellModelParameters) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
        return try encoder.encode(CellModelDocument(model))
    }

    /// The JSON parser's message for bytes that are not JSON at all, nil for valid JSON.
    static func jsonSyntaxError(_ data: Data) -> String? {
        do { _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]); return nil } catch {
            return (error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        var s = ""
        for key in codingPath {
            if let i = key.intValue { s += "[\(i)]" } else { s += s.isEmpty ? key.stringValue : "." + key.stringValue }
        }
        return s.isEmpty ? "(root)" : s
    }

    static func map(_ error: DecodingError, file: String) -> CellModelFileError {
        switch error {
        case .keyNotFound(let key, let ctx):
            return .missingField(file: file, field: path(ctx.codingPath + [key]))
        case .valueNotFound(_, let ctx):
            return .missingField(file: file, field: path(ctx.codingPath))
        case .typeMismatch(let type, let ctx):
            return .malformed(file: file, field: path(ctx.codingPath), detail: "expected \(type)")
        case .dataCorrupted(let ctx):
            return .malformed(file: file, field: path(ctx.codingPath), detail: ctx.debugDescription)
        @unknown default:
            return .malformed(file: file, field: "(root)", detail: "\(error)")
        }
    }
}

/// JSON shape of a table over SOC × temperature.
struct OCVDocument: Codable {
    var socPoints: [Double]
    var temperaturesC: [Double]
    var voltageV: [[Double]]
}

/// JSON shape of a Thevenin model.
struct TheveninDocument: Codable {
    var socPoints: [Double]
    var temperaturesC: [Double]
    var r0Ohm: [[Double]]
    var rOhm: [[[Double]]]
    var cF: [[[Double]]]
}

/// JSON shape of the default capacity over temperature.
struct CapacityDocument: Codable {
    var temperaturesC: [Double]
    var capacityAh: [Double]
}

/// JSON shape of the whole file.
struct CellModelDocument: Codable {
    var format: String
    var version: Int
    var cell: String
    var capacityAh: Double
    var coulombicEfficiency: Double
    var capacityByTemperature: CapacityDocument?
    var designCapacityByTemperature: CapacityDocument?
    var ocv: OCVDocument
    var thevenin1RC: TheveninDocument
    var thevenin2RC: TheveninDocument
    var restRelaxation: RestRelaxation?
    var restedOCVTrustedFromSOC: Double?
    var socZeroLoadedVoltageV: Double?
    var hysteresis: Hysteresis?
    var chargeTransfer: ChargeTransfer?
    /// A number, not an `Int`: Foundation reports 1.5 read as an `Int` without the field's name;
    /// validation refuses anything but 1 and 2 with it.
    var filterPairs: Double?
    var fitReport: FitReport

    init(_ m: CellModelParameters) {
        func rows(_ t: SOCTemperatureTable) -> [[Double]] {
            let n = t.socPoints.count
            return (0..<t.temperaturesC.count).map { Array(t.values[($0 * n)..<($0 * n + n)]) }
        }
        func thevenin(_ p: TheveninParameters) -> TheveninDocument {
            TheveninDocument(socPoints: p.r0Ohm.socPoints, temperaturesC: p.r0Ohm.temperaturesC,
                             r0Ohm: rows(p.r0Ohm), rOhm: p.pairs.map { rows($0.resistanceOhm) },
                             cF: p.pairs.map { rows($0.capacitanceF) })
        }
        format = CellModelFile.formatName
        version = CellModelFile.version(of: m)
        cell = m.cellName
        capacityAh = m.capacityAh
        coulombicEfficiency = m.coulombicEfficiency
        capacityByTemperature = m.capacityByTemperature.map {
            CapacityDocument(temperaturesC: $0.temperaturesC, capacityAh: $0.capacityAh)
        }
        designCapacityByTemperature = m.designCapacityByTemperature.map {
            CapacityDocument(temperaturesC: $0.temperaturesC, capacityAh: $0.capacityAh)
        }
        ocv = OCVDocument(socPoints: m.ocv.table.socPoints, temperaturesC: m.ocv.table.temperaturesC,
                          voltageV: rows(m.ocv.table))
        thevenin1RC = thevenin(m.thevenin1RC)
        thevenin2RC = thevenin(m.thevenin2RC)
        restRelaxation = m.restRelaxation
        restedOCVTrustedFromSOC = m.restedOCVTrustedFromSOC
        socZeroLoadedVoltageV = m.socZeroLoadedVoltageV
        hysteresis = m.hysteresis
        chargeTransfer = m.chargeTransfer
        filterPairs = m.filterPairs.map(Double.init)
        fitReport = m.fitReport
    }
}
