import BMSCore
import CBMSSoc
import CellData
import Firmware
import Foundation
import Testing
import TestSupport

/// The C auto-zero (`bms_current_offset_*`, Sources/CBMSSoc/bms_soc_current_offset.c) against the
/// Swift one (`CurrentOffsetLearner`) on the same readings: the same settings and checks, and over
/// long drives the same calibrations, offsets and corrected currents. Both get the same float32
/// readings (the C API's input type); the C learner's sums are double, as the Swift ones.
@Suite("C current auto-zero agrees with CurrentOffsetLearner")
struct CurrentOffsetAgreementTests {
    /// Largest |C − Swift| of a corrected current or of the offset, A.
    static let tolerance = 1e-5

    /// One call of the firmware: a reading with its fault flag, or a wake-up.
    enum Event {
        case reading(voltageV: Float, currentA: Float, dtSeconds: Float, flagged: Bool)
        case wake
    }

    /// Deterministic noise in [−1, 1) (a 64-bit LCG, as in `CurrentOffsetLearnerTests`).
    struct Noise {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 52) - 1
        }
    }

    /// The C settings with the Swift ones' values.
    static func cSettings(_ s: CurrentOffsetSettings) -> bms_current_offset_settings_t {
        bms_current_offset_settings_t(enabled: s.enabled ? 1 : 0, window_s: s.windowSeconds, wake_s: s.wakeSeconds,
                                      calibrate_at_power_up: s.calibrateAtPowerUp ? 1 : 0, maximum_offset_A: s.maximumOffsetA, voltage_trend_V: s.voltageTrendV,
                                      current_trend_A: s.currentTrendA, current_trend_fraction: s.currentTrendFraction,
                                      deadband_fraction: s.deadbandFraction)
    }

    static func same(_ a: bms_current_offset_settings_t, _ b: bms_current_offset_settings_t) -> Bool {
        a.enabled == b.enabled && a.window_s == b.window_s && a.wake_s == b.wake_s
            && a.calibrate_at_power_up == b.calibrate_at_power_up && a.maximum_offset_A == b.maximum_offset_A
            && a.voltage_trend_V == b.voltage_trend_V && a.current_trend_A == b.current_trend_A
            && a.current_trend_fraction == b.current_trend_fraction && a.deadband_fraction == b.deadband_fraction
    }

    /// What a run of both learners over the same events found.
    struct Run {
        var readings = 0
        var maxCurrentGap = 0.0
        var maxOffsetGap = 0.0
        var calibrationMismatches = 0
        var swiftCalibrations = 0
        var cCalibrations = 0
        /// The distinct offsets the Swift learner held, in order of first appearance.
        var offsets: [Double] = []
    }

    /// Runs `CurrentOffsetLearner` and `bms_current_offset_t` over `events`, comparing after every event.
    static func compare(_ events: [Event], settings: CurrentOffsetSettings) -> Run {
        var swift = CurrentOffsetLearner(settings: settings)
        var c = bms_current_offset_t()
        var cs = cSettings(settings)
        var run = Run()
        #expect(bms_current_offset_init(&c, &cs) == BMS_SOC_OK)
        for event in events {
            switch event {
            case .wake:
                swift.wake()
                #expect(bms_current_offset_wake(&c) == BMS_SOC_OK)
            case let .reading(v, i, dt, flagged):
                let m = CellMeasurement(voltageV: Double(v), currentA: Double(i), temperatureC: 25, dtSeconds: Double(dt))
                let a = swift.correct(m, flags: flagged ? .spike : []).currentA
                let b = Double(bms_current_offset_correct(&c, v, i, dt, flagged ? 1 : 0))
                if a.isFinite || b.isFinite {
                    let gap = abs(a - b)
                    run.maxCurrentGap = gap.isNaN ? .infinity : max(run.maxCurrentGap, gap)
                }
                run.readings += 1
            }
            let gap = abs(Double(bms_current_offset_A(&c)) - swift.offsetA)
            run.maxOffsetGap = gap.isNaN ? .infinity : max(run.maxOffsetGap, gap)
            if Int(bms_current_offset_calibrations(&c)) != swift.calibrations { run.calibrationMismatches += 1 }
            if run.offsets.last != swift.offsetA { run.offsets.append(swift.offsetA) }
        }
        run.swiftCalibrations = swift.calibrations
        run.cCalibrations = Int(bms_current_offset_calibrations(&c))
        return run
    }

    @Test("the C defaults, C/25 scaling and checks are the Swift ones")
    func settingsAgree() {
        var d = bms_current_offset_settings_t()
        bms_current_offset_settings_default(&d)
        #expect(Self.same(d, Self.cSettings(CurrentOffsetSettings())))
        for capacity in [5.0, 2.0, 0.3, .nan, 0, -1, .infinity] {
            var s = d
            bms_current_offset_settings_scale_to_cell(&s, capacity)
            #expect(Self.same(s, Self.cSettings(CurrentOffsetSettings().scaledToCell(capacityAh: capacity))), "\(capacity)")
        }
        let variants: [CurrentOffsetSettings] = [
            CurrentOffsetSettings(), .off, CurrentOffsetSettings(windowSeconds: .nan), CurrentOffsetSettings(wakeSeconds: 0),
            CurrentOffsetSettings(maximumOffsetA: -0.05), CurrentOffsetSettings(voltageTrendV: .infinity),
            CurrentOffsetSettings(currentTrendA: 0), CurrentOffsetSettings(currentTrendFraction: 2),
            CurrentOffsetSettings(currentTrendFraction: 0), CurrentOffsetSettings(deadbandFraction: .nan),
            CurrentOffsetSettings(deadbandFraction: 1), CurrentOffsetSettings(deadbandFraction: -0.1),
            CurrentOffsetSettings(calibrateAtPowerUp: false),
        ]
        for s in variants {
            var cs = Self.cSettings(s)
            let swiftValid = (try? s.validate()) != nil
            #expect((bms_current_offset_settings_check(&cs) == BMS_SOC_OK) == swiftValid, "\(s)")
        }
    }

    /// A synthetic day of a 2 Ah cell whose current sensor reads +30 mA (later +45 mA) too much,
    /// with noise: power-up, a discharge, a relaxing rest, a CC-CV charge and its tail, a noisy rest
    /// at 0.5 s with flagged, NaN and timeless readings, a slow C/40 load, sleeps whose wake-ups
    /// calibrate, are cancelled by a load or fall in the deadband, a rest at 2 s, a rest with
    /// ±100 mA of noise (σ 58 mA: the halves' means differ by more than 0.5 mA + 1 %, and the
    /// 3σ term admits or refuses the window), a random drive.
    static func syntheticDay() -> [Event] {
        var events: [Event] = []
        var random = Noise(state: 0x9E37_79B9_7F4A_7C15)
        func noise() -> Double { random.next() }
        var bias = 0.03
        func add(_ seconds: Double, dt: Double = 1, sigma: Double = 0.005, flaggedEvery: Int = 0,
                 voltage: (Double) -> Double, current: (Double) -> Double) {
            var t = 0.0, k = 0
            while t < seconds {
                k += 1
                let i = current(t) + bias + sigma * noise()
                events.append(.reading(voltageV: Float(voltage(t)), currentA: Float(i), dtSeconds: Float(dt),
                                       flagged: flaggedEvery > 0 && k % flaggedEvery == 0))
                t += dt
            }
        }
        add(10, sigma: 0.002, voltage: { _ in 3.95 }, current: { _ in 0 })                       // power-up
        add(3600, voltage: { 3.9 - 0.5 * $0 / 3600 }, current: { _ in -2 })                       // discharge
        add(3600, sigma: 0.01, voltage: { 3.55 - 0.1 * exp(-$0 / 600) }, current: { _ in 0 })     // relaxing rest
        add(2400, voltage: { 3.6 + 0.6 * $0 / 2400 }, current: { _ in 1.5 })                      // CC
        add(7200, voltage: { _ in 4.2 }, current: { 1.5 * exp(-$0 / 1200) })                      // CV tail
        add(7200, dt: 0.5, sigma: 0.01, flaggedEvery: 997, voltage: { 4.17 - 0.01 * exp(-$0 / 900) },
            current: { _ in 0 })                                                                  // rest at 0.5 s
        events.append(.reading(voltageV: .nan, currentA: Float(bias), dtSeconds: 1, flagged: false))
        events.append(.reading(voltageV: 4.17, currentA: Float(bias), dtSeconds: 0, flagged: false))
        add(1800, dt: 0.5, sigma: 0.01, voltage: { _ in 4.17 }, current: { _ in 0 })
        add(3600, voltage: { 4.1 - 0.7 * 0.05 * $0 / 7200 }, current: { _ in -0.05 })             // slow C/40 load
        bias = 0.045
        events.append(.wake)
        add(60, sigma: 0.002, voltage: { _ in 4.09 }, current: { _ in 0 })                        // wake-up: calibrates
        add(600, voltage: { _ in 3.9 }, current: { _ in -1 })
        events.append(.wake)
        add(3, voltage: { _ in 3.95 }, current: { _ in 0 })
        add(300, voltage: { _ in 3.85 }, current: { _ in -1.5 })                                  // cancelled by a load
        events.append(.wake)
        add(10, sigma: 0, voltage: { _ in 3.9 }, current: { _ in 0.01 - bias })                   // deadband: 0
        add(5400, dt: 2, sigma: 0.02, voltage: { _ in 3.9 }, current: { _ in 0 })                 // rest at 2 s
        add(6 * 3600, sigma: 0.1, voltage: { _ in 3.9 }, current: { _ in 0 })                     // noisy: 3 σ decides
        var load = 0.0
        add(1800, voltage: { _ in 3.8 }, current: { t in
            if Int(t) % 20 == 0 { load = -3 + 4 * (noise() + 1) / 2 }
            return load
        })                                                                                        // random drive
        return events
    }

    @Test("a synthetic day: the same calibrations and offsets, corrected currents within 1e-5 A at every reading")
    func syntheticDayAgrees() {
        let run = Self.compare(Self.syntheticDay(), settings: CurrentOffsetSettings())
        print("CurrentOffsetAgreement synthetic: \(run.readings) readings, \(run.swiftCalibrations) calibrations, "
              + "offsets \(run.offsets.map { ($0 * 1e4).rounded() / 10 }) mA, max |C − Swift| current \(run.maxCurrentGap) A, "
              + "offset \(run.maxOffsetGap) A")
        #expect(run.calibrationMismatches == 0 && run.cCalibrations == run.swiftCalibrations)
        #expect(run.maxCurrentGap <= Self.tolerance && run.maxOffsetGap <= Self.tolerance)
        // The drive exercises the learner: wake-ups and rests calibrate, offsets change, one is 0.
        #expect(run.swiftCalibrations >= 6)
        #expect(run.offsets.count >= 4 && run.offsets.dropFirst().contains(0))
        // Without the power-up calibration (a start under load): the same in both, one calibration fewer.
        let underLoad = Self.compare(Self.syntheticDay(), settings: CurrentOffsetSettings(calibrateAtPowerUp: false))
        #expect(underLoad.calibrationMismatches == 0 && underLoad.cCalibrations == underLoad.swiftCalibrations)
        #expect(underLoad.maxCurrentGap <= Self.tolerance && underLoad.maxOffsetGap <= Self.tolerance)
        #expect(underLoad.swiftCalibrations == run.swiftCalibrations - 1)
    }

    @Test("the first 50 operations of NASA B0007 under a +50 mA bias with 10 mA noise: the same calibrations and offsets",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func nasaAgrees() throws {
        let dataset = try NASADataset(root: try #require(SharedData.nasa))
        var recording = try dataset.recording(cell: "B0007")
        recording.operations = Array(recording.operations.prefix(50))
        var noise = Noise(state: 2026)
        var events: [Event] = []
        for event in CDrive.events(recording) {
            switch event {
            case .wake, .reset:
                events.append(.wake)
            case .tick(let m):
                events.append(.reading(voltageV: m.voltageV, currentA: Float(Double(m.currentA) + 0.05 + 0.017 * noise.next()),
                                       dtSeconds: m.dtSeconds, flagged: false))
            }
        }
        let settings = CurrentOffsetSettings().scaledToCell(capacityAh: 2)
        let run = Self.compare(events, settings: settings)
        print("CurrentOffsetAgreement B0007 (50 operations): \(run.readings) readings, \(run.swiftCalibrations) calibrations, "
              + "\(run.offsets.count) offsets, max |C − Swift| current \(run.maxCurrentGap) A, offset \(run.maxOffsetGap) A")
        #expect(run.calibrationMismatches == 0 && run.cCalibrations == run.swiftCalibrations)
        #expect(run.maxCurrentGap <= Self.tolerance && run.maxOffsetGap <= Self.tolerance)
        #expect(run.swiftCalibrations >= 5, "the life's wake-ups and rests calibrate")
    }
}
