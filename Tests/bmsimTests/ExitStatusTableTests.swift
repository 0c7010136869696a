import Foundation
import Testing
import TestSupport
@testable import bmsim

/// Every CLI failure mode, run through the built `bmsim` executable: the exit status
/// (sysexits, `CLIExitStatus`) and a message that says what went wrong.
@Suite("bmsim exit statuses", .serialized)
struct ExitStatusTableTests {
    /// One row: arguments (with `@TMP@` replaced by a scratch folder holding the files
    /// made by `prepare`), the expected status and a substring of stderr.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        var status: CLIExitStatus
        var message: String
        var testDescription: String { name }
    }

    static let models = SharedData.fixtures.appendingPathComponent("models").path

    static let cases: [Case] = [
        // Usage (64).
        Case(name: "unknown subcommand", arguments: ["frobnicate"], status: .usage, message: "frobnicate"),
        Case(name: "option out of range", arguments: ["replay", "--threads", "0"], status: .usage,
             message: "--threads must be at least 1"),
        Case(name: "bad option value", arguments: ["soak", "--ticks", "0"], status: .usage, message: "--ticks must be >= 1"),
        Case(name: "OCV group edges not increasing", arguments: ["fit", "@TMP@", "--ocv-group-edges", "34,14"],
             status: .usage, message: "--ocv-group-edges"),
        Case(name: "unknown estimator", arguments: ["replay", "--estimators", "ah,kalman", "--quiet", "--out", "@TMP@/out"],
             status: .usage, message: "kalman"),
        Case(name: "unknown scenario", arguments: ["compare", "--scenarios", "no-such-scenario", "--quiet", "--out", "@TMP@/out"],
             status: .usage, message: "no-such-scenario"),
        Case(name: "bad option combination", arguments: ["replay", "--current-sign", "sideways", "--quiet", "--out", "@TMP@/out"],
             status: .usage, message: "--current-sign"),
        Case(name: "C source named no C identifier", arguments: ["export", "\(models)/lstm-demo.bmsq", "--c-source", "@TMP@/my-model"],
             status: .usage, message: "'my-model' is not a C identifier"),
        Case(name: "NASA folder without --cell", arguments: ["data", "export", "@TMP@/nasa", "--out", "@TMP@/x.csv"],
             status: .usage, message: "B0005"),
        // Missing input (66).
        Case(name: "missing recording", arguments: ["replay", "@TMP@/none.csv", "--quiet", "--out", "@TMP@/out"],
             status: .noInput, message: "no such file"),
        Case(name: "missing data file", arguments: ["data", "summary", "@TMP@/none.mat"], status: .noInput,
             message: "@TMP@/none.mat"),
        Case(name: "missing blob", arguments: ["inspect", "@TMP@/none.bmsq"], status: .noInput, message: "cannot read @TMP@/none.bmsq"),
        Case(name: "missing LSTM model", arguments: ["replay", "--lstm-model", "@TMP@/none.bmsq", "--quiet", "--out", "@TMP@/out"],
             status: .noInput, message: "cannot read @TMP@/none.bmsq"),
        Case(name: "C source of a missing blob", arguments: ["export", "@TMP@/none.bmsq", "--c-source", "@TMP@/m"],
             status: .noInput, message: "cannot read @TMP@/none.bmsq"),
        Case(name: "missing cell model", arguments: ["replay", "--cell-model", "@TMP@/none.json", "--quiet", "--out", "@TMP@/out"],
             status: .noInput, message: "@TMP@/none.json"),
        Case(name: "missing float model", arguments: ["evaluate", "@TMP@/none.json", "--data", "@TMP@"], status: .noInput,
             message: "@TMP@/none.json"),
        // Unreadable data (65).
        Case(name: "garbage recording CSV", arguments: ["replay", "@TMP@/garbage.csv", "--quiet", "--out", "@TMP@/out"],
             status: .dataError, message: "garbage.csv"),
        Case(name: "garbage .mat", arguments: ["data", "summary", "@TMP@/garbage.mat"], status: .dataError, message: "garbage.mat"),
        Case(name: "garbage blob", arguments: ["inspect", "@TMP@/garbage.bmsq"], status: .dataError, message: "garbage.bmsq"),
        Case(name: "C source of a truncated blob", arguments: ["export", "@TMP@/garbage.bmsq", "--c-source", "@TMP@/m"],
             status: .dataError, message: "truncated"),
        Case(name: "bad scenario file", arguments: ["replay", "--scenario", "@TMP@/scenario.json", "--quiet", "--out", "@TMP@/out"],
             status: .dataError, message: "scenario"),
        Case(name: "scenario value a replay cannot use", arguments: ["replay", "--scenario", "@TMP@/zero-tick.json", "--quiet",
                                                                     "--out", "@TMP@/out"],
             status: .dataError, message: "baseTickSeconds"),
        // Incompatible model and data (65).
        Case(name: "cell model given as LSTM blob", arguments: ["replay", "--lstm-model", "\(models)/cell-default.json",
                                                                "--quiet", "--out", "@TMP@/out"],
             status: .dataError, message: "estimator lstm"),
        Case(name: "blob given as cell model", arguments: ["replay", "--cell-model", "\(models)/lstm-demo.bmsq",
                                                           "--quiet", "--out", "@TMP@/out"],
             status: .dataError, message: "lstm-demo.bmsq"),
        Case(name: "float model whose weights do not fit its architecture", arguments: ["evaluate", "@TMP@/wrong-arch.json", "--data", "@TMP@"],
             status: .dataError, message: "expected"),
        Case(name: "float model given to quantize with wrong weights", arguments: ["quantize", "@TMP@/wrong-arch.json",
                                                                                   "--calibration", "@TMP@", "--out", "@TMP@/m.bmsq"],
             status: .dataError, message: "wrong-arch.json"),
        // Unwritable output (73).
        Case(name: "export to a path under a file", arguments: ["data", "synthetic", "--out", "@TMP@/garbage.csv/x.csv"],
             status: .cannotCreate, message: "cannot write @TMP@/garbage.csv/x.csv"),
        Case(name: "C header under a file", arguments: ["export", "\(models)/lstm-demo.bmsq", "--c-header", "@TMP@/garbage.csv/m.h"],
             status: .cannotCreate, message: "cannot write @TMP@/garbage.csv/m.h"),
        Case(name: "C source under a file", arguments: ["export", "\(models)/lstm-demo.bmsq", "--c-source", "@TMP@/garbage.csv/m"],
             status: .cannotCreate, message: "cannot write @TMP@/garbage.csv/m.h"),
        Case(name: "compare output folder under a file", arguments: ["compare", "--estimators", "ah", "--scenarios", "nominal",
                                                                     "--quiet", "--out", "@TMP@/garbage.csv/out"],
             status: .cannotCreate, message: "cannot write @TMP@/garbage.csv/out"),
    ]

    /// A one-row cycles_index.csv in the NASA layout (header and first row of the real index).
    static let cyclesIndex = """
        cell,cycle,type,start_time,ambient_temperature_C,n_samples,duration_s,dt_median_s,dt_max_s,v_min_V,v_max_V,t_min_C,\
        t_max_C,rest_before_s,nonmonotonic_time_steps,nan_samples,capacity_Ah,ah_out_to_2p7V_Ah,t_2p7V_s,ah_out_trapz_Ah,\
        i_mean_when_loaded_A,preceding_charge_cycle,ah_in_trapz_Ah,Re_ohm,Rct_ohm,flags,samples_included
        B0005,0,charge,2008-04-02T13:08:17.921,24,789,7597.875,9.328,18.063,3.4794,4.2099,24.17,27.45,,0,0,,,,,,,0.77703,,,,yes

        """

    /// The scratch files the cases refer to.
    static func prepare() throws -> URL {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-exit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        // A NASA-shaped folder with one cell (cycles_index.csv is all `data export` needs to list cells).
        let nasa = tmp.appendingPathComponent("nasa")
        try FileManager.default.createDirectory(at: nasa, withIntermediateDirectories: true)
        try Data(Self.cyclesIndex.utf8).write(to: nasa.appendingPathComponent("cycles_index.csv"))
        try Data("this,is\nnot,a recording\n".utf8).write(to: tmp.appendingPathComponent("garbage.csv"))
        try Data("MATLAB 5.0 MAT-file, but then nothing".utf8).write(to: tmp.appendingPathComponent("garbage.mat"))
        try Data("BMSQ and nothing after".utf8).write(to: tmp.appendingPathComponent("garbage.bmsq"))
        try Data(#"{"name": "broken", "baseTickSeconds": "one"}"#.utf8).write(to: tmp.appendingPathComponent("scenario.json"))
        try Data(#"{"name": "z", "summary": "", "baseTickSeconds": 0}"#.utf8).write(to: tmp.appendingPathComponent("zero-tick.json"))
        // The demo float model with its architecture changed to LSTM(16): the weights no longer fit.
        let demo = try Data(contentsOf: SharedData.fixtures.appendingPathComponent("models/lstm-demo.json"))
        var object = try #require(try JSONSerialization.jsonObject(with: demo) as? [String: Any])
        var architecture = try #require(object["architecture"] as? [String: Any])
        architecture["layers"] = [["lstm": ["units": 16]], ["dense": ["activation": "linear", "units": 1]]]
        object["architecture"] = architecture
        try JSONSerialization.data(withJSONObject: object).write(to: tmp.appendingPathComponent("wrong-arch.json"))
        return tmp
    }

    @Test("each failure mode: status and message", arguments: cases)
    func failureMode(_ row: Case) throws {
        let tmp = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let arguments = row.arguments.map { $0.replacingOccurrences(of: "@TMP@", with: tmp.path) }
        let outcome = try BMSimProcess.run(arguments)
        #expect(!outcome.signalled, "bmsim \(arguments) was killed by signal \(outcome.status)")
        #expect(outcome.status == row.status.rawValue, "bmsim \(arguments): stderr \(outcome.stderr)")
        #expect(outcome.stderr.contains(row.message.replacingOccurrences(of: "@TMP@", with: tmp.path)),
                "stderr: \(outcome.stderr)")
        // Nothing half-written is left under the output names.
        #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("out/comparison.json").path))
        #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("m.bmsq").path))
    }

    @Test("typed errors thrown by the commands map to one line `bmsim: error: …`")
    func libraryErrorsGiveOneLine() throws {
        let tmp = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let outcome = try BMSimProcess.run(["data", "summary", tmp.appendingPathComponent("garbage.mat").path])
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("bmsim: error: "), "stderr: \(outcome.stderr)")
    }

    @Test("success exits 0")
    func success() throws {
        let outcome = try BMSimProcess.run(["--version"])
        #expect(outcome.status == 0 && !outcome.signalled)
        #expect(outcome.stdout.contains("0.1.0"))
    }

    @Test("--help of the root and of subcommands prints usage and exits 0", arguments: [
        [], ["replay"], ["compare"], ["train"], ["quantize"], ["data", "summary"],
    ])
    func help(_ subcommand: [String]) throws {
        let outcome = try BMSimProcess.run(subcommand + ["--help"])
        #expect(outcome.status == 0 && !outcome.signalled)
        #expect(outcome.stdout.contains("USAGE:"))
        #expect(!outcome.stderr.contains("error"))
    }

    @Test("classification of the typed errors, without a process")
    func classification() {
        #expect(CLIExitStatus.classify(CLIError.cannotWrite(path: "x", reason: "r")) == .cannotCreate)
        #expect(CLIExitStatus.classify(CLIError.missingInput(path: "x", reason: "r")) == .noInput)
        #expect(CLIExitStatus.classify(CocoaError(.fileReadNoSuchFile)) == .failure)
        #expect(Set(CLIExitStatus.allCases.map(\.rawValue)) == [0, 1, 64, 65, 66, 73, 130, 143])
    }
}
