import Foundation
import Testing
import TestSupport
@testable import CellModel

/// `ChargeTransferFit` on a synthetic plant with a known term (`ChargeTransfer.synthetic18650`:
/// a = 60 / 30 / 15 mV, I_ref = 0.8 / 1.5 / 2.5 A at 4 / 24 / 44 °C) and a 1RC circuit.
@Suite("Charge-transfer fit: a known plant's a and I_ref recovered")
struct ChargeTransferFitTests {
    /// The synthetic 18650 (1RC, τ 60 s) with the term, or without it.
    static func plant(term: Bool) -> CellModelParameters {
        var m = CellModelParameters.synthetic18650()
        if term { m.chargeTransfer = .synthetic18650 }
        return m
    }

    /// HPPC-like tests at 1 s and each temperature: 10 s pulses at C/5, C/2, 1C, 2C, 3C
    /// discharge and C/2, 1.5C charge with 60 s rests, then C/3 for 10 % of the capacity and a
    /// 15 min rest, from full down to 30 %; 0.5 mV voltage noise.
    static func segments(_ plant: CellModelParameters) -> [IdentificationSegment] {
        [4.0, 24, 44].enumerated().map { k, temperature in
            var sim = CellSimulator(model: plant, pairCount: 1, soc: 1)
            var profile: [ProfileSegment] = [.rest(durationS: 60)]
            for _ in 0..<7 {
                for current in [-0.4, -1, -2, -4, -6, 1, 3] {
                    profile += [.constant(currentA: current, durationS: 10), .rest(durationS: 60)]
                }
                profile += [.constant(currentA: -0.67, durationS: 1080), .rest(durationS: 900)]
            }
            let rec = SyntheticCycleGenerator(dtSeconds: 1, temperatureC: temperature, voltageNoiseV: 0.0005)
                .run(profile, simulator: &sim, seed: UInt64(k + 1))
            return IdentificationSegment(cell: "P\(Int(temperature))", timeS: rec.timeS, voltageV: rec.voltageV,
                                         currentA: rec.currentA, temperatureC: rec.temperatureC, soc: rec.soc)
        }
    }

    static func options(_ plant: CellModelParameters) -> IdentificationOptions {
        var o = IdentificationOptions()
        o.fixedOCV = plant.ocv
        o.resistanceSOCPoints = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
        o.resistanceTemperaturesC = [4, 24, 44]
        o.tau1RCRefinementSteps = 10
        o.minimumLoadedVoltageV = 2.5
        // No smoothing: the plant's R0 is cubic in SOC, and the default second-difference rows
        // bend it at low SOC by more than the 44 °C term's curvature (a 15 mV read as 9 mV).
        o.resistanceSmoothness = 0
        return o
    }

    /// The production sequence (`RecordingFit.fitChargeTransfer`): fit without the term for τ,
    /// then `ChargeTransferFit.fitAlternating`.
    static func fit(_ plant: CellModelParameters) throws
        -> (first: TheveninIdentification.Result, fit: ChargeTransferFit.Fit, refit: TheveninIdentification.Result) {
        let segments = segments(plant), o = options(plant)
        let first = try TheveninIdentification.fit(segments, options: o)
        let (fit, refit) = try #require(try ChargeTransferFit.fitAlternating(
            segments, options: o, first: first, temperaturesC: [4, 24, 44],
            candidatesA: ChargeTransferFit.candidates(capacityAh: 2)))
        return (first, fit, refit)
    }

    @Test("a within 5 %, I_ref within 20 %, the residual at the 0.5 mV noise floor (well above it without the term)")
    func recoversTheTerm() throws {
        let (first, fit, refit) = try Self.fit(Self.plant(term: true))
        for (got, truth) in zip(fit.term.groups, ChargeTransfer.synthetic18650.groups) {
            #expect(got.temperatureC == truth.temperatureC)
            #expect(abs(got.coefficientV - truth.coefficientV) <= 0.05 * truth.coefficientV,
                    "a at \(truth.temperatureC) °C: \(got.coefficientV) vs \(truth.coefficientV)")
            #expect(abs(got.referenceCurrentA - truth.referenceCurrentA) <= 0.2 * truth.referenceCurrentA,
                    "I_ref at \(truth.temperatureC) °C: \(got.referenceCurrentA) vs \(truth.referenceCurrentA)")
        }
        let with = try #require(refit.report.residual1RCmV), without = try #require(first.report.residual1RCmV)
        #expect(with <= 0.6, "1RC residual with the term \(with) mV (noise 0.5 mV)")
        #expect(without >= 2 * with, "1RC residual without the term \(without) mV")
        #expect(fit.squaresWith < fit.squaresWithout)
    }

    @Test("on a plant without the term the fitted a stay small and the residual does not move")
    func plantWithoutTheTerm() throws {
        let (first, fit, refit) = try Self.fit(Self.plant(term: false))
        // At most 2 mV of voltage at 3C (what a ≤ a few mV at any I_ref gives), against 60 mV above.
        for g in fit.term.groups {
            #expect(fit.term.voltageV(currentA: -6, temperatureC: g.temperatureC) > -0.002, "\(g)")
        }
        let with = try #require(refit.report.residual1RCmV), without = try #require(first.report.residual1RCmV)
        #expect(without - with <= 0.1 * without, "1RC residual \(without) → \(with) mV")
    }
}
