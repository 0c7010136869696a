import BMSCore
import CellData
import CellModel
import Estimators
import Evaluation
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
    /// The bundled cell model's capacity at 25 °C: the presets' reference cell.
    var referenceCellCapacityAh: Double? = BundledData.cellModel().initialCapacityAh(temperatureC: 25)

    /// Short aliases accepted on the command line.
    static var aliases: [String: String] { EstimatorList.aliases }

    var knownNames: [String] {
        (lstmModel == nil ? EstimatorKind.classical : EstimatorKind.allCases).map(\.rawValue) + Self.aliases.keys.sorted()
    }

    /// The cell model's capacity at 25 °C: scales the firmware's current auto-zero.
    var cellCapacityAh: Double? { model.initialCapacityAh(temperatureC: 25) }

    func makeEstimator(name: String, setup: EstimatorSetup) throws -> any SOCEstimator {
        guard let kind = EstimatorList.kind(of: name, filterPairs: model.filterPairs) else {
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

    /// The file name of the blob `kind` runs: `path` (`--lstm-model`) or the bundled one's.
    func blobName(for kind: EstimatorKind, path: String?) -> String {
        let bundled = kind != .ekfLSTM ? BundledData.lstmModelURL
            : BundledData.fusionLSTMModelURL ?? BundledData.bandNoiseLSTMModelURL
        return URL(fileURLWithPath: path ?? bundled?.path ?? "?").lastPathComponent
    }

    /// Warns on stderr when `document` (`--fusion-noise`) was learned for another blob than the
    /// one `ekf+lstm` runs (`path`: `--lstm-model`).
    func warnOnFusionNoiseMismatch(_ document: LSTMFusionNoiseFile.Document?, path: String?) {
        if let warning = document?.mismatch(with: blob(for: .ekfLSTM), name: blobName(for: .ekfLSTM, path: path)) {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
    }

    /// Loads `--cell-model` (or the bundled cell model) and `--lstm-model` (for `lstm` and
    /// `ekf+lstm`); without it the bundled blobs when they exist: `lstm-soh-shrunk` for `lstm`,
    /// `lstm-soh-nll` (the uncertainty head) for `ekf+lstm`, or, without that file, `lstm-soh`,
    /// the blob the shipped band noise was learned from.
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
        let fusion = lstmModelPath == nil
            ? try blob(BundledData.fusionLSTMModelURL?.path ?? BundledData.bandNoiseLSTMModelURL?.path) : nil
        return ClassicalEstimatorFactory(model: cell, lstmModel: lstm, fusionLSTMModel: fusion, baseConfig: baseConfig)
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
