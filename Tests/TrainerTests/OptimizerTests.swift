import Testing
@testable import Trainer

@Suite struct OptimizerTests {
    /// Two Adam steps worked by hand from Kingma & Ba with bias-corrected moments
    /// (lr 0.1, β 0.9/0.999, ε 1e-7 added to √v̂·… as Keras: ε̂ = ε·√(1−β₂ᵗ)):
    /// p₀ = 1, g₁ = 0.5: m̂ = 0.5, v̂ = 0.25, step = 0.1·0.5/(0.5 + 1e-7/√0.001) → p₁ = 0.90000063245...
    /// g₂ = −1: m = −0.055, v = 0.00124975, m̂ = −0.055/0.19, v̂ = 0.00124975/0.001999,
    /// step = 0.1·m̂/(√v̂ + 1e-7/√0.001999) → p₂ = p₁ + 0.0366102 = 0.93661088...
    @Test func adamStepsMatchHandComputedValues() {
        let p = Tensor(rows: 1, cols: 1, values: [1])
        let g = Tensor(rows: 1, cols: 1, values: [0.5])
        let adam = Adam(parameters: [p], learningRate: 0.1)
        adam.update(parameters: [p], gradients: [g])
        let mHat1 = 0.5, vHat1 = 0.25
        let p1 = 1 - 0.1 * mHat1 / (vHat1.squareRoot() + 1e-7 / (0.001).squareRoot())
        #expect(abs(Double(p.data[0]) - p1) < 1e-6)
        #expect(abs(p1 - 0.900_000_632_45) < 1e-10)
        g.data[0] = -1
        adam.update(parameters: [p], gradients: [g])
        let m2 = 0.9 * 0.05 + 0.1 * -1.0, v2 = 0.999 * 0.00025 + 0.001 * 1.0
        let mHat2 = m2 / (1 - 0.81), vHat2 = v2 / (1 - 0.998_001)
        let p2 = p1 - 0.1 * mHat2 / (vHat2.squareRoot() + 1e-7 / (1 - 0.998_001).squareRoot())
        #expect(abs(Double(p.data[0]) - p2) < 1e-6)
        #expect(abs(p2 - 0.936_610_88) < 1e-8)
        #expect(adam.step == 2)
    }

    @Test func clippingScalesTheGlobalNormOnlyWhenAboveTheLimit() {
        let a = Tensor(rows: 1, cols: 2, values: [3, 0]), b = Tensor(rows: 1, cols: 1, values: [4])
        #expect(clipGlobalNorm([a, b], maxNorm: 10) == 5)
        #expect(a.values == [3, 0] && b.values == [4])
        #expect(clipGlobalNorm([a, b], maxNorm: 1) == 5)
        #expect(abs(a.data[0] - 0.6) < 1e-7 && abs(b.data[0] - 0.8) < 1e-7)
    }

    /// Keras 3 semantics worked by hand: patience 2, min_delta 0.
    @Test func earlyStoppingStopsAfterPatienceAndRemembersTheBestEpoch() {
        var es = EarlyStopping(patience: 2)
        #expect(es.record(epoch: 0, value: 1.0) == (true, false))
        #expect(es.record(epoch: 1, value: 0.5) == (true, false))
        #expect(es.record(epoch: 2, value: 0.5) == (false, false))   // equal is not better
        #expect(es.record(epoch: 3, value: 0.7) == (false, true))
        #expect(es.bestEpoch == 1 && es.best == 0.5)
    }

    /// patience 2, factor 0.5, min_delta 0.1, min_lr 0.2: improvements must beat best − 0.1.
    @Test func reduceLROnPlateauHalvesAfterPatienceDownToTheFloor() {
        var rp = ReduceLROnPlateau(factor: 0.5, patience: 2, minLR: 0.2, minDelta: 0.1)
        var lr = 1.0
        lr = rp.record(value: 1.0, learningRate: lr); #expect(lr == 1.0)   // first value = best
        lr = rp.record(value: 0.95, learningRate: lr); #expect(lr == 1.0)  // not < 0.9: wait 1
        lr = rp.record(value: 0.95, learningRate: lr); #expect(lr == 0.5)  // wait 2: halve
        lr = rp.record(value: 0.5, learningRate: lr); #expect(lr == 0.5)   // improvement
        lr = rp.record(value: 0.5, learningRate: lr); #expect(lr == 0.5)
        lr = rp.record(value: 0.5, learningRate: lr); #expect(lr == 0.25)
        lr = rp.record(value: 0.5, learningRate: lr)
        lr = rp.record(value: 0.5, learningRate: lr); #expect(lr == 0.2)   // floor
        lr = rp.record(value: 0.5, learningRate: lr)
        lr = rp.record(value: 0.5, learningRate: lr); #expect(lr == 0.2)
    }
}
