import Firmware
import Foundation

/// What the firmware's current auto-zero (`CurrentOffsetLearner`) learned in one run.
public struct CurrentOffsetSummary: Sendable, Codable, Equatable {
    /// The auto-zero ran (the scenario did not turn it off).
    public var enabled: Bool
    /// The offset in use at the end of the run, A.
    public var offsetA: Double
    /// Calibrations taken (power-up, wake-ups and rests).
    public var calibrations: Int

    /// Creates a summary.
    public init(enabled: Bool, offsetA: Double, calibrations: Int) {
        self.enabled = enabled
        self.offsetA = offsetA
        self.calibrations = calibrations
    }

    /// The learner's state at the end of a run.
    public init(_ learner: CurrentOffsetLearner) {
        self.init(enabled: learner.settings.enabled, offsetA: learner.offsetA, calibrations: learner.calibrations)
    }
}

extension ComparisonReport {
    /// One line per scenario: the range of offsets the auto-zero ended the runs with and its
    /// calibrations, e.g. `current-bias: +49.6 … +50.3 mA, 2,410 calibrations over 29 runs`
    /// (empty when no run has a summary).
    public func currentOffsetLine() -> String {
        guard let offsets = currentOffsets, !offsets.isEmpty else { return "" }
        var scenarios: [String] = []
        for row in offsets where !scenarios.contains(row.scenario) { scenarios.append(row.scenario) }
        let parts = scenarios.map { scenario -> String in
            let runs = offsets.filter { $0.scenario == scenario }
            let on = runs.filter(\.summary.enabled)
            guard !on.isEmpty else { return "\(scenario): off" }
            let mA = on.map { $0.summary.offsetA * 1000 }
            let range = String(format: "%+.1f", mA.min()!) + (mA.min() == mA.max() ? "" : String(format: " … %+.1f", mA.max()!))
            let calibrations = on.reduce(0) { $0 + $1.summary.calibrations }
            return "\(scenario): \(range) mA, \(calibrations) calibrations over \(on.count) runs"
                + (on.count < runs.count ? " (off on \(runs.count - on.count))" : "")
        }
        return "current auto-zero, offset at the end of the runs: " + parts.joined(separator: "; ") + "\n"
    }

    /// The auto-zero summary of one run.
    public struct CurrentOffsetRow: Sendable, Codable, Equatable {
        /// The run's name (as in `ComparisonRow.cell`).
        public var cell: String
        /// Scenario name.
        public var scenario: String
        /// What the auto-zero learned.
        public var summary: CurrentOffsetSummary
    }
}
