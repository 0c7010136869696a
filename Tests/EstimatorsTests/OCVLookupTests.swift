import BMSCore
import CellModel
import Testing
@testable import Estimators

@Suite("OCV lookup")
struct OCVLookupTests {
    @Test("inverts OCV + R0·I exactly when there is no polarisation")
    func exactWithoutPolarisation() throws {
        let model = CellModelParameters.synthetic18650()
        let est = try makeEstimator(.ocv, model: model, soc: 0.6)
        let r0 = model.thevenin1RC.r0Ohm.value(soc: 0.6, temperatureC: 25)
        let v = model.ocv.voltage(soc: 0.6, temperatureC: 25) + r0 * -2
        #expect(abs(est.update(CellMeasurement(voltageV: v, currentA: -2, temperatureC: 25, dtSeconds: 1)).soc - 0.6) < 1e-9)
        #expect(est.update(CellMeasurement(voltageV: .nan, currentA: -2, temperatureC: 25, dtSeconds: 1)).holding)
    }
}
