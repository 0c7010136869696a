import BMSCore
import CellModel
import Testing
@testable import Estimators

@Suite("Charge counting and the Ah counter")
struct AhCounterTests {
    let model = CellModelParameters.synthetic18650()

    @Test("10^8 equal increments: the compensated counter is exact, a plain sum is not")
    func hundredMillionTicks() {
        var counter = ChargeCounter()
        var plain = 0.0
        let increment = -2.0 * 0.1          // −2 A for 0.1 s; 0.1 is not exact in binary
        let ticks = 100_000_000
        for _ in 0..<ticks {
            counter.add(increment)
            plain += increment
        }
        let exact = increment * Double(ticks)   // one rounding: the floating-point bound
        #expect(abs(counter.ampereSeconds - exact) <= exact.ulp.magnitude)
        #expect(abs(plain - exact) > 1e3 * exact.ulp.magnitude)   // why the counter exists
    }

    @Test("exact on a constant current (pure counting)")
    func constantCurrent() throws {
        var config = EstimatorConfig()
        config.capacityAh = 2.0
        let ah = try makeEstimator(.ahPure, model: model, config: config, soc: 0.9)
        var last = SOCEstimate(soc: 0)
        for _ in 0..<3600 {
            last = ah.update(CellMeasurement(voltageV: 3.7, currentA: -1.0, temperatureC: 25, dtSeconds: 1))
        }
        // 1 A for one hour = 1 Ah = half of 2 Ah.
        #expect(abs(last.soc - 0.4) < 1e-12)
        #expect(ah.name == "ah-pure")
    }

    @Test("coulombic efficiency applies on charge only")
    func efficiency() throws {
        var config = EstimatorConfig()
        config.capacityAh = 1.0
        config.coulombicEfficiency = 0.9
        let ah = try makeEstimator(.ahPure, model: model, config: config, soc: 0.5)
        for _ in 0..<360 { _ = ah.update(CellMeasurement(voltageV: 3.7, currentA: 1, temperatureC: 25, dtSeconds: 1)) }
        #expect(abs(ah.estimate.soc - (0.5 + 0.9 * 0.1)) < 1e-12)
        for _ in 0..<360 { _ = ah.update(CellMeasurement(voltageV: 3.7, currentA: -1, temperatureC: 25, dtSeconds: 1)) }
        // The first discharge tick averages +1 and −1 A (trapezoid), so it counts 0.
        #expect(abs(ah.estimate.soc - (0.5 + 0.09 - 0.1 + 1.0 / 3600)) < 1e-9)
    }

    @Test("OCV correction at rest is blended, never a jump, also from a negative counter (foxBMS #82)")
    func blendedCorrectionFromNegative() throws {
        var config = EstimatorConfig()
        config.capacityAh = 2.0
        let ah = try makeEstimator(.ah, model: model, config: config, soc: -0.05)   // drifted below zero
        let restV = model.ocv.voltage(soc: 0.10, temperatureC: 25)
        var previous = ah.estimate.soc
        var maxStep = 0.0
        for _ in 0..<3000 {
            let e = ah.update(CellMeasurement(voltageV: restV, currentA: 0, temperatureC: 25, dtSeconds: 1))
            maxStep = max(maxStep, abs(e.soc - previous))
            #expect(e.soc >= previous - 1e-15)       // monotone towards the OCV value
            previous = e.soc
        }
        // Closing at most 1 − exp(−1/120) of the 15-point gap per 1 s tick.
        #expect(maxStep <= 0.15 * (1 - Double.exp(-1.0 / 120)) + 1e-12)
        #expect(abs(previous - 0.10) < 1e-3)
        // Pure counting never moves at rest.
        let pure = try makeEstimator(.ahPure, model: model, config: config, soc: -0.05)
        for _ in 0..<3000 { _ = pure.update(CellMeasurement(voltageV: restV, currentA: 0, temperatureC: 25, dtSeconds: 1)) }
        #expect(pure.estimate.soc == -0.05)
    }

    @Test("where the OCV curve is flat, a consistent estimate is kept and an inconsistent one moves to the stretch's edge")
    func flatOCV() throws {
        // A model whose OCV is nearly flat between SOC 0 and 0.2.
        let base = CellModelParameters.synthetic18650()
        let flat = OCVCurve(table: SOCTemperatureTable(socPoints: [0, 0.2, 1], temperaturesC: [25],
                                                       values: [3.60, 3.6001, 4.2], extrapolateSOC: true))
        let model = CellModelParameters(cellName: "flat", capacityAh: 2, ocv: flat,
                                        thevenin1RC: base.thevenin1RC, thevenin2RC: base.thevenin2RC)
        var config = EstimatorConfig()
        config.capacityAh = 2
        // 3.60005 V reads as "somewhere on the flat stretch" (SOC −0.2 … 0.2 with the inverse's
        // extrapolation): 0.1 is consistent and kept; 0.3 is not and ends at the stretch's top.
        let inside = try makeEstimator(.ah, model: model, config: config, soc: 0.1)
        for _ in 0..<2000 { _ = inside.update(CellMeasurement(voltageV: 3.60005, currentA: 0, temperatureC: 25, dtSeconds: 1)) }
        #expect(inside.estimate.soc == 0.1)
        let ah = try makeEstimator(.ah, model: model, config: config, soc: 0.3)
        for _ in 0..<2000 { _ = ah.update(CellMeasurement(voltageV: 3.60005, currentA: 0, temperatureC: 25, dtSeconds: 1)) }
        #expect(abs(ah.estimate.soc - 0.2) < 1e-6, "\(ah.estimate.soc)")
    }

    @Test("no correction before the rest is long enough or while the voltage still moves")
    func restDetection() throws {
        var config = EstimatorConfig()
        config.capacityAh = 2.0
        let ah = try makeEstimator(.ah, model: model, config: config, soc: 0.5)
        // 299 s of rest: not yet.
        for _ in 0..<299 {
            _ = ah.update(CellMeasurement(voltageV: 4.0, currentA: 0, temperatureC: 25, dtSeconds: 1))
        }
        #expect(ah.estimate.soc == 0.5)
        // A relaxing voltage (1 mV/s) is not settled.
        let moving = try makeEstimator(.ah, model: model, config: config, soc: 0.5)
        for k in 0..<1000 {
            _ = moving.update(CellMeasurement(voltageV: 3.6 + 0.001 * Double(k), currentA: 0, temperatureC: 25, dtSeconds: 1))
        }
        #expect(moving.estimate.soc == 0.5)
    }

    @Test("bad measurements are refused and the estimate holds")
    func holding() throws {
        let ah = try makeEstimator(.ah, model: model, soc: 0.7)
        for bad in [CellMeasurement(voltageV: .nan, currentA: -1, temperatureC: 25, dtSeconds: 1),
                    CellMeasurement(voltageV: 3.7, currentA: .infinity, temperatureC: 25, dtSeconds: 1),
                    CellMeasurement(voltageV: 3.7, currentA: -1, temperatureC: 25, dtSeconds: -1),
                    CellMeasurement(voltageV: 9.0, currentA: -1, temperatureC: 25, dtSeconds: 1),
                    CellMeasurement(voltageV: 3.7, currentA: -1, temperatureC: 300, dtSeconds: 1)] {
            let e = ah.update(bad)
            #expect(e.holding)
            #expect(e.soc == 0.7)
        }
        #expect(!ah.update(CellMeasurement(voltageV: 3.7, currentA: -1, temperatureC: 25, dtSeconds: 1)).holding)
    }
}
