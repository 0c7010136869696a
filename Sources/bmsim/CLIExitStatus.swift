import ArgumentParser
import CellData
import CellModel
import Evaluation
import FloatModel
import Foundation
import Replay
import Trainer
import WeightBlob

/// The exit status of `bmsim`, after BSD `sysexits.h`. Every failure ends with one line
/// `bmsim: error: …` on stderr (ArgumentParser's own usage errors print its usage text).
///
/// | status | meaning |
/// |---:|---|
/// | 0 | success |
/// | 1 | anything else (some replay jobs failed while others finished, non-finite soak state, an unclassified error); when no run finished and every job failed for one reason, that reason's status |
/// | 64 | usage: bad option or option combination, unknown estimator / scenario / architecture |
/// | 65 | data error: an input exists but its content is wrong or does not fit the command |
/// | 66 | missing input: an input file, folder or cell does not exist or cannot be read |
/// | 73 | cannot create output |
/// | 130 | interrupted by SIGINT (finished work is written, the rest is reported) |
/// | 143 | stopped by SIGTERM (as SIGINT: finished work is written, the rest is reported) |
enum CLIExitStatus: Int32, CaseIterable, Sendable {
    /// Everything went well.
    case success = 0
    /// A failure with no more specific status.
    case failure = 1
    /// `EX_USAGE`: the command was used incorrectly.
    case usage = 64
    /// `EX_DATAERR`: input data was incorrect.
    case dataError = 65
    /// `EX_NOINPUT`: an input did not exist or was not readable.
    case noInput = 66
    /// `EX_CANTCREAT`: an output file or folder cannot be created.
    case cannotCreate = 73
    /// 128 + SIGINT.
    case interrupted = 130
    /// 128 + SIGTERM.
    case terminated = 143

    /// The status for an error thrown by a command's `run()`.
    static func classify(_ error: any Error) -> CLIExitStatus {
        switch error {
        case let error as CLIError: return error.status
        case let error as CellDataError:
            switch error {
            case let .unknownCell(name, _) where name.isEmpty: return .usage   // a NASA folder needs --cell
            case .cannotRead, .unknownCell: return .noInput
            default: return .dataError
            }
        case let error as CellModelFileError:
            if case .unreadable = error { return .noInput }
            return .dataError
        case let error as LSTMFusionNoiseFileError:
            if case .unreadable = error { return .noInput }
            return .dataError
        case let error as FloatModelFileError:
            if case .io = error { return .noInput }
            return .dataError
        case let error as ReplayError:
            switch error {
            case .unknownScenario, .unknownEstimator: return .usage
            case .scenarioFile, .estimatorSetup, .firmwareConfig: return .dataError
            case .unreadable: return .noInput
            case .emptyRecording: return .dataError   // read, but nothing a replay can use
            case .writeFailed: return .cannotCreate
            case .interrupted: return InterruptHandler.status
            }
        case let error as TrainingCheckpointError:
            switch error.problem {
            case .unreadable: return .noInput
            case .cannotWrite: return .cannotCreate
            case .optionsMismatch: return .usage
            case .malformed, .unsupportedFormat, .dataMismatch: return .dataError
            }
        case is OutputPathError: return .cannotCreate
        case is BlobError, is SOCDatasetError, is IdentificationError, is RecordingFitError, is CellModelCExportError:
            return .dataError
        case let error as ComparisonMergeError:
            if case .noParts = error { return .usage }
            return .dataError
        case is ArchitectureError: return .usage
        default: return .failure
        }
    }
}

/// Failures of the command-line layer that are not one of the libraries' typed errors.
enum CLIError: Error, CustomStringConvertible, Sendable {
    /// An input file does not exist or cannot be read.
    case missingInput(path: String, reason: String)
    /// An input file was read but its content is wrong for the command.
    case badInput(path: String, reason: String)
    /// An output (a file, or standard output) cannot be written.
    case cannotWrite(path: String, reason: String)
    /// An output file or folder was refused or could not be written (`OutputPath`).
    case output(OutputPathError)

    /// The exit status this failure ends the command with.
    var status: CLIExitStatus {
        switch self {
        case .missingInput: .noInput
        case .badInput: .dataError
        case .cannotWrite, .output: .cannotCreate
        }
    }

    /// One-line message.
    var description: String {
        switch self {
        case let .missingInput(path, reason): "cannot read \(path): \(reason)"
        case let .badInput(path, reason): "\(path): \(reason)"
        case let .cannotWrite(path, reason): "cannot write \(path): \(reason)"
        case let .output(error): error.description
        }
    }
}

/// The process entry point: parses with ArgumentParser, runs the command and turns a thrown
/// error into its `CLIExitStatus` and one line on stderr.
@main
enum BMSimMain {
    static func main() {
        var command: any ParsableCommand
        do {
            command = try BMSim.parseAsRoot(CompareMergeCommand.routed(Array(CommandLine.arguments.dropFirst())))
        } catch {
            exitParsing(error)   // help, version, usage errors: ArgumentParser's texts, status 0 / 64
        }
        do {
            try command.run()
            try StandardOutput.finish()   // results lost on a full disk are an error, not exit 0
        } catch {
            finish(with: error)
        }
    }

    /// ArgumentParser's handling of its own errors (help and version on stdout, status 0),
    /// except that a usage error's first line reads `bmsim: error: …` like every other failure,
    /// followed by ArgumentParser's usage text.
    static func exitParsing(_ error: any Error) -> Never {
        let code = BMSim.exitCode(for: error)
        if code == .success || error is ExitCode { BMSim.exit(withError: error) }
        var text = BMSim.fullMessage(for: error)
        if text.hasPrefix("Error: ") { text = "bmsim: error: " + text.dropFirst("Error: ".count) }
        else if !text.hasPrefix("bmsim: error: ") { text = "bmsim: error: " + text }
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
        exit(code.rawValue)
    }

    /// Prints `error` and exits with its status.
    static func finish(with error: any Error) -> Never {
        // ExitCode (message already printed), CleanExit and ValidationError keep ArgumentParser's handling.
        // `--help` parses to ArgumentParser's help command, whose run() throws its internal
        // CommandError: every error of ArgumentParser's own module goes back to it.
        if error is ExitCode || error is CleanExit || error is ValidationError
            || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            exitParsing(error)
        }
        let status = CLIExitStatus.classify(error)
        let message = String(describing: error).replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("bmsim: error: \(message)\n".utf8))
        exit(status.rawValue)
    }
}
