import CellData
import CellModel
import Foundation
import Testing
@testable import Evaluation

/// `bmsim fit` on generic recordings: a synthetic plant with known parameters, written as
/// generic CSVs and read back, fitted with its true OCV table given.
@Suite("Fit from generic recordings")
struct RecordingFitTests {
    static let truth = CellModelParameters.synthetic18650()
    static let temperatures = [4.0, 24, 44]

    /// HPPC-like test at `temperatureC` on the 1RC truth (R0 70–150 mΩ, τ 60 s; or on `model`; or
    /// on its 2RC model with `pairs` 2), 1 s ticks: from full, per 10 % SOC step a 2 A discharge
    /// pulse, rest, a 1.5 A charge pulse, rest, then 1 A for 0.1 of the capacity and a 10-minute rest.
    static func hppcCSV(_ temperatureC: Double, voltageNoiseV: Double = 0, model: CellModelParameters = truth,
                        pairs: Int = 1) -> String {
        var sim = CellSimulator(model: model, pairCount: pairs, soc: 1)
        var profile: [ProfileSegment] = [.rest(durationS: 60)]
        for _ in 0..<9 {
            profile += [.constant(currentA: -2, durationS: 10), .rest(durationS: 60),
                        .constant(currentA: 1.5, durationS: 10), .rest(durationS: 60),
                        .constant(currentA: -1, durationS: 720), .rest(durationS: 600)]
        }
        let gen = SyntheticCycleGenerator(dtSeconds: 1, temperatureC: temperatureC, voltageNoiseV: voltageNoiseV)
        let rec = gen.run(profile, simulator: &sim, seed: UInt64(temperatureC) + 1)
        return rec.csvText(cell: "HPPC", source: "RecordingFitTests", capacityAh: model.capacityAh)
    }

    /// The truth's OCV table as `--ocv` takes it.
    static func ocvCSV() -> String {
        let table = truth.ocv.table
        var s = "soc,ocv_v,temperature_c\n"
        for (t, temp) in table.temperaturesC.enumerated() {
            for (k, soc) in table.socPoints.enumerated() {
                s += "\(soc),\(table.values[t * table.socPoints.count + k]),\(temp)\n"
            }
        }
        return s
    }

    static func recordings(noise: Double = 0) throws -> [Recording] {
        try temperatures.map { t in
            try GenericRecordingCSV.parse(Array(hppcCSV(t, voltageNoiseV: noise).utf8), name: "hppc\(Int(t)).csv")
        }
    }

    @Test("recovers R0 within 2 % and τ within 10 % with the true OCV given")
    func recoversTruth() throws {
        let table = try OCVTableCSV.parse(Array(Self.ocvCSV().utf8), name: "ocv.csv")
        let (model, summary) = try RecordingFit.fit(try Self.recordings(), capacityAh: nil,
                                                    ocv: (RecordingFit.ocvCurve(table), "OCV: test"))
        #expect(summary.options.resistanceTemperaturesC == Self.temperatures)
        #expect(summary.capacity.source.contains("soc column"))
        #expect(abs(model.capacityAh - 2) < 0.001)
        // τ comes from the candidate grid (15, 25, 40, 60, 90 … s); the truth's 60 s is one of them.
        let tau = try #require(model.fitReport.tau1RCs.first)
        #expect(abs(tau - 60) <= 6, "τ \(tau) s")
        var worst = 0.0
        for t in Self.temperatures {
            for soc in [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] {
                let fitted = model.thevenin1RC.r0Ohm.value(soc: soc, temperatureC: t)
                let real = Self.truth.thevenin1RC.r0Ohm.value(soc: soc, temperatureC: t)
                worst = max(worst, abs(fitted / real - 1))
                #expect(abs(fitted / real - 1) < 0.02, "R0 at SOC \(soc), \(t) °C: \(fitted) vs \(real)")
            }
        }
        print("recovered τ1RC \(tau) s, worst R0 error \(100 * worst) % at SOC 0.2–0.9, "
              + "residual 1RC \(model.fitReport.residual1RCmV!) mV")
        // Per recording and per temperature residuals, small on noise-free data.
        #expect(Set(model.fitReport.residual1RCmVByCell.keys) == ["hppc4", "hppc24", "hppc44"])
        let rows = try #require(model.fitReport.residualByTemperature)
        #expect(rows.map(\.temperatureC) == Self.temperatures)
        #expect(rows.allSatisfy { $0.residual1RCmV < 5 })
        // The model file round-trips with the new residual rows.
        let decoded = try CellModelFile.decode(try CellModelFile.encode(model), file: "cell.json")
        #expect(decoded.fitReport.residualByTemperature == rows)
    }

    @Test("validation recordings are scored, not fitted")
    func validationScores() throws {
        let recs = try Self.recordings(noise: 0.002)
        let (model, _) = try RecordingFit.fit(Array(recs.prefix(2)), capacityAh: 2, ocv: nil)
        let traces = RecordingFit.validate([recs[2]], model: model, capacityOption: 2)
        let r = try #require(traces.first).residualmV
        #expect(r.samples > 10_000)
        #expect(r.oneRC.isFinite && r.oneRC > 1)
    }

    @Test("a recording without soc column and without a full charge has no labelled operation")
    func noLabels() throws {
        let text = "# current_sign: charge_positive\ntime_s,voltage_v,current_a,temperature_c\n0,3.9,0,25\n1,3.8,-1,25\n2,3.79,-1,25\n"
        let rec = try GenericRecordingCSV.parse(Array(text.utf8), name: "bare.csv")
        #expect(throws: RecordingFitError.self) { try RecordingFit.fit([rec], capacityAh: 2, ocv: nil) }
        #expect(throws: RecordingFitError.noCapacity(sources: ["bare.csv"])) { try RecordingFit.fit([rec], capacityAh: nil, ocv: nil) }
    }

    @Test("anchored labels: SOC 1 at a full charge's end, counted on through pulses; capacity from the full discharge")
    func anchoredLabels() throws {
        var sim = CellSimulator(model: Self.truth, pairCount: 1, soc: 0.5)
        let gen = SyntheticCycleGenerator(dtSeconds: 1, temperatureC: 24)
        let rec = gen.run([.cccvCharge(currentA: 1, voltageV: 4.2, cutoffA: 0.05, durationS: 20_000), .rest(durationS: 300),
                           .pulses(currentA: -2, onS: 60, offS: 60, durationS: 30_000, stopBelowV: 3.0), .rest(durationS: 300)],
                          simulator: &sim)
        var text = rec.csvText(cell: "A", source: "test", capacityAh: 2)
        text = text.replacingOccurrences(of: ",soc,", with: ",soc_true,")   // hide the exact SOC
        let recording = try GenericRecordingCSV.parse(Array(text.utf8), name: "anchored.csv")
        let capacity = try RecordingFit.capacity([recording], option: nil)
        #expect(capacity.source.contains("full discharge"))
        let labelled = RecordingFit.label([recording], names: ["anchored"], capacityOption: 2, cellCapacityAh: capacity.ah)
        let seg = try #require(labelled.first?.segments.first)
        // The one-sample rest before the charge comes before any anchor.
        #expect(labelled[0].excluded == ["rest-after-unknown-soc": 1])
        // The exact SOC minus its value at the charge's full end: the labels follow it.
        let full = try #require(rec.soc.max())
        let offset = zip(seg.soc, rec.soc.dropFirst()).map { abs($0 - ($1 - full + 1)) }.max()!
        #expect(offset < 0.002, "largest label error \(offset)")
    }

    @Test("a C/20 charge and discharge make the OCV: the mean of the two branches, held fixed")
    func slowTestOCV() throws {
        var sim = CellSimulator(model: Self.truth, pairCount: 1, soc: 0.02)
        let gen = SyntheticCycleGenerator(dtSeconds: 10, temperatureC: 24)
        let rec = gen.run([.rest(durationS: 600), .constant(currentA: 0.1, durationS: 80_000, stopAboveV: 4.2),
                           .rest(durationS: 3600), .constant(currentA: -0.1, durationS: 80_000, stopBelowV: 3.35),
                           .rest(durationS: 3600)], simulator: &sim)
        let recording = try GenericRecordingCSV.parse(Array(rec.csvText(cell: "S", source: "test", capacityAh: 2).utf8),
                                                      name: "slow.csv")
        let (model, summary) = try RecordingFit.fit([recording], capacityAh: 2, ocv: nil)
        #expect(summary.ocvSource.contains("slow test"), "\(summary.ocvSource)")
        for soc in [0.2, 0.5, 0.8] {
            let error = model.ocv.voltage(soc: soc, temperatureC: 24) - Self.truth.ocv.voltage(soc: soc, temperatureC: 24)
            #expect(abs(error) < 0.005, "OCV at \(soc): \(1000 * error) mV")
        }
    }

    @Test("the fit's segments are cut where the log did not record: a hole, a long pause at a label change")
    func segmentsCutAtHolesAndPauses() throws {
        // 10 s rows with the exact SOC of a 2 Ah cell: rest, a 2 A discharge, rest from `restS`.
        func segments(restS: Double) throws -> [Int] {
            var text = "# current_sign: charge_positive\ntime_s,voltage_v,current_a,temperature_c,soc,operation\n"
            for t in stride(from: 0.0, through: 60, by: 10) { text += "\(t),4.1,0,25,1,rest\n" }
            for t in stride(from: 70.0, through: 670, by: 10) { text += "\(t),3.9,-2,25,\(1 - 2 * (t - 70) / 7200),discharge\n" }
            for t in stride(from: restS, through: restS + 300, by: 10) { text += "\(t),3.95,0,25,\(1 - 1200 / 7200.0),rest\n" }
            let recording = try GenericRecordingCSV.parse(Array(text.utf8), name: "log.csv")
            let labelled = RecordingFit.label([recording], names: ["log"], capacityOption: 2, cellCapacityAh: 2)
            return labelled[0].segments.map(\.count)
        }
        #expect(try segments(restS: 680) == [99])            // label changes one interval apart: one log
        #expect(try segments(restS: 701) == [68, 31])        // a 31 s pause after 10 s rows: not recorded
        #expect(try segments(restS: 670 + 3601) == [68, 31]) // a hole of more than an hour
    }
}
