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
        let rule = RecordingFit.filterPairs
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
        #expect(rule(10, 8, .one).decision.contains("--filter-pairs 1"))
    }

    /// The HPPC recordings of `RecordingFitTests` simulated on `pairs` R–C pairs of the synthetic
    /// truth (1RC: τ 60 s; 2RC: τ 30 s and 600 s), with 1 mV of voltage noise.
    static func recordings(pairs: Int) throws -> [Recording] {
        try RecordingFitTests.temperatures.map { t in
            try GenericRecordingCSV.parse(Array(RecordingFitTests.hppcCSV(t, voltageNoiseV: 0.001, pairs: pairs).utf8),
                                          name: "hppc\(Int(t)).csv")
        }
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
