import BMSCore
import Firmware

/// A plain coulomb counter for the tests: soc += I·dt / (3600·C). Holds on non-finite input.
final class TestCoulombCounter: SOCEstimator {
    let name = "test-ah"
    let capacityAh: Double
    private(set) var estimate: SOCEstimate
    private(set) var received: [CellMeasurement] = []
    /// Sleeps announced by `wake`, s.
    private(set) var wakes: [Double] = []
    let keepInputs: Bool

    init(capacityAh: Double = 2.0, soc: Double = 1.0, keepInputs: Bool = false) {
        self.capacityAh = capacityAh
        self.keepInputs = keepInputs
        estimate = SOCEstimate(soc: soc)
        if keepInputs { received.reserveCapacity(100_000) }
    }

    func update(_ m: CellMeasurement) -> SOCEstimate {
        if keepInputs { received.append(m) }
        guard m.isFinite else { estimate.holding = true; return estimate }
        estimate = SOCEstimate(soc: estimate.soc + m.currentA * m.dtSeconds / (3600 * capacityAh))
        return estimate
    }

    func reset(soc: Double) { estimate = SOCEstimate(soc: soc) }
    func wake(afterSleepSeconds seconds: Double) { wakes.append(seconds) }
    var stateBytes: Int { 4 }
}

/// A linear "OCV" estimator for the tests: soc = (V − 3.0 V) / 1.2 V with a fixed sigma.
/// Returns NaN when fed NaN, so a test can see whether a NaN ever reached an estimator.
final class TestLinearVoltage: SOCEstimator {
    let name = "test-ocv"
    private(set) var estimate = SOCEstimate(soc: 0.5, sigma: 0.1)

    func update(_ m: CellMeasurement) -> SOCEstimate {
        estimate = SOCEstimate(soc: (m.voltageV - 3.0) / 1.2, sigma: 0.1)
        return estimate
    }

    func reset(soc: Double) { estimate = SOCEstimate(soc: soc, sigma: 0.1) }

    func wake(afterSleepSeconds seconds: Double) {}
    var stateBytes: Int { 0 }
}

/// A synthetic plant: 2 A constant-current discharge from 4.1 V with a linear voltage
/// fall, then rest; enough to exercise the loop without data files.
func syntheticPlant(tick: Int, baseTickSeconds: Double = 1) -> CellMeasurement {
    let t = Double(tick) * baseTickSeconds
    let discharging = t < 3000
    let voltage = discharging ? 4.1 - 1.0 * t / 3000 - 0.1 : 3.2 + 0.1 * min(1, (t - 3000) / 600)
    return CellMeasurement(voltageV: voltage, currentA: discharging ? -2.0 : 0.0,
                           temperatureC: 24 + (discharging ? 6 * t / 3000 : 6), dtSeconds: baseTickSeconds)
}
