import BMSCore
import CellModel
import Testing
@testable import Estimators

@Suite("Capacity learning")
struct CapacityLearnerTests {
    /// Cycles a simulated cell whose capacity fades 1 % per cycle: CC–CV charge, rest,
    /// 2 A discharge to 3.0 V; the learned capacity is the Ah counted from the full rest to
    /// the terminate voltage, which the simulator's own count gives independently.
    @Test("learns a fading capacity from full-rest to terminate-voltage counts")
    func learnsFade() {
        let model = CellModelParameters.synthetic18650()
        var config = EstimatorConfig()
        config.terminateVoltageV = 3.0
        let ah = AhCounterEstimator(model: model, config: config, soc: 0.1)
        let gen = SyntheticCycleGenerator(dtSeconds: 5, temperatureC: 24)
        var trueCapacity = 2.0
        var expectedUsable: [Double] = []
        var learned: [Double] = []
        for _ in 0..<5 {
            var sim = CellSimulator(model: model, pairCount: 2, capacityAh: trueCapacity, soc: 0.1)
            let rec = gen.run([.cccvCharge(currentA: 1.5, voltageV: 4.2, cutoffA: 0.02, durationS: 30_000),
                               .rest(durationS: 600),
                               .constant(currentA: -2, durationS: 1e6, stopBelowV: 3.0),
                               .rest(durationS: 300)], simulator: &sim)
            var fullSOC: Double?
            var usable: Double?
            for k in 1..<rec.count {
                _ = ah.update(CellMeasurement(voltageV: rec.voltageV[k], currentA: rec.currentA[k],
                                              temperatureC: 24, dtSeconds: 5))
                if rec.currentA[k] == 0 && rec.voltageV[k] >= config.fullRestVoltageV { fullSOC = rec.soc[k] }
                if usable == nil, rec.currentA[k] < 0, rec.voltageV[k] < 3.0, let f = fullSOC {
                    // Trapezoid of a constant 2 A except the first loaded tick (mean of 0 and 2 A).
                    usable = (f - rec.soc[k]) * trueCapacity - 2.0 * 2.5 / 3600
                }
            }
            expectedUsable.append(usable!)
            learned.append(ah.learner.lastMeasuredAh!)
            trueCapacity *= 0.99
        }
        for (l, e) in zip(learned, expectedUsable) { #expect(abs(l - e) < 1e-9, "\(l) vs \(e)") }
        // And the counter now counts against the latest learned value for this band.
        #expect(ah.learner.measurementCount == 5)
        #expect(ah.learner.capacityAh(currentA: -2, temperatureC: 24) == learned.last!)
        // Unseen band: the model default scaled by the learned state of health.
        let ratio = learned.last! / model.capacityAh
        #expect(abs(ah.learner.capacityAh(currentA: -0.5, temperatureC: 4) - ratio * model.capacityAh) < 1e-12)
    }

    /// One full-rest anchor, then a 2 A discharge starting at `startC` that crosses the
    /// terminate voltage after `countedAh`; the counter values are given, so the measurement
    /// is exactly `countedAh`.
    static func learner(config: EstimatorConfig, model: CellModelParameters,
                        startC: Double, countedAh: Double) -> CapacityLearner {
        var learner = CapacityLearner(model: model, config: config)
        let rest = CellMeasurement(voltageV: 4.19, currentA: 0, temperatureC: startC, dtSeconds: 10)
        learner.observe(rest, counterAs: 5_000)
        let load = CellMeasurement(voltageV: 3.9, currentA: -2, temperatureC: startC, dtSeconds: 10)
        learner.observe(load, counterAs: 4_980)
        let empty = CellMeasurement(voltageV: 2.69, currentA: -2, temperatureC: startC + 12, dtSeconds: 10)
        learner.observe(empty, counterAs: 5_000 - countedAh * 3600)
        return learner
    }

    /// The band's measurement is carried to another start temperature by the model's
    /// capacity-vs-temperature table (values worked by hand from the table below), used as
    /// measured at its own start temperature and when the switch is off.
    @Test("a learned capacity follows the start temperature by the model's table")
    func followsTemperature() {
        var model = CellModelParameters.synthetic18650()
        model.capacityByTemperature = (temperaturesC: [4, 24, 43], capacityAh: [1.2, 1.6, 1.7])
        let config = EstimatorConfig()
        let learner = Self.learner(config: config, model: model, startC: 6, countedAh: 1.1)
        #expect(learner.measurementCount == 1)
        #expect(abs(learner.lastMeasuredAh! - 1.1) < 1e-12)
        // default(6 °C) = 1.2 + 0.1 × 0.4 = 1.24; default(9 °C) = 1.2 + 0.25 × 0.4 = 1.30.
        #expect(abs(learner.capacityAh(currentA: -2, temperatureC: 6) - 1.1) < 1e-12)
        #expect(abs(learner.capacityAh(currentA: -2, temperatureC: 9) - 1.1 * 1.30 / 1.24) < 1e-12)
        // Below the table's first temperature the default is held: 2 °C reads as 4 °C.
        #expect(abs(learner.capacityAh(currentA: -2, temperatureC: 2) - 1.1 * 1.2 / 1.24) < 1e-12)
        // Another current band at 24 °C has no measurement: default × state of health.
        #expect(abs(learner.capacityAh(currentA: -0.5, temperatureC: 24) - 1.6 * 1.1 / 1.24) < 1e-12)

        var off = config
        off.learnedCapacityFollowsTemperature = false
        let plain = Self.learner(config: off, model: model, startC: 6, countedAh: 1.1)
        #expect(abs(plain.capacityAh(currentA: -2, temperatureC: 9) - 1.1) < 1e-12)

        // A model without a temperature table: nothing to carry by.
        let flat = Self.learner(config: config, model: .synthetic18650(), startC: 6, countedAh: 1.1)
        #expect(abs(flat.capacityAh(currentA: -2, temperatureC: 9) - 1.1) < 1e-12)
    }
}
