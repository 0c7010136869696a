import BMSCore
import CBMSSoc
import Firmware
import Testing

/// The C bank (`bms_bank_*`, Sources/CBMSSoc/bms_soc_bank.c) against the Swift `EstimatorBank` on
/// the same checked readings and flags: every estimator (periods 1, 3 and 10 base ticks) gets the
/// same inputs in the same order, bit for bit after rounding to float (the C estimators' input
/// type), and the same update and held-update counts.
@Suite("C estimator bank agrees with EstimatorBank")
struct BankAgreementTests {
    /// An estimator that keeps what it was given.
    final class Recorder: SOCEstimator {
        let name = "recorder"
        private(set) var estimate = SOCEstimate(soc: 0.5)
        private(set) var inputs: [CellMeasurement] = []
        func update(_ m: CellMeasurement) -> SOCEstimate { inputs.append(m); return estimate }
        func reset(soc: Double) { estimate = SOCEstimate(soc: soc) }
        func wake(afterSleepSeconds seconds: Double) {}
        var stateBytes: Int { 0 }
    }

    /// One call of the firmware loop.
    enum Event {
        case reading(v: Float, i: Float, t: Float, dt: Float, flags: UInt16)
        case wake
        case reset
    }

    /// A random sequence: readings with random fault flags on random channels, sleeps followed
    /// by runs of unconfirmed readings (confirmed, replaced, or ended by a re-sync), substituted
    /// currents right after a sleep, and restarts at full.
    static func events(seed: UInt64, count: Int) -> [Event] {
        var rng = SeededGenerator(seed: seed)
        var events: [Event] = []
        var v: Float = 3.8, i: Float = -1, t: Float = 25
        var unconfirmedLeft = 0
        let kinds: [FaultFlags] = [.dropout, .notFinite, .stuck, .spike, .timestampJump, .resync]
        for _ in 0..<count {
            let u = Double.random(in: 0..<1, using: &rng)
            if u < 0.01 {
                events.append(.wake)
                unconfirmedLeft = Int.random(in: 1...4, using: &rng)
                continue
            }
            if u < 0.012 { events.append(.reset); continue }
            v = min(4.2, max(3.0, v + Float.random(in: -0.01...0.01, using: &rng)))
            i = min(6, max(-6, i + Float.random(in: -0.2...0.2, using: &rng)))
            t += Float.random(in: -0.02...0.02, using: &rng)
            var flags: FaultFlags = []
            if Double.random(in: 0..<1, using: &rng) < 0.15 {
                flags.insert(kinds.randomElement(using: &rng)!)
                flags.insert(.channel(SensorChannel.allCases.randomElement(using: &rng)!))
                if Bool.random(using: &rng) { flags.insert(.channel(.current)) }
            }
            if unconfirmedLeft > 0 {
                unconfirmedLeft -= 1
                flags.formUnion([.unconfirmed, .channel(.voltage)])
            }
            let dt: Float = Double.random(in: 0..<1, using: &rng) < 0.05 ? Float.random(in: 0...3, using: &rng) : 1
            events.append(.reading(v: v, i: i, t: t, dt: dt, flags: flags.rawValue))
        }
        return events
    }

    /// The Swift input rounded to float is the C input, bit for bit.
    static func same(_ s: CellMeasurement, _ c: bms_bank_input_t) -> Bool {
        let voltage = Float(s.voltageV).bitPattern == c.voltage_V.bitPattern
        let current = Float(s.currentA).bitPattern == c.current_A.bitPattern
        let temperature = Float(s.temperatureC).bitPattern == c.temperature_C.bitPattern
        let dt = Float(s.dtSeconds).bitPattern == c.dt_s.bitPattern
        return voltage && current && temperature && dt
    }

    @Test("30 random sequences: the same inputs at every update of three estimators, and the same counts")
    func randomSequencesAgree() throws {
        let periods = [1, 3, 10]
        var totalUpdates = 0, totalHeld = 0
        for seed in 1...30 {
            let recorders = periods.map { _ in Recorder() }
            var swift = try EstimatorBank(estimators: recorders, periodTicks: periods, timingSampleEvery: 0)
            var bank = bms_bank_t()
            var slots = periods.map { _ in bms_bank_slot_t() }
            #expect(bms_bank_init(&bank) == BMS_SOC_OK)
            for k in periods.indices { #expect(bms_bank_slot_init(&slots[k], UInt32(periods[k])) == BMS_SOC_OK) }
            var cInputs: [[bms_bank_input_t]] = periods.map { _ in [] }
            var tick = 0
            for event in Self.events(seed: 0xBA4C &+ UInt64(seed), count: 4000) {
                switch event {
                case .wake:
                    tick += 600
                    swift.wake(sleptSeconds: 600)
                    #expect(bms_bank_wake(&bank) == BMS_SOC_OK)
                    for k in slots.indices { #expect(bms_bank_slot_restart(&slots[k]) == BMS_SOC_OK) }
                case .reset:
                    swift.reset(soc: 1)
                    #expect(bms_bank_reset(&bank) == BMS_SOC_OK)
                    for k in slots.indices { #expect(bms_bank_slot_restart(&slots[k]) == BMS_SOC_OK) }
                case let .reading(v, i, t, dt, flags):
                    swift.update(CellMeasurement(voltageV: Double(v), currentA: Double(i), temperatureC: Double(t),
                                                 dtSeconds: Double(dt)), tick: tick, flags: FaultFlags(rawValue: flags))
                    var used = bms_plausibility_reading_t(voltage_V: v, current_A: i, temperature_C: t, dt_s: dt, missing_mask: 0)
                    var steps = (bms_bank_step_t(), bms_bank_step_t())
                    let n = withUnsafeMutableBytes(of: &steps) { raw in
                        let p = raw.baseAddress!.assumingMemoryBound(to: bms_bank_step_t.self)
                        let n = Int(bms_bank_feed(&bank, &used, flags, UInt32(tick), p))
                        for s in 0..<n {
                            for k in slots.indices {
                                var input = bms_bank_input_t()
                                if bms_bank_slot_step(&slots[k], p + s, &input) != 0 { cInputs[k].append(input) }
                            }
                        }
                        return n
                    }
                    #expect((0...2).contains(n))
                    tick += 1
                }
            }
            for k in periods.indices {
                let a = recorders[k].inputs, b = cInputs[k]
                #expect(a.count == b.count, "seed \(seed), period \(periods[k]): \(a.count) vs \(b.count) updates")
                let firstDifference = zip(a, b).enumerated().first { !Self.same($0.element.0, $0.element.1) }?.offset
                #expect(firstDifference == nil, "seed \(seed), period \(periods[k]): update \(firstDifference ?? -1)")
                #expect(Int(slots[k].updates) == swift.updateCounts[k] && Int(slots[k].held_updates) == swift.heldUpdates[k])
                totalUpdates += b.count
                totalHeld += Int(slots[k].held_updates)
            }
        }
        // The sequences exercised the gating: many updates, many withheld.
        #expect(totalUpdates > 50_000 && totalHeld > 5_000, "\(totalUpdates) updates, \(totalHeld) held")
    }

    @Test("bad arguments are refused without a crash")
    func badArguments() {
        var slot = bms_bank_slot_t()
        #expect(bms_bank_slot_init(&slot, 0) == BMS_SOC_ERR_CONFIG)
        #expect(bms_bank_slot_init(nil, 1) == BMS_SOC_ERR_ARGUMENT)
        #expect(bms_bank_init(nil) == BMS_SOC_ERR_ARGUMENT)
        #expect(bms_bank_wake(nil) == BMS_SOC_ERR_ARGUMENT && bms_bank_reset(nil) == BMS_SOC_ERR_ARGUMENT)
        #expect(bms_bank_slot_restart(nil) == BMS_SOC_ERR_ARGUMENT)
        var bank = bms_bank_t()
        var used = bms_plausibility_reading_t()
        var step = bms_bank_step_t()
        var input = bms_bank_input_t()
        #expect(bms_bank_feed(nil, &used, 0, 0, &step) == 0 && bms_bank_feed(&bank, nil, 0, 0, &step) == 0)
        #expect(bms_bank_feed(&bank, &used, 0, 0, nil) == 0)
        #expect(bms_bank_slot_step(nil, &step, &input) == 0 && bms_bank_slot_step(&slot, nil, &input) == 0)
        // A slot that was never started (period 0) hands out nothing.
        var zero = bms_bank_slot_t()
        #expect(bms_bank_slot_step(&zero, &step, &input) == 0)
    }
}
