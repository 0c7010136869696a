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
