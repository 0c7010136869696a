import Foundation
import Testing
import TestSupport
import Trainer

/// `bmsim train` as a real child process: SIGTERM or SIGINT stops it after an epoch with a
/// checkpoint written, and `--resume` from that checkpoint ends with the same model file,
/// byte for byte, as an uninterrupted run; a checkpoint of other options is refused.
///
/// The data are a small NASA-shaped folder made from the shared one (the whole index, the
/// first three operations of each discharge file) and the model is LSTM(4): a run of
/// `epochs` epochs takes about a second in a debug build. The signal is sent once the child
/// prints its `data:` line, i.e. before or during the first epoch; the child finishes the
/// running epoch and its checkpoint, so at least one epoch is saved and none is lost.
@Suite("bmsim train: checkpoints, signals, --resume", .serialized, .enabled(if: SharedData.available))
struct TrainSignalTests {
    static let epochs = 12

    /// Options that exercise every kind of saved state: dropout masks on two worker replicas,
    /// window shuffling, weight noise, Adam, and the EarlyStopping / ReduceLROnPlateau
    /// counters (patience 3 with 12 epochs).
    static func options(data: URL, out: URL, seed: Int = 7, epochs: Int = epochs) -> [String] {
        ["train", "--data", data.path, "--mode", "window", "--arch", "lstm:4,dropout:0.1,dense:1",
         "--epochs", "\(epochs)", "--train-stride", "1", "--shuffle", "--weight-noise", "1", "--workers", "2",
         "--patience", "3", "--seed", "\(seed)", "--out", out.path]
    }

    /// A NASA-shaped folder under `folder`: for each discharge file, its header and the rows
    /// of its first `operations` operations, and the shared `cycles_index.csv` without the
    /// discharges left out (the index must agree with the sample files, or the folder is
    /// refused as cut short).
    static func smallNASAFolder(in folder: URL, operations: Int = 3) throws -> URL {
        let source = try #require(SharedData.nasa)
        let root = folder.appendingPathComponent("nasa_pcoe_battery")
        let discharge = root.appendingPathComponent("discharge")
        try FileManager.default.createDirectory(at: discharge, withIntermediateDirectories: true)
        var keptCycles = Set<String>()   // "cell,cycle"
        defer {
            let index = (try? String(contentsOf: source.appendingPathComponent("cycles_index.csv"), encoding: .utf8)) ?? ""
            let rows = index.split(separator: "\n").enumerated().filter { k, row in
                let f = row.split(separator: ",", maxSplits: 3, omittingEmptySubsequences: false)
                return k == 0 || f.count < 3 || f[2] != "discharge" || keptCycles.contains("\(f[0]),\(f[1])")
            }.map(\.element)
            try? Data((rows.joined(separator: "\n") + "\n").utf8).write(to: root.appendingPathComponent("cycles_index.csv"))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: source.appendingPathComponent("discharge").path)
        for name in files where name.hasSuffix("_discharge.csv") {
            let text = try String(contentsOf: source.appendingPathComponent("discharge/\(name)"), encoding: .utf8)
            var kept: [String] = [], seen: [Substring] = []
            text.enumerateLines { line, stop in
                if !kept.isEmpty {
                    let operation = line.prefix { $0 != "," }
                    if seen.last != operation {
                        if seen.count == operations { stop = true; return }
                        seen.append(operation)
                        keptCycles.insert("\(name.prefix { $0 != "_" }),\(operation)")
                    }
                }
                kept.append(line)
            }
            try Data((kept.joined(separator: "\n") + "\n").utf8).write(to: discharge.appendingPathComponent(name))
        }
        return root
    }

    /// A scratch folder with the small data set; removed by the caller.
    static func scratch() throws -> (folder: URL, data: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-train-signal-\(UUID().uuidString)")
        return (folder, try smallNASAFolder(in: folder))
    }

    @Test("the signal stops training after an epoch with its checkpoint; --resume gives the uninterrupted model's bytes",
          arguments: InterruptTests.signals)
    func interruptAndResume(_ signal: StopSignal) throws {
        let (folder, data) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let straight = folder.appendingPathComponent("straight/model.json")
        let resumed = folder.appendingPathComponent("resumed/model.json")
        let checkpoint = folder.appendingPathComponent("resumed/model.checkpoint.json")
        for url in [straight, resumed] {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        let reference = try BMSimProcess.run(Self.options(data: data, out: straight))
        #expect(reference.status == 0 && !reference.signalled, "stderr: \(reference.stderr)")

        let child = try BMSimProcess(Self.options(data: data, out: resumed))
        #expect(child.waitForStdout("data: ", timeoutSeconds: 120), "stdout: \(child.stdoutSoFar)")
        #expect(kill(child.process.processIdentifier, signal.number) == 0)
        let stopped = try #require(child.finish(timeoutSeconds: 120), "bmsim train did not stop within 120 s of SIG\(signal.name)")
        #expect(!stopped.signalled, "killed by signal \(stopped.status) instead of exiting")
        #expect(stopped.status == 128 + signal.number, "stderr: \(stopped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: resumed.path), "no model file is written when training stops early")
        // One line names the saved epoch and how to resume (the progress bar ends its lines with CR).
        let saved = try TrainingCheckpoint.read(from: checkpoint)
        #expect(saved.epochsDone >= 1 && saved.epochsDone < Self.epochs)
        let line = try #require(stopped.stderr.components(separatedBy: .newlines).first {
            $0.hasPrefix("bmsim: SIG\(signal.name): stopped after")
        }, "stderr: \(stopped.stderr)")
        #expect(line == "bmsim: SIG\(signal.name): stopped after epoch \(saved.epochsDone) of \(Self.epochs), saved in "
                + "\(checkpoint.path); resume with the same options and --resume \(checkpoint.path)")

        let finished = try BMSimProcess.run(Self.options(data: data, out: resumed) + ["--resume", checkpoint.path])
        #expect(finished.status == 0 && !finished.signalled, "stderr: \(finished.stderr)")
        #expect(finished.stdout.contains("resumed from \(checkpoint.path): \(saved.epochsDone) of \(Self.epochs) epochs done"))
        #expect(try Data(contentsOf: resumed) == Data(contentsOf: straight), "the resumed model differs from the uninterrupted one")
    }

    @Test("--resume with other options, another format or a cut file: a clear error and its status")
    func refusedCheckpoints() throws {
        let (folder, data) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model.json")
        let checkpoint = folder.appendingPathComponent("model.checkpoint.json")
        let first = try BMSimProcess.run(Self.options(data: data, out: model, epochs: 1))
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let bytes = try Data(contentsOf: checkpoint)

        let otherSeed = try BMSimProcess.run(Self.options(data: data, out: model, seed: 8, epochs: 1) + ["--resume", checkpoint.path])
        #expect(otherSeed.status == 64, "stderr: \(otherSeed.stderr)")
        #expect(otherSeed.stderr.contains("\(checkpoint.path) was made with seed = 7, this run has seed = 8"), "stderr: \(otherSeed.stderr)")

        let cut = folder.appendingPathComponent("cut.json")
        try bytes.prefix(bytes.count / 2).write(to: cut)
        let truncated = try BMSimProcess.run(Self.options(data: data, out: model) + ["--resume", cut.path])
        #expect(truncated.status == 65, "stderr: \(truncated.stderr)")
        #expect(truncated.stderr.contains("\(cut.path): not a complete training checkpoint"), "stderr: \(truncated.stderr)")

        let missing = try BMSimProcess.run(Self.options(data: data, out: model) + ["--resume", folder.appendingPathComponent("none.json").path])
        #expect(missing.status == 66, "stderr: \(missing.stderr)")
        #expect(missing.stderr.contains("cannot read checkpoint"), "stderr: \(missing.stderr)")
    }
}
