import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import bmsim

/// `bmsim quantize --qat …` option checking (function calls, no child process).
@Suite struct QuantizeQATCommandTests {
    let model = SharedData.fixtures.appendingPathComponent("models/lstm-demo-charge.json").path

    func parse(_ extra: [String]) throws -> QuantizeCommand {
        try QuantizeCommand.parseAsRoot([model, "--calibration", "/nonexistent", "--out", "/tmp/never.bmsq"] + extra)
            as! QuantizeCommand
    }

    func message(_ extra: [String]) -> String {
        do {
            _ = try parse(extra)
            return "parsed"
        } catch {
            return QuantizeCommand.message(for: error)
        }
    }

    @Test func validQATOptionsParse() throws {
        let command = try parse(["--qat", "--qat-epochs", "2", "--qat-learning-rate", "5e-5", "--qat-target", "labels",
                                 "--qat-model-out", "/tmp/x.json", "--threads", "2", "--cell-fraction-bits", "9"])
        #expect(command.qatOptions.qat && command.qatOptions.qatEpochs == 2 && command.qatOptions.qatTarget == .labels)
        #expect(command.qatOptions.cellFractionBits == 9 && command.qatOptions.threads == 2)
    }

    @Test func badQATOptionsAreClearErrors() {
        let out = ["--qat-model-out", "/tmp/x.json"]
        #expect(message(["--qat", "--qat-epochs", "0"] + out).contains("epochs must be ≥ 1"))
        #expect(message(["--qat", "--qat-learning-rate", "nan"] + out).contains("learning rate"))
        #expect(message(["--qat", "--qat-learning-rate=-1"] + out).contains("learning rate"))
        #expect(message(["--qat", "--threads", "0"] + out).contains("threads"))
        #expect(message(["--qat", "--qat-float-weight=-1"] + out).contains("float-loss weight"))
        #expect(message(["--qat", "--qat-every", "0"] + out).contains("--qat-every"))
        #expect(message(["--qat", "--qat-loss-exponent", "1"] + out).contains("loss exponent"))
        #expect(message(["--qat"]).contains("--qat-model-out"))
        #expect(message(["--qat", "--qat-target", "teacher"] + out).contains("qat-target"))
        #expect(message(["--cell-fraction-bits", "13"]).contains("8…12"))
    }

    @Test func missingModelFileIsAClearError() throws {
        let command = try QuantizeCommand.parseAsRoot(["/nonexistent/model.json", "--calibration", "/nonexistent",
                                                       "--out", "/tmp/never.bmsq", "--qat", "--qat-model-out", "/tmp/x.json"])
            as! QuantizeCommand
        #expect {
            try command.run()
        } throws: { error in
            QuantizeCommand.message(for: error).contains("cannot read /nonexistent/model.json")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never.bmsq"))
    }
}
