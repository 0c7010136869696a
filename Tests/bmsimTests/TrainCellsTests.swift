import Foundation
import Testing
import TestSupport

/// `bmsim train --train-cells`: the NASA training cells replaced (split names expanded), and
/// refused for a validation or test cell and for a generic dataset, before any data is read.
@Suite("bmsim train --train-cells", .serialized, .enabled(if: SharedData.available))
struct TrainCellsTests {
    /// The number of training cycles a run reports (`data: N train / …`).
    static func trainCount(_ stdout: String) -> Int? {
        guard let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("data: ") && $0.contains(" train / ") }) else { return nil }
        return Int(line.dropFirst("data: ".count).prefix { $0.isNumber })
    }

    @Test("train,B0054 trains on the benchmark split's cycles plus B0054's, and says so")
    func addsCells() throws {
        let (folder, data) = try TrainSignalTests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        func run(_ extra: [String], _ name: String) throws -> (count: Int?, stdout: String) {
            let out = folder.appendingPathComponent("\(name).json")
            let outcome = try BMSimProcess.run(TrainSignalTests.options(data: data, out: out, epochs: 1) + ["--quiet"] + extra)
            #expect(outcome.status == 0 && !outcome.signalled, "stderr: \(outcome.stderr)")
            #expect(FileManager.default.fileExists(atPath: out.path))
            return (Self.trainCount(outcome.stdout), outcome.stdout)
        }
        let split = try run([], "split")
        let alone = try run(["--train-cells", "B0054"], "alone")
        let both = try run(["--train-cells", "train,B0054"], "both")
        let (s, a, b) = (try #require(split.count), try #require(alone.count), try #require(both.count))
        #expect(a > 0 && s > 0)
        #expect(b == s + a, "split \(s) + B0054 \(a) should be \(b)")
        #expect(alone.stdout.contains("training cells (--train-cells): B0054\n"), "\(alone.stdout)")
        #expect(!split.stdout.contains("--train-cells"))
        // The model file says which cells it was trained on; the benchmark split's has no such key.
        func trainCells(_ name: String) throws -> Any? {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("\(name).json")))
            return try #require((object as? [String: Any])?["training"] as? [String: Any])["trainCells"]
        }
        #expect(try trainCells("alone") as? [String] == ["B0054"])
        #expect((try trainCells("both") as? [String])?.last == "B0054")
        #expect((try trainCells("both") as? [String])?.count == 11, "the ten training cells and B0054")
        #expect(try trainCells("split") == nil)
        let evaluated = try BMSimProcess.run(["evaluate", folder.appendingPathComponent("alone.json").path, "--data", data.path,
                                              "--cells", "B0054"])
        #expect(evaluated.status == 0, "stderr: \(evaluated.stderr)")
        #expect(evaluated.stdout.contains("trained on cells B0054 (--train-cells)"), "\(evaluated.stdout)")
    }

    @Test("a validation or test cell, or a malformed name, is refused with the reason",
          arguments: [
            (["--train-cells", "train,B0007"], 64, "B0007 is in the validation split"),
            (["--train-cells", "B0039,B0043"], 64, "B0039, B0043 are in the test split"),
            (["--train-cells", "test"], 64, "are in the test split"),
            (["--train-cells", "B00;54"], 64, "neither a split"),
          ] as [([String], Int32, String)])
    func refused(_ extra: [String], _ status: Int32, _ message: String) throws {
        let (folder, data) = try TrainSignalTests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("never.json")
        let outcome = try BMSimProcess.run(TrainSignalTests.options(data: data, out: out, epochs: 1) + extra)
        #expect(outcome.status == status && !outcome.signalled, "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "stderr: \(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test("an unknown cell is a missing input, not an empty training set")
    func unknownCell() throws {
        let (folder, data) = try TrainSignalTests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("m.json")
        let outcome = try BMSimProcess.run(TrainSignalTests.options(data: data, out: out, epochs: 1) + ["--train-cells", "train,B9999"])
        #expect(outcome.status != 0 && !outcome.signalled)
        #expect(outcome.stderr.hasPrefix("bmsim: error: ") && outcome.stderr.contains("B9999"), "stderr: \(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test("a generic dataset keeps its manifest's split")
    func genericRefused() throws {
        let recording = SharedData.fixtures.appendingPathComponent("recordings/synthetic_cycle.csv").path
        let outcome = try BMSimProcess.run(["train", "--data", recording, "--train-cells", "B0054", "--out", "/tmp/never-written.json"])
        #expect(outcome.status == 64 && !outcome.signalled, "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("--train-cells applies to the NASA folder only"), "stderr: \(outcome.stderr)")
    }
}
