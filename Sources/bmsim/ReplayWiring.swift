import BMSCore
import CellData
import CellModel
import Estimators
import Foundation
import Replay
import Synchronization
import WeightBlob

/// The estimator factory of the command-line tool: the methods of `Estimators` on a cell
/// model (the one given with `--cell-model`, else the bundled one) and, when a `.bmsq` blob
/// is loaded (`--lstm-model`, else the bundled demo model), the fixed-point LSTM.
struct ClassicalEstimatorFactory: EstimatorFactory {
    /// The cell model every estimator uses.
    let model: CellModelParameters
    /// The fixed-point LSTM model of `lstm` (nil: `lstm` is not available).
    var lstmModel: BlobModel? = nil
    /// The model of `ekf+lstm` when it is not `lstmModel`: the bundled uncertainty-head blob
    /// when no `--lstm-model` is given (`BundledData.fusionLSTMModelURL`); nil: `lstmModel`.
    var fusionLSTMModel: BlobModel? = nil
    /// Settings every estimator starts from (the experiment options of `replay`/`compare` change it).
    var baseConfig = EstimatorConfig()

    /// Short aliases accepted on the command line.
    static var aliases: [String: String] { EstimatorList.aliases }

    var knownNames: [String] {
        (lstmModel == nil ? EstimatorKind.classical : EstimatorKind.allCases).map(\.rawValue) + Self.aliases.keys.sorted()
    }

    func makeEstimator(name: String, setup: EstimatorSetup) throws -> any SOCEstimator {
        guard let kind = EstimatorKind(rawValue: Self.aliases[name] ?? name) else {
            throw ReplayError.unknownEstimator(name: name, known: knownNames)
        }
        // The rest current as a C-rate of the cell's (design) capacity (`EstimatorConfig.scaledToCell`).
        var config = baseConfig.scaledToCell(capacityAh: model.initialCapacityAh(temperatureC: 25))
        // The scenario's capacity (nameplate, or the first capacity test of the cell) is the
        // starting value; capacity learning stays on, as in a fuel gauge. The filters' voltage
        // noise stays the model-residual default: the sensor noise (a few mV) is far below the
        // model's own error, so using it would make the filters trust the model too much.
        config.capacityAh = setup.capacityAh
        do {
            return try Estimators.makeEstimator(kind, model: model, lstmModel: blob(for: kind), config: config,
                                                soc: setup.initialSOC)
        } catch {
            throw ReplayError.estimatorSetup(name: name, detail: "\(error)")
        }
    }

    /// The blob `kind` runs: `fusionLSTMModel` for `ekf+lstm` when set, else `lstmModel`.
    func blob(for kind: EstimatorKind) -> BlobModel? {
        kind == .ekfLSTM ? fusionLSTMModel ?? lstmModel : lstmModel
    }

    /// Loads `--cell-model` (or the bundled cell model) and `--lstm-model` (for `lstm` and
    /// `ekf+lstm`); without it the bundled blobs when they exist: `lstm-soh` for `lstm`,
    /// `lstm-soh-nll` (the uncertainty head) for `ekf+lstm`.
    static func load(cellModelPath: String?, lstmModelPath: String? = nil,
                     baseConfig: EstimatorConfig = EstimatorConfig()) throws -> ClassicalEstimatorFactory {
        let cell = try cellModelPath.map { try CellModelFile.load(from: URL(fileURLWithPath: $0)) } ?? BundledData.cellModel()
        func blob(_ path: String?) throws -> BlobModel? {
            guard let path else { return nil }
            do { return try BlobReader.decode(try InputBytes.read(path), source: path).model } catch let error as BlobError {
                throw ReplayError.estimatorSetup(name: "lstm", detail: "\(error)")
            }
        }
        let lstm = try blob(lstmModelPath ?? BundledData.lstmModelURL?.path)
        let fusion = lstmModelPath == nil ? try blob(BundledData.fusionLSTMModelURL?.path) : nil
        return ClassicalEstimatorFactory(model: cell, lstmModel: lstm, fusionLSTMModel: fusion, baseConfig: baseConfig)
    }
}

/// Recordings and models that ship with the tool.
enum BundledData {
    /// The package's `Fixtures` folder, found from this source file's location (works for
    /// the tool run from its build tree; elsewhere the fall-backs below apply).
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Where a cell model fitted on the shared training cells is looked for.
    static let cellModelCandidates = ["models/cell-default.json"]

    /// The cell model used when no `--cell-model` is given: the fitted one shipped in
    /// `Fixtures`, else the synthetic 18650 parameters of `CellModel`.
    static func cellModel() -> CellModelParameters {
        for name in cellModelCandidates {
            let url = fixtures.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path), let model = try? CellModelFile.load(from: url) {
                return model
            }
        }
        return .synthetic18650()
    }

    /// The fixed-point LSTM used when no `--lstm-model` is given: the most accurate blob
    /// shipped in `Fixtures`, `lstm-soh` (LSTM(32) on V, T, ΔV, the charge drawn and the
    /// learned capacity, its prior counted against that capacity; int8 test RMSE 2.93 % per
    /// discharge; Docs/Results.md), or nil when it is not there.
    static var lstmModelURL: URL? {
        let url = fixtures.appendingPathComponent("models/lstm-soh.bmsq")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// The blob `ekf+lstm` runs when no `--lstm-model` is given: `lstm-soh-nll`, `lstm-soh`'s
    /// recipe with an uncertainty head (format 6), whose own σ sets the fusion's R; chosen over
    /// `lstm-soh` with band noise on the validation cells (Docs/Results.md, "EKF + LSTM fusion").
    /// Nil when it is not there (then `ekf+lstm` runs `lstmModelURL`'s blob with band noise).
    static var fusionLSTMModelURL: URL? {
        let url = fixtures.appendingPathComponent("models/lstm-soh-nll.bmsq")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// The recording replayed when no PATH is given: `Fixtures/recordings/synthetic-cycle.csv`
    /// (simulated with the bundled cell model: charge, rest, pulsed discharge, rest), else
    /// CellData's built-in synthetic recording.
    static func recording() -> Recording {
        let url = fixtures.appendingPathComponent("recordings/synthetic-cycle.csv")
        if FileManager.default.fileExists(atPath: url.path),
           let recording = try? GenericRecordingCSV.read(path: url.path, options: .init(currentSign: .chargePositive)) {
            return recording
        }
        return SyntheticRecording.make()
    }
}

/// Loads the recordings named on the command line.
enum RecordingLoader {
    /// Every recording under `paths` (or the bundled one), restricted to `cells` if given.
    static func load(paths: [String], cells: [String]?, currentSign: GenericRecordingCSV.CurrentSign? = nil,
                     policy: QualityPolicy = QualityPolicy()) throws -> [Recording] {
        guard !paths.isEmpty else { return [BundledData.recording()] }
        var recordings: [Recording] = []
        for path in paths {
            let source = try RecordingSource.open(path: path)
            if let cells {
                let available = Set(try source.cellNames())
                for cell in cells where available.contains(cell) {
                    recordings += try source.recordings(cell: cell, policy: policy, currentSign: currentSign)
                }
            } else {
                recordings += try source.recordings(policy: policy, currentSign: currentSign)
            }
        }
        if let cells {
            let found = Set(recordings.map(\.cell))
            if let missing = cells.first(where: { !found.contains($0) }) {
                throw CellDataError.unknownCell(missing, available: found.sorted())
            }
        }
        return recordings
    }
}

/// SIGINT and SIGTERM handling: the first of either asks running work to stop
/// (`ReplayCancellation`: replays finish cleanly and the command writes and reports what was
/// done; `train` stops after the epoch whose checkpoint it is writing); a second one ends the
/// process at once with the same status. The exit status tells which signal came first:
/// 130 (SIGINT) or 143 (SIGTERM), `status`.
///
/// The handler is set with `sigaction` and both signals are unblocked in the calling thread
/// (threads started later inherit its mask): a process started from a test runner, a CI job
/// or a shell with job control can inherit SIGINT ignored or blocked, and would otherwise
/// never see Ctrl-C or die without writing what was finished.
enum InterruptHandler {
    /// The signals handled.
    static let signals: [Int32] = [SIGINT, SIGTERM]
    /// The first stop signal received (0: none yet).
    private static let received = Atomic<Int32>(0)

    static func install() {
        // Touch the globals here so that the handler never runs their lazy initialisation.
        _ = ReplayCancellation.isRequested
        _ = received.load(ordering: .relaxed)
        let handler: @convention(c) (Int32) -> Void = { signal in
            if ReplayCancellation.isRequested { _exit(128 + InterruptHandler.received.load(ordering: .relaxed)) }
            _ = InterruptHandler.received.compareExchange(expected: 0, desired: signal, ordering: .relaxed)
            ReplayCancellation.request()
        }
        var action = sigaction()
        #if os(Linux)
        action.__sigaction_handler.sa_handler = handler
        #else
        action.__sigaction_u.__sa_handler = handler
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in signals {
            sigaction(signal, &action, nil)
            sigaddset(&unblock, signal)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// True once SIGINT or SIGTERM arrived.
    static var isRequested: Bool { ReplayCancellation.isRequested }

    /// The exit status of a stopped command: `.terminated` (143) after SIGTERM, else
    /// `.interrupted` (130).
    static var status: CLIExitStatus { received.load(ordering: .relaxed) == SIGTERM ? .terminated : .interrupted }

    /// The name of the signal that stopped the command ("SIGINT" when none did).
    static var signalName: String { received.load(ordering: .relaxed) == SIGTERM ? "SIGTERM" : "SIGINT" }
}
