@testable import CellModel
import Testing
@testable import Estimators

@Suite("filters' voltage noise σ per OCV temperature group")
struct VoltageNoiseTableTests {
    /// The synthetic model with overall residuals 150 / 160 mV and two groups at 5 and 25 °C
    /// whose 1RC residuals are 200 and 100 mV (2RC: 300 and 120 mV).
    func model(groups: Bool = true) -> CellModelParameters {
        var m = CellModelParameters.synthetic18650()
        m.fitReport.residual1RCmV = 150
        m.fitReport.residual2RCmV = 160
        guard groups else { return m }
        m.fitReport.ocvTemperatureGroups = [
            .init(upperC: 14, temperatureC: 5, readings: 10, offsetmV: 0, rmsErrorReferencemV: 1, rmsErrormV: 1,
                  rmsSOCErrorPoints: 1, residual1RCmV: 200, residual2RCmV: 300, residualSamples: 100),
            .init(lowerC: 14, temperatureC: 25, readings: 10, offsetmV: 0, rmsErrorReferencemV: 1, rmsErrormV: 1,
                  rmsSOCErrorPoints: 1, residual1RCmV: 100, residual2RCmV: 120, residualSamples: 100)]
        return m
    }

    func sigma(_ table: VoltageNoiseTable, _ t: Double) -> Double { table.variance(at: t).squareRoot() }

    @Test("exact at the group temperatures, linear between, held outside (σ = 10 × residual)")
    func perGroup() {
        let one = VoltageNoiseTable(model: model(), config: EstimatorConfig(), pairs: 1)
        #expect(abs(sigma(one, 5) - 2.0) < 1e-12)
        #expect(abs(sigma(one, 25) - 1.0) < 1e-12)
        #expect(abs(sigma(one, 10) - 1.75) < 1e-12)     // a quarter of the way: 2.0 − 0.25 × 1.0
        #expect(abs(sigma(one, -20) - 2.0) < 1e-12)
        #expect(abs(sigma(one, 60) - 1.0) < 1e-12)
        let two = VoltageNoiseTable(model: model(), config: EstimatorConfig(), pairs: 2)
        #expect(abs(sigma(two, 0) - 3.0) < 1e-12)
        #expect(abs(sigma(two, 15) - 2.1) < 1e-12)      // halfway between 3.0 and 1.2
        #expect(abs(sigma(two, 44) - 1.2) < 1e-12)
    }

    @Test("without group residuals, switched off or overridden: one σ at every temperature")
    func uniform() {
        let old = VoltageNoiseTable(model: model(groups: false), config: EstimatorConfig(), pairs: 1)
        var off = EstimatorConfig()
        off.voltageNoiseByTemperatureGroup = false
        let switchedOff = VoltageNoiseTable(model: model(), config: off, pairs: 2)
        var fixed = EstimatorConfig()
        fixed.voltageNoiseV = 0.05
        let overridden = VoltageNoiseTable(model: model(), config: fixed, pairs: 1)
        for t in [-10.0, 5, 15, 25, 50] {
            #expect(abs(sigma(old, t) - 1.5) < 1e-12)
            #expect(abs(sigma(switchedOff, t) - 1.6) < 1e-12)
            #expect(abs(sigma(overridden, t) - 0.05) < 1e-12)
        }
    }
}
