import Foundation
import Testing
@testable import Trainer

/// Independent scalar Float64 LSTM (gate order i, f, g, o) used as the forward reference.
private func referenceLSTM(x: [[Double]], w: Tensor, u: Tensor, b: Tensor, h: Int,
                           keep: [Double]) -> [[Double]] {
    var hPrev = [Double](repeating: 0, count: h), cPrev = hPrev
    var outputs: [[Double]] = []
    func sig(_ z: Double) -> Double { 1 / (1 + Foundation.exp(-z)) }
    for t in x.indices {
        hPrev = hPrev.map { $0 * keep[t] }; cPrev = cPrev.map { $0 * keep[t] }
        var z = [Double](repeating: 0, count: 4 * h)
        for r in 0..<(4 * h) {
            var s = Double(b.data[r])
            for k in x[t].indices { s += Double(w[r, k]) * x[t][k] }
            for k in 0..<h { s += Double(u[r, k]) * hPrev[k] }
            z[r] = s
        }
        var hn = [Double](repeating: 0, count: h), cn = hn
        for j in 0..<h {
            let i = sig(z[j]), f = sig(z[h + j]), g = Foundation.tanh(z[2 * h + j]), o = sig(z[3 * h + j])
            cn[j] = f * cPrev[j] + i * g
            hn[j] = o * Foundation.tanh(cn[j])
        }
        outputs.append(hn); hPrev = hn; cPrev = cn
    }
    return outputs
}

@Suite struct LSTMLayerTests {
    let steps = 5, lanes = 3, inputs = 4, units = 6

    func makeLayer() -> LSTMLayer {
        let layer = LSTMLayer(inputSize: inputs, units: units)
        GradientCheck.random(layer.kernel, scale: 0.6, seed: 1)
        GradientCheck.random(layer.recurrentKernel, scale: 0.5, seed: 2)
        GradientCheck.random(layer.bias, scale: 0.3, seed: 3)
        return layer
    }

    @Test func forwardMatchesScalarFloat64Reference() {
        let layer = makeLayer()
        let input = Tensor(rows: steps * lanes, cols: inputs)
        GradientCheck.random(input, scale: 1.5, seed: 4)
        var keepValues = [Float](repeating: 1, count: steps * lanes)
        keepValues[2 * lanes + 1] = 0   // lane 1 restarts at step 2
        let out = keepValues.withUnsafeBufferPointer {
            layer.forward(input, steps: steps, lanes: lanes, keep: $0.baseAddress!)
        }
        for lane in 0..<lanes {
            let x = (0..<steps).map { t in (0..<inputs).map { Double(input[t * lanes + lane, $0]) } }
            let keep = (0..<steps).map { Double(keepValues[$0 * lanes + lane]) }
            let ref = referenceLSTM(x: x, w: layer.kernel, u: layer.recurrentKernel, b: layer.bias,
                                    h: units, keep: keep)
            for t in 0..<steps {
                for j in 0..<units { #expect(abs(Double(out[t * lanes + lane, j]) - ref[t][j]) < 2e-6) }
            }
        }
    }

    @Test func carriedStateContinuesTheSequence() {
        // Two calls of 2 + 3 steps with carried state equal one call of 5 steps.
        let a = makeLayer(), b = makeLayer()
        let input = Tensor(rows: steps * lanes, cols: inputs)
        GradientCheck.random(input, scale: 1, seed: 9)
        let whole = a.forward(input, steps: steps, lanes: lanes).values
        let first = Tensor(rows: 2 * lanes, cols: inputs), second = Tensor(rows: 3 * lanes, cols: inputs)
        first.data.update(from: input.data, count: first.count)
        second.data.update(from: input.data + first.count, count: second.count)
        _ = b.forward(first, steps: 2, lanes: lanes, carryState: false)
        let tail = b.forward(second, steps: 3, lanes: lanes, carryState: true).values
        #expect(Array(whole[(2 * lanes * units)...]) == tail)
    }

    @Test func gradientsMatchFiniteDifferences() {
        let layer = makeLayer()
        let input = Tensor(rows: steps * lanes, cols: inputs)
        GradientCheck.random(input, scale: 1.5, seed: 5)
        let coeff = Tensor(rows: steps * lanes, cols: units)
        GradientCheck.random(coeff, scale: 1, seed: 6)
        var keepValues = [Float](repeating: 1, count: steps * lanes)
        keepValues[3 * lanes + 2] = 0
        let keep = UnsafeMutablePointer<Float>.allocate(capacity: keepValues.count)
        defer { keep.deallocate() }
        keep.initialize(from: keepValues, count: keepValues.count)
        func loss() -> Double {
            let out = layer.forward(input, steps: steps, lanes: lanes, keep: keep)
            var s = 0.0
            for k in 0..<out.count { s += Double(out.data[k]) * Double(coeff.data[k]) }
            return s
        }
        _ = loss()
        layer.backward(coeff)
        let grads = layer.gradients.map(\.values)
        let dInput = layer.inputGradient.values
        for (name, tensor, g) in [("W", layer.kernel, grads[0]), ("U", layer.recurrentKernel, grads[1]),
                                  ("b", layer.bias, grads[2]), ("x", input, dInput)] {
            let r = GradientCheck.compare(tensor: tensor, analytic: g, loss: loss)
            #expect(r.failures.isEmpty, "\(name): \(r.failures.prefix(5))")
        }
    }
}
