/// Where one sequence's coulomb-count prior starts in `FakeQuantizedLSTM.prepare`: the
/// capacity the firmware has learned before it and the SOC it wakes at. These are what
/// `QuantizedLSTMEngine.setPriorCapacity(milliampHours:)` and `setStartSOC(centiPercent:)`
/// set on the engine, and `ReferenceLSTMRunner.priorCapacityAh` and `startSOC` on the float
/// reference (as `QuantizationEvaluation` runs them). nil keeps the blob's prior capacity and
/// a full start.
public struct FakeQuantStart: Sendable, Equatable {
    /// The prior capacity, mAh (nil: the blob's).
    public var priorCapacityMAh: Int32?
    /// The SOC the prior starts from, 0.01 % (nil: full; only a model with a prior-SOC
    /// input reads it).
    public var startSOCCentiPercent: Int32?

    /// A start at `priorCapacityMAh` from `startSOCCentiPercent`.
    public init(priorCapacityMAh: Int32? = nil, startSOCCentiPercent: Int32? = nil) {
        self.priorCapacityMAh = priorCapacityMAh
        self.startSOCCentiPercent = startSOCCentiPercent
    }

    /// One start per sequence from optional per-sequence capacities and start SOCs (nil when
    /// both are nil). The counts must match the sequences'.
    public static func list(count: Int, priorCapacitiesMAh: [Int32]?, startSOCsCentiPercent: [Int32?]?) -> [FakeQuantStart]? {
        guard priorCapacitiesMAh != nil || startSOCsCentiPercent != nil else { return nil }
        precondition(priorCapacitiesMAh.map { $0.count == count } ?? true, "one prior capacity per sequence")
        precondition(startSOCsCentiPercent.map { $0.count == count } ?? true, "one start SOC per sequence")
        return (0..<count).map { FakeQuantStart(priorCapacityMAh: priorCapacitiesMAh?[$0], startSOCCentiPercent: startSOCsCentiPercent?[$0] ?? nil) }
    }
}
