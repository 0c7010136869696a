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

    /// Creates one layer's entry (only the fields of its kind are set).
    public init(kind: String, inputSize: Int? = nil, units: Int? = nil, kernel: [Float]? = nil,
                recurrentKernel: [Float]? = nil, weight: [Float]? = nil, bias: [Float]? = nil,
                activation: Activation? = nil, rate: Double? = nil) {
        self.kind = kind
        self.inputSize = inputSize
        self.units = units
        self.kernel = kernel
        self.recurrentKernel = recurrentKernel
        self.weight = weight
        self.bias = bias
        self.activation = activation
        self.rate = rate
    }
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
    /// The NASA cells trained on when they were not the benchmark split's (`bmsim train
    /// --train-cells`); nil (and absent from the file) for the dataset's own split.
    public var trainCells: [String]?
    /// λ of `bmsim shrink` (`scalingCorrection(by:)`): the network's correction to its prior
    /// scaled by it after training; nil (and absent from the file) for a model as trained.
    public var correctionScale: Double?

    /// Creates the metadata.
    public init(config: TrainingConfig, epochsRun: Int, bestEpoch: Int, dataHash: String, bestValidationLoss: Double?,
                trainCells: [String]? = nil, correctionScale: Double? = nil) {
        self.config = config
        self.epochsRun = epochsRun
        self.bestEpoch = bestEpoch
        self.dataHash = dataHash
        self.bestValidationLoss = bestValidationLoss
        self.trainCells = trainCells
        self.correctionScale = correctionScale
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
    public var stepSeconds: Double = FloatModelFile.gridStepSeconds
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
    /// Seconds between steps of the benchmark task's grid (the default `stepSeconds`).
    public static let gridStepSeconds = 10.0

    /// Creates a model file from its parts (`Trainer` captures a network's weights with
    /// `init(network:scalers:training:)`).
    public init(architecture: Architecture, layers: [LayerWeights], scalers: Scalers, training: TrainingMetadata,
                features: [String]) {
        self.architecture = architecture
        self.layers = layers
        self.scalers = scalers
        self.training = training
        self.features = features
    }

    /// The checks `makeNetwork` makes before it allocates: as many stored layers as the
    /// architecture has, each of the architecture's kind with tensors of the right lengths.
    package func checkLayers() throws(FloatModelFileError) {
        guard layers.count == architecture.layers.count else {
            throw .architectureMismatch(layer: layers.count, expected: "\(architecture.layers.count) layers", found: "\(layers.count)")
        }
        try checkStoredCounts()
    }

    /// Compares every stored tensor's length with what the architecture needs, before the
    /// network (sized by the architecture alone) is allocated.
    private func checkStoredCounts() throws(FloatModelFileError) {
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
        do { try file.checkLayers() } catch {
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
