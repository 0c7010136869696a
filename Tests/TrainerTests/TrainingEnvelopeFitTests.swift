import BMSCore
import FloatModel
import Testing
@testable import Trainer

@Suite("Training envelope fitted on grid cycles")
struct TrainingEnvelopeFitTests {
    /// A cycle of `n` steps: voltage from `v0` down 0.01 V per step, current `i`, temperature
    /// `t0` up 0.5 °C per step, SOC from 1 down 0.1 per step.
    func cycle(_ k: Int, v0: Double, i: Double, t0: Double, n: Int = 3) -> GridCycle {
        var f: [Double] = []
        for s in 0..<n { f += [v0 - 0.01 * Double(s), i, t0 + 0.5 * Double(s), 0, 0] }
        return GridCycle(cell: "X", cycle: k, features: f, soc: (0..<n).map { 1 - 0.1 * Double($0) })
    }

    @Test("current, temperature and SOC are the extremes of every step")
    func extremes() throws {
        let cycles = [cycle(1, v0: 4.2, i: -2, t0: 20), cycle(2, v0: 4.19, i: -4, t0: 10, n: 5), cycle(3, v0: 4.18, i: 0.02, t0: 30)]
        let e = try #require(TrainingEnvelope(fitting: cycles))
        #expect(e.currentMinA == -4 && e.currentMaxA == 0.02)
        #expect(e.temperatureMinC == 10 && e.temperatureMaxC == 31)
        #expect(abs(e.socMin - 0.6) < 1e-12 && e.socMax == 1)
    }

    @Test("the start voltage is the 1st percentile of the cycles' first voltages: one odd start does not widen it")
    func startPercentile() throws {
        // 101 cycles: one starts at 3.8 V, the others at 4.10 … 4.20 V. Index ⌊0.01 · 100⌋ = 1
        // of the sorted starts is the lowest of the normal ones, 4.10 V.
        var cycles = [cycle(0, v0: 3.8, i: -2, t0: 25)]
        for k in 1...100 { cycles.append(cycle(k, v0: 4.1 + 0.001 * Double(k - 1), i: -2, t0: 25)) }
        let e = try #require(TrainingEnvelope(fitting: cycles))
        #expect(abs(e.startVoltageMinV - 4.1) < 1e-12)
        // Few cycles: the lowest start.
        let few = try #require(TrainingEnvelope(fitting: Array(cycles[0..<5])))
        #expect(few.startVoltageMinV == 3.8)
    }

    @Test("no step, no envelope; fitted scalers carry it")
    func emptyAndScalers() {
        #expect(TrainingEnvelope(fitting: []) == nil)
        let cycles = [cycle(1, v0: 4.2, i: -2, t0: 20)]
        #expect(Scalers(fitting: cycles).envelope == TrainingEnvelope(fitting: cycles))
    }
}

@Suite("Training envelope with partial starts")
struct PartialStartEnvelopeTests {
    /// A 40-step discharge from 4.2 V down 0.02 V per step, SOC from 1 down 0.02 per step.
    func discharge(_ k: Int) -> GridCycle {
        var f: [Double] = []
        for s in 0..<40 { f += [4.2 - 0.02 * Double(s), -2, 25, 0, 0] }
        return GridCycle(cell: "X", cycle: k, features: f, soc: (0..<40).map { 1 - 0.02 * Double($0) })
    }

    @Test("the envelope covers the cut copies' starts; the scalers stay fitted on the whole discharges")
    func cutsWidenTheStart() throws {
        let train = (0..<10).map(discharge)
        let rule = PartialStarts(copies: 2, minimumSteps: 5)
        let plain = SOCDataset(train: train, validation: [], test: [])
        let cut = SOCDataset(train: train, validation: [], test: [], partialStarts: rule, seed: 3)
        #expect(try #require(plain.scalers.envelope).startVoltageMinV == 4.2)
        let cuts = GridCycle.partialStarts(of: train, rule: rule, seed: 3)
        #expect(!cuts.isEmpty)
        let lowestCut = cuts.map { $0.features[0] }.min()!
        let widened = try #require(cut.scalers.envelope)
        #expect(widened == TrainingEnvelope(fitting: train + cuts))
        #expect(widened.startVoltageMinV < 4.2 && widened.startVoltageMinV >= lowestCut)
        // Everything the network reads is scaled as before.
        #expect(cut.scalers.xMean == plain.scalers.xMean && cut.scalers.xStd == plain.scalers.xStd)
        // Given scalers (a checkpoint, QAT) are kept as they are.
        let given = SOCDataset(train: train, validation: [], test: [], scalers: plain.scalers, partialStarts: rule, seed: 3)
        #expect(given.scalers == plain.scalers)
    }
}
