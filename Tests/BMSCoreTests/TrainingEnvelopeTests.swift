import BMSCore
import Testing

@Suite("Training envelope")
struct TrainingEnvelopeTests {
    let envelope = TrainingEnvelope(currentMinA: -4.0334, currentMaxA: 0.0303, temperatureMinC: 3.774, temperatureMaxC: 63.0173,
                                    startVoltageMinV: 4.121, socMin: -0.1289, socMax: 1)

    func metadata(_ pairs: [(key: String, value: String)]) -> (String) -> String? {
        { key in pairs.first { $0.key == key }?.value }
    }

    @Test("metadata lines read back to the same envelope, in the documented text")
    func roundTrip() throws {
        let lines = envelope.metadata
        #expect(lines.map(\.key) == TrainingEnvelope.metadataKeys)
        #expect(lines[0].value == "-4.0334..0.0303")
        #expect(lines[2].value == "4.121")
        let back = try #require(try TrainingEnvelope(metadata: metadata(lines)))
        #expect(back == envelope)
    }

    @Test("a model without envelope keys has no envelope")
    func absent() throws {
        #expect(try TrainingEnvelope(metadata: { _ in nil }) == nil)
        #expect(try TrainingEnvelope(metadata: metadata([("seed", "5")])) == nil)
    }

    @Test("bad envelope metadata is refused naming the key", arguments: [
        ("envelope_current_a", "abc", "expected min..max"),
        ("envelope_current_a", "1..-1", "min above max"),
        ("envelope_temperature_c", "nan..40", "not a finite number"),
        ("envelope_soc", "0..", "not a finite number"),
        ("envelope_start_voltage_v", "inf", "not a finite number"),
    ])
    func malformed(key: String, value: String, reason: String) {
        var lines = envelope.metadata
        lines[TrainingEnvelope.metadataKeys.firstIndex(of: key)!].value = value
        #expect(throws: TrainingEnvelopeError.malformed(key: key, value: value, reason: reason)) {
            _ = try TrainingEnvelope(metadata: metadata(lines))
        }
    }

    @Test("some envelope keys without the others is refused")
    func missingKey() {
        let lines = envelope.metadata.filter { $0.key != "envelope_soc" }
        #expect(throws: TrainingEnvelopeError.missingKey("envelope_soc")) { _ = try TrainingEnvelope(metadata: metadata(lines)) }
        let error = TrainingEnvelopeError.missingKey("envelope_soc")
        #expect(error.description.contains("envelope_soc"))
    }

    @Test("flags at the bounds: inside within the tolerance, outside beyond it, NaN outside")
    func flags() {
        let t = TrainingEnvelope.Tolerance()
        #expect(envelope.flags(currentA: -2, temperatureC: 25, tolerance: t) == [])
        #expect(envelope.flags(currentA: -4.0334 - 0.09, temperatureC: 63.0173 + 0.9, tolerance: t) == [])
        #expect(envelope.flags(currentA: 0.0303 + 0.11, temperatureC: 25, tolerance: t) == .current)
        #expect(envelope.flags(currentA: -2, temperatureC: 3.774 - 1.1, tolerance: t) == .temperature)
        #expect(envelope.flags(currentA: .nan, temperatureC: .nan, tolerance: t) == [.current, .temperature])
        #expect(envelope.startFlags(restedVoltageV: 4.102, tolerance: t) == [])
        #expect(envelope.startFlags(restedVoltageV: 4.09, tolerance: t) == .start)
        #expect(envelope.socFlags(1.019, tolerance: t) == [] && envelope.socFlags(1.03, tolerance: t) == .soc)
        #expect(envelope.socFlags(-0.16, tolerance: t) == .soc)
    }

    @Test("flag names and their text")
    func names() {
        #expect(EnvelopeFlags([]).text == "")
        #expect(EnvelopeFlags([.soc, .current]).names == ["current", "soc"])
        #expect(EnvelopeFlags([.start, .temperature]).text == "temperature|start")
    }
}
