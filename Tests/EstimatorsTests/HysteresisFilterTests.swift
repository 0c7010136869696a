import BMSCore
import CellModel
@testable import Estimators
import Foundation
import Testing
import TestSupport

/// The hysteresis state in the filters and the Ah counter's correction at rest, on the
/// synthetic LFP-like plant of `TestSupport.HysteresisPlant` (its own written-out loop).
@Suite("Hysteresis in the estimators (synthetic LFP plant)")
struct HysteresisFilterTests {
    /// The plant's parameters as a cell model (one temperature row, 1RC; the 2RC model adds a
    /// negligible fast second pair, 10 µΩ and 2 s).
    static func model(hysteresis: Bool = true) -> CellModelParameters {
        let plant = HysteresisPlant(soc: 0.5, h: 0, sign: 0)
        func table(_ value: Double) -> SOCTemperatureTable {
            SOCTemperatureTable(socPoints: [0, 1], temperaturesC: [25], values: [value, value], extrapolateSOC: false)
        }
        let ocv = OCVCurve(table: SOCTemperatureTable(socPoints: HysteresisPlant.socPoints, temperaturesC: [25],
                                                      values: HysteresisPlant.ocvV, extrapolateSOC: true))
        let pair = RCPair(resistanceOhm: table(plant.r1Ohm), capacitanceF: table(plant.tau1S / plant.r1Ohm))
        let tiny = RCPair(resistanceOhm: table(1e-5), capacitanceF: table(2 / 1e-5))
        let law = Hysteresis(groups: [.init(temperatureC: 25, maximumV: plant.maximumV, instantaneousV: plant.instantaneousV,
                                            rateConstant: plant.rateConstant)])
        return CellModelParameters(cellName: "hysteresis plant", capacityAh: plant.capacityAh, ocv: ocv,
                                   thevenin1RC: TheveninParameters(r0Ohm: table(plant.r0Ohm), pairs: [pair]),
                                   thevenin2RC: TheveninParameters(r0Ohm: table(plant.r0Ohm), pairs: [pair, tiny]),
                                   hysteresis: hysteresis ? law : nil)
    }

    /// Filter settings for the plant: its capacity, the rest current scaled to it, the voltage
    /// σ of a model that is the plant (1 mV sensor noise plus the tick's discretisation).
    static func config(hysteresis: Bool) -> EstimatorConfig {
        var c = EstimatorConfig().scaledToCell(capacityAh: 5)
        c.capacityAh = 5
        c.voltageNoiseV = 0.005
        c.useModelHysteresis = hysteresis
        return c
    }

    /// The drive from SOC 0.9 after a charge (h = s = +1), 1 mV noise.
    static let drive: HysteresisPlant.Trace = {
        var plant = HysteresisPlant(soc: 0.9, h: 1, sign: 1)
        return plant.run(HysteresisPlant.drive(seed: 7), dtSeconds: 1, noiseV: 0.001, seed: 3)
    }()

    /// Runs `estimator` over the drive from sample `first` (its Δt 0: history unknown); the
    /// error (estimate − truth) at every sample.
    static func errors(_ estimator: any SOCEstimator, from first: Int = 0) -> [Double] {
        let d = drive
        return (first..<d.timeS.count).map { k in
            let m = CellMeasurement(voltageV: d.voltageV[k], currentA: d.currentA[k], temperatureC: 25,
                                    dtSeconds: k == first ? 0 : d.timeS[k] - d.timeS[k - 1])
            return estimator.update(m).soc - d.soc[k]
        }
    }

    static func rmsePercent(_ e: [Double]) -> Double { 100 * (e.reduce(0) { $0 + $1 * $1 } / Double(e.count)).squareRoot() }

    @Test("F and H with the hysteresis state match central differences (1RC/2RC, with and without bias)",
          arguments: [(0.35, -6.0, 0.4), (0.62, 3.5, -0.7), (0.81, -0.5, 0.95)])
    func jacobians(soc: Double, current: Double, h: Double) {
        let model = Self.model()
        for pairs in [1, 2] {
            for bias in [false, true] {
                let sm = TheveninStateModel(model: model, pairs: pairs, bias: bias, hysteresis: true)
                let n = sm.dimension, index = sm.hysteresisIndex!
                #expect(index == 1 + pairs && n == 2 + pairs + (bias ? 1 : 0))
                var x = [soc] + Array(repeating: 0.003, count: n - 1)
                x[index] = h
                if bias { x[n - 1] = 0.08 }
                sm.holdParameters(soc: soc, temperatureC: 25, dtSeconds: 5)
                sm.observeCurrent(current, restCurrentA: 0.1)
                var hRow = Array(repeating: 0.0, count: n)
                _ = sm.measurement(x, currentA: current, temperatureC: 25, jacobian: &hRow)
                #expect(hRow[index] == 0.02)
                TheveninStateModelTests.expectJacobians(sm, at: x, currentA: current, temperatureC: 25, dtSeconds: 5,
                                                        capacityAh: 5, efficiency: 0.97)
            }
        }
    }

    @Test("with the hysteresis state the EKF and UKF beat the same filters without it (RMSE on the plant's drive)",
          arguments: [EstimatorKind.ekf1RC, .ukf1RC, .ekf2RC, .ukf2RC])
    func hysteresisBeatsNone(kind: EstimatorKind) throws {
        let on = Self.rmsePercent(Self.errors(try makeEstimator(kind, model: Self.model(), config: Self.config(hysteresis: true),
                                                                soc: Self.drive.soc[0])))
        let off = Self.rmsePercent(Self.errors(try makeEstimator(kind, model: Self.model(), config: Self.config(hysteresis: false),
                                                                 soc: Self.drive.soc[0])))
        print("HysteresisFilter \(kind.rawValue) from the true start: RMSE \(on) % with hysteresis, \(off) % without")
        #expect(on < 1.5, "\(kind.rawValue) with hysteresis: \(on) %")
        #expect(on < 0.5 * off, "\(kind.rawValue): \(on) % with, \(off) % without")
    }

    @Test("started 20 points low under load, the EKF and UKF with hysteresis converge: within ±5 % at 10 min, ±2 % from 1 h on",
          arguments: [EstimatorKind.ekf1RC, .ukf1RC])
    func convergesFromTwentyPointsOff(kind: EstimatorKind) throws {
        let first = try #require(Self.drive.currentA.firstIndex { $0 != 0 })
        func run(_ hysteresis: Bool) throws -> [Double] {
            Self.errors(try makeEstimator(kind, model: Self.model(), config: Self.config(hysteresis: hysteresis),
                                          soc: Self.drive.soc[first] - 0.2), from: first)
        }
        let e = try run(true), off = try run(false)
        // Samples are 1 s apart: index k is k seconds after the start.
        func worst(_ errors: [Double], from seconds: Int) -> Double { errors[seconds...].map(abs).max()! }
        print("HysteresisFilter \(kind.rawValue) from −20 points: error at 10 / 30 / 60 min \(e[600]) / \(e[1800]) / \(e[3600]); "
              + "worst from 1 h on \(worst(e, from: 3600)) (without hysteresis \(worst(off, from: 3600)))")
        #expect(abs(e[600]) < 0.05)
        #expect(worst(e, from: 3600) < 0.02)
        #expect(worst(e, from: 3600) < worst(off, from: 3600))
    }

    @Test("the anchor on a rested reading keeps h; without hysteresis the state has no h")
    func anchorKeepsHysteresis() throws {
        let ekf = TheveninEKF(model: Self.model(), pairs: 1, config: Self.config(hysteresis: true), soc: 0.6)
        #expect(ekf.state.count == 3)
        // Discharge for 20 min (h → −1), then a sleep of an hour and a rested wake-up reading.
        var plant = HysteresisPlant(soc: 0.6, h: 1, sign: 1)
        for _ in 0..<1200 {
            let v = plant.step(currentA: -5, dtSeconds: 1)
            _ = ekf.update(CellMeasurement(voltageV: v, currentA: -5, temperatureC: 25, dtSeconds: 1))
        }
        let hBefore = ekf.state[2]
        #expect(hBefore < -0.95)
        ekf.wake(afterSleepSeconds: 3600)
        let e = ekf.update(CellMeasurement(voltageV: plant.voltage(currentA: 0) - plant.branchV, currentA: 0,
                                           temperatureC: 25, dtSeconds: 1))
        #expect(ekf.state[2] < -0.9, "h after the anchor \(ekf.state[2])")
        #expect(abs(e.soc - plant.soc) < 0.01, "anchored at \(e.soc), truth \(plant.soc)")
        #expect(TheveninEKF(model: Self.model(), pairs: 1, config: Self.config(hysteresis: false)).state.count == 2)
        #expect(TheveninEKF(model: Self.model(hysteresis: false), pairs: 1, config: Self.config(hysteresis: true)).state.count == 2)
    }

    @Test("ah's correction at rest reads OCV + M h + M0 s: after a discharge and a long rest it lands on the truth")
    func ahCorrectionUsesHysteresis() {
        func restedAh(hysteresis: Bool) -> Double {
            // The counter starts 5 points high (a short interruption: no reading at its start);
            // 30 min at −5 A, then 1 h of rest.
            let ah = AhCounterEstimator(model: Self.model(), config: Self.config(hysteresis: hysteresis), soc: 0.85)
            var plant = HysteresisPlant(soc: 0.8, h: 1, sign: 1)
            _ = ah.update(CellMeasurement(voltageV: plant.voltage(currentA: 0), currentA: 0, temperatureC: 25, dtSeconds: 1))
            var estimate = 0.0
            for k in 0..<5400 {
                let current = k < 1800 ? -5.0 : 0
                let v = plant.step(currentA: current, dtSeconds: 1)
                estimate = ah.update(CellMeasurement(voltageV: v, currentA: current, temperatureC: 25, dtSeconds: 1)).soc
            }
            return estimate - plant.soc
        }
        let with = restedAh(hysteresis: true), without = restedAh(hysteresis: false)
        print("HysteresisFilter ah after the rest: error \(with * 100) points with hysteresis, \(without * 100) without")
        #expect(abs(with) < 0.01)
        // Without it the rested voltage, M + M0 = 24 mV below the OCV, reads ≈ 10 points low.
        #expect(without < -0.05)
    }

    @Test("CellSimulator with the model's hysteresis reproduces the written-out plant (≤ 1 µV over the whole drive)")
    func simulatorMatchesPlant() {
        var plant = HysteresisPlant(soc: 0.9, h: 1, sign: 1)
        var sim = CellSimulator(model: Self.model(), pairCount: 1, soc: 0.9, hysteresisH: 1, hysteresisSign: 1)
        var worst = 0.0
        for segment in HysteresisPlant.drive(seed: 7) {
            for _ in 0..<Int(segment.durationS) {
                let a = plant.step(currentA: segment.currentA, dtSeconds: 1)
                let b = sim.step(currentA: segment.currentA, dtSeconds: 1, temperatureC: 25)
                worst = max(worst, abs(a - b))
            }
        }
        #expect(worst < 1e-6, "worst |V_plant − V_sim| \(worst)")
        #expect(abs(sim.hysteresisH - plant.h) < 1e-12 && sim.hysteresisSign == plant.sign)
        // Without the model's hysteresis the simulator is the plain Thevenin model: off by M h + M0 s.
        var bare = CellSimulator(model: Self.model(hysteresis: false), pairCount: 1, soc: plant.soc)
        let v = bare.step(currentA: 0, dtSeconds: 1, temperatureC: 25)
        #expect(abs(v - HysteresisPlant.ocv(plant.soc)) < 1e-12)
    }
}
