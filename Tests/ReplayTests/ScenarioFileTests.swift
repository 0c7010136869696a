import BMSCore
import Foundation
import Testing
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
}
