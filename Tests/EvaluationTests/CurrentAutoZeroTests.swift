import BMSCore
import CellData
import CellModel
import Estimators
import Foundation
import Replay
import Testing
import TestSupport

/// The firmware's current auto-zero on a real life: the validation cell B0007 replayed
/// (its first 120 operations) under `current-bias` (+50 mA, 10 mA noise), with the auto-zero on (the default) and off,
/// against the same cell under `nominal`. Without it the biased rest reading is above the rest
/// current, so no OCV correction or rested reading ever starts and the bias is counted.
@Suite("Current auto-zero on NASA B0007 (validation cell)", .serialized,
       .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
struct CurrentAutoZeroTests {
    static let names = ["ah", "ekf-1rc", "ukf-1rc"]
    /// Operations of B0007's life replayed (charges, discharges, rests and gaps).
    static let operationCount = 120

    /// The real estimators as the command line makes them: the rest current and the
    /// auto-zero's largest offset scaled to the model's capacity.
    struct Factory: EstimatorFactory {
        let model: CellModelParameters
        var knownNames: [String] { CurrentAutoZeroTests.names }
        var cellCapacityAh: Double? { model.initialCapacityAh(temperatureC: 25) }
        func makeEstimator(name: String, setup: EstimatorSetup) throws -> any SOCEstimator {
            var config = EstimatorConfig().scaledToCell(capacityAh: model.initialCapacityAh(temperatureC: 25))
            config.capacityAh = setup.capacityAh
            return try Estimators.makeEstimator(EstimatorKind(rawValue: name)!, model: model, config: config, soc: setup.initialSOC)
        }
    }

    @Test("current-bias with the auto-zero scores within 0.5 points of nominal for ah, ekf and ukf; without it 1.5 points worse")
    func autoZeroRemovesTheBias() throws {
        let model = try CellModelFile.load(from: SharedData.fixtures.appendingPathComponent("models/cell-default.json"))
        let nasa = try #require(SharedData.nasa)
        var recording = try RecordingSource.open(path: nasa.path).recordings(cell: "B0007")[0]
        recording.operations = Array(recording.operations.prefix(Self.operationCount))
        let runner = ReplayRunner(factory: Factory(model: model), options: ReplayOptions(keepTelemetry: false))
        let nominal = try runner.run(recording: recording, scenario: .nominal, estimators: Self.names)
        let biased = try runner.run(recording: recording, scenario: .currentBias, estimators: Self.names)
        var off = ReplayScenario.currentBias
        off.currentOffset = .off
        let raw = try runner.run(recording: recording, scenario: off, estimators: Self.names)
        for k in Self.names.indices {
            let n = nominal.metrics[k].rmsePercent, b = biased.metrics[k].rmsePercent, r = raw.metrics[k].rmsePercent
            print("CurrentAutoZero \(Self.names[k]): nominal \(n), current-bias \(b), without auto-zero \(r)")
            #expect(b <= n + 0.5, "\(Self.names[k]): \(b) with the auto-zero vs \(n) nominal")
            #expect(r >= n + 1.5, "\(Self.names[k]): \(r) without the auto-zero vs \(n) nominal: the bias should show")
        }
    }
}
