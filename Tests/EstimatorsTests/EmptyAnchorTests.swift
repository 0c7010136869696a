import BMSCore
import CellModel
import Testing
@testable import Estimators

/// The end-of-discharge anchor: the terminate voltage is empty, whatever the count says.
@Suite("End-of-discharge anchor")
struct EmptyAnchorTests {
    /// The synthetic cell with a NASA-like SOC scale: empty is the first loaded sample below 3.0 V.
    var model: CellModelParameters {
        var m = CellModelParameters.synthetic18650()
        m.socZeroLoadedVoltageV = 3.0
        return m
    }

    /// A 2 A discharge of a simulated 2.0 Ah cell from full to below `stopV`, 1 s ticks.
    func discharge(stopV: Double) -> [CellMeasurement] {
        var sim = CellSimulator(model: model, pairCount: 1, capacityAh: 2.0, soc: 1)
        var out: [CellMeasurement] = []
        for _ in 0..<20_000 {
            let v = sim.step(currentA: -2, dtSeconds: 1, temperatureC: 25)
            out.append(CellMeasurement(voltageV: v, currentA: -2, temperatureC: 25, dtSeconds: 1))
            if v < stopV { break }
        }
        return out
    }

    @Test("counting against a 7.5 % too large capacity, every OCV-aware estimator reads 0 at the terminate voltage; ah-pure does not")
    func anchorsAtTerminateVoltage() throws {
        var config = EstimatorConfig()
        config.capacityAh = 2.15
        config.useLearnedCapacity = false
        let samples = discharge(stopV: 2.95)
        let crossing = try #require(samples.firstIndex { $0.voltageV < 3.0 })
        let estimators: [any SOCEstimator] = [AhCounterEstimator(model: model, config: config),
                                              TheveninEKF(model: model, pairs: 1, config: config),
                                              TheveninUKF(model: model, pairs: 1, config: config)]
        var pure = config
        pure.ocvCorrectionAtRest = false
        let counter = AhCounterEstimator(model: model, config: pure)
        for (k, m) in samples.enumerated() {
            for e in estimators {
                let before = e.estimate.soc
                let soc = e.update(m).soc
                if k == crossing { #expect(soc == 0, "\(e.name) at the crossing: \(soc) (was \(before))") }
                if k == crossing - 1 { #expect(soc > 0.01, "\(e.name) before the crossing: \(soc)") }
            }
            _ = counter.update(m)
        }
        // The pure counter still reads what 2.15 Ah gives: 1 − 2 A · t / 2.15 Ah.
        let t = Double(samples.count - 1)
        #expect(abs(counter.estimate.soc - (1 - 2 * t / 3600 / 2.15)) < 1e-3)
    }

    @Test("a dip below the terminate voltage while the estimate is high, or in the first seconds of a load, is not the end")
    func transientsIgnored() {
        var config = EstimatorConfig()
        let ah = AhCounterEstimator(model: model, config: config, soc: 0.8)
        // A pulse sagging to 2.9 V at an estimate of 0.8: ignored.
        for _ in 0..<60 { _ = ah.update(CellMeasurement(voltageV: 2.9, currentA: -8, temperatureC: 25, dtSeconds: 1)) }
        #expect(ah.estimate.soc > 0.6)
        var anchor = EmptyAnchor()
        // Low estimate, but only 10 s into the discharge: not yet.
        for _ in 0..<10 {
            let fired = anchor.observe(CellMeasurement(voltageV: 2.8, currentA: -2, temperatureC: 25, dtSeconds: 1), soc: 0.05, emptyVoltageV: 3.0, config: config)
            #expect(!fired)
        }
        // Settled: fires once; a rest re-arms it.
        var fired = 0
        for _ in 0..<40 where anchor.observe(CellMeasurement(voltageV: 2.8, currentA: -2, temperatureC: 25, dtSeconds: 1), soc: 0.05, emptyVoltageV: 3.0, config: config) {
            fired += 1
        }
        #expect(fired == 1)
        let atRest = anchor.observe(CellMeasurement(voltageV: 3.3, currentA: 0, temperatureC: 25, dtSeconds: 1), soc: 0.05, emptyVoltageV: 3.0, config: config)
        #expect(!atRest)
        #expect(anchor.dischargeSeconds == 0 && !anchor.fired)
        // A thermodynamic SOC scale (no loaded-voltage zero): never.
        var thermodynamic = EmptyAnchor()
        for _ in 0..<100 {
            let fired = thermodynamic.observe(CellMeasurement(voltageV: 2.0, currentA: -2, temperatureC: 25, dtSeconds: 1),
                                              soc: 0, emptyVoltageV: nil, config: config)
            #expect(!fired)
        }
        // Switched off: never.
        config.emptyAnchorBelowSOC = nil
        var off = EmptyAnchor()
        for _ in 0..<100 {
            let fired = off.observe(CellMeasurement(voltageV: 2.0, currentA: -2, temperatureC: 25, dtSeconds: 1), soc: 0, emptyVoltageV: 3.0, config: config)
            #expect(!fired)
        }
    }
}

/// The rest current as a C-rate of the cell (`EstimatorConfig.restCurrentA(capacityAh:)`).
@Suite("Rest current scaled to the cell")
struct RestCurrentScalingTests {
    @Test("C/36 with a 20 mA floor: 50 mA on the NASA design capacity, 139 mA on 5 Ah, 20 mA on 0.17 Ah")
    func scaling() {
        #expect(abs(EstimatorConfig.restCurrentA(capacityAh: 1.8) - 0.05) < 1e-12)
        #expect(abs(EstimatorConfig.restCurrentA(capacityAh: 5) - 5.0 / 36) < 1e-12)
        #expect(EstimatorConfig.restCurrentA(capacityAh: 0.171) == EstimatorConfig.minimumRestCurrentA)
        var config = EstimatorConfig()
        config.restVoltageSlopeVPerS = 1e-3
        let scaled = config.scaledToCell(capacityAh: 5)
        #expect(abs(scaled.restCurrentA - 5.0 / 36) < 1e-12 && scaled.restVoltageSlopeVPerS == 1e-3)
        #expect(config.scaledToCell(capacityAh: .nan) == config && config.scaledToCell(capacityAh: 0) == config)
    }

    @Test("a 5 Ah cell with a 125 mA current-sensor bias: the scaled rest current reads the rest and corrects the count")
    func biasedRestOnABigCell() {
        // A cell at SOC 0.5 rests for 2 h; the sensor reads +125 mA (C/40). With 50 mA the
        // counter never sees a rest and counts the bias; scaled (139 mA) the OCV pulls it back.
        var model = CellModelParameters.synthetic18650()
        model.capacityAh = 5
        let v = model.ocv.voltage(soc: 0.5, temperatureC: 25)
        func run(_ config: EstimatorConfig) -> Double {
            let ah = AhCounterEstimator(model: model, config: config, soc: 0.5)
            for _ in 0..<7200 { _ = ah.update(CellMeasurement(voltageV: v, currentA: 0.125, temperatureC: 25, dtSeconds: 1)) }
            return ah.estimate.soc
        }
        let absolute = run(EstimatorConfig())
        let scaled = run(EstimatorConfig().scaledToCell(capacityAh: 5))
        #expect(absolute > 0.54, "counted the bias: \(absolute)")
        #expect(abs(scaled - 0.5) < 0.01, "rested reading: \(scaled)")
    }
}
