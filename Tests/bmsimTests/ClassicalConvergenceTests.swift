import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import bmsim

/// `classical-eval`'s convergence measures on hand-built discharges (expected values worked
/// out by hand from the definitions) and its option checks.
@Suite struct ClassicalConvergenceTests {
    // 0, 300, 600, 900, 1200 s.
    let times: [Double] = [0, 300, 600, 900, 1200]
    let reference: [Double] = [1.0, 0.9, 0.8, 0.7, 0.6]

    @Test func errorGapAndForgetTimeOfOneDischarge() {
        // Wrong start: 20 points low, closing on the correct-start run by 600 s.
        let wrong: [Double] = [0.80, 0.85, 0.785, 0.655, 0.56]
        let right: [Double] = [1.00, 0.90, 0.770, 0.660, 0.57]
        let c = DischargeConvergence(cell: "X", cycle: 7, ambientC: 4, timeS: times, reference: reference,
                                     estimates: wrong, correctStartEstimates: right)
        #expect(abs(c.errorAtCheck! - (-0.015)) < 1e-12)
        #expect(abs(c.correctStartErrorAtCheck! - (-0.03)) < 1e-12)
        #expect(abs(c.gapAtCheck! - 0.015) < 1e-12)
        #expect(c.forgetTimeS == 600)
        #expect(c.withinAtCheck())
        #expect(c.forgottenAtCheck())
    }

    @Test func aGapThatReopensMovesTheForgetTimeAndNeverIsNil() {
        let right: [Double] = [1.0, 0.9, 0.8, 0.7, 0.6]
        let reopening = DischargeConvergence(cell: "X", cycle: 1, ambientC: 24, timeS: times, reference: reference,
                                             estimates: [0.8, 0.9, 0.8, 0.65, 0.6], correctStartEstimates: right)
        #expect(reopening.forgetTimeS == 1200)
        #expect(reopening.forgottenAtCheck())
        let never = DischargeConvergence(cell: "X", cycle: 2, ambientC: 24, timeS: times, reference: reference,
                                         estimates: [0.8, 0.8, 0.7, 0.6, 0.5], correctStartEstimates: right)
        #expect(never.forgetTimeS == nil)
        #expect(!never.forgottenAtCheck())
        #expect(!never.withinAtCheck())
    }

    @Test func aDischargeShorterThanTheCheckTimeIsAMiss() {
        let c = DischargeConvergence(cell: "X", cycle: 3, ambientC: 24, timeS: [0, 300], reference: [1, 0.9],
                                     estimates: [1, 0.9], correctStartEstimates: [1, 0.9])
        #expect(c.errorAtCheck == nil && c.gapAtCheck == nil)
        #expect(!c.withinAtCheck() && !c.forgottenAtCheck())
        #expect(c.forgetTimeS == 0)
    }

    @Test func summaryCountsAndMedianWithNeverAsInfinity() {
        let right: [Double] = [1.0, 0.9, 0.8, 0.7, 0.6]
        func make(_ est: [Double]) -> DischargeConvergence {
            DischargeConvergence(cell: "X", cycle: 0, ambientC: 24, timeS: times, reference: reference,
                                 estimates: est, correctStartEstimates: right)
        }
        let at0 = make(right), at300 = make([0.8, 0.9, 0.8, 0.7, 0.6]), at900 = make([0.8, 0.8, 0.7, 0.7, 0.6])
        let never = make([0.8, 0.8, 0.7, 0.6, 0.5])
        let s = ConvergenceSummary([at0, at300, at900, never])
        #expect(s.count == 4 && s.withinAtCheck == 2 && s.correctStartWithinAtCheck == 4 && s.forgottenAtCheck == 2)
        #expect(s.medianForgetS == 300)   // sorted 0, 300, 900, ∞ → the lower middle
        #expect(s.maxForgetS == 900 && s.neverForgotten == 1)
        // |gap| at 600 s: 0, 0, 0.1, 0.1 → lower middle 0, max 0.1.
        #expect(s.medianGapAtCheck == 0 && abs(s.maxGapAtCheck! - 0.1) < 1e-12)
        let mostlyNever = ConvergenceSummary([never, never, at0])
        #expect(mostlyNever.medianForgetS == nil)
        #expect(ConvergenceSummary([]).medianForgetS == nil && ConvergenceSummary([]).maxGapAtCheck == nil)
    }

    @Test func failureReportListsMissesByTemperature() {
        let right: [Double] = [1.0, 0.9, 0.8, 0.7, 0.6]
        var biased = DischargeConvergence(cell: "B0053", cycle: 12, ambientC: 4, timeS: times, reference: reference,
                                          estimates: [0.8, 0.9, 0.83, 0.7, 0.6], correctStartEstimates: [1, 0.9, 0.83, 0.7, 0.6])
        biased.capacityError = 0.0455
        let fine = DischargeConvergence(cell: "B0039", cycle: 3, ambientC: 24, timeS: times, reference: reference,
                                        estimates: right, correctStartEstimates: right)
        let report = ClassicalEvalCommand.failureReport("ekf-1rc", [biased, fine])
        #expect(report.contains("1 of 2 discharges"))
        #expect(report.contains("4 °C: 1/1 (1)"))
        #expect(report.contains("24 °C: 0/1 (0)"))
        #expect(report.contains("| B0053 | 12 | 4 | +3.00 | +3.00 | +0.00 | 300 |"))
        #expect(report.contains("| capacity in use vs capacity_Ah, % |"))
        #expect(report.hasSuffix("| +4.55 |"))
        #expect(!report.contains("| B0039 |"))
    }

    @Test func badFilterOptionsAreRefusedWithAClearError() {
        for bad in [["--ekf-initial-sigma", "0"], ["--ekf-initial-sigma", "-1"], ["--ekf-initial-sigma", "nan"],
                    ["--rest-iterations", "0"], ["--rest-iterations", "101"], ["--oracle-capacity", "--fixed-capacity"]] {
            do {
                _ = try ClassicalEvalCommand.parseAsRoot(["/data", "--model", "m.json"] + bad)
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(ClassicalEvalCommand.message(for: error).contains(bad[0]), "\(bad)")
            }
        }
        #expect(throws: Never.self) {
            try ClassicalEvalCommand.parseAsRoot(["/data", "--model", "m.json", "--ekf-initial-sigma", "1", "--rest-iterations", "5"])
        }
    }

    /// Runs `classical-eval` on the shared NASA data with the bundled cell model and returns
    /// its JSON `results` (one entry per method).
    static func classicalEval(cells: String, methods: String, _ extra: [String]) throws -> [[String: Any]] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-ce-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let model = SharedData.fixtures.appendingPathComponent("models/cell-default.json")
        let command = try ClassicalEvalCommand.parseAsRoot(
            [SharedData.nasa!.path, "--model", model.path, "--cells", cells, "--methods", methods,
             "--out", out.path] + extra) as! ClassicalEvalCommand
        try command.run()
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as! [String: Any]
        return doc["results"] as! [[String: Any]]
    }

    /// On one NASA cell: the correct-start column of a −20 % run is the rested run's own
    /// count, the EKF forgets the start, and the wake-under-load experiment changes the runs.
    @Test(.enabled(if: SharedData.available))
    func correctStartRunMatchesTheRestedRunOnNASAData() throws {
        func run(_ extra: [String]) throws -> [String: [String: Any]] {
            let rows = try Self.classicalEval(cells: "B0039", methods: "ekf-1rc,ah-pure", extra)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["method"] as! String, $0) })
        }
        let rested = try run([]), wrong = try run(["--initial=-0.2"]), underLoad = try run(["--initial=-0.2", "--wake-under-load"])
        for method in ["ekf-1rc", "ah-pure"] {
            #expect(wrong[method]!["cycles_within_2pct_at_600s_correct_start"] as! Int
                    == rested[method]!["cycles_within_2pct_at_600s"] as! Int, "\(method)")
        }
        let cycles = wrong["ekf-1rc"]!["cycles"] as! Int
        #expect(cycles > 0)
        #expect(wrong["ekf-1rc"]!["cycles_initial_error_forgotten_at_600s"] as! Int == cycles)
        #expect(wrong["ah-pure"]!["cycles_initial_error_forgotten_at_600s"] as! Int == 0)
        #expect((wrong["ah-pure"]!["misses_at_600s"] as! [Any]).count == cycles)
        #expect(underLoad["ekf-1rc"]!["rmse_pct"] as! Double != wrong["ekf-1rc"]!["rmse_pct"] as! Double)
    }

    /// Per-discharge capacity on one NASA cell, checked against the NASA index: with
    /// `--oracle-capacity` every discharge counts against its own `capacity_Ah`; without the
    /// temperature carry a discharge that follows another in the same band from a full rest
    /// counts against what the learner measured on that one, which is NASA's own count to
    /// 2.7 V within 1 %; the carry moves some of those values.
    @Test(.enabled(if: SharedData.available))
    func capacityPerDischargeFollowsTheLearnerAndTheOracle() throws {
        func rows(_ extra: [String]) throws -> [[String: Any]] {
            try Self.classicalEval(cells: "B0053", methods: "ah-pure", extra)[0]["capacity_per_discharge"] as! [[String: Any]]
        }
        func pairs(_ r: [[String: Any]]) -> [(used: Double, nasa: Double)] {
            r.map { ($0["capacity_in_use_Ah"] as! Double, $0["capacity_Ah"] as! Double) }
        }
        let oracle = pairs(try rows(["--oracle-capacity"]))
        #expect(oracle.count > 40)
        for p in oracle { #expect(p.used == p.nasa) }

        let plain = pairs(try rows(["--no-capacity-temperature"]))
        #expect(plain.count == oracle.count)
        // B0053 runs every discharge at 2 A in the 4 °C chamber (one band): from the third
        // discharge on (the first has no full rest before it) the capacity in use is the
        // previous discharge's measurement.
        var close = 0
        for k in 2..<plain.count where abs(plain[k].used - plain[k - 1].nasa) <= 0.01 * plain[k - 1].nasa { close += 1 }
        #expect(close >= plain.count - 4, "\(close) of \(plain.count - 2)")
        let carried = pairs(try rows([]))
        #expect(zip(carried, plain).contains { abs($0.used - $1.used) > 1e-3 })
    }
}
