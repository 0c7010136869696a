import Foundation
import Testing
import TestSupport
@testable import bmsim
@testable import CellData

/// `bmsim simulate --profile udds|us06|wltc|hwfet|FILE.csv` through the built executable.
@Suite("bmsim simulate with drive cycles", .serialized)
struct SimulateDriveTests {
    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a standard cycle: drive down to the stop SOC, recharge, a recording the replay reads with an exact SOC")
    func standardCycle() throws {
        let tmp = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("udds.csv").path
        let model = SharedData.fixtures.appendingPathComponent("models/cell-default.json").path
        let run = try BMSimProcess.run(["simulate", "--profile", "us06", "--cell-model", model, "--peak-c", "2",
                                        "--stop-soc", "0.5", "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        let recording = try GenericRecordingCSV.read(path: out, options: .init())
        let samples = recording.operations.flatMap { $0.providedSOC ?? [] }
        #expect(abs(samples.min()! - 0.5) < 0.01 && samples.last! > 0.99)        // down to 0.5, recharged
        let currents = recording.operations.flatMap(\.samples.currentA)
        // Regeneration, and a discharge peak of 2 C of the cell (design capacity ≈ 1.8 Ah, power-scaled: ≈ 3.6 A).
        #expect(currents.contains { $0 > 0.3 } && currents.min()! < -3 && currents.min()! > -5)
        // The replay's reference is the exact SOC: a Thevenin plant under a Thevenin filter.
        let replay = try BMSimProcess.run(["replay", out, "--cell-model", model, "--estimators", "ah-pure,ekf",
                                           "--quiet", "--format", "csv", "--out", tmp.appendingPathComponent("r").path])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("ah-pure") && replay.stdout.contains("ekf"))
    }

    @Test("a PyBaMM current profile needs its sign; bad pack, peak and trace options are usage errors")
    func fileProfiles() throws {
        let tmp = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let profile = tmp.appendingPathComponent("profile.csv")
        try "# Time [s], Current [A]\n0,0.1\n1,2.0\n2,-0.5\n3,1.0\n".write(to: profile, atomically: true, encoding: .utf8)
        let out = tmp.appendingPathComponent("o.csv").path
        let unsigned = try BMSimProcess.run(["simulate", "--profile", profile.path, "--out", out])
        #expect(unsigned.status == 65 && unsigned.stderr.contains("--current-sign"), "\(unsigned.stderr)")
        let signed = try BMSimProcess.run(["simulate", "--profile", profile.path, "--current-sign", "discharge_positive",
                                           "--peak-c", "1", "--stop-soc", "0.95", "--no-recharge", "--out", out])
        #expect(signed.status == 0, "\(signed.stderr)")
        for bad in [["--pack", "96"], ["--pack", "0x3"], ["--peak-c", "0"], ["--peak-c", "1", "--peak-power", "3"],
                    ["--current-sign", "up"], ["--stop-soc", "2"], ["--drivetrain-efficiency", "0"]] {
            let r = try BMSimProcess.run(["simulate", "--profile", "udds", "--out", out] + bad)
            #expect(r.status == 64 && r.stderr.hasPrefix("bmsim: error:"), "\(bad): \(r.status) \(r.stderr)")
        }
        let missing = try BMSimProcess.run(["simulate", "--profile", tmp.appendingPathComponent("none.csv").path, "--out", out])
        #expect(missing.status == 66, "\(missing.stderr)")
    }
}
