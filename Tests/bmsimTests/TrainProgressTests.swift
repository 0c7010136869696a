import Foundation
import Testing
import TestSupport

/// `bmsim train` with stderr redirected to a file (not a terminal) draws no progress bar:
/// the log has no carriage return, and `--quiet` is accepted.
@Suite("bmsim train: progress only on a terminal", .serialized, .enabled(if: SharedData.available))
struct TrainProgressTests {
    @Test("a redirected log has no carriage return", arguments: [[], ["--quiet"]])
    func noCarriageReturn(_ extra: [String]) throws {
        let (folder, data) = try TrainSignalTests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model.json")
        let outcome = try BMSimProcess.run(TrainSignalTests.options(data: data, out: model, epochs: 2) + extra)
        #expect(outcome.status == 0 && !outcome.signalled, "stderr: \(outcome.stderr)")
        #expect(!outcome.stderr.contains("\r") && !outcome.stdout.contains("\r"))
        #expect(outcome.stdout.contains("epoch   2"), "stdout: \(outcome.stdout)")
    }

    @Test("a failure of train is one `bmsim: error:` line")
    func errorLine() throws {
        let outcome = try BMSimProcess.run(["train", "--data", "/nonexistent-bmsim-data", "--out", "/tmp/never-written.json"])
        #expect(outcome.status == 66)
        #expect(outcome.stderr.hasPrefix("bmsim: error: ") && outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
    }
}
