import CellData
import CellModel
import Foundation
import Testing
@testable import Evaluation

/// `bmsim fit --filter-pairs auto|1|2`: the rule that sets `CellModelParameters.filterPairs`
/// (2 when the 2RC fit's residual is at least `filterPairsMinimumGainPercent` below the 1RC
/// fit's), on the numbers alone and on fits of a 1RC and of a 2RC synthetic plant.
@Suite("Fit: the filters' R–C pairs")
struct FilterPairsFitTests {
    @Test("auto: 2 from a 5 % lower 2RC residual; 1 below that, when the 2RC fit is worse, or without residuals")
    func rule() {
        let rule = { (one: Double?, two: Double?, mode: RecordingFit.FilterPairsMode) in
            RecordingFit.filterPairs(residual1RCmV: one, residual2RCmV: two, mode: mode)
        }
        #expect(rule(10, 9.5, .auto).pairs == 2)          // exactly 5 %
        #expect(rule(10, 9.51, .auto).pairs == 1)         // 4.9 %
        #expect(rule(5.99, 5.55, .auto).pairs == 2)       // Ecker2015 on pulses: 7.4 %
        #expect(rule(5.889, 5.909, .auto).pairs == 1)     // the LFP: the 2RC fit is worse
        #expect(rule(nil, 5, .auto).pairs == 1 && rule(5, nil, .auto).pairs == 1)
        #expect(rule(0, 0, .auto).pairs == 1 && rule(.nan, 1, .auto).pairs == 1 && rule(1, .infinity, .auto).pairs == 1)
        #expect(rule(10, 1, .one).pairs == 1 && rule(1, 10, .two).pairs == 2 && rule(nil, nil, .two).pairs == 2)
        let decision = rule(10, 8, .auto).decision
        #expect(decision.contains("2 R–C pairs") && decision.contains("20.0 % lower") && decision.contains("2 from 5 % lower"))
        #expect(rule(5.889, 5.909, .auto).decision.contains("0.3 % higher"))
        // Within twice the threshold the decision says to check it on an unseen drive.
        #expect(rule(3.18, 3.00, .auto).decision.contains("near the threshold: compare ekf-1rc and ekf-2rc"))
        #expect(!rule(10, 8, .auto).decision.contains("near the threshold"))
        #expect(!rule(5.889, 5.909, .auto).decision.contains("near the threshold"))
        #expect(rule(10, 8, .one).decision.contains("--filter-pairs 1"))
        // On held-out recordings: nothing to read without them.
        #expect(RecordingFit.filterPairs(validation: []) == nil)
        #expect(RecordingFit.filterPairs(validation: [RecordingFit.VoltageTrace(name: "empty")]) == nil)
    }

    /// The HPPC recordings of `RecordingFitTests` simulated on `pairs` R–C pairs of the synthetic
    /// truth (1RC: τ 60 s; 2RC: τ 30 s and 600 s), with 1 mV of voltage noise.
    static func recordings(pairs: Int) throws -> [Recording] {
        try RecordingFitTests.temperatures.map { t in
            try GenericRecordingCSV.parse(Array(RecordingFitTests.hppcCSV(t, voltageNoiseV: 0.001, pairs: pairs).utf8),
                                          name: "hppc\(Int(t)).csv")
        }
    }

    @Test("the rule reads the dynamic recordings: a C/20 slow test fitted beside the pulses is left out of it")
    func slowTestLeftOut() throws {
        var sim = CellSimulator(model: RecordingFitTests.truth, pairCount: 2, soc: 0.02)
        let gen = SyntheticCycleGenerator(dtSeconds: 10, temperatureC: 24, voltageNoiseV: 0.001)
        let slow = gen.run([.rest(durationS: 600), .constant(currentA: 0.1, durationS: 80_000, stopAboveV: 4.2),
                            .rest(durationS: 3600), .constant(currentA: -0.1, durationS: 80_000, stopBelowV: 3.35),
                            .rest(durationS: 3600)], simulator: &sim)
        let slowRecording = try GenericRecordingCSV.parse(Array(slow.csvText(cell: "S", source: "test", capacityAh: 2).utf8),
                                                          name: "slow24.csv")
        let pulses = try GenericRecordingCSV.parse(Array(RecordingFitTests.hppcCSV(24, voltageNoiseV: 0.001, pairs: 2).utf8),
                                                   name: "hppc24.csv")
        let (model, summary) = try RecordingFit.fit([slowRecording, pulses], capacityAh: 2, ocv: nil)
        let decision = try #require(model.fitReport.method.first { $0.hasPrefix("filters (ekf, ukf): ") })
        print("FilterPairsFit slow test + pulses: \(decision)")
        #expect(decision.contains("over the 1 fitted recording(s) that are not slow tests"))
        #expect(model.filterPairs == 2)
        // What the rule read: the pulses' residuals alone.
        let traces = RecordingFit.traces(summary.recordings, model: model, initialH: summary.initialH)
        let read = RecordingFit.dynamicResidual(traces, labelled: summary.recordings, capacityAh: 2)
        let hppc = try #require(traces.first { $0.name == "hppc24" }).residualmV
        #expect(abs((read.oneRC ?? 0) - hppc.oneRC) < 1e-9 && abs((read.twoRC ?? 0) - hppc.twoRC) < 1e-9)
        // A slow test alone: the rule reads it (nothing else to read).
        let alone = try RecordingFit.fit([slowRecording], capacityAh: 2, ocv: nil).model
        #expect(alone.fitReport.method.contains { $0.hasPrefix("filters (ekf, ukf): ") && $0.contains("over the fitted recordings") })
    }

    @Test("a 2RC plant gets 2 pairs (version-4 file), a 1RC plant none; 1 and 2 force it; the report says why")
    func plants() throws {
        let table = try OCVTableCSV.parse(Array(RecordingFitTests.ocvCSV().utf8), name: "ocv.csv")
        let ocv = (RecordingFit.ocvCurve(table), "OCV: test")
        let two = try RecordingFit.fit(try Self.recordings(pairs: 2), capacityAh: nil, ocv: ocv).model
        let one = try RecordingFit.fit(try Self.recordings(pairs: 1), capacityAh: nil, ocv: ocv).model
        for (name, m) in [("2RC plant", two), ("1RC plant", one)] {
            print("FilterPairsFit \(name): residual 1RC \(m.fitReport.residual1RCmV ?? .nan) mV, 2RC \(m.fitReport.residual2RCmV ?? .nan) mV, "
                  + "filterPairs \(m.filterPairs.map(String.init) ?? "nil")")
        }
        #expect(two.filterPairs == 2)
        #expect(one.filterPairs == nil)
        #expect(two.fitReport.method.contains { $0.hasPrefix("filters (ekf, ukf): 2 R–C pairs (auto:") })
        #expect(one.fitReport.method.contains { $0.hasPrefix("filters (ekf, ukf): 1 R–C pair (auto:") })
        #expect(CellModelFile.version(of: two) == 4 && CellModelFile.version(of: one) == 1)
        let forced = try RecordingFit.fit(try Self.recordings(pairs: 2), capacityAh: nil, ocv: ocv, filterPairs: .one).model
        #expect(forced.filterPairs == nil && forced.thevenin2RC == two.thevenin2RC)
        #expect(try RecordingFit.fit(try Self.recordings(pairs: 1), capacityAh: nil, ocv: ocv, filterPairs: .two).model.filterPairs == 2)
    }
}
