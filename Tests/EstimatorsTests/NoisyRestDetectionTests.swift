import BMSCore
import CellModel
import Foundation
import Testing
import TestSupport
@testable import Estimators

/// Rest detection under sensor noise: a rested cell read through a 0.5 mV-noise ADC at 1 s
/// ticks (the `realistic` sensor) still settles, so the OCV correction (ah) and the rest anchor
/// (EKF, UKF) happen. Differencing raw samples read the noise as ≈ 0.56 mV/s of slope, above
/// the 0.2 mV/s threshold: the cell never settled and a wrong SOC stayed wrong.
@Suite("Rest detection under sensor noise")
struct NoisyRestDetectionTests {
    static let model = CellModelParameters.synthetic18650()

    /// Box–Muller normal from the seeded generator.
    static func normal(_ rng: inout SeededGenerator) -> Double {
        let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300)
        let u2 = Double(rng.next() >> 11) / Double(1 << 53)
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * .pi * u2)
    }

    /// 60 s of 1 A discharge, a restart believing `wrongSOC` (a short interruption, not a
    /// wake-up: no anchor from it), then `restS` of rest at OCV(0.8) read with `noiseV` of noise.
    static func run(_ kind: EstimatorKind, noiseV: Double, restS: Int = 2400, wrongSOC: Double = 0.4) throws -> Double {
        let estimator = try makeEstimator(kind, model: model, config: EstimatorConfig(), soc: 0.8)
        let rested = model.ocv.voltage(soc: 0.8, temperatureC: 25)
        for _ in 0..<60 {
            _ = estimator.update(CellMeasurement(voltageV: rested - 0.05, currentA: -1, temperatureC: 25, dtSeconds: 1))
        }
        estimator.reset(soc: wrongSOC)
        var rng = SeededGenerator(seed: 7)
        var soc = wrongSOC
        for _ in 0..<restS {
            soc = estimator.update(CellMeasurement(voltageV: rested + noiseV * normal(&rng), currentA: 0,
                                                   temperatureC: 25, dtSeconds: 1)).soc
        }
        return soc
    }

    @Test("a rest read with 0.5 mV noise pulls a start 40 points wrong back to the OCV, as a clean one does",
          arguments: [EstimatorKind.ah, .ekf1RC, .ukf1RC])
    func noisyRestSettles(kind: EstimatorKind) throws {
        let clean = try Self.run(kind, noiseV: 0)
        let noisy = try Self.run(kind, noiseV: 0.0005)
        #expect(abs(clean - 0.8) < 0.03, "\(kind) clean: \(clean)")
        #expect(abs(noisy - 0.8) < 0.03, "\(kind) noisy: \(noisy)")
    }

    @Test("the filters' rest anchor comes at `restAnchorSeconds` under 0.5 mV noise, not never")
    func filterAnchorUnderNoise() {
        var common = FilterCommon(model: Self.model, config: EstimatorConfig(), pairs: 1)
        let rested = Self.model.ocv.voltage(soc: 0.8, temperatureC: 25)
        _ = common.observeRest(CellMeasurement(voltageV: rested - 0.05, currentA: -1, temperatureC: 25, dtSeconds: 1))
        _ = common.begin(CellMeasurement(voltageV: rested - 0.05, currentA: -1, temperatureC: 25, dtSeconds: 1))
        var rng = SeededGenerator(seed: 11)
        var anchoredAtS: Int?
        for s in 1...3600 {
            let m = CellMeasurement(voltageV: rested + 0.0005 * Self.normal(&rng), currentA: 0, temperatureC: 25, dtSeconds: 1)
            if common.observeRest(m) == .anchor, anchoredAtS == nil { anchoredAtS = s }
            _ = common.begin(m)
        }
        let anchor = EstimatorConfig().restAnchorSeconds ?? 0
        #expect(anchoredAtS.map { Double($0) >= anchor && Double($0) <= anchor + 300 } == true, "anchored at \(String(describing: anchoredAtS))")
        #expect(common.voltageSlopeVPerS < 0.2 * EstimatorConfig().restVoltageSlopeVPerS)
    }

    @Test("the rest slope: a voltage ramp reads its own slope, 0.5 mV of noise reads below 0.02 mV/s")
    func restSlopeProperties() {
        var ramp = RestVoltageSlope()
        for k in 0...3600 { ramp.add(3.6 + 1e-4 * Double(k), dtSeconds: k == 0 ? 0 : 1) }
        #expect(abs(ramp.vPerS - 1e-4) < 1e-7)   // 0.1 mV/s, settled on after a few minutes
        var noise = RestVoltageSlope()
        var rng = SeededGenerator(seed: 3)
        for k in 0...3600 { noise.add(3.6 + 0.0005 * Self.normal(&rng), dtSeconds: k == 0 ? 0 : 1) }
        #expect(noise.vPerS < 2e-5)
        noise.restart(at: 3.7, settled: true)
        #expect(noise.vPerS == 0 && noise.smoothedV == 3.7)
        noise.clear()
        #expect(noise.vPerS == 1 && noise.smoothedV == nil)
    }
}
