import BMSCore
import Foundation
import Testing
@testable import Firmware

/// The current channel's auto-zero: what it learns at power-up, at wake-up and in a long rest,
/// and what it must not take for an offset (a CV charge's tail, a slow load, a load at wake-up,
/// a flagged reading).
@Suite("Current sensor auto-zero")
struct CurrentOffsetLearnerTests {
    /// Deterministic noise in [−1, 1) (a 64-bit LCG).
    struct Noise {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        mutating func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 52) - 1
        }
    }

    static func reading(_ currentA: Double, _ voltageV: Double = 3.7, dt: Double = 1) -> CellMeasurement {
        CellMeasurement(voltageV: voltageV, currentA: currentA, temperatureC: 25, dtSeconds: dt)
    }

    /// Feeds `seconds` of 1 s readings from `current(t)` and `voltage(t)`; returns the last output.
    @discardableResult
    static func feed(_ learner: inout CurrentOffsetLearner, seconds: Int, flags: (Int) -> FaultFlags = { _ in [] },
                     current: (Int) -> Double, voltage: (Int) -> Double = { _ in 3.7 }) -> CellMeasurement {
        var out = reading(0)
        for t in 0..<seconds { out = learner.correct(reading(current(t), voltage(t)), flags: flags(t)) }
        return out
    }

    @Test("a long settled rest with a +50 mA offset and 10 mA of noise: learns it within 1.5 mA and removes it")
    func learnsInRest() {
        var learner = CurrentOffsetLearner(settings: CurrentOffsetSettings())
        var noise = Noise()
        // A load first, so that the power-up calibration does not take it.
        Self.feed(&learner, seconds: 5, current: { _ in -1.0 })
        Self.feed(&learner, seconds: 1300, current: { _ in 0.05 + 0.017 * noise.next() })
        #expect(learner.calibrations == 1)
        #expect(abs(learner.offsetA - 0.05) < 0.0015)
        let out = learner.correct(Self.reading(0.05), flags: [])
        #expect(abs(out.currentA) < 0.0015)
        // A load afterwards is corrected by the same offset.
        #expect(abs(learner.correct(Self.reading(-2.0), flags: []).currentA - (-2.0 - learner.offsetA)) < 1e-12)
    }

    @Test("power-up and wake-up: the first 10 s of readings set the offset; a load within them cancels it")
    func learnsAtWakeUp() {
        var learner = CurrentOffsetLearner(settings: CurrentOffsetSettings())
        Self.feed(&learner, seconds: 10, current: { _ in 0.04 })
        #expect(learner.calibrations == 1 && abs(learner.offsetA - 0.04) < 1e-12)
        Self.feed(&learner, seconds: 100, current: { _ in -2 })
        learner.wake()
        Self.feed(&learner, seconds: 10, current: { t in t < 3 ? 0.03 : -1.5 })
        #expect(learner.calibrations == 1 && abs(learner.offsetA - 0.04) < 1e-12)
        learner.wake()
        Self.feed(&learner, seconds: 10, current: { _ in -0.06 })
        #expect(learner.calibrations == 2 && abs(learner.offsetA + 0.06) < 1e-12)
    }

    @Test("no power-up calibration when the BMS starts under load: a small drive current at the start is no offset")
    func noPowerUpCalibrationUnderLoad() {
        var learner = CurrentOffsetLearner(settings: CurrentOffsetSettings(calibrateAtPowerUp: false))
        Self.feed(&learner, seconds: 10, current: { _ in -0.06 })
        #expect(learner.calibrations == 0 && learner.offsetA == 0)
        learner.wake()
        Self.feed(&learner, seconds: 10, current: { _ in 0.05 })
        #expect(learner.calibrations == 1 && abs(learner.offsetA - 0.05) < 1e-12)
    }

    @Test("an offset inside the deadband (below a quarter of the largest) is read as none")
    func deadband() {
        var learner = CurrentOffsetLearner(settings: CurrentOffsetSettings())
        Self.feed(&learner, seconds: 10, current: { _ in 0.05 })
        #expect(abs(learner.offsetA - 0.05) < 1e-12)
        learner.wake()
        Self.feed(&learner, seconds: 10, current: { _ in 0.019 })   // 0.019 < 0.08 / 4
        #expect(learner.calibrations == 2 && learner.offsetA == 0)
    }

    @Test("a CV charge's tapering tail at a held voltage is not an offset")
    func cvTailIsNotAnOffset() {
        var learner = CurrentOffsetLearner(settings: CurrentOffsetSettings())
        Self.feed(&learner, seconds: 5, current: { _ in 1.5 }, voltage: { _ in 4.2 })
        // From 70 mA, τ = 3 h (a slower taper than the NASA cells' tails): 5.4 % per 10 min.
        Self.feed(&learner, seconds: 3 * 1200, current: { t in 0.07 * exp(-Double(t) / 10_800) }, voltage: { _ in 4.2 })
        #expect(learner.calibrations == 0 && learner.offsetA == 0)
    }

    @Test("a slow C/40 load on a sloped OCV is not an offset: the voltage moves between the halves")
    func slowLoadIsNotAnOffset() {
        var learner = CurrentOffsetLearner(settings: CurrentOffsetSettings())
        Self.feed(&learner, seconds: 5, current: { _ in -1.0 })
        // −50 mA on 2 Ah at 0.7 V per unit SOC: −4.9 µV/s, 2.9 mV between the halves' means.
        Self.feed(&learner, seconds: 2 * 1200, current: { _ in -0.05 },
                  voltage: { t in 3.7 - 0.7 * 0.05 * Double(t) / 7200 })
        #expect(learner.calibrations == 0 && learner.offsetA == 0)
    }

    @Test("a reading above twice the largest offset, or a flagged one, restarts the window")
    func loadsAndFlagsRestartTheWindow() {
        for interruption in [(FaultFlags.dropout, 0.05), ([], 0.5)] {
            var learner = CurrentOffsetLearner(settings: CurrentOffsetSettings())
            Self.feed(&learner, seconds: 5, current: { _ in -1.0 })
            Self.feed(&learner, seconds: 1300, flags: { $0 == 700 ? interruption.0 : [] },
                      current: { $0 == 700 ? interruption.1 : 0.05 })
            #expect(learner.calibrations == 0, "\(interruption)")
            Self.feed(&learner, seconds: 1300, current: { _ in 0.05 })
            #expect(learner.calibrations == 1 && abs(learner.offsetA - 0.05) < 1e-9)
        }
    }

    @Test("a window whose first reading spans more than half of it restarts; the next one is judged")
    func longFirstReading() {
        var learner = CurrentOffsetLearner(settings: CurrentOffsetSettings())
        Self.feed(&learner, seconds: 5, current: { _ in -1.0 })
        _ = learner.correct(Self.reading(0.05, dt: 700), flags: [])
        Self.feed(&learner, seconds: 1199, current: { _ in 0.05 })
        #expect(learner.calibrations == 0)
        Self.feed(&learner, seconds: 600, current: { _ in 0.05 })   // restarted 500 s into the 1,199: 699 + 501 s close the next
        #expect(learner.calibrations == 1 && abs(learner.offsetA - 0.05) < 1e-12)
    }

    @Test("off: the reading passes unchanged")
    func off() {
        var learner = CurrentOffsetLearner(settings: .off)
        let out = Self.feed(&learner, seconds: 2000, current: { _ in 0.05 })
        #expect(out.currentA == 0.05 && learner.calibrations == 0)
    }

    @Test("scaled to a cell: the largest offset is C/25")
    func scaled() {
        #expect(abs(CurrentOffsetSettings().scaledToCell(capacityAh: 5).maximumOffsetA - 0.2) < 1e-12)
        #expect(CurrentOffsetSettings().scaledToCell(capacityAh: .nan).maximumOffsetA == 0.08)
    }

    @Test("bad settings are refused with the field named, by the settings and by the firmware")
    func badSettings() throws {
        let bad: [(String, CurrentOffsetSettings)] = [
            ("windowSeconds", CurrentOffsetSettings(windowSeconds: .nan)),
            ("wakeSeconds", CurrentOffsetSettings(wakeSeconds: 0)),
            ("maximumOffsetA", CurrentOffsetSettings(maximumOffsetA: -0.05)),
            ("voltageTrendV", CurrentOffsetSettings(voltageTrendV: .infinity)),
            ("currentTrendA", CurrentOffsetSettings(currentTrendA: 0)),
            ("currentTrendFraction", CurrentOffsetSettings(currentTrendFraction: 2)),
            ("deadbandFraction", CurrentOffsetSettings(deadbandFraction: .nan)),
        ]
        for (field, settings) in bad {
            #expect { try settings.validate() } throws: { "\($0)".contains("currentOffset.\(field)") }
            let config = FirmwareConfig(schedule: try TickSchedule(), currentOffset: settings)
            #expect { try BMSFirmware(config: config, estimators: [TestCoulombCounter()]) } throws: {
                ($0 as? FirmwareConfigError).map { "\($0)".contains("currentOffset.\(field)") } ?? false
            }
        }
    }

    @Test("a settings file may name only some fields; the rest take the defaults; a wrong type is an error")
    func decoding() throws {
        let s = try JSONDecoder().decode(CurrentOffsetSettings.self, from: Data(#"{"enabled": false, "wakeSeconds": 5}"#.utf8))
        #expect(!s.enabled && s.wakeSeconds == 5 && s.windowSeconds == CurrentOffsetSettings().windowSeconds)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CurrentOffsetSettings.self, from: Data(#"{"windowSeconds": "long"}"#.utf8))
        }
    }

    @Test("in the firmware loop: a biased sensor at rest reads zero after the power-up calibration, and again after a sleep")
    func inTheFirmware() throws {
        var sensor = SensorConfig.ideal
        sensor.currentBiasA = 0.05
        let config = FirmwareConfig(schedule: try TickSchedule(), sensor: sensor)
        var fw = try BMSFirmware(config: config, estimators: [TestCoulombCounter()])
        let rest = Self.reading(0)
        for _ in 0..<10 { fw.step(plant: rest) }
        #expect(fw.currentOffset.calibrations == 1)
        fw.step(plant: rest)
        #expect(abs(fw.lastMeasurement.currentA) < 1e-9)
        fw.step(plant: Self.reading(-2))
        #expect(abs(fw.lastMeasurement.currentA + 2) < 1e-9)
        fw.sleep(ticks: 3600)
        for _ in 0..<10 { fw.step(plant: rest) }
        #expect(fw.currentOffset.calibrations == 2)
    }
}
