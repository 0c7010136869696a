import CellModel
@testable import Evaluation
import Testing

/// `bmsim fit --charge-transfer auto|on|off` (`RecordingFit.fitChargeTransfer`): kept on a plant
/// with the term, left out on one without, never fitted with `off`.
@Suite("Charge-transfer decision (auto, on, off)")
struct ChargeTransferDecisionTests {
    /// 10 s pulses at C/5…3C discharge and C/2, 1.5C charge with 60 s rests between C/3 steps,
    /// at 4 and 24 °C, 0.5 mV noise, from the synthetic 18650 with or without the term.
    static func segments(term: Bool) -> [IdentificationSegment] {
        var plant = CellModelParameters.synthetic18650()
        if term { plant.chargeTransfer = .synthetic18650 }
        return [4.0, 24].enumerated().map { k, temperature in
            var sim = CellSimulator(model: plant, pairCount: 1, soc: 1)
            var profile: [ProfileSegment] = [.rest(durationS: 60)]
            for _ in 0..<5 {
                for current in [-0.4, -2, -6, 1, 3] { profile += [.constant(currentA: current, durationS: 10), .rest(durationS: 60)] }
                profile += [.constant(currentA: -0.67, durationS: 1080), .rest(durationS: 600)]
            }
            let rec = SyntheticCycleGenerator(dtSeconds: 1, temperatureC: temperature, voltageNoiseV: 0.0005)
                .run(profile, simulator: &sim, seed: UInt64(k + 11))
            return IdentificationSegment(cell: "D\(k)", timeS: rec.timeS, voltageV: rec.voltageV, currentA: rec.currentA,
                                         temperatureC: rec.temperatureC, soc: rec.soc)
        }
    }

    static func decide(term: Bool, mode: RecordingFit.ChargeTransferMode) throws -> RecordingFit.ChargeTransferOutcome {
        let segments = segments(term: term)
        var o = IdentificationOptions()
        o.fixedOCV = CellModelParameters.synthetic18650().ocv
        o.resistanceSOCPoints = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
        o.resistanceTemperaturesC = [4, 24]
        o.minimumLoadedVoltageV = 2.5
        let first = try TheveninIdentification.fit(segments, options: o)
        return try RecordingFit.fitChargeTransfer(segments, first: first, options: o, capacityAh: 2, mode: mode)
    }

    @Test("auto keeps the term on a plant with it (residual more than the threshold lower) and leaves it out without; off fits nothing")
    func decisions() throws {
        let with = try Self.decide(term: true, mode: .auto)
        #expect(with.term != nil)
        #expect(with.report?.used == true)
        let report = try #require(with.report)
        let share = 1 - RecordingFit.chargeTransferThresholdPercent / 100
        #expect(try #require(report.residual1RCWithmV) < share * (try #require(report.residual1RCWithoutmV)), "\(report.decision)")
        #expect(with.result.report.residual1RCmV == report.residual1RCWithmV)
        let without = try Self.decide(term: false, mode: .auto)
        #expect(without.term == nil, "\(without.report?.decision ?? "")")
        #expect(without.report?.used == false)
        #expect(without.report?.decision.hasPrefix("off (auto") == true)
        let off = try Self.decide(term: true, mode: .off)
        #expect(off.term == nil && off.report == nil)
        let on = try Self.decide(term: false, mode: .on)
        #expect(on.report?.mode == "on")
    }
}
