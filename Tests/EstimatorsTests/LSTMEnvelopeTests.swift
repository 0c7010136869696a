import BMSCore
import CellModel
import Estimators
import Foundation
import TestSupport
import Testing
import WeightBlob

/// The LSTM estimator's training-envelope flags (`SOCEstimate.envelope`) on synthetic
/// profiles whose inputs are inside or outside a known envelope.
@Suite("LSTM training envelope")
struct LSTMEnvelopeTests {
    let model = LSTMTestSupport.demoModel
    /// The profile's voltage is 4.1 V − 0.2 mV/s (3.9 V after 1000 s) and its temperature
    /// 24 °C + 1 mK/s, both from t = 0 at each `run`.
    static let envelope = TrainingEnvelope(currentMinA: -4, currentMaxA: 0.05, temperatureMinC: 5, temperatureMaxC: 45,
                                           startVoltageMinV: 3.5, socMin: -2, socMax: 2)

    func run(_ lstm: LSTMEstimator, _ segments: [(currentA: Double, seconds: Double)]) -> [SOCEstimate] {
        LSTMTestSupport.profile(segments, dt: 1).map { lstm.update($0) }
    }

    @Test("a discharge from a rest inside the envelope carries no flag, before or after confirmation")
    func inside() {
        let lstm = LSTMEstimator(model: model, envelope: Self.envelope)
        let out = run(lstm, [(0, 120), (-2, 600), (0, 300)])
        #expect(out.allSatisfy { $0.envelope.isEmpty })
        #expect(lstm.trainingEnvelope == Self.envelope)
    }

    @Test("a discharge within 60 s of regeneration, the count below the full-start SOC: no model run; the count carries it, flagged start, and after it")
    func regeneration() {
        let lstm = LSTMEstimator(model: model, envelope: Self.envelope)
        let out = run(lstm, [(0, 120), (-2, 300), (1.5, 20), (-2, 300), (0, 200)])
        #expect(out[0..<440].allSatisfy { $0.envelope.isEmpty })       // the first run and the regeneration
        #expect(out[440...].allSatisfy { $0.envelope == .start })      // the declined discharge and the count after it
        #expect(lstm.dischargesStarted == 1 && lstm.declinedRuns == 1)
        // The count (2 Ah) from the first run's last output: 20 s at +1.5 A, 300 s at −2 A.
        #expect(abs(out[739].soc - (out[419].soc + (30.0 - 600) / 3600 / 2)) < 0.002, "\(out[419].soc) → \(out[739].soc)")
        // A run from a proper rest replaces the carried flag once confirmed.
        let next = run(lstm, [(-2, 120)])
        #expect(lstm.dischargesStarted == 2)
        #expect(next[0..<59].allSatisfy { $0.envelope == .start } && next[59...].allSatisfy { $0.envelope.isEmpty })
    }

    @Test("declinePartialStarts off: the run after regeneration starts and is flagged start once confirmed (the behaviour before)")
    func regenerationRunStarts() {
        var settings = LSTMEstimatorSettings()
        settings.declinePartialStarts = false
        let lstm = LSTMEstimator(model: model, envelope: Self.envelope, settings: settings)
        let out = run(lstm, [(0, 120), (-2, 300), (1.5, 20), (-2, 300), (0, 200)])
        #expect(out[0..<440].allSatisfy { $0.envelope.isEmpty })
        #expect(out[440..<499].allSatisfy { $0.envelope.isEmpty })     // the second run, unconfirmed: the count
        #expect(out[499..<740].allSatisfy { $0.envelope == .start })   // confirmed after 60 s of discharge
        #expect(out[740...].allSatisfy { $0.envelope == .start })      // the count from its output
        #expect(lstm.dischargesStarted == 2 && lstm.declinedRuns == 0)
    }

    @Test("a start at or above the full-start SOC runs even right after regeneration; a prior-SOC blob is never declined")
    func fullStartRuns() throws {
        let lstm = LSTMEstimator(model: model, envelope: Self.envelope)
        // 20 s at 2 A: the count stays above 0.95 through the regeneration.
        _ = run(lstm, [(0, 120), (-2, 20), (1.5, 5), (-2, 100)])
        #expect(lstm.dischargesStarted == 2 && lstm.declinedRuns == 0)
        // A start under load with no rested sample (power-up at a wrong SOC) says nothing about
        // the cell: the run goes ahead, though the count believes 0.5.
        let unknown = LSTMEstimator(model: model, envelope: Self.envelope, soc: 0.5)
        _ = run(unknown, [(-2, 120)])
        #expect(unknown.dischargesStarted == 1 && unknown.declinedRuns == 0)
        // lstm-anystart reads the start SOC: it runs from the count's, never declined.
        let url = SharedData.fixtures.appendingPathComponent("models/lstm-anystart.bmsq")
        let anystart = try BlobReader.decode([UInt8](try Data(contentsOf: url)), source: url.path).model
        let prior = LSTMEstimator(model: anystart, envelope: Self.envelope)
        _ = run(prior, [(0, 120), (-2, 300), (1.5, 20), (-2, 300)])
        #expect(prior.dischargesStarted == 2 && prior.declinedRuns == 0)
    }

    @Test("a low rested voltage, a heavy current and a hot cell are flagged; the flags stick for the run")
    func bounds() {
        var low = Self.envelope
        low.startVoltageMinV = 4.2
        let lowStart = LSTMEstimator(model: model, envelope: low)
        #expect(run(lowStart, [(0, 120), (-2, 120)]).last?.envelope == .start)

        let heavy = LSTMEstimator(model: model, envelope: Self.envelope)
        let h = run(heavy, [(0, 120), (-2, 200), (-5, 10), (-2, 100)])
        #expect(h[319].envelope.isEmpty && h[320].envelope == .current && h.last?.envelope == .current)

        var cool = Self.envelope
        cool.temperatureMaxC = 23.25   // with the 1 °C tolerance the profile passes it at t = 250 s
        let hot = LSTMEstimator(model: model, envelope: cool)
        let t = run(hot, [(0, 120), (-2, 300)])
        #expect(t[200].envelope.isEmpty && t[399].envelope == .temperature)
    }

    @Test("the model SOC outside the training labels is flagged while it lasts, and not carried")
    func socRange() {
        var narrow = Self.envelope
        narrow.socMin = 0.9
        narrow.socMax = 0.9
        let lstm = LSTMEstimator(model: model, envelope: narrow)
        let out = run(lstm, [(0, 120), (-2, 300), (0, 120)])
        let confirmed = out[179..<420]
        #expect(confirmed.contains { $0.envelope == .soc })
        for e in confirmed {
            let outside = e.soc < 0.88 || e.soc > 0.92
            #expect(e.envelope == (outside ? .soc : []))
        }
        #expect(out.last?.envelope == [])
    }

    @Test("without an envelope nothing is flagged, and reset clears the carried flags")
    func noneAndReset() {
        let plain = LSTMEstimator(model: model)
        #expect(plain.trainingEnvelope == nil)
        #expect(run(plain, [(0, 120), (-2, 300), (1.5, 20), (-2, 300)]).allSatisfy { $0.envelope.isEmpty })
        #expect(plain.declinedRuns == 1)   // declined all the same (the regeneration), without a flag
        let lstm = LSTMEstimator(model: model, envelope: Self.envelope)
        _ = run(lstm, [(0, 120), (-2, 300), (1.5, 20), (-2, 300), (0, 100)])
        #expect(lstm.estimate.envelope == .start)
        lstm.reset(soc: 1)
        #expect(run(lstm, [(0, 10)]).allSatisfy { $0.envelope.isEmpty })
        #expect(lstm.stateBytes == plain.stateBytes + 6)
    }

    @Test("makeEstimator reads the blob's envelope, and refuses a malformed one naming the key")
    func factory() throws {
        let cell = try CellModelFile.load(from: SharedData.fixtures.appendingPathComponent("models/cell-default.json"))
        var blob = model
        blob.metadata += Self.envelope.metadata.map { BlobMetadataEntry(key: $0.key, value: $0.value) }
        let lstm = try #require(try makeEstimator(.lstm, model: cell, lstmModel: blob) as? LSTMEstimator)
        #expect(lstm.trainingEnvelope == Self.envelope)
        blob.metadata[blob.metadata.count - 1].value = "low..high"
        #expect(throws: EstimatorFactoryError.envelope(.malformed(key: "envelope_soc", value: "low..high",
                                                                  reason: "not a finite number"))) {
            _ = try makeEstimator(.lstm, model: cell, lstmModel: blob)
        }
    }

    @Test("the shipped lstm-soh blob carries the envelope of its training data")
    func shippedBlob() throws {
        let url = SharedData.fixtures.appendingPathComponent("models/lstm-soh.bmsq")
        let blob = try BlobReader.decode([UInt8](try Data(contentsOf: url)), source: url.path).model
        let e = try #require(try TrainingEnvelope(metadata: blob.metadataValue))
        #expect(e.currentMinA < -4 && e.currentMaxA > 0 && e.currentMaxA < 0.1)
        #expect(e.temperatureMinC < 5 && e.temperatureMaxC > 40)
        #expect(e.startVoltageMinV > 4.1 && e.startVoltageMinV < 4.2)
        #expect(e.socMax >= 1 && e.socMin < 0)
    }
}
