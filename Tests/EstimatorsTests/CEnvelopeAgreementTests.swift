import BMSCore
import CBMSSoc
import CellData
import Estimators
import Foundation
import Testing
import TestSupport
import WeightBlob

/// The C LSTM wrapper's training-envelope flags (`bms_soc_estimate_t.envelope`, set up with
/// `bms_soc_lstm_settings_use_envelope`) against the Swift `LSTMEstimator`'s
/// (`SOCEstimate.envelope`): the same flags on every tick, through starts after a charge and
/// from low rested voltages, declined runs, loads and temperatures outside the range, model
/// SOCs outside the labels', sleeps and resets.
@Suite("The C LSTM wrapper flags its training envelope as the Swift one does")
struct CEnvelopeAgreementTests {
    /// The shipped default blob's envelope (`lstm-soh-shrunk.bmsq`'s `envelope_*` metadata).
    static func shippedEnvelope() throws -> TrainingEnvelope {
        let url = SharedData.fixtures.appendingPathComponent("models/lstm-soh-shrunk.bmsq")
        let blob = try BlobReader.decode([UInt8](try Data(contentsOf: url)), source: url.path).model
        return try #require(try TrainingEnvelope(metadata: blob.metadataValue))
    }

    /// A random drive at 1 s: segments of rest, discharge (some beyond the envelope's current),
    /// short charges (regeneration) and long ones, the temperature wandering across the
    /// envelope's edges, a sleep after some rests and a reset now and then.
    static func randomDrive(seed: UInt64, ticks: Int) -> [CDrive.Event] {
        var rng = SeededGenerator(seed: seed)
        var events: [CDrive.Event] = []
        var voltage: Float = 4.15, temperature: Float = 25
        while events.count < ticks {
            let kind = Int(rng.nextUnitDouble() * 10)
            let (current, seconds): (Float, Int) = switch kind {
            case 0, 1, 2: (0, 20 + Int(rng.nextUnitDouble() * 300))                      // rest
            case 3, 4, 5: (-Float(0.5 + 3 * rng.nextUnitDouble()), 30 + Int(rng.nextUnitDouble() * 600))   // discharge
            case 6: (-5.5, 20 + Int(rng.nextUnitDouble() * 120))                         // beyond the training current
            case 7: (1.5, 5 + Int(rng.nextUnitDouble() * 40))                            // regeneration
            case 8: (1.5, 600 + Int(rng.nextUnitDouble() * 1800))                        // a charge
            default: (0, 0)
            }
            if kind == 9 {
                events.append(rng.nextUnitDouble() < 0.3 ? .reset : .wake(Float(60 + rng.nextUnitDouble() * 7200)))
                if case .reset = events.last { voltage = 4.15 }
                continue
            }
            temperature = min(50, max(0, temperature + Float(rng.nextUnitDouble() * 16 - 8)))
            for _ in 0..<seconds {
                voltage = min(4.2, max(3.0, voltage + current * 0.00004 + (current == 0 ? 0.00002 : 0)))
                events.append(.tick(CellMeasurement32(voltageV: voltage - (current < 0 ? 0.05 * -current : 0),
                                                      currentA: current, temperatureC: temperature, dtSeconds: 1)))
            }
        }
        return events
    }

    @Test("random drives with a narrow envelope: the same flags on every tick, every flag raised, the same SOC",
          arguments: [false, true])
    func randomDrivesAgree(betweenRuns: Bool) throws {
        let (model, cModel, blobBytes, blob) = try CEstimatorAgreementTests.lstmFixtures()
        // Narrow enough that every flag is raised: -5.5 A loads, 0-10 and 40-50 °C, starts below
        // 4.0 V, model SOCs below 0.3.
        let envelope = TrainingEnvelope(currentMinA: -4, currentMaxA: 0.05, temperatureMinC: 10, temperatureMaxC: 40,
                                        startVoltageMinV: 4.0, socMin: 0.3, socMax: 1)
        var seen: EnvelopeFlags = []
        var flaggedTicks = 0, ticks = 0
        for seed in UInt64(1)...12 {
            let events = Self.randomDrive(seed: seed, ticks: 6000)
            let capacity = Double(Float(model.capacityAh))
            let swift = betweenRuns
                ? LSTMEstimator(model: blob, envelope: envelope, capacityAh: capacity,
                                chargeEfficiency: Double(Float(model.coulombicEfficiency)),
                                betweenRuns: AhCounterEstimator(model: model, config: EstimatorConfig()))
                : LSTMEstimator(model: blob, envelope: envelope, capacityAh: capacity)
            let c = CLSTM(blobBytes: blobBytes, cell: cModel, config: CConfig(),
                          between: betweenRuns ? CAhCounter(model: cModel, config: CConfig()) : nil, envelope: envelope)
            #expect(c.status == BMS_SOC_OK)
            let d = CDrive.compare(events, swift: swift, c: c)
            #expect(d.envelopeMismatches == 0, "seed \(seed): \(d.envelopeMismatches) ticks with other flags")
            if betweenRuns {
                #expect(d.maxSOC <= CEstimatorAgreementTests.tolerance, "seed \(seed)")
            } else {
                #expect(d.maxRoundedSOC == 0, "seed \(seed)")
            }
            #expect(c.dischargesStarted == swift.dischargesStarted && c.declinedRuns == swift.declinedRuns, "seed \(seed)")
            seen.formUnion(d.envelopeSeen)
            flaggedTicks += d.envelopeFlaggedTicks
            ticks += d.ticks
        }
        print("CEnvelopeAgreement random drives (between runs \(betweenRuns)): \(flaggedTicks) of \(ticks) ticks flagged, "
              + "flags seen \(seen.text)")
        #expect(seen == [.current, .temperature, .start, .soc], "\(seen.text)")
        #expect(flaggedTicks > ticks / 20 && flaggedTicks < ticks, "\(flaggedTicks) of \(ticks)")
    }

    @Test("NASA whole lives with the shipped blob's envelope (and the counter between runs, as replay runs it): the same flags on every tick",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func nasaLivesAgree() throws {
        let (model, cModel, blobBytes, blob) = try CEstimatorAgreementTests.lstmFixtures()
        let envelope = try Self.shippedEnvelope()
        let dataset = try NASADataset(root: try #require(SharedData.nasa))
        for cell in ["B0043", "B0047"] {
            let events = CDrive.events(try dataset.recording(cell: cell))
            let swift = LSTMEstimator(model: blob, envelope: envelope, capacityAh: Double(Float(model.capacityAh)),
                                      chargeEfficiency: Double(Float(model.coulombicEfficiency)),
                                      betweenRuns: AhCounterEstimator(model: model, config: EstimatorConfig()))
            let c = CLSTM(blobBytes: blobBytes, cell: cModel, config: CConfig(),
                          between: CAhCounter(model: cModel, config: CConfig()), envelope: envelope)
            let d = CDrive.compare(events, swift: swift, c: c)
            print("CEnvelopeAgreement \(cell): \(d.envelopeFlaggedTicks) of \(d.ticks) ticks flagged (\(d.envelopeSeen.text)), "
                  + "\(d.envelopeMismatches) mismatches, max |C − Swift| \(d.maxSOC * 100) SOC points")
            #expect(d.envelopeMismatches == 0, "\(cell)")
            #expect(d.maxSOC <= CEstimatorAgreementTests.tolerance, "\(cell)")
            #expect(d.envelopeFlaggedTicks > 0, "\(cell): the model's SOC leaves the labels' range at the end of deep discharges")
        }
    }

    @Test("bms_soc_lstm_settings_use_envelope derives what LSTMEstimator derives, and refuses a bad envelope")
    func settingsFromEnvelope() throws {
        var settings = bms_soc_lstm_settings_t()
        bms_soc_lstm_settings_default(&settings)
        #expect(settings.has_envelope == 0 && settings.envelope_tolerance_current_A == TrainingEnvelope.Tolerance().currentA)
        #expect(settings.envelope_tolerance_temperature_C == TrainingEnvelope.Tolerance().temperatureC)
        #expect(settings.envelope_tolerance_voltage_V == TrainingEnvelope.Tolerance().voltageV)
        #expect(settings.envelope_tolerance_soc == TrainingEnvelope.Tolerance().soc)
        let e = try Self.shippedEnvelope()
        var c = bms_soc_envelope_t(current_min_A: e.currentMinA, current_max_A: e.currentMaxA, temperature_min_C: e.temperatureMinC,
                                   temperature_max_C: e.temperatureMaxC, start_voltage_min_V: e.startVoltageMinV,
                                   soc_min: e.socMin, soc_max: e.socMax)
        #expect(bms_soc_lstm_settings_use_envelope(&settings, &c) == BMS_SOC_OK)
        #expect(settings.has_envelope == 1)
        #expect(settings.full_start_min_rest_voltage_V == e.startVoltageMinV - TrainingEnvelope.Tolerance().voltageV)
        let (_, _, _, blob) = try CEstimatorAgreementTests.lstmFixtures()
        #expect((settings.run_through_charge == 1) == LSTMEstimator(model: blob, envelope: e, capacityAh: 2).runsThroughCharge)

        var fresh = bms_soc_lstm_settings_t()
        bms_soc_lstm_settings_default(&fresh)
        let before = fresh
        for bad in [bms_soc_envelope_t(current_min_A: 1, current_max_A: 0, temperature_min_C: 0, temperature_max_C: 1,
                                       start_voltage_min_V: 3, soc_min: 0, soc_max: 1),
                    bms_soc_envelope_t(current_min_A: -1, current_max_A: 0, temperature_min_C: .nan, temperature_max_C: 1,
                                       start_voltage_min_V: 3, soc_min: 0, soc_max: 1),
                    bms_soc_envelope_t(current_min_A: -1, current_max_A: 0, temperature_min_C: 0, temperature_max_C: 1,
                                       start_voltage_min_V: .infinity, soc_min: 0, soc_max: 1),
                    bms_soc_envelope_t(current_min_A: -1, current_max_A: 0, temperature_min_C: 0, temperature_max_C: 1,
                                       start_voltage_min_V: 3, soc_min: 1, soc_max: 0)] {
            var b = bad
            #expect(bms_soc_lstm_settings_use_envelope(&fresh, &b) == BMS_SOC_ERR_CONFIG)
            #expect(fresh.has_envelope == before.has_envelope && fresh.full_start_min_rest_voltage_V == before.full_start_min_rest_voltage_V)
        }
        #expect(bms_soc_lstm_settings_use_envelope(nil, &c) == BMS_SOC_ERR_ARGUMENT)
        #expect(bms_soc_lstm_settings_use_envelope(&fresh, nil) == BMS_SOC_ERR_ARGUMENT)
        // A settings struct with has_envelope set by hand and a bad envelope or tolerance is refused at init.
        let (_, cModel, blobBytes, _) = try CEstimatorAgreementTests.lstmFixtures()
        var tampered = settings
        tampered.envelope.soc_min = .nan
        #expect(CLSTM(blobBytes: blobBytes, cell: cModel, config: CConfig(), settings: tampered).status == BMS_SOC_ERR_CONFIG)
        tampered = settings
        tampered.envelope_tolerance_current_A = -0.1
        #expect(CLSTM(blobBytes: blobBytes, cell: cModel, config: CConfig(), settings: tampered).status == BMS_SOC_ERR_CONFIG)
        tampered = settings
        tampered.has_envelope = 2
        #expect(CLSTM(blobBytes: blobBytes, cell: cModel, config: CConfig(), settings: tampered).status == BMS_SOC_ERR_CONFIG)
        #expect(CLSTM(blobBytes: blobBytes, cell: cModel, config: CConfig(), settings: settings).status == BMS_SOC_OK)
        #expect(String(cString: bms_soc_status_name(BMS_SOC_ERR_ENVELOPE_COMPILED_OUT)) == "training envelope compiled out")
    }
}
