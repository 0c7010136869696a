import Foundation
import Testing
import TestSupport
@testable import bmsim

/// The reproducers of the second reliability round (hostile and careless input), run
/// through the built `bmsim` executable: each gives a clean `bmsim: error:` line and its
/// documented status instead of a trap, a hang, a huge allocation or a silent wrong result.
/// Inputs are small generated files; none is a copy of the shared data.
@Suite("bmsim and hostile input", .serialized)
struct HostileInputTests {
    /// Arguments (`@TMP@` → the scratch folder of `prepare`), status, stderr substring.
    typealias Case = ExitStatusTableTests.Case

    static let fixture = SharedData.fixtures.appendingPathComponent("recordings/synthetic_cycle.csv").path

    static let cases: [Case] = [
        // Row 2 and 6: simulate options that trapped or hung.
        Case(name: "simulate --temperature 1e300", arguments: ["simulate", "--temperature", "1e300", "--out", "@TMP@/s.csv"],
             status: .usage, message: "--temperature must be a number in [-40, 80]"),
        Case(name: "simulate --temperature nan", arguments: ["simulate", "--temperature", "nan", "--out", "@TMP@/s.csv"],
             status: .usage, message: "--temperature"),
        Case(name: "simulate --voltage-noise nan", arguments: ["simulate", "--voltage-noise", "nan", "--out", "@TMP@/s.csv"],
             status: .usage, message: "--voltage-noise"),
        Case(name: "simulate --current-noise 1e300", arguments: ["simulate", "--current-noise", "1e300", "--out", "@TMP@/s.csv"],
             status: .usage, message: "--current-noise"),
        Case(name: "simulate --dt 1e-9", arguments: ["simulate", "--dt", "1e-9", "--out", "@TMP@/s.csv"],
             status: .usage, message: "--dt must be a number in [0.01, 60] s"),
        // Row 4 and 18: data grid steps that allocated 295 GB or wrote -nan rows.
        Case(name: "data grid --dt-s 1e-7", arguments: ["data", "grid", "@TMP@", "--dt-s", "1e-7", "--out", "@TMP@/g.csv"],
             status: .usage, message: "--dt-s must be a number in [0.1, 3600] s"),
        Case(name: "data grid --dt-s inf", arguments: ["data", "grid", "@TMP@", "--dt-s", "inf", "--out", "@TMP@/g.csv"],
             status: .usage, message: "--dt-s"),
        // Row 3, 5, 16: model files whose numbers the engine cannot use.
        Case(name: "quantize a model with stepSeconds 0", arguments: ["quantize", "@TMP@/step0.json", "--calibration", "@TMP@",
                                                                     "--out", "@TMP@/m.bmsq"],
             status: .dataError, message: "stepSeconds"),
        Case(name: "evaluate a model with a short xMean", arguments: ["evaluate", "@TMP@/short-mean.json", "--data", "@TMP@"],
             status: .dataError, message: "scalers.xMean"),
        Case(name: "evaluate a model with xStd 0", arguments: ["evaluate", "@TMP@/zero-std.json", "--data", "@TMP@"],
             status: .dataError, message: "scalers.xStd[0]"),
        Case(name: "evaluate a model with an unknown gate order", arguments: ["evaluate", "@TMP@/gates.json", "--data", "@TMP@"],
             status: .dataError, message: "gateOrder"),
        // Row 18: option values that were accepted and gave nan or nothing.
        Case(name: "classical-eval --initial nan", arguments: ["classical-eval", "@TMP@", "--model", "@MODELS@/cell-default.json",
                                                              "--initial", "nan"],
             status: .usage, message: "--initial"),
        Case(name: "classical-eval --initial 5", arguments: ["classical-eval", "@TMP@", "--model", "@MODELS@/cell-default.json",
                                                            "--initial", "5"],
             status: .usage, message: "--initial"),
        Case(name: "classical-eval --soc-noise=-1", arguments: ["classical-eval", "@TMP@", "--model", "@MODELS@/cell-default.json",
                                                               "--soc-noise=-1"],
             status: .usage, message: "--soc-noise"),
        Case(name: "replay --model-rate foo", arguments: ["replay", "@FIXTURE@", "--estimators", "ah", "--model-rate", "foo",
                                                         "--quiet", "--out", "@TMP@/out"],
             status: .usage, message: "--model-rate <model-rate>': unknown estimator 'foo'"),
        Case(name: "compare --scenarios ''", arguments: ["compare", "@FIXTURE@", "--scenarios", "", "--quiet", "--out", "@TMP@/out"],
             status: .usage, message: "--scenarios is empty"),
        Case(name: "train --prior-capacity nan", arguments: ["train", "--data", "@TMP@", "--prior-capacity", "nan", "--out", "@TMP@/m.json"],
             status: .usage, message: "--prior-capacity"),
        // Row 19: messages that named no reason, echoed raw bytes or had no position.
        Case(name: "a folder given as the cell model", arguments: ["replay", "--cell-model", "@TMP@", "--quiet", "--out", "@TMP@/out"],
             status: .noInput, message: "is a folder, not a file"),
        Case(name: "a folder given as the LSTM blob", arguments: ["replay", "--lstm-model", "@TMP@", "--quiet", "--out", "@TMP@/out"],
             status: .noInput, message: "is a folder, not a file"),
        Case(name: "a FIFO given as a blob", arguments: ["inspect", "@TMP@/fifo"], status: .noInput,
             message: "is a FIFO (named pipe), not a regular file"),
        Case(name: "a symbolic link loop", arguments: ["replay", "@TMP@/loop1", "--quiet", "--out", "@TMP@/out"],
             status: .noInput, message: "symbolic link loop"),
        Case(name: "a dangling symbolic link", arguments: ["replay", "--cell-model", "@TMP@/dangling", "--quiet", "--out", "@TMP@/out"],
             status: .noInput, message: "dangling symbolic link"),
        Case(name: "raw control bytes are escaped", arguments: ["replay", "@TMP@/escape.csv", "--quiet", "--out", "@TMP@/out"],
             status: .dataError, message: #"\u{1b}[31m"#),
        Case(name: "a scenario JSON syntax error has line and column", arguments: ["compare", "@FIXTURE@", "--scenarios",
                                                                                  "@TMP@/syntax.json", "--quiet", "--out", "@TMP@/out"],
             status: .dataError, message: "syntax.json:2:21: scenario: not valid JSON"),
        Case(name: "a cell-model JSON syntax error has line and column", arguments: ["replay", "--cell-model", "@TMP@/syntax.json",
                                                                                    "--quiet", "--out", "@TMP@/out"],
             status: .dataError, message: "syntax.json:2:21"),
        Case(name: "a missing scenario file is a missing input like every other", arguments: [
            "compare", "@FIXTURE@", "--scenarios", "@TMP@/folder.json", "--quiet", "--out", "@TMP@/out"],
             status: .noInput, message: "is a folder, not a file"),
        Case(name: "a one-row CSV is a data error, not status 1", arguments: ["replay", "@TMP@/one-row.csv", "--quiet",
                                                                             "--out", "@TMP@/out"],
             status: .dataError, message: "fewer than two samples"),
        // Rows 13 and 14 through the command line: refused with the reason, accepted on request.
        Case(name: "current in mA is refused", arguments: ["replay", "@TMP@/milliamps.csv", "--quiet", "--out", "@TMP@/out"],
             status: .dataError, message: "probably milliamperes"),
        Case(name: "data export of current in mA is refused", arguments: ["data", "export", "@TMP@/milliamps.csv", "--out", "@TMP@/e.csv"],
             status: .dataError, message: "--accept-implausible"),
        Case(name: "the option against the file's own sign", arguments: ["replay", "@TMP@/milliamps.csv", "--current-sign",
                                                                        "discharge_positive", "--quiet", "--out", "@TMP@/out"],
             status: .dataError, message: "the file and the option disagree"),
        Case(name: "fit of current in mA is refused", arguments: ["fit", "@TMP@/milliamps.csv", "--out", "@TMP@/cell.json"],
             status: .dataError, message: "probably milliamperes"),
        Case(name: "fit of recordings with --format json is refused, not mixed with text",
             arguments: ["fit", "@TMP@/milliamps.csv", "--format", "json", "--out", "@TMP@/cell.json"],
             status: .usage, message: "--format json is for the NASA fit"),
        Case(name: "a usage error reads bmsim: error:", arguments: ["replay", "--threads", "0"], status: .usage,
             message: "bmsim: error: --threads"),
    ]

    /// A generic-CSV header with the sign stated.
    static let csvHead = "# current_sign: charge_positive\ntime_s,voltage_v,current_a,temperature_c\n"

    /// The scratch files the cases refer to.
    static func prepare() throws -> URL {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-hostile-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: tmp.appendingPathComponent("folder.json"), withIntermediateDirectories: true)
        try Data(ExitStatusTableTests.cyclesIndex.utf8).write(to: tmp.appendingPathComponent("cycles_index.csv"))
        #expect(mkfifo(tmp.appendingPathComponent("fifo").path, 0o600) == 0)
        try fm.createSymbolicLink(atPath: tmp.appendingPathComponent("loop1").path, withDestinationPath: "loop2")
        try fm.createSymbolicLink(atPath: tmp.appendingPathComponent("loop2").path, withDestinationPath: "loop1")
        try fm.createSymbolicLink(atPath: tmp.appendingPathComponent("dangling").path, withDestinationPath: "nowhere.json")
        try Data("\u{1B}[31mgarbage\u{0}\u{1}\n1,2\n".utf8).write(to: tmp.appendingPathComponent("escape.csv"))
        try Data("{\"name\": \"x\",\n \"baseTickSeconds\": }".utf8).write(to: tmp.appendingPathComponent("syntax.json"))
        try Data((csvHead + "0,4.0,-1,25\n").utf8).write(to: tmp.appendingPathComponent("one-row.csv"))
        let milliamps = (0..<60).map { k in
            let loaded = (10..<50).contains(k)
            return "\(k * 10),\(loaded ? 3.9 - 0.005 * Double(k - 10) : 4.0),\(loaded ? -2000 : 0),25\n"
        }.joined()
        try Data((csvHead + milliamps).utf8).write(to: tmp.appendingPathComponent("milliamps.csv"))
        // The shipped float model with one field broken each.
        let shipped = SharedData.fixtures.appendingPathComponent("models/lstm-f.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: shipped)) as? [String: Any])
        func variant(_ name: String, _ change: (inout [String: Any]) -> Void) throws {
            var copy = object
            change(&copy)
            try JSONSerialization.data(withJSONObject: copy).write(to: tmp.appendingPathComponent(name))
        }
        func scalers(_ change: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
            { model in
                var s = model["scalers"] as! [String: Any]
                change(&s)
                model["scalers"] = s
            }
        }
        try variant("step0.json") { $0["stepSeconds"] = 0 }
        try variant("gates.json") { $0["gateOrder"] = "i,g,f,o" }
        try variant("short-mean.json", scalers { $0["xMean"] = [1.0] })
        try variant("zero-std.json", scalers { s in
            var std = s["xStd"] as! [Double]
            std[0] = 0
            s["xStd"] = std
        })
        return tmp
    }

    @Test("--accept-implausible replays the milliampere file and reports the finding")
    func acceptImplausible() throws {
        let tmp = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let outcome = try BMSimProcess.run(["data", "summary", tmp.appendingPathComponent("milliamps.csv").path, "--accept-implausible"])
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        #expect(outcome.stdout.contains("implausible"), "stdout: \(outcome.stdout)")
    }

    @Test("fit --accept-implausible gets past the plausibility check (the file then fails on what it lacks)")
    func fitAcceptsOnRequest() throws {
        let tmp = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let outcome = try BMSimProcess.run(["fit", tmp.appendingPathComponent("milliamps.csv").path, "--accept-implausible",
                                            "--out", tmp.appendingPathComponent("cell.json").path])
        #expect(!outcome.signalled)
        #expect(!outcome.stderr.contains("implausible data, refused"), "stderr: \(outcome.stderr)")
    }

    @Test("each reproducer: status and message, no crash", arguments: cases)
    func reproducer(_ row: Case) throws {
        let tmp = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let arguments = row.arguments.map {
            $0.replacingOccurrences(of: "@TMP@", with: tmp.path).replacingOccurrences(of: "@FIXTURE@", with: Self.fixture)
                .replacingOccurrences(of: "@MODELS@", with: ExitStatusTableTests.models)
        }
        let outcome = try BMSimProcess.run(arguments, timeoutSeconds: 120)
        #expect(!outcome.signalled, "bmsim \(arguments) was killed by signal \(outcome.status)")
        #expect(outcome.status == row.status.rawValue, "bmsim \(arguments): stderr \(outcome.stderr)")
        #expect(outcome.stderr.contains(row.message.replacingOccurrences(of: "@TMP@", with: tmp.path)), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").contains { $0.hasPrefix("bmsim: error: ") }, "stderr: \(outcome.stderr)")
        #expect(!outcome.stderr.contains("\u{1B}"), "raw ESC echoed")
    }
}
