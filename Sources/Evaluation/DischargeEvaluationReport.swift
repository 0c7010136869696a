import BMSCore
import CellData
import CellModel
import Foundation

/// What the discharge-only protocol produced: per method, error statistics in SOC points
/// (displayed-SOC scoring, and the raw benchmark scoring of Docs/Benchmark.md beside it), convergence, per cell,
/// and the capacity in use per discharge (the SOH error, reported apart from convergence).
public struct DischargeEvaluationReport: Sendable, Equatable, Codable {
    /// Cells, in order.
    public var cells: [String]
    /// Where each discharge started.
    public var start: DischargeEvaluation.Start
    /// Counted against the model's fixed capacity (no learning).
    public var fixedCapacity: Bool
    /// Oracle experiment: each discharge's own capacity.
    public var oracleCapacity: Bool
    /// Learned capacities carried by the model's temperature table.
    public var capacityFollowsTemperature: Bool
    /// Experiment: leading rested samples withheld.
    public var wakeUnderLoad: Bool
    /// The rested wake-up reading's error by chamber temperature.
    public var wakeUpReadings: WakeUpReadingErrors
    /// One report per method.
    public var methods: [MethodReport]

    /// The report of `method`, if present.
    public func method(_ name: String) -> MethodReport? { methods.first { $0.method == name } }

    /// The report as pretty-printed JSON in the snake_case style of `ReportJSON`.
    public func json() throws -> Data {
        try ReportJSON.encode(self)
    }

    /// A report read back from `json()` (or from an older camelCase file).
    public static func read(json data: Data) throws -> DischargeEvaluationReport {
        try ReportJSON.decoder().decode(DischargeEvaluationReport.self, from: data)
    }
}

/// Error statistics of one cell.
public struct CellStatistics: Sendable, Equatable, Codable {
    /// Cell name.
    public var cell: String
    /// Errors in SOC points (displayed-SOC scoring).
    public var statistics: ErrorStatistics
}

/// The capacity an estimator counted one discharge against, beside NASA's.
public struct CapacityInUse: Sendable, Equatable, Codable {
    /// Cell name.
    public var cell: String
    /// NASA operation number.
    public var cycle: Int
    /// The estimator's capacity at the end of the discharge, Ah.
    public var capacityInUseAh: Double
    /// NASA's `capacity_Ah` of the discharge (the label's Q_ref), Ah.
    public var capacityAh: Double
    /// (in use − NASA) / NASA, %.
    public var errorPercent: Double { 100 * (capacityInUseAh - capacityAh) / capacityAh }
}

/// One method's figures. Errors are in SOC percentage points.
public struct MethodReport: Sendable, Equatable, Codable {
    /// Method name (`EstimatorKind.rawValue`).
    public var method: String
    /// Every scored sample: reported estimate vs reference, both clamped to [0, 1].
    public var all = ErrorStatistics()
    /// Benchmark scoring (Docs/Benchmark.md): raw estimate vs raw label (the peers' figures use it).
    public var taskScoring = ErrorStatistics()
    /// Discharges at chambers of 15 °C or more (NASA: 22–44 °C).
    public var warm = ErrorStatistics()
    /// Discharges at chambers below 15 °C (NASA: 4 °C).
    public var cold = ErrorStatistics()
    /// Per cell.
    public var perCell: [CellStatistics] = []
    /// Discharges.
    public var dischargeCount = 0
    /// Within ±2 % at 600 s into the discharge.
    public var withinAtTenMinutes = 0
    /// Within ±2 % for every sample from 600 s on.
    public var withinAfterTenMinutes = 0
    /// Convergence summary (also from the correct start).
    public var convergence: ConvergenceSummary?
    /// Every discharge's convergence record.
    public var discharges: [DischargeConvergence] = []
    /// Capacity in use per discharge (methods with a capacity).
    public var capacityPerDischarge: [CapacityInUse] = []
    /// Mean wall-clock time per update, ns (sampled over the whole run).
    public var nanosecondsPerUpdate = 0.0

    /// An empty report for `method`.
    public init(method: String) { self.method = method }

    /// Adds one discharge's estimates (fractions, raw) to the statistics.
    mutating func add(_ d: EvaluationDischarge, estimates: [Double], into cellStats: inout ErrorStatistics) {
        let s = d.samples
        var settled = true, checked = false
        for k in 0..<s.count {
            let e = (DischargeEvaluation.shown(estimates[k]) - DischargeEvaluation.shown(d.soc[k])) * 100
            all.add(e)
            cellStats.add(e)
            taskScoring.add(estimate: estimates[k] * 100, reference: d.soc[k] * 100)
            if d.ambientC < 15 { cold.add(e) } else { warm.add(e) }
            if s.timeS[k] >= 600 && abs(e) > 2 { settled = false }
            if s.timeS[k] >= 600 && !checked {
                checked = true
                if abs(e) <= 2 { withinAtTenMinutes += 1 }
            }
        }
        dischargeCount += 1
        if settled { withinAfterTenMinutes += 1 }
    }

    /// RMS and mean capacity error per cell, % (methods with a capacity).
    public var capacityErrorByCell: [(cell: String, rms: Double, mean: Double)] {
        var order: [String] = []
        var stats: [String: ErrorStatistics] = [:]
        for c in capacityPerDischarge {
            if stats[c.cell] == nil { order.append(c.cell) }
            stats[c.cell, default: ErrorStatistics()].add(c.errorPercent)
        }
        return order.map { ($0, stats[$0]!.rmse, stats[$0]!.mean) }
    }
}

/// The model's OCV read at each discharge's rested first sample (the wake-up reading) against
/// the reference SOC 1 there, by chamber temperature, in SOC points: RMS and mean not clamped,
/// and RMS clamped at SOC 1 as the estimators start. The OCV table's error per group.
public struct WakeUpReadingErrors: Sendable, Equatable, Codable {
    /// One chamber temperature's figures.
    public struct Group: Sendable, Equatable, Codable {
        /// Chamber setpoint, °C (rounded).
        public var ambientC: Int
        /// Reading − reference, SOC points.
        public var raw: ErrorStatistics
        /// min(reading, 1) − reference, SOC points.
        public var clamped: ErrorStatistics
    }
    /// Groups by increasing temperature.
    public var groups: [Group]

    /// Measures the readings of `discharges` whose first sample is rested.
    public init(_ discharges: [EvaluationDischarge], model: CellModelParameters, restCurrentA: Double,
                sleepSeconds: (EvaluationDischarge) -> Double) {
        var byAmbient: [Int: Group] = [:]
        for d in discharges where abs(d.samples.currentA[0]) <= restCurrentA {
            let t = d.samples.temperatureC[0]
            let v = model.restCorrectedVoltage(d.samples.voltageV[0], restSeconds: sleepSeconds(d), temperatureC: t)
            let reading = model.ocv.soc(voltageV: v, temperatureC: t)
            let key = Int(d.ambientC.rounded())
            var g = byAmbient[key] ?? Group(ambientC: key, raw: ErrorStatistics(), clamped: ErrorStatistics())
            g.raw.add((reading - d.soc[0]) * 100)
            g.clamped.add((min(reading, 1) - d.soc[0]) * 100)
            byAmbient[key] = g
        }
        groups = byAmbient.keys.sorted().map { byAmbient[$0]! }
    }

    /// One line for the console.
    public var line: String {
        "wake-up OCV reading (rested first sample, rest-corrected) − reference SOC 1, by chamber °C "
            + "(RMS / mean points; RMS clamped at 1; n): "
            + groups.map { g in
                "\(g.ambientC) °C: \(String(format: "%.2f / %+.2f; %.2f", g.raw.rmse, g.raw.mean, g.clamped.rmse)) (\(g.raw.count))"
            }.joined(separator: ", ")
    }
}
