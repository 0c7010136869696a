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
        // Unseen band of a measured current (2 A at 4 °C): the model default there scaled by
        // that current band's state of health; an unmeasured current (0.5 A): the default.
        let ratio = learned.last! / model.defaultCapacityAh(temperatureC: 24)
        #expect(abs(ah.learner.capacityAh(currentA: -2, temperatureC: 4) - ratio * model.defaultCapacityAh(temperatureC: 4)) < 1e-12)
        #expect(ah.learner.capacityAh(currentA: -0.5, temperatureC: 4) == model.defaultCapacityAh(temperatureC: 4))
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
        // The same current at 24 °C (another band): default × that current's state of health;
        // another current (0.5 A) has none: the default.
        #expect(abs(learner.capacityAh(currentA: -2, temperatureC: 24) - 1.6 * 1.1 / 1.24) < 1e-12)
        #expect(learner.capacityAh(currentA: -0.5, temperatureC: 24) == 1.6)

        var off = config
        off.learnedCapacityFollowsTemperature = false
        let plain = Self.learner(config: off, model: model, startC: 6, countedAh: 1.1)
        #expect(abs(plain.capacityAh(currentA: -2, temperatureC: 9) - 1.1) < 1e-12)

        // A model without a temperature table: nothing to carry by.
        let flat = Self.learner(config: config, model: .synthetic18650(), startC: 6, countedAh: 1.8)
        #expect(abs(flat.capacityAh(currentA: -2, temperatureC: 9) - 1.8) < 1e-12)
    }

    /// Two discharges in one band from full rests, each measuring `countedAh[k]`.
    static func observe(_ learner: inout CapacityLearner, countedAh: [Double], startC: Double = 24) {
        var counter = 100_000.0
        for q in countedAh {
            learner.observe(CellMeasurement(voltageV: 4.19, currentA: 0, temperatureC: startC, dtSeconds: 10), counterAs: counter)
            learner.observe(CellMeasurement(voltageV: 3.9, currentA: -2, temperatureC: startC, dtSeconds: 10), counterAs: counter - 20)
            counter -= q * 3600
            learner.observe(CellMeasurement(voltageV: 2.69, currentA: -2, temperatureC: startC, dtSeconds: 10), counterAs: counter)
        }
    }

    @Test("an outlier measurement is held back until the band's next one confirms it")
    func outlierHeldBack() {
        let model = CellModelParameters.synthetic18650()   // 2.0 Ah at every temperature
        var learner = CapacityLearner(model: model, config: EstimatorConfig())
        Self.observe(&learner, countedAh: [1.8])
        #expect(learner.lastMeasuredAh == 1.8 && learner.rejectedCount == 0)
        // 0.45 Ah (a cell that dips below the terminate voltage early) is outside 0.65…1.25 × 1.8.
        Self.observe(&learner, countedAh: [0.45])
        #expect(learner.rejectedCount == 1 && learner.capacityAh(currentA: -2, temperatureC: 24) == 1.8)
        // Back to normal: 1.75 is within range of 1.8 and is learned; the outlier is forgotten.
        Self.observe(&learner, countedAh: [1.75])
        #expect(learner.capacityAh(currentA: -2, temperatureC: 24) == 1.75)
        // A real change confirmed by the next discharge (0.9 twice) is learned one discharge late.
        Self.observe(&learner, countedAh: [0.9])
        #expect(learner.capacityAh(currentA: -2, temperatureC: 24) == 1.75)
        Self.observe(&learner, countedAh: [0.92])
        #expect(learner.capacityAh(currentA: -2, temperatureC: 24) == 0.92 && learner.rejectedCount == 2)
    }

    @Test("a measurement above 1.2 × the design capacity is never learned; one 1.3 × the expected is held back")
    func implausibleHighMeasurements() {
        var model = CellModelParameters.synthetic18650()
        model.designCapacityByTemperature = ([24], [1.8])
        var learner = CapacityLearner(model: model, config: EstimatorConfig())
        Self.observe(&learner, countedAh: [1.4])
        #expect(learner.capacityAh(currentA: -2, temperatureC: 24) == 1.4)
        // 2.2 Ah > 1.2 × 1.8: a logger glitch (NASA's v_above_4.3 runs), not counted at all.
        Self.observe(&learner, countedAh: [2.2, 2.2])
        #expect(learner.capacityAh(currentA: -2, temperatureC: 24) == 1.4 && learner.measurementCount == 1)
        #expect(learner.rejectedCount == 0)
        // 1.82 = 1.3 × 1.4, plausible for the type: held back, learned only when confirmed.
        Self.observe(&learner, countedAh: [1.82])
        #expect(learner.capacityAh(currentA: -2, temperatureC: 24) == 1.4 && learner.rejectedCount == 1)
        Self.observe(&learner, countedAh: [1.81])
        #expect(learner.capacityAh(currentA: -2, temperatureC: 24) == 1.81)
    }

    @Test("the band is read once the load has settled, not on the first interpolated tick")
    func bandAfterSettling() {
        let model = CellModelParameters.synthetic18650()
        var learner = CapacityLearner(model: model, config: EstimatorConfig())
        learner.observe(CellMeasurement(voltageV: 4.19, currentA: 0, temperatureC: 24, dtSeconds: 1), counterAs: 0)
        // A 1 s tick half-way up a step to 4 A (0.4 A), then 4 A: the band is the 4 A one.
        var counter = 0.0
        var started: Double?
        for k in 0..<40 {
            let i = k == 0 ? -0.4 : -4.0
            counter += i
            if let c = learner.observe(CellMeasurement(voltageV: 3.9, currentA: i, temperatureC: 24, dtSeconds: 1), counterAs: counter) {
                #expect(started == nil && k == 29)   // after 30 s of discharge
                started = c
            }
        }
        #expect(started != nil)
        learner.observe(CellMeasurement(voltageV: 2.69, currentA: -4, temperatureC: 30, dtSeconds: 1), counterAs: -1.7 * 3600)
        #expect(learner.lastMeasuredAh == 1.7)
        #expect(learner.capacityAh(currentA: -4, temperatureC: 24) == 1.7)
        #expect(learner.capacityAh(currentA: -0.4, temperatureC: 24) == 2.0)   // the 1 A band learned nothing
    }

    @Test("a first loaded update that spans the rest before the load does not pick the band")
    func bandNotFromASpanningUpdate() {
        let model = CellModelParameters.synthetic18650()
        var learner = CapacityLearner(model: model, config: EstimatorConfig())
        learner.observe(CellMeasurement(voltageV: 4.19, currentA: 0, temperatureC: 24, dtSeconds: 1), counterAs: 0)
        // The bank withheld 40 ticks (20 at rest, 20 at 4 A): one update of 40 s at a mean of
        // −2 A, the 1.5–3 A band's current, not the discharge's. The next 1 s tick at 4 A picks
        // the band.
        var counter = -2.0 * 40
        #expect(learner.observe(CellMeasurement(voltageV: 3.9, currentA: -2, temperatureC: 24, dtSeconds: 40), counterAs: counter) == nil)
        counter -= 4
        let started = learner.observe(CellMeasurement(voltageV: 3.9, currentA: -4, temperatureC: 24, dtSeconds: 1), counterAs: counter)
        #expect(started != nil)
        learner.observe(CellMeasurement(voltageV: 2.69, currentA: -4, temperatureC: 24, dtSeconds: 1), counterAs: -1.7 * 3600)
        #expect(learner.capacityAh(currentA: -4, temperatureC: 24) == 1.7)
        #expect(learner.capacityAh(currentA: -2, temperatureC: 24) == 2.0)   // the 1.5–3 A band learned nothing
    }
}

@Suite("Design capacity: where the estimators start")
struct DesignCapacityTests {
    @Test("estimate: the median over cells of each cell's 90th-percentile capacity; empty cells ignored")
    func estimate() {
        // Cell A: 1.0…2.0 in 0.1 steps → q90 = 1.9; cell B: [1.5, 1.6] → 1.59; cell C: [1.2] → 1.2.
        let a = (0...10).map { 1.0 + 0.1 * Double($0) }
        let value = DesignCapacity.estimate([a, [1.6, 1.5], [1.2], []])
        #expect(abs(value - 1.59) < 1e-12)
        #expect(DesignCapacity.estimate([]).isNaN)
        // One outlying test does not set a cell's value (a maximum would).
        #expect(abs(DesignCapacity.estimate([[1.8, 1.8, 1.8, 1.8, 1.8, 1.8, 1.8, 1.8, 1.8, 1.8, 2.6]]) - 1.8) < 1e-12)
    }

    @Test("the learner and the counters start from the model's design capacity; a configured capacity overrides it")
    func learnerStartsFromDesign() {
        var model = CellModelParameters.synthetic18650()
        model.capacityByTemperature = ([4, 24], [1.2, 1.6])
        model.designCapacityByTemperature = ([4, 24], [1.5, 1.9])
        let learner = CapacityLearner(model: model, config: EstimatorConfig())
        #expect(learner.capacityAh(currentA: -2, temperatureC: 24) == 1.9)
        #expect(abs(learner.capacityAh(currentA: -2, temperatureC: 14) - 1.7) < 1e-12)
        #expect(AhCounterEstimator(model: model, config: EstimatorConfig(), soc: 1).currentCapacityAh == 1.9)
        #expect(TheveninEKF(model: model, pairs: 1, config: EstimatorConfig()).currentCapacityAh == 1.9)
        var nameplate = EstimatorConfig()
        nameplate.capacityAh = 2.0
        let told = CapacityLearner(model: model, config: nameplate)
        #expect(abs(told.capacityAh(currentA: -2, temperatureC: 24) - 1.6 * 2.0 / model.capacityAh) < 1e-12)
        // A model without a design table starts from its default, as before.
        model.designCapacityByTemperature = nil
        #expect(CapacityLearner(model: model, config: EstimatorConfig()).capacityAh(currentA: -2, temperatureC: 24) == 1.6)
    }
}
