import FloatModel
import Testing
@testable import Trainer

@Suite struct LayerGradientTests {
    @Test(arguments: [Activation.linear, .relu])
    func denseGradientsMatchFiniteDifferences(activation: Activation) {
        let layer = DenseLayer(inputSize: 5, units: 4, activation: activation)
        GradientCheck.random(layer.weight, scale: 0.8, seed: 11)
        GradientCheck.random(layer.bias, scale: 0.3, seed: 12)
        let input = Tensor(rows: 7, cols: 5)
        GradientCheck.random(input, scale: 1.2, seed: 13)
        let coeff = Tensor(rows: 7, cols: 4)
        GradientCheck.random(coeff, scale: 1, seed: 14)
        func loss() -> Double {
            let out = layer.forward(input)
            var s = 0.0
            for k in 0..<out.count { s += Double(out.data[k]) * Double(coeff.data[k]) }
            return s
        }
        _ = loss()
        layer.backward(coeff)
        for (name, tensor, g) in [("W", layer.weight, layer.weightGradient.values), ("b", layer.bias, layer.biasGradient.values),
                                  ("x", input, layer.inputGradient.values)] {
            let r = GradientCheck.compare(tensor: tensor, analytic: g, h: 1e-3, loss: loss)
            #expect(r.failures.isEmpty, "\(activation) \(name): \(r.failures.prefix(5))")
        }
    }

    @Test func reluOutputIsNonNegativeAndLinearIsAffine() {
        let relu = DenseLayer(inputSize: 1, units: 1, activation: .relu)
        relu.weight.data[0] = 2; relu.bias.data[0] = -1
        let x = Tensor(rows: 3, cols: 1, values: [0, 0.5, 2])
        #expect(relu.forward(x).values == [0, 0, 3])
    }

    @Test func invertedDropoutScalesKeptElementsAndPassesGradientThroughTheMask() {
        let rate: Float = 0.25
        let layer = DropoutLayer(rate: rate, seed: 7)
        let input = Tensor(rows: 200, cols: 50)
        input.fill(1)
        let out = layer.forward(input, training: true)
        var kept = 0
        for k in 0..<out.count {
            #expect(out.data[k] == 0 || out.data[k] == 1 / (1 - rate))
            if out.data[k] != 0 { kept += 1 }
        }
        // 10,000 Bernoulli(0.75) draws: mean 7,500, sd 43; ±5 sd.
        #expect(abs(kept - 7_500) < 220)
        let grad = Tensor(rows: 200, cols: 50)
        GradientCheck.random(grad, scale: 1, seed: 3)
        let back = layer.backward(grad)
        for k in 0..<grad.count { #expect(back.data[k] == grad.data[k] * out.data[k]) }
        #expect(layer.forward(input, training: false) === input)
    }

    /// Whole network (LSTM → LSTM → Dense(relu) → Dense) in both modes against finite
    /// differences of the MSE loss the trainer uses.
    @Test(arguments: [SequenceMode.window, .stateful])
    func wholeNetworkGradientsMatchFiniteDifferences(mode: SequenceMode) throws {
        let arch = try Architecture.named("lstm:6,lstm:4,dense:3:relu,dense:1", inputSize: 3)
        let net = Network(architecture: arch, seed: 5)
        // Keep every ReLU unit far from its kink (|W·h| < 4 · 0.93 < 5), so a ±h step cannot
        // flip one; the inactive side is covered by the dense-layer test.
        for case let .dense(d) in net.layers where d.activation == .relu { d.bias.fill(5) }
        let steps = 6, lanes = 2
        let (input, target, outRows) = GradientCheck.batch(mode: mode, steps: steps, lanes: lanes, width: 3, seed: 21)
        func loss() -> Double {
            net.resetState()
            let out = net.forward(input, steps: steps, lanes: lanes, mode: mode, training: false)
            var s = 0.0
            for k in 0..<out.count { let d = Double(out.data[k]) - Double(target.data[k]); s += d * d }
            return s / Double(out.count)
        }
        net.resetState()
        let out = net.forward(input, steps: steps, lanes: lanes, mode: mode, training: false)
        let grad = Tensor(rows: outRows, cols: 1)
        for k in 0..<out.count { grad.data[k] = 2 * (out.data[k] - target.data[k]) / Float(out.count) }
        let failures = GradientCheck.network(net, input: input, steps: steps, lanes: lanes, mode: mode, outputGradient: grad, loss: loss)
        #expect(failures.isEmpty, "\(mode): \(failures.prefix(4))")
    }
}
