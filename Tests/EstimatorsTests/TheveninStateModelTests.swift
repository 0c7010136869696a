import CellModel
import Testing
@testable import Estimators

@Suite("Thevenin state model: Jacobians against finite differences")
struct TheveninStateModelTests {
    @Test("F and H match central differences (2RC with bias, several states and currents)",
          arguments: [(0.15, -2.0), (0.53, -0.7), (0.85, 1.3), (0.97, -4.0)])  // off the table's knots
    func jacobians(soc: Double, current: Double) {
        let model = CellModelParameters.synthetic18650()
        for pairs in [1, 2] {
            let sm = TheveninStateModel(model: model, pairs: pairs, bias: true)
            let n = sm.dimension
            var x = [soc] + Array(repeating: 0.0, count: n - 1)
            x[1] = -0.03
            if pairs == 2 { x[2] = 0.01 }
            x[n - 1] = 0.02
            sm.holdParameters(soc: soc, temperatureC: 17, dtSeconds: 7)
            var f = Array(repeating: 0.0, count: n * n)
            sm.transitionJacobian(&f, at: x, meanCurrentA: current, dtSeconds: 7, capacityAh: 1.7, efficiency: 0.98)
            var hRow = Array(repeating: 0.0, count: n)
            _ = sm.measurement(x, currentA: current, temperatureC: 17, jacobian: &hRow)
            var scratch = Array(repeating: 0.0, count: n)
            for j in 0..<n {
                let step = 1e-6
                var plus = x, minus = x
                plus[j] += step
                minus[j] -= step
                sm.transition(&plus, meanCurrentA: current, dtSeconds: 7, capacityAh: 1.7, efficiency: 0.98)
                sm.transition(&minus, meanCurrentA: current, dtSeconds: 7, capacityAh: 1.7, efficiency: 0.98)
                for i in 0..<n {
                    let fd = (plus[i] - minus[i]) / (2 * step)
                    #expect(abs(f[i * n + j] - fd) < 1e-7, "F[\(i),\(j)] \(f[i * n + j]) vs \(fd)")
                }
                var hp = x, hm = x
                hp[j] += step
                hm[j] -= step
                let fd = (sm.measurement(hp, currentA: current, temperatureC: 17, jacobian: &scratch)
                          - sm.measurement(hm, currentA: current, temperatureC: 17, jacobian: &scratch)) / (2 * step)
                #expect(abs(hRow[j] - fd) < 1e-6, "H[\(j)] \(hRow[j]) vs \(fd)")
            }
        }
    }
}
