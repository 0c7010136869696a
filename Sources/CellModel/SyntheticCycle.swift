import BMSCore

/// One piece of a synthetic current profile (current + = charge).
public enum ProfileSegment: Sendable, Equatable {
    /// Zero current for the duration.
    case rest(durationS: Double)
    /// Constant current until the duration ends or the voltage leaves [stopBelowV, stopAboveV].
    case constant(currentA: Double, durationS: Double, stopBelowV: Double = 0, stopAboveV: Double = 10)
    /// Square pulses: `currentA` for `onS`, 0 for `offS`, repeated, until the duration ends or
    /// the voltage drops below `stopBelowV`.
    case pulses(currentA: Double, onS: Double, offS: Double, durationS: Double, stopBelowV: Double = 0)
    /// Drive-cycle-like random current around `meanA`: a mean-reverting random walk
    /// (deviation ← 0.95 · deviation + `stepSigmaA` · N(0, 1) per tick), clamped to ±`limitA`,
    /// until the duration ends or the voltage drops below `stopBelowV`.
    case randomWalk(meanA: Double, stepSigmaA: Double, limitA: Double, durationS: Double,
                    stopBelowV: Double = 0)
    /// CC–CV charge: `currentA` until `voltageV`, then hold `voltageV` until the current
    /// falls below `cutoffA` or the duration ends.
    case cccvCharge(currentA: Double, voltageV: Double, cutoffA: Double, durationS: Double)
    /// A drive-cycle demand, repeated with rests until a stop SOC or voltage (`DriveSegment`).
    case drive(DriveSegment)
}

/// A simulated recording: uniformly sampled columns and the exact SOC.
public struct SyntheticRecording: Sendable, Equatable {
    /// Seconds since the start.
    public var timeS: [Double] = []
    /// Terminal voltage, V (with sensor noise if requested).
    public var voltageV: [Double] = []
    /// Current, A (+ = charge; with sensor noise if requested).
    public var currentA: [Double] = []
    /// Temperature, °C.
    public var temperatureC: [Double] = []
    /// Exact SOC (fraction of the simulated capacity).
    public var soc: [Double] = []
    /// Operation of each sample: `charge`, `discharge` or `rest` (from the profile segment).
    public var operation: [String] = []

    /// Number of samples.
    public var count: Int { timeS.count }

    /// The generic recording CSV of `Docs/DataFormats.md` (`# bmsim recording v1` header
    /// comments with the current sign, then `time_s,voltage_v,current_a,temperature_c,soc,
    /// operation,capacity_ah`; current + = charge; `capacityAh` is the simulated capacity).
    public func csvText(cell: String, source: String, capacityAh: Double) -> String {
        var s = "# bmsim recording v1\n# cell: \(cell)\n# current_sign: charge_positive\n"
        if let t = temperatureC.first { s += "# ambient_temperature_c: \(fixed(t, 1))\n" }
        s += "# source: \(source)\n# soc: exact SOC of the simulation (fraction of the simulated capacity)\n"
        s += "time_s,voltage_v,current_a,temperature_c,soc,operation,capacity_ah\n"
        let capacity = fixed(capacityAh, 4)
        for k in 0..<count {
            s += "\(fixed(timeS[k], 3)),\(fixed(voltageV[k], 5)),\(fixed(currentA[k], 5)),"
            s += "\(fixed(temperatureC[k], 3)),\(fixed(soc[k], 6)),\(operation[k]),\(capacity)\n"
        }
        return s
    }

    /// Decimal text with exactly `digits` decimals (no Foundation); values too large for
    /// that (|x| ≥ 10¹⁵) or not finite are written in Swift's own notation, never trapped on.
    func fixed(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = (abs(x) * scale).rounded()
        guard n.isFinite, n < 1e15 else { return "\(x)" }
        let intPart = Int64(n / scale)
        var frac = String(Int64(n - Double(intPart) * scale))
        while frac.count < digits { frac = "0" + frac }
        return (x < 0 && n > 0 ? "-" : "") + "\(intPart)" + (digits > 0 ? "." + frac : "")
    }
}

/// Runs a `CellSimulator` through profile segments at a fixed tick.
public struct SyntheticCycleGenerator {
    /// Tick, seconds.
    public var dtSeconds: Double
    /// Temperature of the cell, °C (held).
    public var temperatureC: Double
    /// Voltage sensor noise σ, V (0 = clean).
    public var voltageNoiseV: Double
    /// Current sensor noise σ, A (0 = clean).
    public var currentNoiseA: Double

    /// Creates a generator.
    public init(dtSeconds: Double = 1, temperatureC: Double = 24, voltageNoiseV: Double = 0,
                currentNoiseA: Double = 0) {
        self.dtSeconds = dtSeconds
        self.temperatureC = temperatureC
        self.voltageNoiseV = voltageNoiseV
        self.currentNoiseA = currentNoiseA
    }

    /// Simulates the segments in order; the first row is the relaxed starting state.
    public func run(_ segments: [ProfileSegment], simulator: inout CellSimulator,
                    seed: UInt64 = 1) -> SyntheticRecording {
        var rng = SeededGenerator(seed: seed)
        var out = SyntheticRecording()
        var t = 0.0
        var kind = "rest"
        func record(_ v: Double, _ i: Double, _ s: Double) {
            out.operation.append(kind)
            out.timeS.append(t)
            out.voltageV.append(v + voltageNoiseV * rng.nextGaussian())
            out.currentA.append(i + currentNoiseA * rng.nextGaussian())
            out.temperatureC.append(temperatureC)
            out.soc.append(s)
        }
        record(simulator.terminalVoltage(currentA: 0, temperatureC: temperatureC), 0, simulator.soc)
        var walk = 0.0
        for segment in segments {
            switch segment {
            case .rest: kind = "rest"
            case .cccvCharge: kind = "charge"
            case .constant(let i, _, _, _): kind = i > 0 ? "charge" : (i < 0 ? "discharge" : "rest")
            case .pulses(let i, _, _, _, _): kind = i > 0 ? "charge" : "discharge"
            case .randomWalk(let mean, _, _, _, _): kind = mean > 0 ? "charge" : "discharge"
            case .drive(let d):
                var lastV = simulator.terminalVoltage(currentA: 0, temperatureC: temperatureC)
                drive(d, start: (lastV, simulator.soc)) { requested, label in
                    kind = label
                    // Regeneration never lifts the terminal voltage above the charge limit (a BMS's
                    // charge-current limit), as the CV phase of a charge holds it.
                    let current = requested > 0
                        ? min(requested, max(0, simulator.currentHolding(voltageV: d.chargeLimitV, dtSeconds: dtSeconds,
                                                                       temperatureC: temperatureC)))
                        : requested
                    lastV = simulator.step(currentA: current, dtSeconds: dtSeconds, temperatureC: temperatureC)
                    t += dtSeconds
                    record(lastV, current, simulator.soc)
                    return (lastV, simulator.soc)
                }
                continue
            }
            var elapsed = 0.0
            var holdingVoltage = false
            while true {
                var current: Double
                var duration: Double
                var stopBelow = 0.0
                var stopAbove = 10.0
                switch segment {
                case .rest(let d):
                    current = 0; duration = d
                case .constant(let i, let d, let lo, let hi):
                    current = i; duration = d; stopBelow = lo; stopAbove = hi
                case .pulses(let i, let on, let off, let d, let lo):
                    let phase = elapsed.truncatingRemainder(dividingBy: on + off)
                    current = phase < on ? i : 0; duration = d; stopBelow = lo
                case .randomWalk(let mean, let sigma, let limit, let d, let lo):
                    walk = 0.95 * walk + sigma * rng.nextGaussian()
                    walk = min(max(walk, -limit - mean), limit - mean)
                    current = mean + walk; duration = d; stopBelow = lo
                case .drive:
                    current = 0; duration = 0
                case .cccvCharge(let i, let vMax, let cutoff, let d):
                    duration = d
                    current = i
                    let hold = simulator.currentHolding(voltageV: vMax, dtSeconds: dtSeconds,
                                                        temperatureC: temperatureC)
                    if holdingVoltage || hold < i {
                        holdingVoltage = true
                        current = max(min(hold, i), 0)
                        if current < cutoff { duration = elapsed }
                    }
                }
                if elapsed >= duration { break }
                let v = simulator.step(currentA: current, dtSeconds: dtSeconds, temperatureC: temperatureC)
                t += dtSeconds
                elapsed += dtSeconds
                record(v, current, simulator.soc)
                if v < stopBelow || v > stopAbove { break }
            }
        }
        return out
    }

    /// Runs a drive segment: the demand (current, or power divided by the last voltage) at
    /// each tick, regeneration limited by the segment's rule, repeated with rests until the
    /// stop SOC or voltage. `tick(current, operation)` steps the cell one tick, records the row
    /// and returns the voltage and SOC after it.
    func drive(_ d: DriveSegment, start: (voltageV: Double, soc: Double),
               tick: (Double, String) -> (voltageV: Double, soc: Double)) {
        var last = start
        let total = Double(d.demand.values.count) * d.demand.stepS
        for repeatIndex in 0..<max(1, d.maximumRepeats) {
            if repeatIndex > 0 {
                var rested = 0.0
                while rested < d.restBetweenS {
                    last = tick(0, "rest")
                    rested += dtSeconds
                }
            }
            var elapsed = 0.0
            while elapsed < total {
                let demand = d.demand.values[min(Int(elapsed / d.demand.stepS), d.demand.values.count - 1)]
                var current = -(d.demand.isPower ? demand / max(last.voltageV, 0.5) : demand)   // + = charge
                if current > 0 { current = d.allowedRegeneration(current, soc: last.soc, voltageV: last.voltageV) }
                last = tick(current, "discharge")
                elapsed += dtSeconds
                if last.voltageV < d.stopBelowV || last.soc <= d.stopBelowSOC { return }
            }
        }
    }
}
