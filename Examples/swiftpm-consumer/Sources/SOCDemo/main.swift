// A 50-minute 2 A discharge of a simulated 18650 cell (2.0 Ah), tracked by BMSim's 1RC EKF
// and by pure coulomb counting, both started 20 SOC points low. All of it is BMSim's library.
import BMSCore
import CellModel
import Estimators

func percent(_ soc: Double) -> String { "\((soc * 1000).rounded() / 10) %" }

let model = CellModelParameters.synthetic18650()
var cell = CellSimulator(model: model, soc: 1.0)
let ekf = try makeEstimator(.ekf1RC, model: model, soc: 0.8)
let counter = try makeEstimator(.ahPure, model: model, soc: 0.8)
let currentA = -2.0, temperatureC = 25.0   // BMSCore's sign: current + = charge
for second in 1...3000 {
    let voltageV = cell.step(currentA: currentA, dtSeconds: 1, temperatureC: temperatureC)
    let reading = CellMeasurement(voltageV: voltageV, currentA: currentA, temperatureC: temperatureC, dtSeconds: 1)
    let ekfSOC = ekf.update(reading).soc, counterSOC = counter.update(reading).soc
    if second % 600 == 0 || second == 60 {
        print("t = \(second) s: true SOC \(percent(cell.soc)), \(ekf.name) \(percent(ekfSOC)), \(counter.name) \(percent(counterSOC))")
    }
}
