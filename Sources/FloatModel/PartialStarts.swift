import BMSCore

/// Training runs that start at a partial SOC (issue 16, "any start"): each training
/// discharge is also cut `copies` times at a seeded step, the copy starting there from zero
/// state with its coulomb counter at 0 and a start SOC `s0` = the reference SOC at the cut
/// plus a seeded error uniform in ±`startSOCError` — what a BMS that wakes mid-discharge,
/// after a partial charge or after regeneration believes. The network reads `s0 − q/C` as its
/// prior SOC (`FeatureSet.hasPriorSOC`) and predicts the residual to it.
///
/// The cut step is `⌊u · n⌋` with u uniform in `cutFractions` and n the discharge's grid steps;
/// a copy keeps at least `minimumSteps` steps (else the discharge gets no copy). The draws come
/// from one `SeededGenerator` per (seed, discharge index, copy), so a run is reproducible.
public struct PartialStarts: Codable, Equatable, Sendable {
    /// Cut copies per training discharge (0: none).
    public var copies: Int
    /// Where the cuts fall, as a fraction of each discharge's length.
    public var cutFractionLow: Double
    /// Upper end of the cut fractions (exclusive).
    public var cutFractionHigh: Double
    /// Half-width of the uniform error added to the reference SOC at the cut, fraction.
    public var startSOCError: Double
    /// Fewest grid steps a copy keeps (the window length plus one by default).
    public var minimumSteps: Int

    /// The default error of the start SOC, fraction (±3 points: the BMS's count after a run and
    /// a charge; Docs/Results.md § Any start).
    public static let defaultStartSOCError = 0.03

    /// Creates a rule.
    public init(copies: Int, cutFractionLow: Double = 0, cutFractionHigh: Double = 0.9,
                startSOCError: Double = defaultStartSOCError, minimumSteps: Int = 51) {
        self.copies = copies
        self.cutFractionLow = cutFractionLow
        self.cutFractionHigh = cutFractionHigh
        self.startSOCError = startSOCError
        self.minimumSteps = minimumSteps
    }

    /// The cut step and start-SOC error of copy `copy` of discharge `index` with `steps` grid
    /// steps (nil when the copy would be shorter than `minimumSteps`).
    public func draw(seed: UInt64, index: Int, copy: Int, steps: Int) -> (step: Int, error: Double)? {
        var generator = SeededGenerator(seed: seed ^ 0x414E_5953_5441_5254
                                        ^ (UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15)
                                        ^ (UInt64(truncatingIfNeeded: copy) &* 0xD1B5_4A32_D192_ED03))
        let u = cutFractionLow + (cutFractionHigh - cutFractionLow) * generator.nextUnitDouble()
        let error = startSOCError * (2 * generator.nextUnitDouble() - 1)
        let step = Int((u * Double(steps)).rounded(.down))
        guard steps - step >= minimumSteps else { return nil }
        return (step, error)
    }
}
