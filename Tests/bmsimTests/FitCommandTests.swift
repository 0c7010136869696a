import Foundation
import Testing
import TestSupport
@testable import bmsim

/// `bmsim fit` on generic recordings through the built executable: a working fit with
/// `--ocv`, and every bad input with its status and message.
@Suite("bmsim fit on generic recordings", .serialized)
struct FitCommandTests {
    /// The synthetic 18650's OCV table (24 °C row) as `--ocv` takes it.
    static let ocv = "soc,ocv_v\n" + zip([0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
                                         [3.30, 3.45, 3.55, 3.62, 3.68, 3.73, 3.78, 3.85, 3.93, 4.00, 4.08, 4.19])
        .map { "\($0),\($1)\n" }.joined()

    /// A scratch folder with `sim.csv` (bmsim simulate), OCV tables good and bad, a recording
    /// without a current sign, one without any reference SOC, and an empty folder.
    static func scratch() throws -> URL {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-fit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp.appendingPathComponent("empty"), withIntermediateDirectories: true)
        let sim = try BMSimProcess.run(["simulate", "--profile", "cycle", "--dt", "5", "--out", tmp.appendingPathComponent("sim.csv").path])
        #expect(sim.status == 0, "\(sim.stderr)")
        let files = [
            "ocv.csv": ocv,
            "ocv-mv.csv": "soc,ocv_v\n0,3300\n1,4200\n",
            "ocv-column.csv": "soc,voltage_v\n0,3.3\n1,4.2\n",
            "ocv-nan.csv": "soc,ocv_v\n0,3.3\n0.5,nan\n1,4.2\n",
            "ocv-down.csv": "soc,ocv_v\n0,3.3\n0.5,3.2\n1,4.2\n",
            "nosign.csv": "time_s,voltage_v,current_a,temperature_c\n0,3.9,0,25\n1,3.8,-1,25\n",
            "bare.csv": "# current_sign: charge_positive\ntime_s,voltage_v,current_a,temperature_c\n0,3.9,0,25\n1,3.8,-1,25\n2,3.79,-1,25\n",
        ]
        for (name, text) in files { try text.write(to: tmp.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return tmp
    }

    @Test("fits a simulated recording with --ocv: cell.json, one SVG of at most 3000 points per line, residuals printed")
    func fitsWithOCV() throws {
        let tmp = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("cell.json").path
        let r = try BMSimProcess.run(["fit", tmp.appendingPathComponent("sim.csv").path, "--ocv", tmp.appendingPathComponent("ocv.csv").path,
                                      "--validate", tmp.appendingPathComponent("sim.csv").path, "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("capacity: median of 1 full discharge"), "\(r.stdout)")
        #expect(r.stdout.contains("held fixed") && r.stdout.contains("fit residual sim:") && r.stdout.contains("validation sim"))
        #expect(FileManager.default.fileExists(atPath: out))
        let svg = try String(contentsOfFile: tmp.appendingPathComponent("cell-sim.svg").path, encoding: .utf8)
        let paths = svg.components(separatedBy: "<path d=\"").dropFirst()
        #expect(paths.count == 5)
        #expect(paths.allSatisfy { $0.prefix { $0 != "\"" }.filter { $0 == "L" || $0 == "M" }.count <= 3000 })
        #expect(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("cell-validate-sim.svg").path))
    }

    @Test("--validate decides the filters' pairs on the recordings it holds out; --filter-pairs 1 or 2 is kept as given")
    func filterPairsOnValidation() throws {
        let tmp = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let sim = tmp.appendingPathComponent("sim.csv").path, ocv = tmp.appendingPathComponent("ocv.csv").path
        for (extra, expected) in [([String](), "auto: the 2RC model's residual"), (["--filter-pairs", "1"], "--filter-pairs 1"),
                                  (["--filter-pairs", "2"], "--filter-pairs 2")] {
            let out = tmp.appendingPathComponent("v\(extra.count).json").path
            let r = try BMSimProcess.run(["fit", sim, "--ocv", ocv, "--validate", sim, "--out", out] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n").filter { $0.hasPrefix("filters (ekf, ukf): ") }
            #expect(lines.count == 1 && lines[0].contains(expected), "\(extra): \(lines)")
            let method = try #require((try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out)))
                as? [String: Any])?["fitReport"] as? [String: Any])["method"] as? [String]
            let decisions = (method ?? []).filter { $0.hasPrefix("filters (ekf, ukf): ") }
            #expect(decisions.count == 1 && decisions[0].contains(expected), "\(extra): \(decisions)")
            #expect(decisions[0].contains("over the 1 validation recording(s), not fitted") == extra.isEmpty)
        }
    }

    @Test("bad inputs: status and message", arguments: [
        (["--capacity", "0"], 64, "--capacity"),
        (["--capacity", "nan"], 64, "--capacity"),
        (["--capacity=-2"], 64, "--capacity"),
        (["--ocv", "@TMP@/none.csv"], 66, "none.csv"),
        (["--ocv", "@TMP@/ocv-mv.csv"], 65, "millivolts"),
        (["--ocv", "@TMP@/ocv-column.csv"], 65, "ocv_v"),
        (["--ocv", "@TMP@/ocv-nan.csv"], 65, "ocv-nan.csv:3"),
        (["--ocv", "@TMP@/ocv-down.csv"], 65, "rising strictly"),
        (["--hysteresis", "maybe"], 64, "--hysteresis"),
        (["--hysteresis", "on"], 65, "--hysteresis on needs a slow test"),
        (["--filter-pairs", "3"], 64, "--filter-pairs"),
        (["--filter-pairs", "two"], 64, "--filter-pairs"),
    ] as [([String], Int32, String)])
    func badOptions(_ extra: [String], _ status: Int32, _ message: String) throws {
        let tmp = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let args = ["fit", tmp.appendingPathComponent("sim.csv").path] + extra.map { $0.replacingOccurrences(of: "@TMP@", with: tmp.path) }
            + ["--out", tmp.appendingPathComponent("x.json").path]
        let r = try BMSimProcess.run(args)
        #expect(r.status == status, "\(extra): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(extra): \(r.stderr)")
    }

    @Test("bad recordings: status and message", arguments: [
        ("nosign.csv", 65, "current_sign"),
        ("empty", 66, "no .csv"),
        ("bare.csv", 65, "no operation has a reference SOC"),
        ("missing.csv", 66, "missing.csv"),
    ] as [(String, Int32, String)])
    func badRecordings(_ input: String, _ status: Int32, _ message: String) throws {
        let tmp = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let r = try BMSimProcess.run(["fit", tmp.appendingPathComponent(input).path, "--capacity", "2",
                                      "--out", tmp.appendingPathComponent("x.json").path])
        #expect(r.status == status, "\(input): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(input): \(r.stderr)")
    }

    @Test("the NASA fit takes no --hysteresis on (no slow test there): usage error",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func nasaRefusesHysteresis() throws {
        let nasa = try #require(SharedData.nasa)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-fit-\(UUID().uuidString).json")
        let r = try BMSimProcess.run(["fit", nasa.path, "--hysteresis", "on", "--out", tmp.path])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("--hysteresis") && !FileManager.default.fileExists(atPath: tmp.path))
    }
}

