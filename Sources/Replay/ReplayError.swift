import BMSCore
import CellData
import Firmware

/// What can go wrong while setting up or writing a replay (the replay loop itself does not throw).
public enum ReplayError: Error, Sendable, CustomStringConvertible {
    /// A scenario file could not be read or decoded; `location` points into the file.
    case scenarioFile(location: InputLocation, detail: String)
    /// An input file (a scenario file) exists by name but cannot be read: missing, a folder,
    /// a FIFO, a dangling link, a permission.
    case unreadable(path: String, reason: String)
    /// A scenario name that is neither a preset nor a readable file.
    case unknownScenario(name: String, known: [String])
    /// An estimator name the factory does not know, or (with `context`) a name a scenario
    /// refers to that is not one of the run's estimators.
    case unknownEstimator(name: String, known: [String], context: String? = nil)
    /// The estimator factory failed to make `name` (e.g. a cell-model or LSTM file problem).
    case estimatorSetup(name: String, detail: String)
    /// The recording has nothing to replay (no samples, or non-finite times).
    case emptyRecording(cell: String, detail: String)
    /// The firmware rejected the configuration derived from the scenario.
    case firmwareConfig(scenario: String, FirmwareConfigError)
    /// An output file or folder could not be written (or was refused: see `OutputPath`).
    case writeFailed(OutputPathError)
    /// The run was interrupted (SIGINT) before this job finished.
    case interrupted

    /// Human-readable message.
    public var description: String {
        switch self {
        case let .scenarioFile(location, detail): "\(location): scenario: \(detail)"
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .unknownScenario(name, known):
            "unknown scenario '\(name)' (not a preset or a file); presets: \(known.joined(separator: ", "))"
        case let .unknownEstimator(name, known, context):
            (context.map { "\($0): " } ?? "") + "unknown estimator '\(name)'; known: \(known.joined(separator: ", "))"
        case let .estimatorSetup(name, detail): "estimator \(name): \(detail)"
        case let .emptyRecording(cell, detail): "recording \(cell): \(detail)"
        case let .firmwareConfig(scenario, error): "scenario \(scenario): \(error)"
        case let .writeFailed(error): error.description
        case .interrupted: "interrupted"
        }
    }
}
