/// One layer of a network description.
public enum LayerSpec: Codable, Equatable, Sendable {
    /// LSTM with `units` hidden units (gate order i, f, g, o).
    case lstm(units: Int)
    /// Inverted dropout with drop probability `rate`.
    case dropout(rate: Double)
    /// Fully connected layer with an activation.
    case dense(units: Int, activation: Activation)
}

/// Errors in an architecture name or description.
public enum ArchitectureError: Error, Equatable, CustomStringConvertible {
    /// The name is neither a preset nor a parsable layer list.
    case unknownLayer(text: String, position: Int, expected: String)
    /// The layer list breaks a structural rule.
    case invalidStructure(reason: String)

    /// Human-readable message.
    public var description: String {
        switch self {
        case let .unknownLayer(text, position, expected):
            return "architecture: layer \(position + 1) '\(text)': expected \(expected)"
        case let .invalidStructure(reason):
            return "architecture: \(reason)"
        }
    }
}

/// A sequential network: one or more LSTM layers (with optional dropout between them),
/// then dense layers; the last layer is `Dense(1, linear)` giving scaled SOC.
///
/// Presets (`Architecture.named`):
/// - `tutorial`: LSTM(64) → Dropout(0.2) → LSTM(32) → Dropout(0.2) → Dense(16, relu) → Dense(1)
///   (the model of the benchmark task, Docs/Benchmark.md; 30,881 parameters);
/// - `lstm32`: LSTM(32) → Dense(1); `lstm16`: LSTM(16) → Dense(1);
/// - `lstm32-dense16`: LSTM(32) → Dense(16, relu) → Dense(1).
/// Any other text is read as a comma-separated list: `lstm:32,dropout:0.2,dense:16:relu,dense:1`.
public struct Architecture: Codable, Equatable, Sendable {
    /// Name (preset name or the layer list text).
    public var name: String
    /// Input features per step.
    public var inputSize: Int
    /// Layers in order.
    public var layers: [LayerSpec]

    /// Creates and validates an architecture.
    public init(name: String, inputSize: Int, layers: [LayerSpec]) throws(ArchitectureError) {
        self.name = name
        self.inputSize = inputSize
        self.layers = layers
        try validate()
    }

    /// The largest input size or layer width accepted (a model file claiming more is
    /// rejected before anything is allocated for it).
    public static let maxWidth = 4096

    /// Preset names.
    public static let presetNames = ["tutorial", "lstm32", "lstm16", "lstm32-dense16"]

    /// A preset by name, or a parsed layer list (see the type's summary).
    public static func named(_ text: String, inputSize: Int = 5) throws(ArchitectureError) -> Architecture {
        switch text {
        case "tutorial":
            return try Architecture(name: text, inputSize: inputSize, layers: [
                .lstm(units: 64), .dropout(rate: 0.2), .lstm(units: 32), .dropout(rate: 0.2),
                .dense(units: 16, activation: .relu), .dense(units: 1, activation: .linear)])
        case "lstm32":
            return try Architecture(name: text, inputSize: inputSize,
                                    layers: [.lstm(units: 32), .dense(units: 1, activation: .linear)])
        case "lstm16":
            return try Architecture(name: text, inputSize: inputSize,
                                    layers: [.lstm(units: 16), .dense(units: 1, activation: .linear)])
        case "lstm32-dense16":
            return try Architecture(name: text, inputSize: inputSize, layers: [
                .lstm(units: 32), .dense(units: 16, activation: .relu), .dense(units: 1, activation: .linear)])
        default:
            return try Architecture(name: text, inputSize: inputSize, layers: parseLayers(text))
        }
    }

    private static func parseLayers(_ text: String) throws(ArchitectureError) -> [LayerSpec] {
        var layers: [LayerSpec] = []
        for (position, part) in text.split(separator: ",").enumerated() {
            let fields = part.split(separator: ":").map(String.init)
            let expected = "lstm:UNITS, dropout:RATE or dense:UNITS[:relu|linear] (or a preset: \(presetNames.joined(separator: ", ")))"
            switch fields.first {
            case "lstm" where fields.count == 2:
                guard let u = Int(fields[1]), u > 0 else { throw .unknownLayer(text: String(part), position: position, expected: expected) }
                layers.append(.lstm(units: u))
            case "dropout" where fields.count == 2:
                guard let r = Double(fields[1]), r >= 0, r < 1 else { throw .unknownLayer(text: String(part), position: position, expected: "dropout rate in [0, 1)") }
                layers.append(.dropout(rate: r))
            case "dense" where fields.count == 2 || fields.count == 3:
                guard let u = Int(fields[1]), u > 0,
                      let act = Activation(rawValue: fields.count == 3 ? fields[2] : "linear")
                else { throw .unknownLayer(text: String(part), position: position, expected: expected) }
                layers.append(.dense(units: u, activation: act))
            default:
                throw .unknownLayer(text: String(part), position: position, expected: expected)
            }
        }
        return layers
    }

    /// Checks: inputs > 0; starts with LSTM; no LSTM after a dense layer; ends with Dense(1, linear)
    /// (the scaled SOC) or Dense(2, linear) (its mean and log-variance, `TrainingLoss.gaussianNLL`).
    public func validate() throws(ArchitectureError) {
        guard (1...Self.maxWidth).contains(inputSize) else {
            throw .invalidStructure(reason: "input size must be in 1…\(Self.maxWidth), found \(inputSize)")
        }
        for (k, layer) in layers.enumerated() {
            switch layer {
            case let .lstm(units), let .dense(units, _):
                guard (1...Self.maxWidth).contains(units) else {
                    throw .invalidStructure(reason: "layer \(k + 1): units must be in 1…\(Self.maxWidth), found \(units)")
                }
            case let .dropout(rate):
                guard rate >= 0 && rate < 1 else {
                    throw .invalidStructure(reason: "layer \(k + 1): dropout rate must be in [0, 1), found \(rate)")
                }
            }
        }
        guard case .lstm = layers.first else { throw .invalidStructure(reason: "the first layer must be an LSTM") }
        guard case let .dense(outputs, .linear)? = layers.last, outputs == 1 || outputs == 2 else {
            throw .invalidStructure(reason: "the last layer must be dense:1 (linear), the scaled SOC, or dense:2 (linear), its mean and log-variance")
        }
        var seenDense = false
        for layer in layers {
            switch layer {
            case .dense: seenDense = true
            case .lstm where seenDense: throw .invalidStructure(reason: "an LSTM cannot follow a dense layer")
            default: break
            }
        }
    }

    /// Outputs of the last layer: 1 (scaled SOC) or 2 (mean and log-variance).
    public var outputCount: Int {
        if case let .dense(units, _)? = layers.last { return units }
        return 1
    }

    /// The same layers with the last dense layer widened or narrowed to `outputs` (the head a
    /// `TrainingLoss` needs); the name gets `+nll` when the head has two outputs.
    public func withOutputs(_ outputs: Int) throws(ArchitectureError) -> Architecture {
        guard case let .dense(units, activation)? = layers.last else { return self }
        guard units != outputs else { return self }
        var copy = layers
        copy[copy.count - 1] = .dense(units: outputs, activation: activation)
        return try Architecture(name: outputs == 2 ? name + "+nll" : name, inputSize: inputSize, layers: copy)
    }

    /// Index of the last LSTM layer.
    public var lastLSTMIndex: Int {
        layers.lastIndex { if case .lstm = $0 { return true } else { return false } } ?? 0
    }

    /// Trainable parameter count of each layer (LSTM: 4H(I+H+1); dense: out(in+1)).
    public var parameterCounts: [Int] {
        var width = inputSize
        return layers.map { layer in
            switch layer {
            case let .lstm(h): defer { width = h }; return 4 * h * (width + h + 1)
            case .dropout: return 0
            case let .dense(u, _): defer { width = u }; return u * (width + 1)
            }
        }
    }
}
