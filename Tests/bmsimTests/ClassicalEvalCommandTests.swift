import ArgumentParser
import Testing
@testable import bmsim

/// `classical-eval` parses options and prints; the protocol itself is `Evaluation`'s (tested there).
@Suite struct ClassicalEvalCommandTests {
    @Test func badOptionsAreRefusedWithAClearError() {
        for bad in [["--ekf-initial-sigma", "0"], ["--ekf-initial-sigma", "-1"], ["--ekf-initial-sigma", "nan"],
                    ["--rest-iterations", "0"], ["--rest-iterations", "101"], ["--oracle-capacity", "--fixed-capacity"],
                    ["--initial", "soon"], ["--initial", "nan"], ["--methods", "ekf-9rc"]] {
            do {
                _ = try ClassicalEvalCommand.parseAsRoot(["/data", "--model", "m.json"] + bad)
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(ClassicalEvalCommand.message(for: error).contains(bad[0] == "--methods" ? "ekf-9rc" : bad[0]), "\(bad)")
            }
        }
        #expect(throws: Never.self) {
            try ClassicalEvalCommand.parseAsRoot(["/data", "--model", "m.json", "--ekf-initial-sigma", "1", "--rest-iterations", "5",
                                                  "--initial=-0.2"])
        }
    }
}
