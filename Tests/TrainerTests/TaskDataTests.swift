import FloatModel
import Foundation
import Testing
import TestSupport
import CellData
@testable import Trainer

@Suite struct TaskDataTests {
    @Test func gridFeaturesAreResampledValuesAndOneStepDifferences() {
        // 2 A for 20 s then 1 A: samples at t = 0, 20, 40 with I = -2, -2, -1 and capacity 1 Ah.
        // Trapezoid: q(20) = 40 As, q(40) = 40 + 0.5·3·20 = 70 As; grid at 0, 10, …, 40 s.
        let samples = OperationSamples(timeS: [0, 20, 40], voltageV: [4, 3.8, 3.7], currentA: [-2, -2, -1],
                                       temperatureC: [24, 25, 26])
        let soc = [1, 1 - 40.0 / 3600, 1 - 70.0 / 3600]
        let c = GridCycle(cell: "X", cycle: 1, grid: Resampler.resample(samples, soc: soc, dtS: 10))
        #expect(c.count == 5)
        #expect(abs(c.soc[4] - (1 - 70.0 / 3600)) < 1e-15)
        #expect(abs(c.soc[1] - (1 - 20.0 / 3600)) < 1e-15)   // halfway to q(20) = 40 As
        #expect(c.features[3] == 0 && c.features[4] == 0)     // d_x[0] = 0
        #expect(abs(c.features[4 * 5 + 3] - 0.5) < 1e-15)     // ΔI from -1.5 to -1
        #expect(abs(c.features[1 * 5 + 0] - 3.9) < 1e-12)     // V at 10 s
    }

    @Test func missingDataFolderGivesATypedError() {
        #expect(throws: SOCDatasetError.self) {
            _ = try SOCDataset.load(root: URL(fileURLWithPath: "/nonexistent/nasa_pcoe_battery"))
        }
    }

    /// The figures the benchmark task states (Docs/Benchmark.md) and the Python peers printed (keras.json `data`).
    @Test(.enabled(if: SharedData.available)) func taskSplitMatchesThePythonPeers() throws {
        let ds = try SOCDataset.load(root: SharedData.nasa!)
        #expect(ds.train.count == 989 && ds.validation.count == 432 && ds.test.count == 285)
        #expect(WindowSet(cycles: ds.train, stride: 20).count == 14_564)
        #expect(WindowSet(cycles: ds.train, stride: 1).count == 282_437)
        #expect(WindowSet(cycles: ds.validation, stride: 10).count == 11_795)
        #expect(WindowSet(cycles: ds.test, stride: 1).count == 102_849)
        let pyMean = [3.4353944677365753, -1.731282842238547, 30.695503475592776, -0.0019143480741595554, -0.003160896177156871]
        let pyStd = [0.2837579977517246, 1.1608507261234946, 11.00791009964371, 0.5600833809193575, 0.06675487699341838]
        for f in 0..<5 {
            #expect(abs(ds.scalers.xMean[f] - pyMean[f]) <= 1e-9 * max(1, abs(pyMean[f])))
            #expect(abs(ds.scalers.xStd[f] - pyStd[f]) <= 1e-9 * pyStd[f])
        }
        #expect(abs(ds.scalers.yMin - -0.12891740539113156) < 1e-12)
        #expect(abs(ds.scalers.yMax - 1.0000036603504552) < 1e-12)
    }
}

@Suite struct FeatureSetTests {
    @Test func chargeCounterIsTheTrapezoidOfGridCurrent() {
        // Grid currents −2, −2, −1 A at 10 s steps: q = 0, 20/3600·... = 0, 2·10/3600, (2·10 + 1.5·10)/3600 Ah.
        let cycle = GridCycle(cell: "X", cycle: 1,
                              features: [4, -2, 24, 0, 0, 3.9, -2, 24, 0, -0.1, 3.8, -1, 24, 1, -0.1],
                              soc: [1, 0.9, 0.8])
        let f = FeatureSet.taskPlusCharge.features(of: cycle)
        #expect(f.count == 18)
        #expect(f[5] == 0)
        #expect(abs(f[11] - 20.0 / 3600) < 1e-15)
        #expect(abs(f[17] - 35.0 / 3600) < 1e-15)
        #expect(Array(f[6..<11]) == Array(cycle.features[5..<10]))
        #expect(FeatureSet.task.features(of: cycle) == cycle.features)
        // Without the current level: V, T, ΔV, q.
        let nc = FeatureSet.chargeWithoutCurrent.features(of: cycle)
        #expect(FeatureSet.chargeWithoutCurrent.width == 4 && nc.count == 12)
        #expect(Array(nc[4..<8]) == [3.9, 24, -0.1, f[11]])
        #expect(FeatureSet.chargeWithoutCurrent.names == ["voltage_V", "temperature_C", "d_voltage_V", "discharged_Ah"])
        let sNC = Scalers(fitting: [cycle], featureSet: .chargeWithoutCurrent)
        #expect(sNC.resolvedFeatureSet == .chargeWithoutCurrent && ScaledCycle(cycle, scalers: sNC).width == 4)
        // Scalers and scaled cycles follow the width.
        let s = Scalers(fitting: [cycle], featureSet: .taskPlusCharge)
        #expect(s.xMean.count == 6 && ScaledCycle(cycle, scalers: s).width == 6)
    }
}

@Suite struct CoulombPriorTests {
    /// With a prior, labels are residuals: unscaled label + prior = SOC at every step.
    @Test func residualLabelsPlusPriorGiveTheSOC() {
        let cycles = syntheticCycles(count: 3, steps: 60, seed: 5)
        let s = Scalers(fitting: cycles, featureSet: .taskPlusCharge, priorCapacityAh: 2)
        for c in cycles {
            let scaled = ScaledCycle(c, scalers: s)
            let q = FeatureSet.dischargedAh(of: c)
            for k in 0..<c.count {
                #expect(abs(scaled.socPrior[k] - (1 - q[k] / 2)) < 1e-15)
                #expect(abs(s.socFraction(fromScaled: scaled.labels[k]) + scaled.socPrior[k] - c.soc[k]) < 1e-6)
            }
        }
    }

    /// A network that always outputs a zero residual estimates exactly the coulomb-count prior.
    @Test func zeroResidualNetworkStreamsThePrior() throws {
        let ds = SOCDataset(train: syntheticCycles(count: 3, steps: 60, seed: 5),
                            validation: [], test: syntheticCycles(count: 2, steps: 80, seed: 6),
                            featureSet: .taskPlusCharge, priorCapacityAh: 2)
        let net = Network(architecture: try Architecture.named("lstm:4,dense:1", inputSize: 6), seed: 1)
        guard case let .dense(head)? = net.layers.last else { Issue.record("no dense head"); return }
        head.weight.fill(0)
        head.bias.data[0] = ds.scalers.scaleLabel(0)
        let o = Evaluation.streaming(net, cycles: ds.test, scalers: ds.scalers)
        var k = 0
        for c in ds.test {
            for s in 50..<c.count {
                #expect(abs(o.predictedSOC[k] - c.socPrior[s]) < 1e-6)
                k += 1
            }
        }
        #expect(k == o.predictedSOC.count)
    }
}
