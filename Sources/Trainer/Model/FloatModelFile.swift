import BMSCore
import CellData
import Foundation

/// Errors reading or applying a float model file.
public enum FloatModelFileError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read or written.
    case io(path: String, reason: String)
    /// The JSON does not decode as a model file.
    case malformed(path: String, reason: String)
    /// Unknown format tag or version.
    case unsupportedFormat(path: String, expected: String, found: String)
    /// A tensor has the wrong number of values for its layer.
    case shapeMismatch(layer: Int, tensor: String, expectedCount: Int, foundCount: Int)
    /// Layer list and architecture disagree.
    case architectureMismatch(layer: Int, expected: String, found: String)
    /// A field holds a value the engine cannot use (range, count, unknown name).
    case invalidField(path: String, field: String, reason: String)

    /// Human-readable message.
    public var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .malformed(path, reason): return "\(path): not a BMSim float model (\(reason))"
        case let .unsupportedFormat(path, expected, found): return "\(path): expected format \(expected), found \(found)"
        case let .shapeMismatch(layer, tensor, expected, found):
            return "layer \(layer): \(tensor) has \(found) values, expected \(expected)"
        case let .architectureMismatch(layer, expected, found):
            return "layer \(layer): architecture says \(expected), weights are \(found)"
        case let .invalidField(path, field, reason): return "\(path): \(field): \(reason)"
        }
    }
}

/// The weights of one layer in a model file (row-major; LSTM gate rows in order i, f, g, o).
public struct LayerWeights: Codable, Equatable, Sendable {
    /// `lstm`, `dropout` or `dense`.
    public var kind: String
    /// Input width (lstm, dense).
    public var inputSize: Int?
    /// Units (lstm, dense).
    public var units: Int?
    /// LSTM `kernel [4H × I]`.
    public var kernel: [Float]?
    /// LSTM `recurrentKernel [4H × H]`.
    public var recurrentKernel: [Float]?
    /// Dense `weight [out × in]`.
    public var weight: [Float]?
    /// Bias (`[4H]` or `[out]`).
    public var bias: [Float]?
    /// Dense activation.
    public var activation: Activation?
    /// Dropout rate.
    public var rate: Double?
}

/// Where a model came from.
public struct TrainingMetadata: Codable, Equatable, Sendable {
    /// The full training configuration (mode, seed, epochs, …).
    public var config: TrainingConfig
    /// Epochs run.
    public var epochsRun: Int
    /// Epoch whose weights were kept (from 1).
    public var bestEpoch: Int
    /// Hash of the grid data the model was trained on (`SOCDataset.dataHash`).
    public var dataHash: String
    /// Best validation loss (scaled MSE).
    public var bestValidationLoss: Double?

    /// Creates the metadata.
    public init(config: TrainingConfig, epochsRun: Int, bestEpoch: Int, dataHash: String, bestValidationLoss: Double?) {
        self.config = config
        self.epochsRun = epochsRun
        self.bestEpoch = bestEpoch
        self.dataHash = dataHash
        self.bestValidationLoss = bestValidationLoss
    }
}

/// The float model file written by `bmsim train` (`model.json`): architecture, weights,
/// scalers and training metadata. Feature order: voltage V, current A (+ = charge),
/// temperature °C, Δcurrent A, Δvoltage V per 10 s step; output: scaled SOC,
/// `soc = y · (yMax − yMin) + yMin`.
public struct FloatModelFile: Codable, Equatable, Sendable {
    /// Format tag.
    public var format: String = FloatModelFile.formatTag
    /// Format version.
    public var version: Int = 1
    /// Gate order of LSTM rows.
    public var gateOrder: String = "i,f,g,o"
    /// Feature names in input order.
    public var features: [String] = ["voltage_V", "current_A", "temperature_C", "d_current_A", "d_voltage_V"]
    /// Seconds between steps.
    public var stepSeconds: Double = GridCycle.gridStepS
    /// Architecture.
    public var architecture: Architecture
    /// Weights per layer, in architecture order.
    public var layers: [LayerWeights]
    /// Input and output scalers.
    public var scalers: Scalers
    /// Training metadata.
    public var training: TrainingMetadata

    /// Format tag written and expected.
    public static let formatTag = "bmsim-float-lstm"

    /// Captures `network`'s current weights.
    public init(network: Network, scalers: Scalers, training: TrainingMetadata) {
        architecture = network.architecture
        layers = network.layers.map { layer in
            switch layer {
            case let .lstm(l):
                return LayerWeights(kind: "lstm", inputSize: l.inputSize, units: l.units, kernel: l.kernel.values,
                                    recurrentKernel: l.recurrentKernel.values, bias: l.bias.values)
            case let .dropout(d):
                return LayerWeights(kind: "dropout", rate: Double(d.rate))
            case let .dense(d):
                return LayerWeights(kind: "dense", inputSize: d.inputSize, units: d.units, weight: d.weight.values,
                                    bias: d.bias.values, activation: d.activation)
            }
        }
        self.scalers = scalers
        self.training = training
        features = training.config.featureSet.names
    }

    /// Builds a network holding these weights (checks every shape).
    public func makeNetwork() throws(FloatModelFileError) -> Network {
        do { try architecture.validate() } catch { throw .architectureMismatch(layer: 0, expected: "a valid architecture", found: error.description) }
        guard layers.count == architecture.layers.count else {
            throw .architectureMismatch(layer: layers.count, expected: "\(architecture.layers.count) layers", found: "\(layers.count)")
        }
        try checkStoredCounts()
        let network = Network(architecture: architecture, seed: training.config.seed)
        func put(_ values: [Float]?, _ tensor: Tensor, layer: Int, name: String) throws(FloatModelFileError) {
            guard let values, values.count == tensor.count else {
                throw .shapeMismatch(layer: layer, tensor: name, expectedCount: tensor.count, foundCount: values?.count ?? 0)
            }
            values.withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress!, count: values.count) }
        }
        for (k, (stored, built)) in zip(layers, network.layers).enumerated() {
            switch built {
            case let .lstm(l):
                guard stored.kind == "lstm" else { throw .architectureMismatch(layer: k, expected: "lstm", found: stored.kind) }
                try put(stored.kernel, l.kernel, layer: k, name: "kernel")
                try put(stored.recurrentKernel, l.recurrentKernel, layer: k, name: "recurrentKernel")
                try put(stored.bias, l.bias, layer: k, name: "bias")
            case .dropout:
                guard stored.kind == "dropout" else { throw .architectureMismatch(layer: k, expected: "dropout", found: stored.kind) }
            case let .dense(d):
                guard stored.kind == "dense" else { throw .architectureMismatch(layer: k, expected: "dense", found: stored.kind) }
                try put(stored.weight, d.weight, layer: k, name: "weight")
                try put(stored.bias, d.bias, layer: k, name: "bias")
            }
        }
        return network
    }

    /// Compares every stored tensor's length with what the architecture needs, before the
    /// network (sized by the architecture alone) is allocated.
    func checkStoredCounts() throws(FloatModelFileError) {
        var width = architecture.inputSize
        func check(_ values: [Float]?, _ expected: Int, layer: Int, name: String) throws(FloatModelFileError) {
            guard let values, values.count == expected else {
                throw .shapeMismatch(layer: layer, tensor: name, expectedCount: expected, foundCount: values?.count ?? 0)
            }
        }
        for (k, (spec, stored)) in zip(architecture.layers, layers).enumerated() {
            switch spec {
            case let .lstm(h):
                guard stored.kind == "lstm" else { throw .architectureMismatch(layer: k, expected: "lstm", found: stored.kind) }
                try check(stored.kernel, 4 * h * width, layer: k, name: "kernel")
                try check(stored.recurrentKernel, 4 * h * h, layer: k, name: "recurrentKernel")
                try check(stored.bias, 4 * h, layer: k, name: "bias")
                width = h
            case .dropout:
                guard stored.kind == "dropout" else { throw .architectureMismatch(layer: k, expected: "dropout", found: stored.kind) }
            case let .dense(u, _):
                guard stored.kind == "dense" else { throw .architectureMismatch(layer: k, expected: "dense", found: stored.kind) }
                try check(stored.weight, u * width, layer: k, name: "weight")
                try check(stored.bias, u, layer: k, name: "bias")
                width = u
            }
        }
    }

    /// Reads and checks a model file.
    public static func read(from url: URL) throws(FloatModelFileError) -> FloatModelFile {
        let data: Data
        do { data = Data(try InputFile.read(path: url.path)) } catch { throw .io(path: url.path, reason: error.reason) }
        return try decode(data, path: url.path)
    }

    /// Decodes and checks model JSON held in memory; `path` names the source in errors.
    public static func decode(_ data: Data, path: String = "<memory>") throws(FloatModelFileError) -> FloatModelFile {
        let file: FloatModelFile
        do { file = try JSONDecoder().decode(FloatModelFile.self, from: data) } catch {
            if let syntax = jsonSyntaxError(data) {
                throw .malformed(path: "\(InputLocation.json(file: path, bytes: [UInt8](data), parserMessage: syntax))",
                                 reason: "not valid JSON: \(syntax)")
            }
            throw .malformed(path: path, reason: Self.decodingMessage(error))
        }
        guard file.format == formatTag, file.version == 1 else {
            throw .unsupportedFormat(path: path, expected: "\(formatTag) v1", found: "\(file.format) v\(file.version)")
        }
        do { try file.architecture.validate() } catch {
            throw .malformed(path: path, reason: error.description)
        }
        try file.checkFields(path: path)
        do { _ = try file.makeNetwork() } catch {
            throw .malformed(path: path, reason: error.description)   // shape errors name the file too
        }
        return file
    }

    /// The JSON parser's message for bytes that are not JSON at all, nil for valid JSON.
    static func jsonSyntaxError(_ data: Data) -> String? {
        do { _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]); return nil } catch {
            return (error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"
        }
    }

    /// A decoding error in one line: the field path and what was wrong with it.
    static func decodingMessage(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
        }
        switch error as? DecodingError {
        case let .keyNotFound(key, context)?: return "missing field '\(path(context.codingPath + [key]))'"
        case let .typeMismatch(type, context)?: return "field '\(path(context.codingPath))': expected \(type)"
        case let .valueNotFound(type, context)?: return "field '\(path(context.codingPath))': expected \(type), found null"
        case let .dataCorrupted(context)?: return "field '\(path(context.codingPath))': \(context.debugDescription)"
        default: return "\(error)"
        }
    }

    /// The file's JSON (sorted keys).
    public func encoded() throws(FloatModelFileError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return try encoder.encode(self) } catch { throw .malformed(path: "(model being written)", reason: "\(error)") }
    }

    /// Writes the file atomically (temporary file, then rename) through `OutputPath.write`:
    /// only over a regular file or nothing.
    public func write(to url: URL, followSymlinks: Bool = false) throws(FloatModelFileError) {
        let data = try encoded()
        do { try OutputPath.write(data, to: url, followSymlinks: followSymlinks) } catch {
            throw .io(path: url.path, reason: error.reason)
        }
    }
}
