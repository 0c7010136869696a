import Foundation
import Testing
@testable import FixedPoint

/// Integer sigmoid/tanh over all 65,536 Q3.12 inputs against the exact functions.
///
/// Bounds, from the interpolation error h²/8 · max|f''| (h = 1/32) plus ½ LSB for the
/// rounded knots and ½ LSB for the rounded interpolation, in Q0.15 LSB:
/// sigmoid: 0.38 + 1 → ≤ 2 LSB; tanh: 3.08 + 1 → ≤ 5 LSB (max|tanh''| = 0.770).
struct ActivationAccuracyTests {
    static func maxErrorLSB(_ integer: (Int16) -> Int16, _ exact: (Double) -> Double) -> Double {
        var worst = 0.0
        for raw in Int16.min...Int16.max {
            let x = Double(raw) / 4096
            let expected = min(max(exact(x) * 32768, -32767), 32767)
            worst = max(worst, abs(Double(integer(raw)) - expected))
        }
        return worst
    }

    @Test func tablesAreTheRoundedFunctionAtEachKnot() {
        for k in 0..<ActivationTables.knotCount {
            let x = -8 + Double(k) / 32
            let sig = min((1 / (1 + exp(-x)) * 32768 + 0.5).rounded(.down), 32767)
            let th = min(max((tanh(x) * 32768 + 0.5).rounded(.down), -32767), 32767)
            #expect(Double(ActivationTables.sigmoidQ15[k]) == sig, "sigmoid knot \(k)")
            #expect(Double(ActivationTables.tanhQ15[k]) == th, "tanh knot \(k)")
        }
    }

    @Test func sigmoidWithinTwoLSBEverywhere() {
        let worst = Self.maxErrorLSB(IntegerActivations.sigmoidQ15) { 1 / (1 + exp(-$0)) }
        #expect(worst <= 2, "max |error| \(worst) LSB")
    }

    @Test func tanhWithinFiveLSBEverywhere() {
        let worst = Self.maxErrorLSB(IntegerActivations.tanhQ15) { tanh($0) }
        #expect(worst <= 5, "max |error| \(worst) LSB")
    }

    @Test func bothAreMonotoneAndInRange() {
        var previousSigmoid = Int16.min, previousTanh = Int16.min
        for raw in Int16.min...Int16.max {
            let s = IntegerActivations.sigmoidQ15(raw), t = IntegerActivations.tanhQ15(raw)
            #expect(s >= previousSigmoid && s >= 0)
            #expect(t >= previousTanh && t >= -32767)
            previousSigmoid = s
            previousTanh = t
        }
        #expect(IntegerActivations.sigmoidQ15(0) == 16384)
        #expect(IntegerActivations.tanhQ15(0) == 0)
    }
}
