import Testing
@testable import CellModel

@Suite("Thevenin identification on simulated data with known truth")
struct TheveninIdentificationTests {
    /// Segments simulated from the synthetic model: pulses, constant currents and rests at two
    /// temperatures, with 1 mV voltage noise.
    func segments() -> [IdentificationSegment] {
        let truth = CellModelParameters.synthetic18650()
        var out: [IdentificationSegment] = []
        var seed: UInt64 = 1
        for temperature in [4.0, 24, 44] {
            for (current, pulsed) in [(-1.0, false), (-2.0, true), (-4.0, false)] {
                var sim = CellSimulator(model: truth, pairCount: 2, soc: 1)
                let gen = SyntheticCycleGenerator(dtSeconds: 10, temperatureC: temperature, voltageNoiseV: 0.001)
                let profile: ProfileSegment = pulsed
                    ? .pulses(currentA: current, onS: 300, offS: 300, durationS: 1e6, stopBelowV: 2.9)
                    : .constant(currentA: current, durationS: 1e6, stopBelowV: 2.9)
                let rec = gen.run([.rest(durationS: 60), profile, .rest(durationS: 1800)], simulator: &sim, seed: seed)
                seed += 1
                out.append(IdentificationSegment(cell: "T\(Int(temperature))", timeS: rec.timeS, voltageV: rec.voltageV,
                                                 currentA: rec.currentA, temperatureC: rec.temperatureC, soc: rec.soc))
            }
        }
        return out
    }

    @Test("recovers OCV, R0 and a small residual from simulated pulses and rests")
    func recoversTruth() throws {
        let truth = CellModelParameters.synthetic18650()
        var options = IdentificationOptions()
        options.ocvSOCPoints = stride(from: -0.1, through: 1.0001, by: 0.1).map { ($0 * 10).rounded() / 10 }
        options.resistanceSOCPoints = [-0.1, 0.2, 0.5, 0.8, 1.0]
        options.resistanceTemperaturesC = [4, 24, 44]
        options.tau1RCCandidatesS = [30, 120]
        options.tau2RCCandidatesS = [(30, 600), (60, 1200)]
        let result = try TheveninIdentification.fit(segments(), options: options)
        // The truth model itself leaves 1–2 mV (the added noise). The fit leaves more, mostly
        // from the OCV below SOC 0.3, which rate extrapolation gets tens of mV wrong (one rate
        // reaches it, relaxations there are short); this bounds that, it does not hide it.
        #expect(result.report.residual2RCmV! < 45)
        #expect(result.report.residual1RCmV! < 45)
        for soc in [0.4, 0.5, 0.7, 0.9] {
            for t in [24.0, 44] {
                // Rate extrapolation is biased by polarisation that is not yet steady: within
                // 20 mV of the truth here where three rates overlap (the documented method error).
                let fitted = result.ocv.voltage(soc: soc, temperatureC: 24)
                let real = truth.ocv.voltage(soc: soc, temperatureC: 24)
                #expect(abs(fitted - real) < 0.02, "OCV at \(soc): \(fitted) vs \(real)")
                let r0 = result.thevenin2RC.r0Ohm.value(soc: soc, temperatureC: t)
                let r0True = truth.thevenin2RC.r0Ohm.value(soc: soc, temperatureC: t)
                #expect(abs(r0 - r0True) < 0.2 * r0True, "R0 at \(soc), \(t) °C: \(r0) vs \(r0True)")
            }
        }
    }

    @Test("per-group residuals: every sample in one group, their mean square is the overall one")
    func groupResidualsCombine() throws {
        var options = IdentificationOptions()
        options.ocvTemperatureGroupEdgesC = [14]
        options.tau1RCCandidatesS = [120]
        options.tau2RCCandidatesS = [(60, 1200)]
        let segs = segments()
        // Each reading twice: the 4 °C group has 3 rested full-charge readings, fewer than the
        // 5 a row needs (twice does not move the group's median offset).
        let readings = OCVTemperatureDependence.fullChargeReadings(segs)
        let result = try TheveninIdentification.fit(segs, options: options, ocvReadings: readings + readings)
        let groups = try #require(result.report.ocvTemperatureGroups)
        #expect(groups.count == 2)
        // The 4 °C segments hold the cold group's samples, the 24 and 44 °C ones the warm group's.
        let coldSamples = segs.filter { $0.cell == "T4" }.reduce(0) { $0 + $1.count }
        let total = segs.reduce(0) { $0 + $1.count }
        #expect(groups[0].residualSamples == coldSamples)
        #expect(groups[1].residualSamples == total - coldSamples)
        for (overall, perGroup) in [(result.report.residual1RCmV!, groups.map { $0.residual1RCmV! }),
                                    (result.report.residual2RCmV!, groups.map { $0.residual2RCmV! })] {
            let combined = (Double(coldSamples) * perGroup[0] * perGroup[0]
                + Double(total - coldSamples) * perGroup[1] * perGroup[1]) / Double(total)
            #expect(abs(combined.squareRoot() - overall) < 1e-9 * overall, "\(combined.squareRoot()) vs \(overall)")
            #expect(perGroup.allSatisfy { $0 > 0 && $0.isFinite })
        }
    }
}

/// Issue 15's test: a synthetic plant with known parameters; the fit recovers R0 within 2 % and
/// τ within 10 %, with τ between the grid's candidates.
@Suite("Thevenin identification: R0 and τ of a known plant")
struct KnownPlantIdentificationTests {
    /// The synthetic 18650 with a 1RC τ of 75 s (between the candidates 60 and 90 s).
    static var plant: CellModelParameters {
        var m = CellModelParameters.synthetic18650()
        let r1 = m.thevenin1RC.pairs[0].resistanceOhm
        let c1 = SOCTemperatureTable(socPoints: r1.socPoints, temperaturesC: r1.temperaturesC, values: r1.values.map { 75 / $0 })
        m.thevenin1RC = TheveninParameters(r0Ohm: m.thevenin1RC.r0Ohm, pairs: [RCPair(resistanceOhm: r1, capacitanceF: c1)])
        return m
    }

    /// HPPC-like tests at 1 s: from full, 10 s pulses of 2 A discharge and 1.5 A charge with
    /// 60 s rests, then 0.6 A for 10 % of the capacity and a 15 min rest, down to 20 %; 0.5 mV noise.
    static func segments(_ plant: CellModelParameters) -> [IdentificationSegment] {
        var out: [IdentificationSegment] = []
        for (k, temperature) in [4.0, 24, 44].enumerated() {
            var sim = CellSimulator(model: plant, pairCount: 1, soc: 1)
            var profile: [ProfileSegment] = [.rest(durationS: 60)]
            for _ in 0..<8 {
                profile += [.constant(currentA: -2, durationS: 10), .rest(durationS: 60),
                            .constant(currentA: 1.5, durationS: 10), .rest(durationS: 60),
                            .constant(currentA: -0.6, durationS: 1200), .rest(durationS: 900)]
            }
            let rec = SyntheticCycleGenerator(dtSeconds: 1, temperatureC: temperature, voltageNoiseV: 0.0005)
                .run(profile, simulator: &sim, seed: UInt64(k + 1))
            out.append(IdentificationSegment(cell: "P\(Int(temperature))", timeS: rec.timeS, voltageV: rec.voltageV,
                                             currentA: rec.currentA, temperatureC: rec.temperatureC, soc: rec.soc))
        }
        return out
    }

    @Test("R0 within 2 % and τ within 10 % (the OCV given, τ refined between the candidates)")
    func recoversR0AndTau() throws {
        let plant = Self.plant
        var options = IdentificationOptions()
        options.fixedOCV = plant.ocv
        options.resistanceSOCPoints = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
        options.resistanceTemperaturesC = [4, 24, 44]
        options.tau1RCRefinementSteps = 10
        let result = try TheveninIdentification.fit(Self.segments(plant), options: options)
        let tau = try #require(result.report.tau1RCs.first)
        #expect(abs(tau - 75) <= 7.5, "τ \(tau) s, truth 75 s")
        #expect(tau != 60 && tau != 90, "τ stayed on the grid: \(tau)")
        for soc in [0.3, 0.5, 0.7, 0.9] {
            for t in [4.0, 24, 44] {
                let r0 = result.thevenin1RC.r0Ohm.value(soc: soc, temperatureC: t)
                let truth = plant.thevenin1RC.r0Ohm.value(soc: soc, temperatureC: t)
                #expect(abs(r0 - truth) <= 0.02 * truth, "R0 at SOC \(soc), \(t) °C: \(r0) vs \(truth)")
            }
        }
        // Without the refinement τ is a grid point: the search is what meets the 10 %.
        options.tau1RCRefinementSteps = 0
        let grid = try TheveninIdentification.fit(Self.segments(plant), options: options)
        #expect([60.0, 90].contains(grid.report.tau1RCs.first ?? 0))
    }
}
