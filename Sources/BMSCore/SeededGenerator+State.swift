/// The complete state of a `SeededGenerator`, for checkpoints: restoring it continues the
/// exact sequence (the pending second Gaussian of the polar method included).
///
/// ```swift
/// var rng = SeededGenerator(seed: 7)
/// _ = rng.next()
/// let saved = rng.state
/// var copy = SeededGenerator(state: saved)!
/// assert(copy.next() == rng.next())
/// ```
public struct SeededGeneratorState: Codable, Equatable, Sendable {
    /// The four xoshiro256** words s0…s3.
    public var words: [UInt64]
    /// Bit pattern of the pending Gaussian deviate, if one is waiting.
    public var spareGaussianBits: UInt64?

    /// Creates a state from its parts.
    public init(words: [UInt64], spareGaussianBits: UInt64?) {
        self.words = words
        self.spareGaussianBits = spareGaussianBits
    }
}

extension SeededGenerator {
    /// The generator's state now.
    public var state: SeededGeneratorState {
        SeededGeneratorState(words: [s0, s1, s2, s3], spareGaussianBits: spareGaussian?.bitPattern)
    }

    /// Recreates a generator from `state`; nil when it does not hold exactly four words or
    /// all four are zero (xoshiro's one forbidden state).
    public init?(state: SeededGeneratorState) {
        guard state.words.count == 4, state.words.contains(where: { $0 != 0 }) else { return nil }
        self.init(seed: 0)
        s0 = state.words[0]; s1 = state.words[1]; s2 = state.words[2]; s3 = state.words[3]
        spareGaussian = state.spareGaussianBits.map(Double.init(bitPattern:))
    }
}
