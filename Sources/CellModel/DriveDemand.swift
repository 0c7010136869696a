import BMSCore

/// A small longitudinal vehicle model: the battery power a speed trace asks for.
///
///     F = m·k_rot·a + ½·ρ·C_dA·v² + m·g·C_rr            (a = dv/dt, forward difference)
///     P_wheel = F·v
///     P_battery = P_wheel / η + P_aux          when P_wheel ≥ 0 (traction)
///               = P_wheel · r · η + P_aux       when P_wheel < 0 (braking; r = regeneration share)
///
/// The cell's share is P_battery / (series × parallel). Defaults: a compact electric car
/// (1,600 kg, C_dA 0.62 m², C_rr 0.009, η 0.90, 60 % of the braking power regenerated,
/// 300 W auxiliaries, a 96s30p pack of 2 Ah cells ≈ 20 kWh).
public struct VehicleModel: Sendable, Equatable {
    /// Vehicle mass with driver, kg.
    public var massKg = 1600.0
    /// Drag coefficient × frontal area, m².
    public var dragAreaM2 = 0.62
    /// Rolling-resistance coefficient.
    public var rollingResistance = 0.009
    /// Battery-to-wheel efficiency (also wheel-to-battery when braking).
    public var drivetrainEfficiency = 0.90
    /// Share of the braking power that is regenerated (the rest goes to the friction brakes).
    public var regenerationShare = 0.6
    /// Constant auxiliary load, W.
    public var auxiliaryPowerW = 300.0
    /// Rotating-mass factor on the inertial force.
    public var rotationalMassFactor = 1.04
    /// Air density, kg/m³.
    public var airDensity = 1.2
    /// Cells in series.
    public var seriesCells = 96
    /// Cells in parallel.
    public var parallelCells = 30

    /// The defaults.
    public init() {}

    /// Battery power per cell at each sample of a speed trace (+ = discharge), W.
    public func cellPowerW(speedMps v: [Double], timeS t: [Double]) -> [Double] {
        let g = 9.81
        let cells = Double(max(1, seriesCells * parallelCells))
        return v.indices.map { k in
            let a = k + 1 < v.count ? (v[k + 1] - v[k]) / max(t[k + 1] - t[k], 1e-9) : 0
            let force = massKg * rotationalMassFactor * a + 0.5 * airDensity * dragAreaM2 * v[k] * v[k]
                + (v[k] > 0 ? massKg * g * rollingResistance : 0)
            let wheel = force * v[k]
            let battery = wheel >= 0 ? wheel / drivetrainEfficiency : wheel * regenerationShare * drivetrainEfficiency
            return (battery + auxiliaryPowerW) / cells
        }
    }
}

/// A trace turned into what one cell is asked for, at a fixed step: current (A) or power (W),
/// + = discharge, optionally scaled so that its peak discharge is `peakC` × capacity (a power
/// trace: `peakC` × capacity × the nominal voltage) or `peakPowerW`.
public struct DriveDemand: Sendable, Equatable {
    /// Per-step values, + = discharge.
    public var values: [Double]
    /// True when `values` is power (W), false when current (A).
    public var isPower: Bool
    /// Step, s.
    public var stepS: Double

    /// Creates a demand.
    public init(values: [Double], isPower: Bool, stepS: Double) {
        self.values = values
        self.isPower = isPower
        self.stepS = stepS
    }

    /// The demand of samples `values` at `timeS` (linear interpolation onto `stepS`), current
    /// or power; scaled when `peakC` or `peakPowerW` is given (`capacityAh`, `nominalVoltageV`
    /// convert a C-rate into amperes or watts). `nil` when the trace never discharges and a
    /// scale was asked for, or with fewer than two samples.
    public static func make(timeS: [Double], values: [Double], isPower: Bool, stepS: Double = 1,
                            peakC: Double? = nil, peakPowerW: Double? = nil,
                            capacityAh: Double, nominalVoltageV: Double) -> DriveDemand? {
        guard timeS.count >= 2, let first = timeS.first, let last = timeS.last, timeS.count == values.count,
              stepS > 0, last > first else { return nil }
        let n = Int(((last - first) / stepS).rounded(.down)) + 1
        var out = [Double](repeating: 0, count: n)
        var j = 0
        for k in 0..<n {
            let t = first + Double(k) * stepS
            while j + 1 < timeS.count - 1 && timeS[j + 1] <= t { j += 1 }
            let span = timeS[j + 1] - timeS[j]
            let f = min(max((t - timeS[j]) / span, 0), 1)
            out[k] = values[j] + f * (values[j + 1] - values[j])
        }
        let target: Double? = peakPowerW.map { isPower ? $0 : $0 / nominalVoltageV }
            ?? peakC.map { isPower ? $0 * capacityAh * nominalVoltageV : $0 * capacityAh }
        if let target {
            guard let peak = out.max(), peak > 0 else { return nil }
            out = out.map { $0 * target / peak }
        }
        return DriveDemand(values: out, isPower: isPower, stepS: stepS)
    }
}

/// How `SyntheticCycleGenerator` drives a `DriveDemand`: repeated, with a rest between
/// repeats, until the cell reaches `stopBelowSOC` or `stopBelowV` (or `maximumRepeats`);
/// regeneration is limited as a BMS limits it: tapered linearly to 0 between
/// `regenerationTaperFromSOC` and full, and never more than holds the terminal voltage at
/// `chargeLimitV` (`SyntheticCycleGenerator`).
public struct DriveSegment: Sendable, Equatable {
    /// The demand (+ = discharge).
    public var demand: DriveDemand
    /// Rest between repeats, s.
    public var restBetweenS: Double
    /// Stop when the SOC falls to this.
    public var stopBelowSOC: Double
    /// Stop when the voltage falls below this, V.
    public var stopBelowV: Double
    /// At most this many repeats.
    public var maximumRepeats: Int
    /// Regeneration tapers from this SOC to none at full.
    public var regenerationTaperFromSOC: Double
    /// No regeneration at or above this voltage, V.
    public var chargeLimitV: Double

    /// Creates a segment.
    public init(demand: DriveDemand, restBetweenS: Double = 300, stopBelowSOC: Double = 0.1, stopBelowV: Double = 2.7,
                maximumRepeats: Int = 1000, regenerationTaperFromSOC: Double = 0.9, chargeLimitV: Double = 4.2) {
        self.demand = demand
        self.restBetweenS = restBetweenS
        self.stopBelowSOC = stopBelowSOC
        self.stopBelowV = stopBelowV
        self.maximumRepeats = maximumRepeats
        self.regenerationTaperFromSOC = regenerationTaperFromSOC
        self.chargeLimitV = chargeLimitV
    }

    /// The charging current a BMS allows of `requestedA` (> 0) at this SOC and voltage.
    public func allowedRegeneration(_ requestedA: Double, soc: Double, voltageV: Double) -> Double {
        guard voltageV < chargeLimitV, soc < 1 else { return 0 }
        guard soc > regenerationTaperFromSOC else { return requestedA }
        return requestedA * (1 - soc) / (1 - regenerationTaperFromSOC)
    }
}
