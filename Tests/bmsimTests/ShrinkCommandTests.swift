import Foundation
import Testing
import TestSupport

/// `bmsim shrink` on a real NASA cell: the λ it picks has the lowest streaming RMSE that
/// `bmsim evaluate` measures on the written models of the grid around it, and bad options
/// fail with one line before any work.
@Suite("bmsim shrink", .serialized, .enabled(if: SharedData.available))
struct ShrinkCommandTests {
    static let model = SharedData.fixtures.appendingPathComponent("models/lstm-soh.json").path

    static func rmse(_ stdout: String) -> Double? {
        guard let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("streaming") }),
              let range = line.range(of: "RMSE ") else { return nil }
        return Double(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    /// Runs `shrink` on B0048 with a 0.25 grid and `extra` options; checks that the chosen λ
    /// scores no worse by `score(path, data)` than the models written with every other λ of the
    /// grid; returns the run's stdout.
    @discardableResult
    static func chosenIsBest(_ extra: [String], score: (_ path: String, _ data: String) throws -> Double) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-shrink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try #require(SharedData.nasa).path
        let out = folder.appendingPathComponent("shrunk.json").path
        let chosen = try BMSimProcess.run(["shrink", model, "--data", data, "--cells", "B0048", "--step", "0.25", "--out", out] + extra)
        #expect(chosen.status == 0, "stderr: \(chosen.stderr)")
        let line = try #require(chosen.stdout.split(separator: "\n").first { $0.contains("←") })
        let lambda = try #require(Double(line.split(separator: "|")[0].trimmingCharacters(in: .whitespaces)))
        let best = try score(out, data)
        for other in [0.0, 0.25, 0.5, 0.75, 1.0] where other != lambda {
            let path = folder.appendingPathComponent("l\(other).json").path
            let fixed = try BMSimProcess.run(["shrink", model, "--data", data, "--lambda", "\(other)", "--out", path])
            #expect(fixed.status == 0, "stderr: \(fixed.stderr)")
            #expect(best <= (try score(path, data)) + 0.005, "λ \(lambda) against \(other)")
        }
        #expect(chosen.stdout.contains(String(format: "| %.3f |", lambda)))
        return chosen.stdout
    }

    /// `evaluate`'s streaming RMSE of `path` on B0048, with the prior capacities scaled by `scale`.
    static func evaluate(_ path: String, data: String, priorScale scale: String = "1") throws -> Double {
        let run = try BMSimProcess.run(["evaluate", path, "--data", data, "--cells", "B0048", "--style", "streaming",
                                        "--prior-scale", scale])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        return try #require(rmse(run.stdout), "\(run.stdout)")
    }

    @Test("the chosen λ is the grid's best by evaluate's own streaming RMSE")
    func chosenLambdaIsBest() throws {
        try Self.chosenIsBest([]) { path, data in try Self.evaluate(path, data: data) }
    }

    @Test("--prior-scales: the chosen λ has the lowest mean of evaluate's RMSE at those prior scales")
    func priorScalesAverage() throws {
        let stdout = try Self.chosenIsBest(["--prior-scales", "0.9,1.1"]) { path, data in
            (try Self.evaluate(path, data: data, priorScale: "0.9") + Self.evaluate(path, data: data, priorScale: "1.1")) / 2
        }
        #expect(stdout.contains("B0048 ×0.9 RMSE %") && stdout.contains("B0048 ×1.1 RMSE %"))
    }

    @Test("bad options and models fail with one line and write nothing",
          arguments: [(["--lambda", "2"], "--lambda"), (["--lambda", "nan"], "--lambda"), (["--step", "0"], "--step"),
                      (["--threads", "0"], "--threads"), (["--cells", "B9999"], "B9999"),
                      (["--prior-scales", "0"], "--prior-scales"), (["--prior-scales", "0.9,x"], "--prior-scales"),
                      (["--prior-scales", "nan"], "--prior-scales"), (["--prior-scales", "0.9,,1.1"], "--prior-scales")])
    func badOptions(_ extra: [String], _ mentions: String) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-shrink-bad-\(UUID().uuidString).json")
        let data = try #require(SharedData.nasa).path
        let run = try BMSimProcess.run(["shrink", Self.model, "--data", data, "--out", out.path] + extra)
        #expect(run.status != 0 && !run.signalled)
        #expect(run.stderr.contains(mentions), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test("a model without a prior or with an uncertainty head is refused before any data is read")
    func unsupportedModels() throws {
        for (name, mentions) in [("lstm-demo", "no coulomb-count prior"), ("lstm-soh-nll", "uncertainty head")] {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-shrink-\(name)-\(UUID().uuidString).json")
            let model = SharedData.fixtures.appendingPathComponent("models/\(name).json").path
            let run = try BMSimProcess.run(["shrink", model, "--data", "/nonexistent", "--out", out.path])
            #expect(run.status != 0 && run.stderr.contains(mentions), "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }
}
