import BMSCore
import CBMSSoc
import Firmware
import Testing

/// The C plausibility checks (`bms_plausibility_*`, Sources/CBMSSoc/bms_soc_plausibility.c) against
/// the Swift ones (`PlausibilityCheck`) on the same readings: the same flag bits, defaults and
/// refusals, and over long random sequences of every fault kind, sleeps and limit settings the
/// same flags and the same values handed on, tick for tick. Both get the same float32 readings
/// (the C API's input type).
@Suite("C plausibility checks agree with PlausibilityCheck")
struct PlausibilityAgreementTests {
    /// The C limits with the Swift ones' values.
    static func cLimits(_ l: PlausibilityLimits) -> bms_plausibility_limits_t {
        bms_plausibility_limits_t(
            voltage_min_V: l.voltageRangeV.lowerBound, voltage_max_V: l.voltageRangeV.upperBound,
            current_min_A: l.currentRangeA.lowerBound, current_max_A: l.currentRangeA.upperBound,
            temperature_min_C: l.temperatureRangeC.lowerBound, temperature_max_C: l.temperatureRangeC.upperBound,
            max_voltage_step_V: l.maxVoltageStepV, max_current_step_A: l.maxCurrentStepA,
            max_temperature_step_C: l.maxTemperatureStepC, max_consecutive_rejects: UInt32(l.maxConsecutiveRejects),
            stuck_ticks: UInt32(l.stuckTicks), timestamp_tolerance: l.timestampTolerance)
    }

    @Test("the flag bits, the withholding and fault masks and the defaults are the Swift ones")
    func constantsAgree() {
        let bits: [(UInt32, FaultFlags)] = [
            (BMS_FAULT_DROPOUT, .dropout), (BMS_FAULT_NOT_FINITE, .notFinite), (BMS_FAULT_STUCK, .stuck),
            (BMS_FAULT_SPIKE, .spike), (BMS_FAULT_TIMESTAMP_JUMP, .timestampJump), (BMS_FAULT_RESYNC, .resync),
            (BMS_FAULT_UNCONFIRMED, .unconfirmed), (BMS_FAULT_VOLTAGE, .channel(.voltage)),
            (BMS_FAULT_CURRENT, .channel(.current)), (BMS_FAULT_TEMPERATURE, .channel(.temperature)),
        ]
        for (c, swift) in bits { #expect(UInt16(c) == swift.rawValue) }
        let withholding: FaultFlags = [FaultFlags(rawValue: UInt16(BMS_FAULT_DROPOUT)), FaultFlags(rawValue: UInt16(BMS_FAULT_NOT_FINITE)),
                                       FaultFlags(rawValue: UInt16(BMS_FAULT_STUCK)), FaultFlags(rawValue: UInt16(BMS_FAULT_SPIKE)),
                                       FaultFlags(rawValue: UInt16(BMS_FAULT_UNCONFIRMED))]
        #expect(withholding == EstimatorBank.withholdingFlags)
        #expect(UInt16(BMS_FAULT_ANY) == 0x3F)
        #expect(UInt8(BMS_MISSING_VOLTAGE) == 1 << SensorChannel.voltage.rawValue)
        #expect(UInt8(BMS_MISSING_CURRENT) == 1 << SensorChannel.current.rawValue)
        #expect(UInt8(BMS_MISSING_TEMPERATURE) == 1 << SensorChannel.temperature.rawValue)
        var d = bms_plausibility_limits_t()
        bms_plausibility_limits_default(&d)
        let s = Self.cLimits(PlausibilityLimits())
        #expect(d.voltage_min_V == s.voltage_min_V && d.voltage_max_V == s.voltage_max_V)
        #expect(d.current_min_A == s.current_min_A && d.current_max_A == s.current_max_A)
        #expect(d.temperature_min_C == s.temperature_min_C && d.temperature_max_C == s.temperature_max_C)
        #expect(d.max_voltage_step_V == s.max_voltage_step_V && d.max_current_step_A == s.max_current_step_A)
        #expect(d.max_temperature_step_C == s.max_temperature_step_C)
        #expect(d.max_consecutive_rejects == s.max_consecutive_rejects && d.stuck_ticks == s.stuck_ticks)
        #expect(d.timestamp_tolerance == s.timestamp_tolerance)
    }

    @Test("C refuses the limits Swift refuses, and no others")
    func validationAgrees() {
        let variants: [PlausibilityLimits] = [
            PlausibilityLimits(), PlausibilityLimits(currentRangeA: -Double.infinity...Double.infinity),
            PlausibilityLimits(voltageRangeV: 3...3), PlausibilityLimits(maxVoltageStepV: 0),
            PlausibilityLimits(maxVoltageStepV: .nan), PlausibilityLimits(maxCurrentStepA: -1),
            PlausibilityLimits(maxTemperatureStepC: .infinity), PlausibilityLimits(maxConsecutiveRejects: 0),
            PlausibilityLimits(stuckTicks: 7), PlausibilityLimits(timestampTolerance: 0),
            PlausibilityLimits(timestampTolerance: .nan), PlausibilityLimits(timestampTolerance: 3),
        ]
        for limits in variants {
            var c = Self.cLimits(limits)
            let swiftValid = (try? limits.validate()) != nil
            #expect((bms_plausibility_limits_check(&c) == BMS_SOC_OK) == swiftValid, "\(limits)")
        }
    }

    /// A random day of readings with every fault kind, for one set of limits: a random walk of
    /// V, I and T, with missing frames, NaN and ±∞, out-of-range values, jumps above the step
    /// limits (single spikes and real steps), stuck runs, timestamps off the base tick, and
    /// sleeps after which the cell reads far from where it was.
    struct Scenario {
        var limits: PlausibilityLimits
        var baseTick: Double
        var events: [Event]

        enum Event {
            case reading(v: Float, i: Float, t: Float, dt: Float, missing: UInt8)
            case wake
        }

        init(limits: PlausibilityLimits, baseTick: Double, events: [Event]) {
            self.limits = limits
            self.baseTick = baseTick
            self.events = events
        }

        init(seed: UInt64, ticks: Int) {
            var rng = SeededGenerator(seed: seed)
            limits = PlausibilityLimits(
                currentRangeA: Bool.random(using: &rng) ? -20...20 : -Double.infinity...Double.infinity,
                maxVoltageStepV: [0.05, 0.2, 1.0].randomElement(using: &rng)!,
                maxCurrentStepA: [0.5, 3, 15].randomElement(using: &rng)!,
                maxTemperatureStepC: [0.5, 10].randomElement(using: &rng)!,
                maxConsecutiveRejects: [0, 1, 3, 5].randomElement(using: &rng)!,
                stuckTicks: [0, 3, 8].randomElement(using: &rng)!,
                timestampTolerance: [0.5, 0.1].randomElement(using: &rng)!)
            baseTick = [1, 0.1, 10].randomElement(using: &rng)!
            var v = Float.random(in: 3.2...4.1, using: &rng), i: Float = 0, t = Float.random(in: 5...40, using: &rng)
            var stuckLeft = 0
            events = []
            events.reserveCapacity(ticks)
            for _ in 0..<ticks {
                let u = Double.random(in: 0..<1, using: &rng)
                if u < 0.005 {
                    events.append(.wake)
                    v = Float.random(in: 3.0...4.2, using: &rng)   // rested far from the last loaded value
                    i = 0
                    continue
                }
                if stuckLeft > 0 {
                    stuckLeft -= 1
                } else {
                    v = min(4.2, max(2.8, v + Float.random(in: -0.01...0.01, using: &rng)))
                    i = min(8, max(-8, i + Float.random(in: -0.3...0.3, using: &rng)))
                    t = min(50, max(-10, t + Float.random(in: -0.05...0.05, using: &rng)))
                    if Double.random(in: 0..<1, using: &rng) < 0.01 { stuckLeft = Int.random(in: 2...12, using: &rng) }
                    if Double.random(in: 0..<1, using: &rng) < 0.01 { i = Float.random(in: -8...8, using: &rng) }  // a real step
                }
                var (rv, ri, rt) = (v, i, t)
                var missing: UInt8 = 0
                for channel in 0..<3 {
                    let f = Double.random(in: 0..<1, using: &rng)
                    let bad: Float? = switch f {
                    case ..<0.02: .nan
                    case ..<0.025: Bool.random(using: &rng) ? .infinity : -.infinity
                    case ..<0.04: Float.random(in: -100...100, using: &rng)                          // often out of range
                    case ..<0.06: [v, i, t][channel] + (Bool.random(using: &rng) ? 1 : -1) * Float.random(in: 0.1...20, using: &rng)
                    default: nil
                    }
                    if f >= 0.06 && f < 0.09 { missing |= 1 << UInt8(channel) }
                    if let bad {
                        switch channel {
                        case 0: rv = bad
                        case 1: ri = bad
                        default: rt = bad
                        }
                    }
                }
                let dtChoice = Double.random(in: 0..<1, using: &rng)
                let base = Float(baseTick)
                let dt: Float = switch dtChoice {
                case ..<0.01: .nan
                case ..<0.02: 0
                case ..<0.03: -base
                case ..<0.05: base * Float.random(in: 0.3...2.5, using: &rng)
                case ..<0.06: base * (1 + Float(limits.timestampTolerance))   // on the boundary
                default: base
                }
                events.append(.reading(v: rv, i: ri, t: rt, dt: dt, missing: missing))
            }
        }
    }

    /// What a run of both checks over a scenario found.
    struct Run {
        var readings = 0
        var mismatches = 0
        var firstMismatch: String?
        /// Readings on which each flag bit (0…6) was raised.
        var flagCounts = Array(repeating: 0, count: 7)
    }

    static func compare(_ scenario: Scenario) throws -> Run {
        var swift = try PlausibilityCheck(limits: scenario.limits, baseTickSeconds: scenario.baseTick)
        var c = bms_plausibility_t()
        var cl = cLimits(scenario.limits)
        #expect(bms_plausibility_init(&c, &cl, scenario.baseTick) == BMS_SOC_OK)
        var run = Run()
        for (index, event) in scenario.events.enumerated() {
            switch event {
            case .wake:
                swift.wake()
                #expect(bms_plausibility_wake(&c) == BMS_SOC_OK)
            case let .reading(v, i, t, dt, missing):
                let m = CellMeasurement(voltageV: Double(v), currentA: Double(i), temperatureC: Double(t), dtSeconds: Double(dt))
                let (used, flags) = swift.check(RawReading(measurement: m, missingMask: missing))
                var raw = bms_plausibility_reading_t(voltage_V: v, current_A: i, temperature_C: t, dt_s: dt, missing_mask: missing)
                var out = bms_plausibility_reading_t()
                let cFlags = bms_plausibility_check(&c, &raw, &out)
                let same = cFlags == flags.rawValue
                    && Float(used.voltageV).bitPattern == out.voltage_V.bitPattern
                    && Float(used.currentA).bitPattern == out.current_A.bitPattern
                    && Float(used.temperatureC).bitPattern == out.temperature_C.bitPattern
                    && Float(used.dtSeconds).bitPattern == out.dt_s.bitPattern
                if !same {
                    run.mismatches += 1
                    if run.firstMismatch == nil {
                        run.firstMismatch = "event \(index): Swift \(flags.rawValue) \(used), C \(cFlags) \(out)"
                    }
                }
                for bit in 0..<7 where flags.rawValue & (1 << UInt16(bit)) != 0 { run.flagCounts[bit] += 1 }
                run.readings += 1
            }
        }
        return run
    }

    @Test("readings on the floats next to every range bound, bounds that are not floats or beyond float's range: the same flags and values")
    func rangeBoundsAgree() throws {
        // Bounds that floats do not hold exactly (4.6, 0.1), that they do (1.5, −20), tiny and
        // huge ones, and infinite ones.
        let ranges: [(ClosedRange<Double>, ClosedRange<Double>, ClosedRange<Double>)] = [
            (1.5...4.6, -20...20, -40...100), (2.000000001...4.199999999, -0.1...0.1, -1e-30...1e-30),
            (-1e300...1e300, -Double.infinity...Double.infinity, 3.4028235677973366e38...Double.infinity),
            (4.6...4.6, 0...0, Double(Float.leastNonzeroMagnitude)...1),
            // A lower voltage bound just above float's largest, below where rounding gives ∞:
            // the neutral voltage handed on is Float.greatestFiniteMagnitude in both.
            (Double(Float.greatestFiniteMagnitude) + 1e31...Double.infinity, -20...20, -40...100),
        ]
        for (v, i, t) in ranges {
            // Large step limits, so that only the range decides.
            let limits = PlausibilityLimits(voltageRangeV: v, currentRangeA: i, temperatureRangeC: t, maxVoltageStepV: 1e300,
                                            maxCurrentStepA: 1e300, maxTemperatureStepC: 1e300)
            var readings: [Float] = []
            for bound in [v.lowerBound, v.upperBound, i.lowerBound, i.upperBound, t.lowerBound, t.upperBound] {
                let f = Float(bound)
                readings += [f, f.nextUp, f.nextDown, f.nextUp.nextUp, f.nextDown.nextDown]
            }
            readings = readings.filter(\.isFinite) + [0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
            var events: [Scenario.Event] = []
            for x in readings { events.append(.reading(v: x, i: x, t: x, dt: 1, missing: 0)) }
            let scenario = Scenario(limits: limits, baseTick: 1, events: events)
            let run = try Self.compare(scenario)
            #expect(run.mismatches == 0, "\(v), \(i), \(t): \(run.firstMismatch ?? "")")
            #expect(run.flagCounts[3] > 0, "some readings are out of range")
        }
    }

    @Test("40 random days of faults, sleeps and limit settings: the same flags and values at every reading")
    func randomFaultSequencesAgree() throws {
        var total = Run()
        for seed in 1...40 {
            let scenario = Scenario(seed: 0xC0FFEE &+ UInt64(seed), ticks: 5000)
            let run = try Self.compare(scenario)
            #expect(run.mismatches == 0, "seed \(seed): \(run.mismatches) mismatches; first \(run.firstMismatch ?? "")")
            total.readings += run.readings
            total.mismatches += run.mismatches
            for bit in 0..<7 { total.flagCounts[bit] += run.flagCounts[bit] }
        }
        // The sequences exercised every decision: each flag was raised many times.
        #expect(total.readings > 190_000)
        for (bit, count) in total.flagCounts.enumerated() { #expect(count > 100, "flag bit \(bit) raised \(count) times") }
    }
}
