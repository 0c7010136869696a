import CellData
import CellModel
import Foundation

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
    /// shipped in `Fixtures`, `lstm-soh-shrunk` (`lstm-soh`, an LSTM(32) on V, T, ΔV, the
    /// charge drawn and the learned capacity with its prior counted against that capacity,
    /// its correction to the prior scaled by λ = 0.55 by `bmsim shrink` on the validation
    /// cells and B0048; int8 test RMSE 1.87 % per discharge; Docs/Results.md), or nil when it
    /// is not there.
    static var lstmModelURL: URL? { existing("models/lstm-soh-shrunk.bmsq") }

    /// The blob the shipped band noise (`LSTMFusionNoise.default`) was learned from, and what
    /// `fusion-noise` learns from when no `--lstm-model` is given: `lstm-soh`.
    static var bandNoiseLSTMModelURL: URL? { existing("models/lstm-soh.bmsq") }

    private static func existing(_ path: String) -> URL? {
        let url = fixtures.appendingPathComponent(path)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// The blob `ekf+lstm` runs when no `--lstm-model` is given: `lstm-soh-nll`, `lstm-soh`'s
    /// recipe with an uncertainty head (format 6), whose own σ sets the fusion's R; chosen over
    /// `lstm-soh` with band noise on the validation cells (Docs/Results.md, "EKF + LSTM fusion").
    /// Nil when it is not there (then `ekf+lstm` runs `lstmModelURL`'s blob with band noise).
    static var fusionLSTMModelURL: URL? { existing("models/lstm-soh-nll.bmsq") }

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
