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
            Self.expectJacobians(sm, at: x, currentA: current, temperatureC: 17, dtSeconds: 7, capacityAh: 1.7,
                                 efficiency: 0.98)
        }
    }

    /// Expects F and H of `sm` (parameters held) at x to match central differences of its
    /// transition and measurement (step 10⁻⁶; F within 10⁻⁷, H within 10⁻⁶).
    static func expectJacobians(_ sm: TheveninStateModel, at x: [Double], currentA current: Double, temperatureC: Double,
                                dtSeconds dt: Double, capacityAh: Double, efficiency: Double) {
        let n = sm.dimension
        var f = Array(repeating: 0.0, count: n * n)
        sm.transitionJacobian(&f, at: x, meanCurrentA: current, dtSeconds: dt, capacityAh: capacityAh, efficiency: efficiency)
        var hRow = Array(repeating: 0.0, count: n)
        _ = sm.measurement(x, currentA: current, temperatureC: temperatureC, jacobian: &hRow)
        var scratch = Array(repeating: 0.0, count: n)
        for j in 0..<n {
            let step = 1e-6
            var plus = x, minus = x
            plus[j] += step
            minus[j] -= step
            let fd = (sm.measurement(plus, currentA: current, temperatureC: temperatureC, jacobian: &scratch)
                      - sm.measurement(minus, currentA: current, temperatureC: temperatureC, jacobian: &scratch)) / (2 * step)
            #expect(abs(hRow[j] - fd) < 1e-6, "H[\(j)] \(hRow[j]) vs \(fd)")
            sm.transition(&plus, meanCurrentA: current, dtSeconds: dt, capacityAh: capacityAh, efficiency: efficiency)
            sm.transition(&minus, meanCurrentA: current, dtSeconds: dt, capacityAh: capacityAh, efficiency: efficiency)
            for i in 0..<n {
                let fd = (plus[i] - minus[i]) / (2 * step)
                #expect(abs(f[i * n + j] - fd) < 1e-7, "F[\(i),\(j)] \(f[i * n + j]) vs \(fd)")
            }
        }
    }
}
