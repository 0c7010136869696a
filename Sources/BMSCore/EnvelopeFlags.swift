/// Why an estimate was made outside the envelope its method was trained or validated in
/// (`TrainingEnvelope`): the estimate is an extrapolation. Empty = inside (or a method that
/// has no envelope). One byte, so the firmware can carry it per tick without allocating.
public struct EnvelopeFlags: OptionSet, Sendable, Hashable {
    /// The raw bits.
    public let rawValue: UInt8
    /// Creates flags from their bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The current is outside the training range (e.g. regeneration or a charge during a run
    /// of a model trained on discharges, or a heavier load than it saw).
    public static let current = EnvelopeFlags(rawValue: 1 << 0)
    /// The temperature is outside the training range.
    public static let temperature = EnvelopeFlags(rawValue: 1 << 1)
    /// The run started from a rested voltage below every training sequence's start (a
    /// partial start for a model trained from full).
    public static let start = EnvelopeFlags(rawValue: 1 << 2)
    /// The model's SOC left the range of its training labels.
    public static let soc = EnvelopeFlags(rawValue: 1 << 3)

    /// Every flag with its name, in bit order.
    public static let named: [(flag: EnvelopeFlags, name: String)] =
        [(.current, "current"), (.temperature, "temperature"), (.start, "start"), (.soc, "soc")]

    /// The names of the flags that are set, in bit order (`[]` when inside).
    public var names: [String] { Self.named.filter { contains($0.flag) }.map(\.name) }

    /// The names joined by `|` (`""` when inside): the telemetry CSV's cell.
    public var text: String { names.joined(separator: "|") }
}
