import Testing
@testable import bmsim

@Suite struct TrainCommandTests {
    @Test func kernelOptionAcceptsEveryVariantThisCPURunsAndRejectsOthers() throws {
        let base = ["--data", "/nonexistent", "--mode", "window", "--out", "/tmp/never-written.json"]
        for k in ["blas", "portable"] { _ = try TrainCommand.parseAsRoot(base + ["--kernel", k]) }
        _ = try TrainCommand.parseAsRoot(base)   // default: the best variant
        #expect(throws: (any Error).self) { try TrainCommand.parseAsRoot(base + ["--kernel", "sse9"]) }
    }

    @Test func weightNoiseMustBeFiniteAndNonNegative() throws {
        let base = ["--data", "/nonexistent", "--mode", "window", "--out", "/tmp/never-written.json"]
        #expect(try TrainCommand.parseAsRoot(base + ["--weight-noise", "2"]) is TrainCommand)
        for bad in ["-1", "nan", "inf"] {
            #expect(throws: (any Error).self) { try TrainCommand.parseAsRoot(base + ["--weight-noise=\(bad)"]) }
        }
    }
}
