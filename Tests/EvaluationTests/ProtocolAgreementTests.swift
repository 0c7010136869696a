import BMSCore
import CellData
import CellModel
import Estimators
import Evaluation
import Foundation
import Replay
import Testing
import TestSupport

/// "A discharge replayed alone from the same start gives the same figure in both protocols"
/// (`Docs/Results.md`): the discharge-only protocol (`DischargeEvaluation`, native samples,
/// 18.7 s apart on B0005's first ~80 discharges and 9.4 s later, started at the reference) and
/// the whole-life replay (`ReplayRunner`, 1 s ticks interpolated linearly between the samples,
/// scored per tick) on one B0005 discharge, fresh estimators, both counting against that
/// discharge's own capacity (`useLearnedCapacity = false`, `capacityAh` = its `capacity_Ah`).
@Suite("Discharge protocol and replay agree on a lone discharge (NASA B0005)", .serialized,
       .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
struct ProtocolAgreementTests {
    static let kinds: [EstimatorKind] = [.ah, .ekf1RC, .ukf1RC]
    /// Largest allowed |RMSE(replay) − RMSE(discharge protocol)| per method and discharge, SOC
    /// points, when both start the same way. Measured (debug build) over all 159 B0005
    /// discharges with a rest of at least 300 s before them: ah ≤ 0.007, ekf-1rc ≤ 0.44,
    /// ukf-1rc ≤ 0.39 points. The filters' part is the sampling: ≈ 0.33–0.44 on the 18.7 s
    /// discharges (the replay's 1 s ticks give the filter more voltage information per second
    /// than one 18.7 s sample, whose R is not scaled below σ², so the model's bias pulls it
    /// more), < 0.05 on the 9.4 s ones. 0.6 leaves margin and still catches a protocol that
    /// starts, scales or scores differently (a filter start that is not anchored costs 1–7 points).
    static let tolerancePoints = 0.6
    /// Discharges checked: early (18.7 s samples; cycle 45 is the worst measured), mid-life and
    /// aged (9.4 s), and one after a 15 h rest (611).
    static let cycles = [1, 45, 125, 277, 587, 611]

    /// The fixed-capacity configuration both protocols use.
    static func config(capacityAh: Double) -> EstimatorConfig {
        var c = EstimatorConfig()
        c.useLearnedCapacity = false
        c.capacityAh = capacityAh
        return c
    }

    /// The RMSE of each method (points) on discharge `d`: by the discharge protocol and by
    /// the replay of its operation alone. `sleep`: the rest before the discharge is told to both
    /// (the protocol's first Δt; the replay's fresh estimators are woken with it), else neither.
    static func rmses(_ d: EvaluationDischarge, model: CellModelParameters, life: Recording, sleep: Bool)
        throws -> [(kind: EstimatorKind, protocolRMSE: Double, replayRMSE: Double)] {
        var options = DischargeEvaluation.Options()
        options.start = .offset(0)
        options.giveSleepTime = sleep
        options.config = config(capacityAh: d.capacityAh)
        let report = try DischargeEvaluation(model: model, methods: kinds, options: options).run([d], cells: ["B0005"])

        var op = try #require(life.operations.first { $0.kind == .discharge && $0.nasaCycle == d.cycle })
        #expect(op.samples == d.samples)
        #expect(op.capacityAh == d.capacityAh)
        op.startTimeS = 0
        let lone = Recording(cell: "B0005", source: life.source, operations: [op])
        // Same labels in both (the one ReferenceSOC).
        #expect(ReferenceSOC.label(lone)[0] == d.soc)
        var scenario = ReplayScenario.nominal
        scenario.assumedCapacityAh = d.capacityAh
        let rest: Double = try #require(d.restBeforeS)
        let told = sleep ? rest : nil
        let factory = ClosureEstimatorFactory(kinds.map { kind in
            (name: kind.rawValue, make: { @Sendable (setup: EstimatorSetup) throws -> any SOCEstimator in
                // The scenario's capacity (the discharge's), never learned.
                var c = EstimatorConfig()
                c.useLearnedCapacity = false
                c.capacityAh = setup.capacityAh
                let e = try makeEstimator(kind, model: model, config: c, soc: setup.initialSOC)
                if let told { e.wake(afterSleepSeconds: told) }   // the BMS slept through the rest
                return e
            })
        })
        let replay = try ReplayRunner(factory: factory, options: ReplayOptions(keepTelemetry: false))
            .run(recording: lone, scenario: scenario, estimators: kinds.map(\.rawValue))
        #expect(replay.sleptTicks == 0)
        #expect(replay.excluded.isEmpty)
        return try kinds.enumerated().map { k, kind in
            let protocolReport = try #require(report.method(kind.rawValue))
            let m = replay.metrics[k]
            #expect(m.estimator == kind.rawValue)
            #expect(protocolReport.all.count == d.samples.count)
            // One tick per second of the discharge, all scored.
            #expect(abs(Double(m.scoredTicks) - d.samples.durationS) <= 2)
            #expect(protocolReport.all.rmse.isFinite && m.rmsePercent.isFinite)
            return (kind, protocolReport.all.rmse, m.rmsePercent)
        }
    }

    struct Loaded {
        let model: CellModelParameters
        let discharges: [Int: EvaluationDischarge]
        let life: Recording

        init() throws {
            model = try CellModelFile.load(from: SharedData.fixtures.appendingPathComponent("models/cell-default.json"))
            let nasa = try #require(SharedData.nasa)
            discharges = Dictionary(uniqueKeysWithValues: try EvaluationDischarge.load(root: nasa, cells: ["B0005"]).map { ($0.cycle, $0) })
            life = try NASADataset(root: nasa).recording(cell: "B0005")
        }
    }

    @Test("both told the rest before the discharge (both anchor at its rested first sample): |Δ RMSE| ≤ 0.6 points per method")
    func protocolsAgreeFromTheSameRestedStart() throws {
        let data = try Loaded()
        var worst: [EstimatorKind: Double] = [:]
        for cycle in Self.cycles {
            let d = try #require(data.discharges[cycle])
            // A sleep the protocol passes on (≥ the 300 s rest time), so the replay's woken
            // estimators and the protocol's both anchor after the same rest.
            try #require((d.restBeforeS ?? 0) >= EstimatorConfig().restMinimumSeconds)
            for r in try Self.rmses(d, model: data.model, life: data.life, sleep: true) {
                let difference = r.replayRMSE - r.protocolRMSE
                worst[r.kind] = max(worst[r.kind] ?? 0, abs(difference))
                print("ProtocolAgreement (same rested start): B0005 cycle \(d.cycle) (\(d.samples.count) samples, "
                      + "rest \(Int(d.restBeforeS ?? 0)) s, Q \(d.capacityAh) Ah) \(r.kind.rawValue): "
                      + "protocol \(r.protocolRMSE), replay \(r.replayRMSE), difference \(difference) points")
                #expect(abs(difference) <= Self.tolerancePoints,
                        "\(r.kind.rawValue) cycle \(d.cycle): replay \(r.replayRMSE) vs protocol \(r.protocolRMSE) points")
            }
        }
        print("ProtocolAgreement (same rested start): worst |difference| "
              + Self.kinds.map { "\($0.rawValue) \(worst[$0] ?? .nan)" }.joined(separator: ", "))
    }
}
