/// Names of features and activations as they appear in JSON models and `bmsim inspect`.
extension InputFeature: CustomStringConvertible, Codable {
    /// `voltage`, `current`, `temperature`, `d_current`, `d_voltage` (the benchmark task's names, Docs/Benchmark.md), `charge_drawn`.
    public var description: String {
        switch self {
        case .voltage: "voltage"
        case .current: "current"
        case .temperature: "temperature"
        case .dCurrent: "d_current"
        case .dVoltage: "d_voltage"
        case .chargeDrawn: "charge_drawn"
        case .priorCapacity: "prior_capacity"
        case .priorSOC: "prior_soc"
        }
    }

    /// The feature with this name, if any.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }

    /// Decodes the name.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let feature = InputFeature(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "unknown feature \"\(name)\" (expected one of \(Self.allCases.map(\.description)))"))
        }
        self = feature
    }

    /// Encodes the name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension DenseActivation: CustomStringConvertible, Codable {
    /// `none` or `relu`.
    public var description: String { self == .relu ? "relu" : "none" }

    /// Decodes `none`/`linear` or `relu`.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        switch name {
        case "none", "linear": self = .none
        case "relu": self = .relu
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "unknown activation \"\(name)\" (expected none or relu)"))
        }
    }

    /// Encodes the name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
