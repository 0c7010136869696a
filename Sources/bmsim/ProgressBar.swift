import Foundation
import Synchronization

/// A one-line progress bar on stderr, redrawn when the whole percentage changes; silent
/// when stderr is not a terminal.
final class ProgressBar: Sendable {
    private let totalTicks: Int
    private let totalJobs: Int
    private let enabled: Bool
    private let lastPercent = Atomic<Int>(-1)

    init(totalTicks: Int, totalJobs: Int, enabled: Bool) {
        self.totalTicks = max(1, totalTicks)
        self.totalJobs = totalJobs
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    /// Reports progress (callable from any thread).
    func update(ticks: Int, jobsDone: Int) {
        guard enabled else { return }
        let percent = min(100, ticks * 100 / totalTicks)
        let previous = lastPercent.load(ordering: .relaxed)
        guard percent != previous, lastPercent.compareExchange(expected: previous, desired: percent,
                                                               ordering: .relaxed).exchanged else { return }
        let filled = percent * 30 / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
        let line = String(format: "\r%@ %3d%%  %.1fM ticks  %d/%d runs", bar, percent, Double(ticks) / 1e6, jobsDone, totalJobs)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Ends the line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
