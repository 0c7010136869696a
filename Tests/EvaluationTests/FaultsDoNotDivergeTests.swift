import BMSCore
import CellData
import CellModel
import Estimators
import Foundation
import Replay
import Testing
import TestSupport

/// Sensor faults (dropouts, NaNs, stuck values, spikes, timestamp jumps, realistic sensors)
/// must not make the real estimators diverge: the flagged samples are withheld and owed to the
/// next clean tick, and what is reported stays in [0, 1]. Part of a NASA life (B0043's first
/// operations) replayed under `.nominal` and `.sensorFaults`, scored against the reference SOC.
@Suite("Sensor faults do not make the real estimators diverge (NASA B0043)", .serialized,
       .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
struct FaultsDoNotDivergeTests {
    static let names = ["ah", "ekf-1rc", "ukf-1rc"]
    /// Operations of B0043's life replayed (charges, discharges, rests and gaps).
    static let operationCount = 40
    /// Allowed extra RMSE under faults, SOC points.
    static let allowedExtraRMSE = 0.5

    /// The real estimators, made as the command line makes them: the scenario's capacity (the
    /// model's when it sets none), the true initial SOC.
    static func factory(model: CellModelParameters) -> ClosureEstimatorFactory {
        ClosureEstimatorFactory(names.map { name in
            (name: name, make: { @Sendable (setup: EstimatorSetup) throws -> any SOCEstimator in
                var config = EstimatorConfig()
                config.capacityAh = setup.capacityAh
                return try makeEstimator(EstimatorKind(rawValue: name)!, model: model, config: config, soc: setup.initialSOC)
            })
        })
    }

    @Test("sensor-faults RMSE ≤ nominal + 0.5 points for ah, ekf-1rc and ukf-1rc; updates held; reports stay in [0, 1]")
    func faultsDoNotDiverge() throws {
        let model = try CellModelFile.load(from: SharedData.fixtures.appendingPathComponent("models/cell-default.json"))
        let nasa = try #require(SharedData.nasa)
        var recording = try RecordingSource.open(path: nasa.path).recordings(cell: "B0043")[0]
        recording.operations = Array(recording.operations.prefix(Self.operationCount))
        #expect(Set(recording.operations.map(\.kind)) == [.charge, .discharge, .rest])
        let runner = ReplayRunner(factory: Self.factory(model: model), options: ReplayOptions(keepTelemetry: true))
        let nominal = try runner.run(recording: recording, scenario: .nominal, estimators: Self.names)
        let faults = try runner.run(recording: recording, scenario: .sensorFaults, estimators: Self.names)
        #expect(faults.flaggedTicks.reduce(0, +) > 0)
        #expect(faults.injectedFaults.reduce(0, +) > 0)
        print("FaultsDoNotDiverge: \(faults.ticks) ticks (\(faults.sleptTicks) slept), injected \(faults.injectedFaults), "
              + "flagged ticks (dropout, not-finite, stuck, spike, timestamp-jump, resync) \(faults.flaggedTicks)")
        // Each withholding flag was raised (dropout, not-finite, spike; stuck-at is rarer).
        #expect(faults.flaggedTicks[0] > 0 && faults.flaggedTicks[1] > 0 && faults.flaggedTicks[3] > 0)
        #expect(nominal.flaggedTicks.reduce(0, +) == 0)

        for (k, name) in Self.names.enumerated() {
            let n = nominal.metrics[k], f = faults.metrics[k]
            #expect(n.estimator == name && f.estimator == name)
            print("FaultsDoNotDiverge \(name): nominal RMSE \(n.rmsePercent) max \(n.maxAbsErrorPercent), "
                  + "sensor-faults RMSE \(f.rmsePercent) max \(f.maxAbsErrorPercent), held \(f.heldUpdates), "
                  + "clamped share \(n.clampedUpdateShare) / \(f.clampedUpdateShare) %, scored \(n.scoredTicks) / \(f.scoredTicks)")
            #expect(n.scoredTicks > 10_000 && f.scoredTicks == n.scoredTicks)
            #expect(n.rmsePercent.isFinite && f.rmsePercent.isFinite)
            #expect(f.rmsePercent <= n.rmsePercent + Self.allowedExtraRMSE,
                    "\(name): \(f.rmsePercent) under faults vs \(n.rmsePercent) nominal")
            #expect(f.heldUpdates > 0, "\(name): no update withheld under faults")
            #expect(n.heldUpdates == 0)
            #expect(n.nonFiniteTicks == 0 && f.nonFiniteTicks == 0)
            // Reported estimate and clamped reference are both in [0, 1]: no error beyond 100 points.
            #expect(f.maxAbsErrorPercent <= 100 && n.maxAbsErrorPercent <= 100)
        }

        // The clamp has work to do here (the counter's own value runs above 1 at the end of the
        // charges: measured 7–9 % of its updates), so the check below is not vacuous.
        #expect(nominal.metrics[0].clampedUpdateShare > 0 && faults.metrics[0].clampedUpdateShare > 0)
        // Every reported estimate in the telemetry lies in [0, 1] (and is finite).
        for result in [nominal, faults] {
            let series = result.telemetry
            #expect(series.estimators == Self.names)
            #expect(series.count > 1000)
            #expect(series.soc.count == series.count * Self.names.count)
            let outside = series.soc.filter { !($0 >= 0 && $0 <= 1) }
            #expect(outside.isEmpty, "\(result.scenario): \(outside.count) reported estimates outside [0, 1], e.g. \(outside.prefix(3))")
        }
    }
}
