import Foundation
import Testing
@testable import FixedPoint

/// Integer sigmoid (Q4.11 in) and tanh (Q3.12 in) over all 65,536 inputs against the
/// exact functions.
///
/// Bounds, from the interpolation error h²/8 · max|f''| plus ½ LSB for the rounded knots
/// and ½ LSB for the rounded interpolation, in Q0.15 LSB:
/// sigmoid (h = 1/16, max|σ''| = 0.0962): 1.54 + 1 → ≤ 3 LSB;
/// tanh (h = 1/32, max|tanh''| = 0.770): 3.08 + 1 → ≤ 5 LSB.
struct ActivationAccuracyTests {
    static func maxErrorLSB(_ integer: (Int16) -> Int16, fractionBits: Int, _ exact: (Double) -> Double) -> Double {
        var worst = 0.0
        for raw in Int16.min...Int16.max {
            let x = Double(raw) / Double(1 << fractionBits)
            let expected = min(max(exact(x) * 32768, -32767), 32767)
            worst = max(worst, abs(Double(integer(raw)) - expected))
        }
        return worst
    }

    @Test func tablesAreTheRoundedFunctionAtEachKnot() {
        for k in 0..<ActivationTables.knotCount {
            let xs = -16 + Double(k) / 16, x = -8 + Double(k) / 32
            let sig = min((1 / (1 + exp(-xs)) * 32768 + 0.5).rounded(.down), 32767)
            let th = min(max((tanh(x) * 32768 + 0.5).rounded(.down), -32767), 32767)
            #expect(Double(ActivationTables.sigmoidQ15[k]) == sig, "sigmoid knot \(k)")
            #expect(Double(ActivationTables.tanhQ15[k]) == th, "tanh knot \(k)")
        }
    }

    @Test func sigmoidWithinThreeLSBEverywhere() {
        let worst = Self.maxErrorLSB(IntegerActivations.sigmoidQ15, fractionBits: 11) { 1 / (1 + exp(-$0)) }
        #expect(worst <= 3, "max |error| \(worst) LSB")
    }

    @Test func tanhWithinFiveLSBEverywhere() {
        let worst = Self.maxErrorLSB(IntegerActivations.tanhQ15, fractionBits: 12) { tanh($0) }
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
