/// Activation applied after a dense layer.
public enum Activation: String, Codable, Sendable, CaseIterable {
    /// Identity.
    case linear
    /// `max(0, x)` (ReLU). Its derivative at exactly 0 is taken as 0.
    case relu
}
