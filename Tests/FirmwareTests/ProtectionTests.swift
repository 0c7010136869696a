import Testing
@testable import Firmware

@Suite("Protection state machine")
struct ProtectionTests {
    /// Limits from the config: NASA B0005-like cell cut at 2.7 V; debounce 3, release 5.
    let limits = ProtectionLimits(underVoltageV: 2.7, underVoltageReleaseV: 3.0, debounceTicks: 3,
                                  releaseDebounceTicks: 5)

    @Test("under-voltage trips only after 3 consecutive ticks below, releases after 5 above the release level")
    func debounceAndHysteresis() throws {
        var p = try ProtectionStateMachine(limits: limits)
        // Hand-worked sequence (V, expected state after the tick) at −2 A.
        let steps: [(Double, ProtectionState)] = [
            (3.2, .discharge),
            (2.6, .discharge), (2.6, .discharge), (2.8, .discharge),   // 2 below then back: counter resets
            (2.6, .discharge), (2.6, .discharge), (2.6, .fault),       // 3rd consecutive → trip
            (2.9, .fault), (2.9, .fault), (2.9, .fault), (2.9, .fault), (2.9, .fault), (2.9, .fault), // above trip but below release: hysteresis holds
            (3.1, .fault), (3.1, .fault), (3.1, .fault), (3.1, .fault), // 4 above release
            (2.95, .fault),                                              // dip resets release counter
            (3.1, .fault), (3.1, .fault), (3.1, .fault), (3.1, .fault), (3.1, .discharge), // 5th → release
        ]
        for (tick, (voltage, expected)) in steps.enumerated() {
            p.update(voltageV: voltage, currentA: -2, temperatureC: 25, tick: tick)
            #expect(p.state == expected, "tick \(tick), V = \(voltage)")
        }
        let events = p.events
        #expect(events.count == 2)
        #expect(events.first == ProtectionEvent(tick: 6, condition: .underVoltage, tripped: true, value: 2.6))
        #expect(events.last == ProtectionEvent(tick: 22, condition: .underVoltage, tripped: false, value: 3.1))
    }

    @Test("states follow the current sign; every condition can trip")
    func statesAndConditions() throws {
        var p = try ProtectionStateMachine(limits: limits)
        p.update(voltageV: 3.7, currentA: 1.5, temperatureC: 25, tick: 0)
        #expect(p.state == .charge)
        p.update(voltageV: 3.7, currentA: 0.01, temperatureC: 25, tick: 1)
        #expect(p.state == .standby)
        let cases: [(ProtectionCondition, Double, Double, Double)] = [
            (.overVoltage, 4.35, 0, 25), (.underVoltage, 2.5, 0, 25), (.overCurrentCharge, 3.7, 3.5, 25),
            (.overCurrentDischarge, 3.7, -6.5, 25), (.overTemperature, 3.7, 0, 65), (.underTemperature, 3.7, 0, -20),
        ]
        for (condition, v, i, t) in cases {
            var q = try ProtectionStateMachine(limits: limits)
            for tick in 0..<3 { q.update(voltageV: v, currentA: i, temperatureC: t, tick: tick) }
            #expect(q.isActive(condition), "\(condition)")
            #expect(q.state == .fault)
            #expect(q.activeMask == 1 << UInt8(condition.rawValue))
        }
    }

    @Test("the event ring keeps the newest events and counts all")
    func eventRing() throws {
        var p = try ProtectionStateMachine(limits: ProtectionLimits(debounceTicks: 1, releaseDebounceTicks: 1),
                                           eventCapacity: 4)
        for tick in 0..<20 { p.update(voltageV: tick % 2 == 0 ? 4.4 : 4.0, currentA: 0, temperatureC: 25, tick: tick) }
        #expect(p.eventCount == 20)
        #expect(p.events.map(\.tick) == [16, 17, 18, 19])
    }

    @Test("release levels on the wrong side of their trip are rejected")
    func badLimits() {
        #expect(throws: FirmwareConfigError.self) {
            try ProtectionStateMachine(limits: ProtectionLimits(underVoltageV: 2.7, underVoltageReleaseV: 2.6))
        }
        #expect(throws: FirmwareConfigError.self) {
            try ProtectionStateMachine(limits: ProtectionLimits(overVoltageV: 4.2, overVoltageReleaseV: 4.25))
        }
        #expect(throws: FirmwareConfigError.self) {
            try ProtectionStateMachine(limits: ProtectionLimits(debounceTicks: 0))
        }
        #expect(throws: FirmwareConfigError.self) {
            try ProtectionStateMachine(limits: ProtectionLimits(overTemperatureC: .nan))
        }
    }
}
