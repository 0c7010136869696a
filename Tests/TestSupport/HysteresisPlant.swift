import BMSCore
import Foundation

/// A synthetic LFP-like cell with Plett's one-state hysteresis, written out here as the
/// independent reference of the hysteresis tests (no `CellModel` code: its own OCV
/// interpolation, its own loop). BMSim's sign convention, I > 0 = charge:
///
///     z  ← z + I Δt / (3600 Q)
///     v1 ← a v1 + R1 (1 − a) I,                 a = exp(−Δt / τ1)
///     h  ← A h + (1 − A) sgn(I),                A = exp(−|I Δt γ / (3600 Q)|)
///     s  ← sgn(I) when I ≠ 0
///     V  = OCV(z) + M h + M0 s + R0 I + v1
///
/// with the current held over each tick. OCV: a flat plateau of 1.4 mV per SOC point between
/// SOC 0.2 and 0.9 with steep ends; M = 20 mV is 14 points of plateau.
public struct HysteresisPlant: Sendable {
    /// OCV table SOC points (fraction).
    public static let socPoints: [Double] = [0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0]
    /// OCV at `socPoints`, V.
    public static let ocvV: [Double] = [2.80, 3.12, 3.20, 3.245, 3.27, 3.285, 3.295, 3.305, 3.318, 3.33, 3.345, 3.38, 3.55]

    /// Capacity, Ah.
    public var capacityAh = 5.0
    /// Series resistance, Ω.
    public var r0Ohm = 0.008
    /// R–C pair: resistance, Ω, and time constant, s.
    public var r1Ohm = 0.004, tau1S = 60.0
    /// Hysteresis: M, M0 (V) and γ.
    public var maximumV = 0.02, instantaneousV = 0.004, rateConstant = 30.0
    /// Cell temperature, °C (constant).
    public var temperatureC = 25.0

    /// State: SOC, R–C voltage, hysteresis h, sign of the last non-zero current.
    public private(set) var soc: Double
    /// R–C branch voltage, V.
    public private(set) var branchV = 0.0
    /// Hysteresis state h ∈ [−1, 1].
    public private(set) var h: Double
    /// Sign of the last non-zero current.
    public private(set) var sign: Double

    /// A rested plant at `soc` with hysteresis state `h` and last current sign `sign`.
    public init(soc: Double, h: Double, sign: Double) {
        self.soc = soc
        self.h = h
        self.sign = sign
    }

    /// OCV(z): linear between the points, extrapolated with the end slopes.
    public static func ocv(_ z: Double) -> Double {
        var i = 0
        while i < socPoints.count - 2 && z > socPoints[i + 1] { i += 1 }
        let f = (z - socPoints[i]) / (socPoints[i + 1] - socPoints[i])
        return ocvV[i] + f * (ocvV[i + 1] - ocvV[i])
    }

    /// Terminal voltage with `currentA` flowing now.
    public func voltage(currentA: Double) -> Double {
        Self.ocv(soc) + maximumV * h + instantaneousV * sign + r0Ohm * currentA + branchV
    }

    /// One tick with `currentA` held for `dtSeconds`; the terminal voltage at its end.
    public mutating func step(currentA: Double, dtSeconds: Double) -> Double {
        soc += currentA * dtSeconds / (3600 * capacityAh)
        let a = exp(-dtSeconds / tau1S)
        branchV = a * branchV + r1Ohm * (1 - a) * currentA
        let big = exp(-abs(currentA * dtSeconds * rateConstant / (3600 * capacityAh)))
        let direction: Double = currentA > 0 ? 1 : (currentA < 0 ? -1 : 0)
        h = big * h + (1 - big) * direction
        if currentA != 0 { sign = direction }
        return voltage(currentA: currentA)
    }

    /// One sampled run: columns per sample and the operation each belongs to.
    public struct Trace: Sendable {
        /// Seconds from the start.
        public var timeS: [Double] = []
        /// Measured voltage (with noise), V.
        public var voltageV: [Double] = []
        /// Current, A.
        public var currentA: [Double] = []
        /// True SOC.
        public var soc: [Double] = []
        /// True hysteresis state.
        public var h: [Double] = []
        /// `charge`, `discharge` or `rest`.
        public var operation: [String] = []
    }

    /// Runs `segments` (current, seconds) with samples every `dtSeconds`; Gaussian voltage noise
    /// σ = `noiseV` (seeded). The first sample is the rested state before the first segment.
    public mutating func run(_ segments: [(currentA: Double, durationS: Double)], dtSeconds: Double,
                             noiseV: Double = 0, seed: UInt64 = 1) -> Trace {
        var rng = SeededGenerator(seed: seed)
        var trace = Trace()
        var t = 0.0
        func noise() -> Double { noiseV > 0 ? noiseV * rng.nextGaussian() : 0 }
        func record(_ v: Double, _ i: Double) {
            trace.timeS.append(t)
            trace.voltageV.append(v + noise())
            trace.currentA.append(i)
            trace.soc.append(soc)
            trace.h.append(h)
            trace.operation.append(i > 0 ? "charge" : (i < 0 ? "discharge" : "rest"))
        }
        record(voltage(currentA: 0), 0)
        for segment in segments {
            let ticks = Int((segment.durationS / dtSeconds).rounded())
            for _ in 0..<ticks {
                let v = step(currentA: segment.currentA, dtSeconds: dtSeconds)
                t += dtSeconds
                record(v, segment.currentA)
            }
        }
        return trace
    }

    /// The trace as a generic recording CSV (`Docs/DataFormats.md` §1) with its true SOC.
    public func csvText(_ trace: Trace, cell: String) -> String {
        var lines = ["# bmsim recording v1", "# cell: \(cell)", "# current_sign: charge_positive",
                     "time_s,voltage_v,current_a,temperature_c,soc,operation,capacity_ah"]
        for k in trace.timeS.indices {
            lines.append("\(trace.timeS[k]),\(trace.voltageV[k]),\(trace.currentA[k]),\(temperatureC),"
                         + "\(trace.soc[k]),\(trace.operation[k]),\(capacityAh)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The C/20 slow test from SOC 0.98 after a charge (h = s = +1): discharge to 0.05, 1 h
    /// rest, charge back to 0.98, 1 h rest; 10 s samples.
    public static func slowTest() -> [(currentA: Double, durationS: Double)] {
        let c20 = 5.0 / 20, span = 0.93 * 5 * 3600 / c20
        return [(0, 600), (-c20, span), (0, 3600), (c20, span), (0, 3600)]
    }

    /// A drive-like profile (1 s ticks): blocks of discharge at 0.4–2C with regenerative charge
    /// pulses and rests, seeded; 70 % of the capacity out (at most), then 40 % back in by a
    /// charge with pulses, then rests: from SOC 0.9 down to ≥ 0.2 and back up to ≈ 0.6.
    public static func drive(seed: UInt64) -> [(currentA: Double, durationS: Double)] {
        var rng = SeededGenerator(seed: seed)
        var out: [(currentA: Double, durationS: Double)] = [(0, 300)]
        var drawnAs = 0.0
        while drawnAs < 0.7 * 5 * 3600 - 100 {
            let discharge = -Double.random(in: 2...10, using: &rng)
            // The last block stops at 70 % out (SOC ≥ 0.2 from 0.9: inside the slow test's range).
            let seconds = min(Double(Int.random(in: 60...400, using: &rng)), ((0.7 * 5 * 3600 - drawnAs) / -discharge).rounded(.down))
            out.append((discharge, seconds))
            drawnAs -= discharge * seconds
            let regen = Double.random(in: 2...8, using: &rng), regenS = Double(Int.random(in: 10...90, using: &rng))
            out.append((regen, regenS))
            drawnAs -= regen * regenS
            if Int.random(in: 0..<4, using: &rng) == 0 { out.append((0, Double(Int.random(in: 60...900, using: &rng)))) }
        }
        out.append((0, 1800))
        var chargedAs = 0.0
        while chargedAs < 0.4 * 5 * 3600 {
            let charge = Double.random(in: 2.5...5, using: &rng), seconds = Double(Int.random(in: 200...600, using: &rng))
            out.append((charge, seconds))
            chargedAs += charge * seconds
            let pulse = -Double.random(in: 1...5, using: &rng), pulseS = Double(Int.random(in: 10...60, using: &rng))
            out.append((pulse, pulseS))
            chargedAs += pulse * pulseS
        }
        out.append((0, 1800))
        return out
    }
}
