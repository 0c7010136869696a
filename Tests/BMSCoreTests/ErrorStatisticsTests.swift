import Foundation
import Testing
import BMSCore

/// `ErrorStatistics`, `OrderStatistics.median` and `ConvergenceTracker` against hand-worked
/// values and direct computations over arrays.
@Suite("Error statistics, median and convergence")
struct ErrorStatisticsTests {
    @Test("errors +1, −3, +2, 0: RMSE √3.5, MAE 1.5, mean 0, max 3")
    func handWorkedExample() {
        var s = ErrorStatistics()
        for e in [1.0, -3, 2, 0] { s.add(e) }
        #expect(s.count == 4)
        #expect(abs(s.rmse - 3.5.squareRoot()) < 1e-12)        // √((1 + 9 + 4 + 0) / 4)
        #expect(abs(s.rmse - 1.8708286933869707) < 1e-12)
        #expect(abs(s.mae - 1.5) < 1e-12)
        #expect(s.mean == 0)
        #expect(s.maxAbs == 3)
        #expect(s.sum == 0 && s.sumSquares == 14 && s.sumAbs == 6)
        #expect(s.nonFiniteCount == 0)
        // Without references the R² is undefined.
        #expect(s.r2.isNaN)
        // As estimate − reference: same figures.
        var t = ErrorStatistics()
        for (est, ref) in [(0.6, -0.4), (0.2, 3.2), (5.0, 3.0), (7.0, 7.0)] { t.add(estimate: est, reference: ref) }
        #expect(abs(t.rmse - 3.5.squareRoot()) < 1e-12 && abs(t.mae - 1.5) < 1e-12 && abs(t.mean) < 1e-12)
        #expect(abs(t.maxAbs - 3) < 1e-12)
    }

    @Test("an empty accumulator gives NaN figures and a zero maximum")
    func emptyIsNaN() {
        let s = ErrorStatistics()
        #expect(s.count == 0)
        #expect(s.rmse.isNaN && s.mae.isNaN && s.mean.isNaN && s.r2.isNaN)
        #expect(s.maxAbs == 0)
        // Only non-finite errors: still empty.
        var n = ErrorStatistics()
        n.add(.nan)
        n.add(estimate: .infinity, reference: 0.5)
        #expect(n.count == 0 && n.nonFiniteCount == 2 && n.rmse.isNaN)
    }

    @Test("non-finite errors are counted, not added")
    func nonFiniteCountedNotAdded() {
        var s = ErrorStatistics()
        s.add(1)
        s.add(.nan)
        s.add(-3)
        s.add(.infinity)
        s.add(-.infinity)
        s.add(estimate: .nan, reference: 0.3)
        s.add(estimate: 0.3, reference: .infinity)
        s.add(2)
        s.add(0)
        #expect(s.count == 4)
        #expect(s.nonFiniteCount == 5)
        #expect(abs(s.rmse - 3.5.squareRoot()) < 1e-12 && abs(s.mae - 1.5) < 1e-12 && s.maxAbs == 3)
        #expect(s.sum.isFinite && s.sumSquares.isFinite && s.referenceSum.isFinite && s.referenceSumSquares.isFinite)
    }

    @Test("merging two halves equals adding everything at once (random errors)")
    func mergeOfHalvesEqualsAll() {
        var g = SeededGenerator(seed: 2024)
        for trial in 0..<20 {
            let n = 1 + Int(g.next() % 500)
            let split = Int(g.next() % UInt64(n + 1))
            var all = ErrorStatistics(), first = ErrorStatistics(), second = ErrorStatistics()
            var errors: [Double] = [], references: [Double] = []
            for k in 0..<n {
                let reference = g.nextUnitDouble()
                var estimate = reference + 0.05 * g.nextGaussian()
                if g.next() % 50 == 0 { estimate = .nan }           // some non-finite estimates
                all.add(estimate: estimate, reference: reference)
                if k < split { first.add(estimate: estimate, reference: reference) } else {
                    second.add(estimate: estimate, reference: reference)
                }
                if (estimate - reference).isFinite {
                    errors.append(estimate - reference)
                    references.append(reference)
                }
            }
            var merged = first
            merged.merge(second)
            #expect(merged.count == all.count && merged.nonFiniteCount == all.nonFiniteCount, "trial \(trial)")
            #expect(merged.maxAbs == all.maxAbs, "trial \(trial)")
            // Sums in another order: equal to rounding.
            for (a, b) in [(merged.rmse, all.rmse), (merged.mae, all.mae), (merged.mean, all.mean), (merged.r2, all.r2)] {
                #expect(abs(a - b) <= 1e-12 * max(1, abs(b)) || (a.isNaN && b.isNaN), "trial \(trial): \(a) vs \(b)")
            }
            // And both equal the figures computed directly from the arrays.
            let m = Double(errors.count)
            let rmse = (errors.map { $0 * $0 }.reduce(0, +) / m).squareRoot()
            let mae = errors.map(abs).reduce(0, +) / m
            let mean = errors.reduce(0, +) / m
            #expect(all.count == errors.count && all.nonFiniteCount == n - errors.count)
            #expect(abs(all.rmse - rmse) < 1e-12 && abs(all.mae - mae) < 1e-12 && abs(all.mean - mean) < 1e-12)
            #expect(all.maxAbs == errors.map(abs).max())
        }
        // Merging an empty accumulator changes nothing.
        var s = ErrorStatistics()
        for e in [1.0, -3, 2, 0] { s.add(e) }
        var t = s
        t.merge(ErrorStatistics())
        #expect(t == s)
    }

    @Test("R² equals 1 − Σe² / Σ(r − r̄)² computed directly")
    func r2AgainstDirectComputation() {
        var g = SeededGenerator(seed: 77)
        let references = (0..<1000).map { _ in g.nextUnitDouble() }
        let estimates = references.map { $0 + 0.1 * g.nextGaussian() }
        var s = ErrorStatistics()
        for (e, r) in zip(estimates, references) { s.add(estimate: e, reference: r) }
        let mean = references.reduce(0, +) / Double(references.count)
        let total = references.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
        let residual = zip(estimates, references).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        let direct = 1 - residual / total
        #expect(abs(s.r2 - direct) < 1e-9)
        // σ_e = 0.1 against Var(U(0,1)) = 1/12: R² ≈ 1 − 0.01·12 = 0.88.
        #expect(abs(s.r2 - 0.88) < 0.03)
        // A perfect estimate gives 1; constant references give NaN.
        var perfect = ErrorStatistics()
        for r in references.prefix(10) { perfect.add(estimate: r, reference: r) }
        #expect(perfect.r2 == 1)
        var constant = ErrorStatistics()
        for e in [0.1, 0.2, 0.3] { constant.add(estimate: 0.5 + e, reference: 0.5) }
        #expect(constant.r2.isNaN)
        // Hand-worked: references 0, 1, 2 (Σ(r − r̄)² = 2), errors 0.5, −0.5, 0 (Σe² = 0.5): R² = 0.75.
        var hand = ErrorStatistics()
        for (e, r) in [(0.5, 0.0), (0.5, 1.0), (2.0, 2.0)] { hand.add(estimate: e, reference: r) }
        #expect(abs(hand.r2 - 0.75) < 1e-12)
    }

    @Test("quantile: hand-worked values, the median at 0.5, extremes at 0 and 1, monotone in q")
    func quantile() {
        #expect(OrderStatistics.quantile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(abs(OrderStatistics.quantile([4, 1, 3, 2], 0.9) - 3.7) < 1e-12)   // h = 2.7: 3 + 0.7·(4 − 3)
        #expect(OrderStatistics.quantile([7], 0.9) == 7)
        #expect(OrderStatistics.quantile([], 0.9).isNaN)
        var g = SeededGenerator(seed: 11)
        for n in 1...30 {
            let values = (0..<n).map { _ in g.nextGaussian() }
            #expect(abs(OrderStatistics.quantile(values, 0.5) - OrderStatistics.median(values)) <= 1e-15)
            #expect(OrderStatistics.quantile(values, 0) == values.min()!)
            #expect(OrderStatistics.quantile(values, 1) == values.max()!)
            var previous = -Double.infinity
            for q in stride(from: 0.0, through: 1.0, by: 0.05) {
                let v = OrderStatistics.quantile(values, q)
                #expect(v >= previous)
                previous = v
            }
        }
    }

    @Test("median: odd, even, empty, unsorted input")
    func median() {
        #expect(OrderStatistics.median([3, 1, 2]) == 2)
        #expect(OrderStatistics.median([4, 1, 3, 2]) == 2.5)
        #expect(OrderStatistics.median([7]) == 7)
        #expect(OrderStatistics.median([5, -1]) == 2)
        #expect(OrderStatistics.median([]).isNaN)
        #expect(OrderStatistics.median([10, -3, 7, 7, 100, 0, 2]) == 7)        // sorted −3 0 2 7 7 10 100
        #expect(OrderStatistics.median([1, 1e9, -1e9, 2]) == 1.5)
        #expect(OrderStatistics.median([-.infinity, 1, .infinity]) == 1)
        // Against a sort on random data.
        var g = SeededGenerator(seed: 5)
        for n in 1...40 {
            let values = (0..<n).map { _ in g.nextGaussian() }
            let sorted = values.sorted()
            let expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
            #expect(OrderStatistics.median(values) == expected)
        }
    }

    @Test("convergence: the documented example (band 2)")
    func convergenceWorkedExample() {
        var c = ConvergenceTracker(band: 2)
        #expect(c.convergedAtS == nil)                  // nothing added: never
        let errors: [Double] = [5, 3, 1, 0.5, 3, 1]
        var after: [Double?] = []
        for (t, e) in errors.enumerated() {
            c.add(error: e, timeS: Double(t))
            after.append(c.convergedAtS)
        }
        #expect(after == [nil, nil, 2, 2, nil, 5])
        #expect(c.convergedAtS == 5)
        c.add(error: 0.4, timeS: 6)
        #expect(c.convergedAtS == 5)
        c.add(error: 2.5, timeS: 7)
        #expect(c.convergedAtS == nil)
        // The band is inclusive and symmetric; a non-finite error is outside.
        var d = ConvergenceTracker(band: 2)
        d.add(error: -2, timeS: 10)
        #expect(d.convergedAtS == 10)
        d.add(error: 2, timeS: 11)
        #expect(d.convergedAtS == 10)
        d.add(error: -2.0000001, timeS: 12)
        #expect(d.convergedAtS == nil)
        d.add(error: 0, timeS: 13)
        #expect(d.convergedAtS == 13)
        d.add(error: .nan, timeS: 14)
        #expect(d.convergedAtS == nil)
        // Inside from the first point: converged at its time.
        var e = ConvergenceTracker(band: 0.5)
        for t in 0..<5 { e.add(error: 0.1, timeS: 100 + Double(t)) }
        #expect(e.convergedAtS == 100)
    }
}
