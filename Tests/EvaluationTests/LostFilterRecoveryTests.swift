import BMSCore
import CellData
import CellModel
import Estimators
import Evaluation
import Foundation
import Testing
import TestSupport

/// "No estimator stays lost": an estimator 90 points wrong is put right by a rested reading it
/// can trust (a wake-up after a sleep, or a recorded rest of `restAnchorSeconds`), on real NASA
/// discharges of B0005 with the bundled cell model, and a rested reading the model does not
/// trust at rest (a relaxing cell after a discharge) only bounds the state. The reference is
/// the data set's own label (SOC 1 at a discharge's rested first sample, counted down by its
/// capacity), not anything the estimators compute.
@Suite("Lost estimators recover on trusted rested readings (NASA B0005)", .serialized,
       .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
struct LostFilterRecoveryTests {
    static let kinds: [EstimatorKind] = [.ah, .ekf1RC, .ukf1RC]
    /// Where the lost estimators start (the truth is 1): 90 points wrong.
    static let lostSOC = 0.1

    let model: CellModelParameters
    /// B0005's usable discharges that start rested (|I| ≤ 0.05 A) at a full cell's voltage
    /// after a rest of at least the 300 s rest time (all of them, on this cell).
    let discharges: [EvaluationDischarge]

    init() throws {
        model = try CellModelFile.load(from: SharedData.fixtures.appendingPathComponent("models/cell-default.json"))
        let nasa = try #require(SharedData.nasa)
        discharges = try EvaluationDischarge.load(root: nasa, cells: ["B0005"]).filter { d in
            abs(d.samples.currentA[0]) <= 0.05 && d.samples.voltageV[0] >= 4.15 && (d.restBeforeS ?? 0) >= 300
        }
    }

    /// A few discharges across the life (young to aged cell).
    var chosen: [EvaluationDischarge] {
        let n = discharges.count
        return [0, n / 3, 2 * n / 3, n - 1].map { discharges[$0] }
    }

    /// Counting against the discharge's own capacity, so that what remains after the wake-up
    /// is the estimator's own tracking, not a capacity mismatch.
    func config(_ d: EvaluationDischarge) -> EstimatorConfig {
        var c = EstimatorConfig()
        c.capacityAh = d.capacityAh
        c.useLearnedCapacity = false
        return c
    }

    static func shown(_ soc: Double) -> Double { min(max(soc, 0), 1) }

    static func measurement(_ s: OperationSamples, _ k: Int, dt: Double) -> CellMeasurement {
        CellMeasurement(voltageV: s.voltageV[k], currentA: s.currentA[k], temperatureC: s.temperatureC[k], dtSeconds: dt)
    }

    @Test("woken after the recorded rest, the rested first reading puts a 90-points-wrong estimator within 5 points; it then tracks the discharge")
    func wakeUpOnARestedFullCell() throws {
        try #require(discharges.count >= 100)
        let loaded = try #require(discharges.first)     // its loaded middle: the lost estimator's recent history
        for d in chosen {
            let s = d.samples
            let sleep = try #require(d.restBeforeS)
            #expect(abs(d.soc[0] - 1) < 1e-12)
            for kind in Self.kinds {
                let e = try makeEstimator(kind, model: model, config: config(d), soc: Self.lostSOC)
                // Some loaded samples first (2 A, 10 s apart): the estimator has a history and is lost.
                for k in 40..<60 { _ = e.update(Self.measurement(loaded.samples, k, dt: loaded.samples.timeS[k] - loaded.samples.timeS[k - 1])) }
                let before = e.estimate.soc
                e.wake(afterSleepSeconds: sleep)
                let woken = e.update(Self.measurement(s, 0, dt: 1)).soc
                var stats = ErrorStatistics()
                stats.add(estimate: Self.shown(woken), reference: Self.shown(d.soc[0]))
                for k in 1..<s.count {
                    let est = e.update(Self.measurement(s, k, dt: s.timeS[k] - s.timeS[k - 1])).soc
                    stats.add(estimate: Self.shown(est), reference: Self.shown(d.soc[k]))
                }
                print("LostFilterRecovery wake: B0005 cycle \(d.cycle) (rest \(Int(sleep)) s, V0 \(s.voltageV[0])) "
                      + "\(kind.rawValue): \(before) → \(woken), discharge RMSE \(stats.rmse * 100) points")
                #expect(before < 0.3, "\(kind.rawValue) cycle \(d.cycle): not lost before the wake-up (\(before))")
                #expect(abs(Self.shown(woken) - 1) <= 0.05, "\(kind.rawValue) cycle \(d.cycle): \(woken) after waking")
                #expect(stats.nonFiniteCount == 0)
                #expect(stats.rmse < 0.03, "\(kind.rawValue) cycle \(d.cycle): RMSE \(stats.rmse * 100) points over the discharge")
            }
        }
    }

    @Test("a recorded rest of restAnchorSeconds (no sleep) re-anchors a filter that is 90 points low")
    func recordedLongRestAnchors() throws {
        let d = try #require(discharges.first)
        let s = d.samples
        let loaded = discharges[1].samples
        let anchorS = try #require(EstimatorConfig().restAnchorSeconds)
        #expect(anchorS == 1800)
        for kind in [EstimatorKind.ekf1RC, .ukf1RC] {
            for anchored in [true, false] {
                var c = config(d)
                if !anchored { c.restAnchorSeconds = nil }
                let e = try makeEstimator(kind, model: model, config: c, soc: Self.lostSOC)
                // Loaded history first (the rest is not the first sample after a reset).
                for k in 40..<60 { _ = e.update(Self.measurement(loaded, k, dt: loaded.timeS[k] - loaded.timeS[k - 1])) }
                let rested = CellMeasurement(voltageV: s.voltageV[0], currentA: 0, temperatureC: s.temperatureC[0], dtSeconds: 1)
                var trace: [Double] = []
                for _ in 0..<1900 { trace.append(e.update(rested).soc) }
                // trace[k] is the estimate after k + 1 s of rest.
                let jump = trace.firstIndex { abs(Self.shown($0) - 1) <= 0.05 }.map { $0 + 1 }
                print("LostFilterRecovery recorded rest: \(kind.rawValue) anchor \(anchored ? "1800 s" : "off"): "
                      + "after 10 s \(trace[9]), after 1790 s \(trace[1789]), after 1900 s \(trace[1899]); "
                      + "within 5 points from \(jump.map { "\($0) s" } ?? "never")")
                // Until the rest has lasted restAnchorSeconds the filter is still lost (the
                // loaded-noise updates at rest do not recover it: the anchor is what does) …
                // (the UKF's loaded-noise updates creep up: 0.42 after 1790 s with the defaults, 0.62
                // with α = 1.5, just under 0.6 with α = 1.5 and the textbook innovation)
                #expect(trace[1789] < 0.65, "\(kind.rawValue): recovered before the anchor (\(trace[1789]))")
                if anchored {
                    // … and from then on it is right.
                    #expect(abs(Self.shown(trace[1899]) - 1) <= 0.05, "\(kind.rawValue): \(trace[1899]) after 1900 s at rest")
                    #expect(jump.map { $0 >= Int(anchorS) - 5 && $0 <= Int(anchorS) + 5 } == true,
                            "\(kind.rawValue): within 5 points from \(String(describing: jump)) s, expected ≈ \(anchorS) s")
                } else {
                    // (the UKF's loaded-noise updates creep up a little: 0.47 after 1900 s)
                    #expect(trace[1899] < 0.7, "\(kind.rawValue): without the anchor it recovered anyway (\(trace[1899]))")
                }
            }
        }
    }

    @Test("a rested reading below the trusted range bounds the state (≤ the floor) and never pulls a low one up")
    func untrustedReadingOnlyBounds() throws {
        let floor = try #require(model.restedOCVTrustedFromSOC)
        var checked = 0
        for d in chosen {
            let s = d.samples
            let last = s.count - 1
            // The discharge's last sample: load off for minutes, relaxing at 3.2–3.7 V, label ≈ 0.
            try #require(abs(s.currentA[last]) <= 0.05)
            try #require(s.voltageV[last] > 3.2 && s.voltageV[last] < 3.7)
            #expect(abs(Self.shown(d.soc[last])) < 0.01)
            // The table itself maps this reading far from the truth (that is why it is not trusted).
            let tableSOC = model.ocv.soc(voltageV: s.voltageV[last], temperatureC: s.temperatureC[last])
            #expect(tableSOC < floor)
            let reading = Self.measurement(s, last, dt: 1)
            for kind in Self.kinds {
                let high = try makeEstimator(kind, model: model, config: config(d), soc: 0.95)
                high.wake(afterSleepSeconds: 3600)
                let bounded = high.update(reading).soc
                let low = try makeEstimator(kind, model: model, config: config(d), soc: 0.02)
                low.wake(afterSleepSeconds: 3600)
                let kept = low.update(reading).soc
                print("LostFilterRecovery bound: cycle \(d.cycle) V \(s.voltageV[last]) (table SOC \(tableSOC)) "
                      + "\(kind.rawValue): 0.95 → \(bounded), 0.02 → \(kept)")
                // The Ah counter closes 1 − exp(−3600 s / 120 s) of the gap: within 1e-12 of the floor.
                #expect(bounded <= floor + 1e-9, "\(kind.rawValue) cycle \(d.cycle): \(bounded) above the floor \(floor)")
                // Bounded, not pulled towards the table's reading of it (−0.6 … −0.17 here).
                #expect(bounded > floor - 0.05, "\(kind.rawValue) cycle \(d.cycle): \(bounded) pulled far below the floor")
                #expect(abs(kept - 0.02) <= 0.01, "\(kind.rawValue) cycle \(d.cycle): 0.02 moved to \(kept)")
                checked += 1
            }
        }
        #expect(checked == chosen.count * Self.kinds.count)
    }
}
