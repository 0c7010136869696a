import Testing
import BMSCore

@Suite struct SeededGeneratorTests {
    @Test func sameSeedSameSequence() {
        var a = SeededGenerator(seed: 7)
        var b = SeededGenerator(seed: 7)
        for _ in 0..<1000 { #expect(a.next() == b.next()) }
    }

    @Test func differentSeedsDiffer() {
        var a = SeededGenerator(seed: 1)
        var b = SeededGenerator(seed: 2)
        #expect((0..<8).map { _ in a.next() } != (0..<8).map { _ in b.next() })
    }

    @Test func unitDoubleInRangeAndUniform() {
        var g = SeededGenerator(seed: 3)
        var sum = 0.0
        let n = 200_000
        for _ in 0..<n {
            let u = g.nextUnitDouble()
            #expect(u >= 0 && u < 1)
            sum += u
        }
        // Mean of U(0,1) has sd 1/sqrt(12 n) ≈ 0.00065: 6 sd bound.
        #expect(abs(sum / Double(n) - 0.5) < 0.004)
    }

    @Test func gaussianMomentsMatchStandardNormal() {
        var g = SeededGenerator(seed: 11)
        let n = 200_000
        var sum = 0.0, sumSq = 0.0, beyond2 = 0
        for _ in 0..<n {
            let z = g.nextGaussian()
            sum += z; sumSq += z * z
            if abs(z) > 2 { beyond2 += 1 }
        }
        let mean = sum / Double(n)
        let variance = sumSq / Double(n) - mean * mean
        #expect(abs(mean) < 0.015)
        #expect(abs(variance - 1) < 0.02)
        // P(|Z| > 2) = 0.0455
        #expect(abs(Double(beyond2) / Double(n) - 0.0455) < 0.003)
    }

    @Test func measurementFiniteness() {
        #expect(CellMeasurement(voltageV: 3.7, currentA: -1, temperatureC: 25, dtSeconds: 1).isFinite)
        #expect(!CellMeasurement(voltageV: .nan, currentA: -1, temperatureC: 25, dtSeconds: 1).isFinite)
        #expect(!CellMeasurement(voltageV: 3.7, currentA: -1, temperatureC: 25, dtSeconds: -1).isFinite)
    }
}
