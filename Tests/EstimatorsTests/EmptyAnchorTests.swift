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
