import BMSCore
import Foundation
import Testing
import Firmware
@testable import Replay

@Suite("Scenario files")
struct ScenarioFileTests {
    @Test("every preset survives a JSON round trip")
    func roundTrip() throws {
        for preset in ReplayScenario.presets {
            let decoded = try ReplayScenario.decode(preset.jsonData(), file: "<memory>")
            #expect(decoded == preset, "\(preset.name)")
        }
        #expect(ReplayScenario.presets.map(\.name) ==
                ["nominal", "initial-soc-error", "current-bias", "adc-12bit", "aged-capacity", "sensor-faults", "all"])
    }

    @Test("a minimal file takes nominal defaults for absent fields")
    func minimal() throws {
        let json = #"{"name": "bias-100mA", "sensor": {"voltage": {"bits": 0, "rangeMin": 0, "rangeMax": 5, "noiseSigma": 0, "offset": 0, "gainError": 0}, "current": {"bits": 0, "rangeMin": -10, "rangeMax": 10, "noiseSigma": 0, "offset": 0, "gainError": 0}, "temperature": {"bits": 0, "rangeMin": -40, "rangeMax": 125, "noiseSigma": 0, "offset": 0, "gainError": 0}, "currentBiasA": 0.1}, "initialSOC": 0.8}"#
        let s = try ReplayScenario.decode(Data(json.utf8), file: "bias.json")
        #expect(s.name == "bias-100mA")
        #expect(s.sensor.currentBiasA == 0.1)
        #expect(s.initialSOC == 0.8)
        #expect(s.faults == ReplayScenario.nominal.faults)
        #expect(s.baseTickSeconds == 1)
    }

    @Test("the example in Docs/BMSLoop.md decodes (fault kinds and channels by name)")
    func docExample() throws {
        let json = """
{
  "name": "bias-100mA",
  "summary": "current sensor +100 mA",
  "slowEstimators": ["ekf", "ukf"],
  "slowEstimatorPeriodSeconds": 10,
  "sensor": {
    "voltage":     {"bits": 16, "rangeMin": 0,   "rangeMax": 5,   "noiseSigma": 0.0005, "offset": 0, "gainError": 0},
    "current":     {"bits": 16, "rangeMin": -10, "rangeMax": 10,  "noiseSigma": 0.005,  "offset": 0, "gainError": 0},
    "temperature": {"bits": 12, "rangeMin": -40, "rangeMax": 125, "noiseSigma": 0.1,    "offset": 0, "gainError": 0},
    "currentBiasA": 0.1
  },
  "faults": {"dropoutRate": 0.0002, "nanRate": 0.0002, "stuckRate": 0, "spikeRate": 0.0002,
             "timestampJumpRate": 0, "episodeTicks": 30, "spikeVoltageV": 2, "spikeCurrentA": 30,
             "spikeTemperatureC": 60, "timestampJumpS": 3600,
             "scheduled": [{"tick": 5000, "kind": "nan", "channel": "voltage", "durationTicks": 1}]},
  "initialSOC": 0.8,
  "assumedCapacityAh": 2.0,
  "seed": 7
}
"""
        let s = try ReplayScenario.decode(Data(json.utf8), file: "doc")
        #expect(s.faults.scheduled == [ScheduledFault(tick: 5000, kind: .nan, channel: .voltage, durationTicks: 1)])
        #expect(s.slowEstimators == ["ekf", "ukf"] && s.slowEstimatorPeriodSeconds == 10)
        #expect(s.sensor.currentBiasA == 0.1 && s.seed == 7 && s.assumedCapacityAh == 2.0)
        let bad = json.replacingOccurrences(of: "\"kind\": \"nan\"", with: "\"kind\": \"lightning\"")
        #expect(throws: ReplayError.self) { try ReplayScenario.decode(Data(bad.utf8), file: "doc") }
    }

    @Test("bad files give typed errors naming the file and the field")
    func badFiles() {
        func error(_ json: String) -> String {
            do {
                _ = try ReplayScenario.decode(Data(json.utf8), file: "s.json")
                return "no error"
            } catch {
                return error.description
            }
        }
        #expect(error(#"{"summary": "x"}"#).contains("missing field 'name'"))
        #expect(error(#"{"name": "x", "baseTickSeconds": "fast"}"#).contains("baseTickSeconds"))
        #expect(error(#"{"name": "x", "faults": {"nanRate": null}}"#).hasPrefix("s.json"))
        #expect(error(#"{"name": "x", "#).contains("not valid JSON"))
        #expect(throws: ReplayError.self) { try ReplayScenario.resolve("no-such-preset") }
        #expect(throws: ReplayError.self) { try ReplayScenario.load(path: "/nonexistent/scenario.json") }
    }

    @Test("a scenario with an invalid firmware setting fails when the replay is set up, not per tick")
    func invalidScenarioValues() {
        var s = ReplayScenario.nominal
        s.baseTickSeconds = 0.001
        #expect(throws: ReplayError.self) {
            try ReplayRunner(factory: testFactory).run(recording: syntheticRecording(), scenario: s, estimators: ["count"])
        }
        s = .nominal
        s.faults.spikeRate = 3
        #expect(throws: ReplayError.self) {
            try ReplayRunner(factory: testFactory).run(recording: syntheticRecording(), scenario: s, estimators: ["count"])
        }
    }

    /// Values that once trapped `bmsim replay --scenario FILE` (an Int conversion of an
    /// infinite or huge tick count) or were silently accepted.
    static let unreplayable = [
        #""baseTickSeconds": 0"#, #""baseTickSeconds": 1e-300"#, #""baseTickSeconds": 1e300"#,
        #""slowEstimatorPeriodSeconds": 1e300"#, #""slowEstimatorPeriodSeconds": 0"#,
        #""startUnderLoadSeconds": 1e300"#, #""startUnderLoadSeconds": -1"#,
        #""initialSOC": 1e300"#, #""initialSOC": -3"#, #""assumedCapacityAh": -5"#, #""assumedCapacityAh": 0"#,
    ]

    @Test("values a replay cannot use are rejected when the file is read, naming file and field", arguments: unreplayable)
    func unreplayableValues(_ field: String) {
        let json = #"{"name": "x", "summary": "y", "# + field + "}"
        let name = String(field.dropFirst().prefix { $0 != "\"" })
        #expect {
            _ = try ReplayScenario.decode(Data(json.utf8), file: "s.json")
        } throws: { error in
            guard case let .scenarioFile(location, detail)? = error as? ReplayError else { return false }
            return location.file == "s.json" && detail.contains(name)
        }
    }

    @Test("the input the scenario fuzzer reduced the trap to is a typed error")
    func fuzzerFinding() {
        // Tests/Fuzz/FuzzReaders.swift (FUZZ_SCENARIO) with the check in `decode` switched off:
        // a zero tick passed decoding and trapped in the tick-count conversion.
        let input = #"{"name":"s","summary":"x","baseTickSeconds":0,"fa}lts":{"dspikeTemperatureCropoutRate":0.001},"seed":7}"#
        #expect(throws: ReplayError.self) { try ReplayScenario.decode(Data(input.utf8), file: "crash.json") }
    }

    @Test("a scenario built in code with such values fails at set-up, not with a trap")
    func unreplayableScenarioInCode() {
        var s = ReplayScenario.nominal
        s.startUnderLoadSeconds = 1e300
        #expect(throws: ReplayError.self) {
            try ReplayRunner(factory: testFactory).run(recording: syntheticRecording(), scenario: s, estimators: ["count"])
        }
        s = .nominal
        s.slowEstimatorPeriodSeconds = .infinity
        #expect(throws: ReplayError.self) {
            try ReplayRunner(factory: testFactory).run(recording: syntheticRecording(), scenario: s, estimators: ["count"])
        }
        #expect(throws: Never.self) { for preset in ReplayScenario.presets { try preset.validate() } }
    }
}
