import Foundation
import Testing
import TestSupport

/// Runs the built `bmsim` executable as a child process, stdout and stderr going to files
/// (no pipe can fill up and stall the child).
struct BMSimProcess {
    /// The executable next to the test runner (`.build/<config>/bmsim`, built by `swift test`
    /// because this test target depends on it), else the debug build in the package.
    static var executable: URL? {
        let besideRunner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("bmsim")
        let packageDebug = SharedData.fixtures.deletingLastPathComponent().appendingPathComponent(".build/debug/bmsim")
        return [besideRunner, packageDebug].first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// What a finished child did.
    struct Outcome {
        /// Exit status (or the signal number when `signalled`).
        var status: Int32
        /// True when a signal ended the process instead of `exit`.
        var signalled: Bool
        var stdout: String
        var stderr: String
    }

    let process = Process()
    let folder: URL
    let stdoutURL: URL
    let stderrURL: URL

    /// Starts `bmsim arguments…` (or `launcher` with `bmsim` as its first argument). With
    /// `standardOutput` the child writes its stdout there (e.g. `/dev/full`) instead of a file
    /// the outcome reads; with `workingDirectory` it runs in that folder.
    init(_ arguments: [String], launcher: [String]? = nil, environment: [String: String] = [:],
         standardOutput: FileHandle? = nil, workingDirectory: URL? = nil) throws {
        let binary = try #require(Self.executable, "bmsim executable not found next to the test runner or in .build/debug")
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        stdoutURL = folder.appendingPathComponent("stdout")
        stderrURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        if let launcher {
            process.executableURL = URL(fileURLWithPath: launcher[0])
            process.arguments = Array(launcher.dropFirst()) + [binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try standardOutput ?? FileHandle(forWritingTo: stdoutURL)
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// stderr so far.
    var stderrSoFar: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// stdout so far.
    var stdoutSoFar: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    /// Waits until stderr contains `text` or the process ends; false on timeout or early end.
    func waitForStderr(_ text: String, timeoutSeconds: Double) -> Bool {
        wait(until: { stderrSoFar.contains(text) }, timeoutSeconds: timeoutSeconds)
    }

    /// Waits until stdout contains `text` or the process ends; false on timeout or early end.
    func waitForStdout(_ text: String, timeoutSeconds: Double) -> Bool {
        wait(until: { stdoutSoFar.contains(text) }, timeoutSeconds: timeoutSeconds)
    }

    /// Polls `condition` every 50 ms until it holds, the process ends or the time is up.
    private func wait(until condition: () -> Bool, timeoutSeconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if condition() { return true }
            if !process.isRunning { return condition() }
            usleep(50_000)
        }
        return false
    }

    /// Waits for the end (killing the child after `timeoutSeconds`) and collects its output.
    func finish(timeoutSeconds: Double) -> Outcome? {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: folder) }
        return Outcome(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                       stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
                       stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
    }

    /// Runs `bmsim arguments…` to the end.
    static func run(_ arguments: [String], timeoutSeconds: Double = 300, standardOutput: FileHandle? = nil,
                    workingDirectory: URL? = nil) throws -> Outcome {
        let child = try BMSimProcess(arguments, standardOutput: standardOutput, workingDirectory: workingDirectory)
        return try #require(child.finish(timeoutSeconds: timeoutSeconds), "bmsim \(arguments) did not end in \(timeoutSeconds) s")
    }
}
