import BMSCore
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
}
