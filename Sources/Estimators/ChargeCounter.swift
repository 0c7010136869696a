/// Counts charge as firmware should: a compensated (Neumaier) sum of I·Δt in ampere-seconds,
/// so that 10⁸ ticks of the same small increment lose nothing to rounding (the plain running
/// sum of Doubles drifts by up to n·ε·|sum|). Positive = charge in.
///
/// ```swift
/// var q = ChargeCounter()
/// for _ in 0..<100_000_000 { q.add(-2.0 * 0.1) }   // −2 A for 10⁷ s
/// q.ampereSeconds                                   // −2.0e7 (exact to one ulp)
/// ```
public struct ChargeCounter: Sendable, Equatable {
    @usableFromInline var sum = 0.0
    @usableFromInline var compensation = 0.0

    /// An empty counter.
    public init() {}

    /// Adds one increment, A·s.
    @inlinable
    public mutating func add(_ ampereSeconds: Double) {
        let t = sum + ampereSeconds
        if abs(sum) >= abs(ampereSeconds) {
            compensation += (sum - t) + ampereSeconds
        } else {
            compensation += (ampereSeconds - t) + sum
        }
        sum = t
    }

    /// The counted charge, A·s.
    @inlinable
    public var ampereSeconds: Double { sum + compensation }

    /// The counted charge, Ah.
    @inlinable
    public var ampereHours: Double { ampereSeconds / 3600 }

    /// Sets the counter to zero.
    @inlinable
    public mutating func clear() {
        sum = 0
        compensation = 0
    }
}
