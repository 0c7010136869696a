import BMSCore
import Foundation

/// The rested voltage at the end of each discharge (the zero-current tail NASA records after the
/// cut-off), grouped by cell and chamber temperature, for `bmsim fit`: the only rested readings
/// below SOC 0.2 in the data, and the question whether they give the OCV curve a slope there.
public enum EndOfDischargeRests {
    /// One discharge's tail: reference SOC at the end, rest after the last loaded sample, the
    /// last voltage, the mean loaded current.
    public struct Tail: Sendable, Equatable {
        /// Reference SOC at the end of the record.
        public var socEnd: Double
        /// Rest after the last loaded sample, s.
        public var restS: Double
        /// Last (rested) voltage, V.
        public var voltageV: Double
        /// Cell temperature at the last sample, °C.
        public var temperatureC: Double
        /// Mean |I| of the loaded samples, A.
        public var loadedCurrentA: Double
    }

    /// The tail of a discharge, nil when it rests less than `minimumRestS` after the load.
    public static func tail(_ c: EvaluationDischarge, restCurrentA: Double, minimumRestS: Double) -> Tail? {
        let s = c.samples
        guard let lastLoaded = s.currentA.lastIndex(where: { abs($0) > restCurrentA }), lastLoaded + 1 < s.count else {
            return nil
        }
        let rest = s.timeS[s.count - 1] - s.timeS[lastLoaded]
        guard rest >= minimumRestS else { return nil }
        let loaded = s.currentA[0...lastLoaded].filter { abs($0) > restCurrentA }
        return Tail(socEnd: c.soc[c.soc.count - 1], restS: rest, voltageV: s.voltageV[s.count - 1],
                    temperatureC: s.temperatureC[s.count - 1], loadedCurrentA: loaded.reduce(0) { $0 + abs($1) } / Double(max(loaded.count, 1)))
    }

    /// Markdown table: per cell and chamber, the tails' count and medians (loaded current,
    /// reference SOC at the end, rest, voltage) and the voltage range.
    public static func report(_ cycles: [EvaluationDischarge], restCurrentA: Double = 0.05, minimumRestS: Double = 60) -> String {
        var groups: [String: [Tail]] = [:]
        var order: [String] = []
        for c in cycles where !c.voltageGlitch {
            guard let t = tail(c, restCurrentA: restCurrentA, minimumRestS: minimumRestS) else { continue }
            let key = "\(c.cell) | \(Int(c.ambientC.rounded()))"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(t)
        }
        var lines = ["end-of-discharge rests (last sample of each discharge resting ≥ \(Int(minimumRestS)) s after the load; medians):",
                     "  | cell | ambient °C | discharges | loaded current, A | reference SOC at the end | rest, s | rested V (min – max) |",
                     "  |---|---|---|---|---|---|---|"]
        for key in order {
            let t = groups[key]!
            lines.append(String(format: "  | \(key) | %d | %.1f | %+.3f | %.0f | %.3f (%.3f – %.3f) |", t.count,
                                median(t.map(\.loadedCurrentA)), median(t.map(\.socEnd)), median(t.map(\.restS)),
                                median(t.map(\.voltageV)), t.map(\.voltageV).min()!, t.map(\.voltageV).max()!))
        }
        return lines.joined(separator: "\n")
    }

    static func median(_ a: [Double]) -> Double { OrderStatistics.median(a) }
}
