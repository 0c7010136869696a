import Foundation
import Testing
import TestSupport
@testable import Replay

/// SIGINT or SIGTERM sent to a real `bmsim` process in the middle of a long run: exit
/// status 130 or 143 (128 + the signal), a message saying what was finished, and no partial
/// file under a final name.
///
/// Every child starts with the signal made unusable the way a parent can hand it down: the
/// soak through `sh -c 'trap "" INT; exec …'` (ignored), the compare with the signal
/// blocked in the launching thread. `InterruptHandler.install` must undo both.
@Suite("bmsim and SIGINT / SIGTERM", .serialized)
struct InterruptTests {
    /// The two stop signals.
    static let signals = [StopSignal(number: SIGINT, name: "INT"), StopSignal(number: SIGTERM, name: "TERM")]

    @Test("soak: the signal stops the loop, the report says how far it got, status 128 + signal", arguments: signals)
    func soakInterrupted(_ signal: StopSignal) throws {
        let child = try BMSimProcess(["soak", "--ticks", "4000000000", "--estimators", "ah,ekf"],
                                     launcher: ["/bin/sh", "-c", #"trap "" "# + signal.name + #"; exec "$0" "$@""#])
        #expect(child.waitForStderr("soak: running", timeoutSeconds: 120), "stderr: \(child.stderrSoFar)")
        usleep(300_000)
        #expect(kill(child.process.processIdentifier, signal.number) == 0)
        let outcome = try #require(child.finish(timeoutSeconds: 60), "bmsim soak did not stop within 60 s of SIG\(signal.name)")
        #expect(!outcome.signalled, "killed by signal \(outcome.status) instead of exiting")
        #expect(outcome.status == 128 + signal.number, "stderr: \(outcome.stderr)")
        #expect(outcome.stdout.contains("interrupted after") && outcome.stdout.contains("of 4000000000 ticks"),
                "stdout: \(outcome.stdout)")
        #expect(outcome.stdout.contains("final SOC: ah "))
    }

    @Test("compare on NASA cells: the signal writes the finished runs, names the others, status 128 + signal",
          .enabled(if: SharedData.available), arguments: signals)
    func compareInterrupted(_ signal: StopSignal) throws {
        let data = try #require(SharedData.nasa).path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-interrupt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        // Launch with the signal blocked in this thread: the child inherits the mask unless bmsim unblocks it.
        var block = sigset_t(), previous = sigset_t()
        sigemptyset(&block)
        sigaddset(&block, signal.number)
        pthread_sigmask(SIG_BLOCK, &block, &previous)
        let started = Result {
            try BMSimProcess(["compare", data, "--cells", "B0005,B0006,B0007,B0033", "--scenarios", "nominal,sensor-faults",
                              "--estimators", "ah,ocv,ekf,ukf", "--threads", "1", "--quiet", "--out", out.path])
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        let child = try started.get()
        #expect(child.waitForStderr("replaying 8 runs", timeoutSeconds: 240), "stderr: \(child.stderrSoFar)")
        usleep(500_000)
        #expect(kill(child.process.processIdentifier, signal.number) == 0)
        let outcome = try #require(child.finish(timeoutSeconds: 120), "bmsim compare did not stop within 120 s of SIG\(signal.name)")
        #expect(!outcome.signalled, "killed by signal \(outcome.status) instead of exiting")
        #expect(outcome.status == 128 + signal.number, "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("interrupted: ") && outcome.stderr.contains("runs finished and written; not finished: "),
                "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("B0033/sensor-faults"), "the last job cannot have finished: \(outcome.stderr)")
        // Only final files, each complete: the JSON decodes and holds the finished runs; the
        // report has a figure for each of them (and the summary figures once one finished).
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        let report = try ComparisonReport.read(json: Data(contentsOf: out.appendingPathComponent("comparison.json")))
        let finished = Set(report.rows.map { "\($0.cell)/\($0.scenario)" })
        let figures = finished.isEmpty ? [] : ["error_ecdf.svg", "ranking.svg", "rmse_heatmap.svg"]
            + finished.map { "run_" + $0.replacingOccurrences(of: "/", with: "_") + ".svg" }
        #expect(files == (["comparison.csv", "comparison.json", "comparison.md", "index.html"] + figures).sorted(), "files: \(files)")
        let line = try #require(outcome.stderr.split(separator: "\n").first { $0.hasPrefix("interrupted: ") })
        let notFinished = Set(try #require(line.components(separatedBy: "not finished: ").last).components(separatedBy: ", "))
        #expect(finished.isDisjoint(with: notFinished) && finished.count + notFinished.count == 8,
                "finished \(finished), not finished \(notFinished)")
        #expect(line.hasPrefix("interrupted: \(finished.count) runs finished"))
    }
}

/// A signal that asks `bmsim` to stop: its number and the name `trap` takes (no SIG prefix).
struct StopSignal: Sendable, CustomTestStringConvertible {
    var number: Int32
    var name: String
    var testDescription: String { "SIG\(name)" }
}
