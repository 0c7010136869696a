import BMSCore
import CBMSSoc
import Firmware
import Testing

/// The C protection state machine (`bms_protection_*`, Sources/CBMSSoc/bms_soc_protection.c)
/// against the Swift `ProtectionStateMachine` on the same float readings: the same defaults and
/// refusals, and over random sequences with random limits the same state, active conditions and
/// event log at every tick — including readings on the floats next to every threshold.
@Suite("C protection agrees with ProtectionStateMachine")
struct ProtectionAgreementTests {
    static func cLimits(_ l: ProtectionLimits) -> bms_protection_limits_t {
        bms_protection_limits_t(
            over_voltage_V: l.overVoltageV, over_voltage_release_V: l.overVoltageReleaseV,
            under_voltage_V: l.underVoltageV, under_voltage_release_V: l.underVoltageReleaseV,
            over_current_charge_A: l.overCurrentChargeA, over_current_charge_release_A: l.overCurrentChargeReleaseA,
            over_current_discharge_A: l.overCurrentDischargeA,
            over_current_discharge_release_A: l.overCurrentDischargeReleaseA,
            over_temperature_C: l.overTemperatureC, over_temperature_release_C: l.overTemperatureReleaseC,
            under_temperature_C: l.underTemperatureC, under_temperature_release_C: l.underTemperatureReleaseC,
            debounce_ticks: UInt32(l.debounceTicks), release_debounce_ticks: UInt32(l.releaseDebounceTicks),
            standby_current_A: l.standbyCurrentA)
    }

    /// Every threshold of `l` (trips, releases, ± standby, ± the discharge ones).
    static func thresholds(_ l: ProtectionLimits) -> [Double] {
        [l.overVoltageV, l.overVoltageReleaseV, l.underVoltageV, l.underVoltageReleaseV, l.overCurrentChargeA,
         l.overCurrentChargeReleaseA, -l.overCurrentDischargeA, -l.overCurrentDischargeReleaseA, l.overTemperatureC,
         l.overTemperatureReleaseC, l.underTemperatureC, l.underTemperatureReleaseC, l.standbyCurrentA, -l.standbyCurrentA]
    }

    @Test("the defaults and the refusals are the Swift ones; the states and conditions number alike")
    func constantsAgree() {
        var d = bms_protection_limits_t()
        bms_protection_limits_default(&d)
        let s = Self.cLimits(ProtectionLimits())
        #expect(withUnsafeBytes(of: d) { Array($0) } == withUnsafeBytes(of: s) { Array($0) })
        #expect(Int(BMS_PROTECTION_FAULT.rawValue) == Int(ProtectionState.fault.rawValue))
        #expect(Int(BMS_PROTECTION_DISCHARGE.rawValue) == Int(ProtectionState.discharge.rawValue))
        #expect(Int(BMS_PROTECTION_UNDER_TEMPERATURE.rawValue) == ProtectionCondition.underTemperature.rawValue)
        #expect(Int(BMS_PROTECTION_OVER_CURRENT_DISCHARGE.rawValue) == ProtectionCondition.overCurrentDischarge.rawValue)
        let variants: [ProtectionLimits] = [
            ProtectionLimits(), ProtectionLimits(overVoltageReleaseV: 4.3), ProtectionLimits(underVoltageReleaseV: 4.25),
            ProtectionLimits(overCurrentChargeReleaseA: 3.5), ProtectionLimits(overCurrentDischargeReleaseA: 6),
            ProtectionLimits(overTemperatureReleaseC: 70), ProtectionLimits(underTemperatureReleaseC: -20),
            ProtectionLimits(debounceTicks: 0), ProtectionLimits(releaseDebounceTicks: 0),
            ProtectionLimits(standbyCurrentA: .nan), ProtectionLimits(overVoltageV: .infinity),
            ProtectionLimits(debounceTicks: 1, releaseDebounceTicks: 1),
        ]
        for limits in variants {
            var c = Self.cLimits(limits)
            #expect((bms_protection_limits_check(&c) == BMS_SOC_OK) == ((try? limits.validate()) != nil), "\(limits)")
        }
    }

    @Test("30 random sequences with random limits, readings often on the floats next to a threshold: the same state, conditions and events at every tick")
    func randomSequencesAgree() throws {
        var trips = 0, ticks = 0
        for seed in 1...30 {
            var rng = SeededGenerator(seed: 0x9207 &+ UInt64(seed))
            // Thresholds that are not floats (4.3, 0.05, …), debounce 1–4 and 1–12.
            let ov = Double.random(in: 4.15...4.35, using: &rng), uv = Double.random(in: 2.3...2.9, using: &rng)
            let occ = Double.random(in: 1...3, using: &rng), ocd = Double.random(in: 2...6, using: &rng)
            let limits = ProtectionLimits(
                overVoltageV: ov, overVoltageReleaseV: ov - Double.random(in: 0.01...0.1, using: &rng),
                underVoltageV: uv, underVoltageReleaseV: uv + Double.random(in: 0.01...0.3, using: &rng),
                overCurrentChargeA: occ, overCurrentChargeReleaseA: occ - Double.random(in: 0.1...0.5, using: &rng),
                overCurrentDischargeA: ocd, overCurrentDischargeReleaseA: ocd - Double.random(in: 0.1...1, using: &rng),
                overTemperatureC: 45.1, overTemperatureReleaseC: 40.3, underTemperatureC: 0.1, underTemperatureReleaseC: 3.7,
                debounceTicks: Int.random(in: 1...4, using: &rng), releaseDebounceTicks: Int.random(in: 1...12, using: &rng),
                standbyCurrentA: 0.05)
            var swift = try ProtectionStateMachine(limits: limits, eventCapacity: 16)
            var cl = Self.cLimits(limits)
            var ring = [bms_protection_event_t](repeating: bms_protection_event_t(), count: 16)
            var c = bms_protection_t()
            #expect(bms_protection_init(&c, &cl, &ring, 16) == BMS_SOC_OK)
            // Readings near the thresholds: a threshold's float neighbours, or a value around it.
            let near = Self.thresholds(limits)
            var mismatches = 0
            var firstMismatch: String?
            try ring.withUnsafeMutableBufferPointer { buffer in
                c.ring = buffer.baseAddress
                for tick in 0..<3000 {
                    func reading(_ range: ClosedRange<Float>) -> Float {
                        let u = Double.random(in: 0..<1, using: &rng)
                        if u < 0.4 {
                            let f = Float(near.randomElement(using: &rng)!)
                            return [f, f.nextUp, f.nextDown].randomElement(using: &rng)!
                        }
                        return Float.random(in: range, using: &rng)
                    }
                    let v = reading(2.0...4.4), i = reading(-7...4), t = reading(-2...48)
                    swift.update(voltageV: Double(v), currentA: Double(i), temperatureC: Double(t), tick: tick)
                    let state = bms_protection_update(&c, v, i, t, UInt32(tick))
                    let same = Int(state.rawValue) == Int(swift.state.rawValue) && c.active_mask == swift.activeMask
                        && Int(c.event_count) == swift.eventCount
                    if !same {
                        mismatches += 1
                        if firstMismatch == nil { firstMismatch = "tick \(tick): V \(v) I \(i) T \(t)" }
                    }
                }
                ticks += 3000
                // The logs: the same events, oldest first.
                let events = swift.events
                #expect(events.count == min(Int(c.event_count), 16))
                for (k, e) in events.enumerated() {
                    let ce = try #require(bms_protection_event(&c, UInt32(k))).pointee
                    #expect(Int(ce.tick) == e.tick && Int(ce.condition) == e.condition.rawValue
                            && (ce.tripped != 0) == e.tripped && Double(ce.value) == e.value, "seed \(seed) event \(k)")
                }
            }
            #expect(mismatches == 0, "seed \(seed): \(mismatches) mismatches, first \(firstMismatch ?? "")")
            trips += swift.eventCount
        }
        #expect(ticks == 90_000 && trips > 1000, "\(trips) events")
    }
}
