import BMSCore
import Foundation
import Testing
@testable import CellModel

@Suite("Rest relaxation: fit on a known law, correction, interpolation")
struct RestRelaxationTests {
    /// Readings of `cells` (each its own level) at rests spread evenly in ln t over 60 s … 10⁶ s,
    /// V = level + b ln t + noise (seeded, uniform ±`noiseV`).
    func readings(levels: [Double], slope: Double, temperatureC: Double, noiseV: Double, seed: UInt64,
                  prefix: String = "C") -> [RestRelaxationFit.Reading] {
        var rng = SeededGenerator(seed: seed)
        var out: [RestRelaxationFit.Reading] = []
        for (c, level) in levels.enumerated() {
            for k in 0..<40 {
                let t = Foundation.exp(Foundation.log(60.0) + Double(k) / 39 * (Foundation.log(1e6) - Foundation.log(60.0)))
                let noise = Double.random(in: -noiseV...noiseV, using: &rng)
                out.append(.init(cell: "\(prefix)\(c)", restS: t, temperatureC: temperatureC + Double(k % 3) - 1,
                                 voltageV: level + slope * Foundation.log(t) + noise))
            }
        }
        return out
    }

    @Test("the fit recovers a log-time law per temperature group, cell levels removed")
    func fitRecoversKnownLaw() throws {
        // Cold cells relax 9 mV per e-fold, warm ones 2 mV; cells differ by 20–40 mV in level.
        let cold = readings(levels: [4.10, 4.14, 4.12], slope: -0.009, temperatureC: 5, noiseV: 0.001, seed: 1)
        let warm = readings(levels: [4.19, 4.21], slope: -0.002, temperatureC: 25, noiseV: 0.001, seed: 2)
        let law = try #require(RestRelaxationFit.fit(cold + warm, edgesC: [14]))
        #expect(law.groups.count == 2)
        #expect(abs(law.groups[0].slopeVPerLogS - -0.009) < 2e-4, "\(law.groups[0])")
        #expect(abs(law.groups[1].slopeVPerLogS - -0.002) < 2e-4, "\(law.groups[1])")
        #expect(abs(law.groups[0].temperatureC - 5) < 0.5 && abs(law.groups[1].temperatureC - 25) < 0.5)
        // t_ref is the geometric mean of the rests: the midpoint of 60 … 10⁶ s in ln t.
        #expect(abs(Foundation.log(law.groups[0].referenceRestS) - 0.5 * (Foundation.log(60.0) + Foundation.log(1e6))) < 1e-9)
        // Residual ≈ the noise (uniform ±1 mV: RMS 0.58 mV); without the law far more.
        #expect(law.groups[0].rmsResidualmV < 0.7 && law.groups[0].rmsWithoutModelmV > 20, "\(law.groups[0])")
        #expect(abs(law.minimumRestS - 60) < 1e-9 && abs(law.maximumRestS - 1e6) < 1e-6)
    }

    @Test("levels that differ by cell are not taken for a relaxation")
    func cellLevelsAreNotASlope() throws {
        // No relaxation (b = 0), but the cell with long rests reads 50 mV lower: pooled, that
        // would look like a steep law; per-cell levels leave b ≈ 0.
        var data = readings(levels: [4.15], slope: 0, temperatureC: 5, noiseV: 0.001, seed: 3)
            .filter { $0.restS < 3000 }
        data += readings(levels: [4.10], slope: 0, temperatureC: 5, noiseV: 0.001, seed: 4, prefix: "D").filter { $0.restS > 30_000 }
        let law = try #require(RestRelaxationFit.fit(data, edgesC: [14]))
        #expect(abs(law.groups[0].slopeVPerLogS) < 5e-4, "\(law.groups[0])")
    }

    @Test("the correction maps a reading to the reference rest, clamps the rest, ignores an unknown one")
    func correction() {
        let law = RestRelaxation(minimumRestS: 60, maximumRestS: 1e6, groups: [
            .init(temperatureC: 5, slopeVPerLogS: -0.010, referenceRestS: 300),
            .init(temperatureC: 25, slopeVPerLogS: -0.002, referenceRestS: 300)])
        let e2 = Foundation.exp(2.0)
        // After 300·e² s the cold cell reads 20 mV lower than after 300 s: +20 mV.
        #expect(abs(law.correctionV(restSeconds: 300 * e2, temperatureC: 5) - 0.020) < 1e-12)
        #expect(abs(law.correctionV(restSeconds: 300, temperatureC: 5)) < 1e-12)
        // A shorter rest reads higher: lowered (300/e s: −10 mV).
        #expect(abs(law.correctionV(restSeconds: 300 / Foundation.exp(1.0), temperatureC: 5) + 0.010) < 1e-12)
        // Beyond the data's range the rest is clamped; unknown rests (≤ 0, NaN) give 0.
        #expect(law.correctionV(restSeconds: 1e9, temperatureC: 5) == law.correctionV(restSeconds: 1e6, temperatureC: 5))
        #expect(law.correctionV(restSeconds: 1, temperatureC: 5) == law.correctionV(restSeconds: 60, temperatureC: 5))
        #expect(law.correctionV(restSeconds: 0, temperatureC: 5) == 0)
        #expect(law.correctionV(restSeconds: .nan, temperatureC: 5) == 0)
        // Between groups the slope is linear in temperature (−6 mV per e-fold at 15 °C), held beyond.
        #expect(abs(law.correctionV(restSeconds: 300 * e2, temperatureC: 15) - 0.012) < 1e-12)
        #expect(law.correctionV(restSeconds: 300 * e2, temperatureC: -10) == law.correctionV(restSeconds: 300 * e2, temperatureC: 5))
        #expect(law.correctionV(restSeconds: 300 * e2, temperatureC: 60) == law.correctionV(restSeconds: 300 * e2, temperatureC: 25))
        // Through the model: without a law the reading is unchanged.
        var model = CellModelParameters.synthetic18650()
        #expect(model.restCorrectedVoltage(4.1, restSeconds: 300 * e2, temperatureC: 5) == 4.1)
        model.restRelaxation = law
        #expect(abs(model.restCorrectedVoltage(4.1, restSeconds: 300 * e2, temperatureC: 5) - 4.12) < 1e-12)
    }
}
