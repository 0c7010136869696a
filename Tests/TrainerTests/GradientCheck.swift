import BMSCore
import FloatModel
@testable import Trainer

/// Central finite differences on Float32 parameters with the loss summed in Float64.
/// The step actually taken (`(p + h) − p` after rounding) is used as the denominator.
/// Float32 tolerance: |fd − analytic| ≤ 2e-2 · max(|fd|, |analytic|) + 2e-3.
enum GradientCheck {
    static func compare(tensor: Tensor, analytic: [Float], h: Float = 1e-2,
                        loss: () -> Double) -> (worst: Double, failures: [String]) {
        var failures: [String] = []
        var worst = 0.0
        for k in 0..<tensor.count {
            let original = tensor.data[k]
            tensor.data[k] = original + h
            let up = loss(); let stepUp = Double(tensor.data[k] - original)
            tensor.data[k] = original - h
            let down = loss(); let stepDown = Double(original - tensor.data[k])
            tensor.data[k] = original
            let fd = (up - down) / (stepUp + stepDown)
            let an = Double(analytic[k])
            let err = abs(fd - an)
            let allowed = 2e-2 * max(abs(fd), abs(an)) + 2e-3
            worst = max(worst, err / allowed)
            if err > allowed { failures.append("[\(k)] fd \(fd) analytic \(an)") }
        }
        return (worst, failures)
    }

    /// Fills `t` with uniform values in `[-scale, scale)` from a seeded generator.
    static func random(_ t: Tensor, scale: Float, seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        for k in 0..<t.count { t.data[k] = Float(g.nextUnitDouble() * 2 - 1) * scale }
    }

    /// A random batch for a whole-network check: inputs `[steps·lanes × width]` in ±1.5 and
    /// targets in ±1, one per lane (window) or per step and lane (stateful).
    static func batch(mode: SequenceMode, steps: Int, lanes: Int, width: Int, seed: UInt64)
        -> (input: Tensor, target: Tensor, outputRows: Int) {
        let input = Tensor(rows: steps * lanes, cols: width)
        random(input, scale: 1.5, seed: seed)
        let rows = mode == .window ? lanes : steps * lanes
        let target = Tensor(rows: rows, cols: 1)
        random(target, scale: 1, seed: seed + 1)
        return (input, target, rows)
    }

    /// Backpropagates `outputGradient` through a fresh forward pass of `net` and compares every
    /// parameter's gradient with finite differences of `loss`; the failures, by parameter.
    static func network(_ net: Network, input: Tensor, steps: Int, lanes: Int, mode: SequenceMode,
                        outputGradient: Tensor, loss: () -> Double) -> [String] {
        net.resetState()
        _ = net.forward(input, steps: steps, lanes: lanes, mode: mode, training: false)
        net.backward(outputGradient)
        let analytic = net.gradients.map(\.values)
        return net.parameters.enumerated().flatMap { k, p in
            compare(tensor: p, analytic: analytic[k], h: 1e-2, loss: loss).failures.map { "parameter \(k) \($0)" }
        }
    }
}
