import BMSCore
import CellData
import Foundation
import Replay
import TestSupport

/// Coulomb counter for the tests: soc += I·dt / (3600·C), with the capacity it is told.
final class CountingEstimator: SOCEstimator {
    let name: String
    let capacityAh: Double
    private(set) var estimate: SOCEstimate

    init(name: String = "count", setup: EstimatorSetup) {
        self.name = name
        capacityAh = setup.capacityAh ?? 2.0
        estimate = SOCEstimate(soc: setup.initialSOC)
    }

    func update(_ m: CellMeasurement) -> SOCEstimate {
        guard m.isFinite else { estimate.holding = true; return estimate }
        estimate = SOCEstimate(soc: estimate.soc + m.currentA * m.dtSeconds / (3600 * capacityAh))
        return estimate
    }

    func reset(soc: Double) { estimate = SOCEstimate(soc: soc) }

    func wake(afterSleepSeconds seconds: Double) {}
    var stateBytes: Int { 4 }
}

/// A crude voltage-based estimator: linear 3.0–4.2 V ↦ 0–1 with a sigma; ignores current.
final class LinearVoltageEstimator: SOCEstimator {
    let name = "volt"
    private(set) var estimate = SOCEstimate(soc: 0.5, sigma: 0.2)
    func update(_ m: CellMeasurement) -> SOCEstimate {
        estimate = SOCEstimate(soc: (m.voltageV - 3.0) / 1.2, sigma: 0.2)
        return estimate
    }
    func reset(soc: Double) { estimate = SOCEstimate(soc: soc, sigma: 0.2) }
    func wake(afterSleepSeconds seconds: Double) {}
    var stateBytes: Int { 0 }
}

let testFactory = ClosureEstimatorFactory([
    (name: "count", make: { CountingEstimator(setup: $0) }),
    (name: "volt", make: { _ in LinearVoltageEstimator() }),
])

/// Samples every `step` seconds from `durationS`, with `current(t)` and `voltage(t)`.
func samples(durationS: Double, step: Double, current: (Double) -> Double, voltage: (Double) -> Double) -> OperationSamples {
    let times = Swift.stride(from: 0.0, through: durationS, by: step).map { $0 }
    return OperationSamples(timeS: times, voltageV: times.map(voltage), currentA: times.map(current),
                            temperatureC: times.map { 24 + $0 / 1000 })
}

/// A small synthetic life: discharge 2 A for 1 h (capacity 2 Ah) to 2.6 V, rest 10 min, charge
/// 1.5 A for 4780 s to 4.2 V then 50 mA for 10 min (CV taper: it ends full, having put back
/// 7207.25 A·s by the trapezoid rule, 0.1 % more than the discharge took), a 2 h gap, and
/// another discharge. Samples every 10 s. Every operation has a reference SOC. The 5 s between
/// two operations is a label change of one continuous log (ticked through), or with
/// `pausesAreGaps` time the log did not capture, as between NASA's records (a gap operation:
/// the firmware sleeps there and wakes at the next operation).
func syntheticRecording(cell: String = "SYN1", pausesAreGaps: Bool = false) -> Recording {
    let discharge = samples(durationS: 3600, step: 10, current: { _ in -2.0 }, voltage: { 4.1 - 1.5 * $0 / 3600 })
    let rest = samples(durationS: 600, step: 10, current: { _ in 0 }, voltage: { 3.3 + 0.1 * $0 / 600 })
    let charge = samples(durationS: 5380, step: 10, current: { $0 <= 4780 ? 1.5 : 0.05 },
                         voltage: { min(4.2, 3.5 + 0.7 * $0 / 4780) })
    let gap = OperationSamples(timeS: [0, 7200], voltageV: [4.2, 4.15], currentA: [0, 0], temperatureC: [24, 24])
    var t = 0.0
    var ops: [CellOperation] = []
    for (kind, s, isGap, cap) in [(OperationKind.discharge, discharge, false, 2.0 as Double?), (.rest, rest, false, nil),
                                  (.charge, charge, false, nil), (.rest, gap, true, nil), (.discharge, discharge, false, 2.0)] {
        if pausesAreGaps, let last = ops.last, !last.isGap, !isGap {
            let end = last.samples.count - 1
            let pause = OperationSamples(timeS: [0, 5], voltageV: [last.samples.voltageV[end], s.voltageV[0]], currentA: [0, 0],
                                         temperatureC: [24, 24])
            ops.append(CellOperation(kind: .rest, nasaCycle: nil, startTimeS: t - 5, ambientTemperatureC: 24, capacityAh: nil,
                                     samples: pause, isGap: true))
        }
        ops.append(CellOperation(kind: kind, nasaCycle: nil, startTimeS: t, ambientTemperatureC: 24, capacityAh: cap,
                                 samples: s, isGap: isGap))
        t += s.timeS.last! + 5   // 5 s between operations
    }
    return Recording(cell: cell, source: "synthetic", operations: ops)
}

/// Test-only reader of a few NASA discharges (CellData owns the real reader): each
/// discharge becomes an operation, with a 30-minute pause between them. `capacitiesAh`
/// (NASA's `Capacity` from `cycles_index.csv`) are attached to the first discharges.
func nasaDischarges(cell: String = "B0005", count: Int = 3, capacitiesAh: [Double] = []) throws -> Recording? {
    guard let nasa = SharedData.nasa else { return nil }
    let text = try String(contentsOf: nasa.appendingPathComponent("discharge/\(cell)_discharge.csv"), encoding: .utf8)
    var groups: [(t: [Double], v: [Double], i: [Double], c: [Double])] = []
    var current = ""
    for line in text.split(separator: "\n").dropFirst() {
        let f = line.split(separator: ",", omittingEmptySubsequences: false)
        guard f.count >= 5, let t = Double(f[1]), let v = Double(f[2]), let i = Double(f[3]), let c = Double(f[4])
        else { continue }
        if f[0] != current {
            if groups.count == count { break }
            groups.append(([], [], [], []))
            current = String(f[0])
        }
        groups[groups.count - 1].t.append(t); groups[groups.count - 1].v.append(v)
        groups[groups.count - 1].i.append(i); groups[groups.count - 1].c.append(c)
    }
    var ops: [CellOperation] = []
    var start = 0.0
    for (n, g) in groups.enumerated() {
        ops.append(CellOperation(kind: .discharge, nasaCycle: nil, startTimeS: start, ambientTemperatureC: 24,
                                 capacityAh: n < capacitiesAh.count ? capacitiesAh[n] : nil, samples: OperationSamples(timeS: g.t, voltageV: g.v, currentA: g.i,
                                                                            temperatureC: g.c)))
        start += g.t.last! + 1800
    }
    return Recording(cell: cell, source: "test reader", operations: ops)
}
