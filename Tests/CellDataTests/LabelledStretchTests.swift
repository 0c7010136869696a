import Foundation
import Testing
import TestSupport
@testable import CellData

/// A generic dataset's labelled recording is cut where the log did not record (`LogContinuity`):
/// at a `gap` operation, a hole of more than an hour, or a pause at a change of operation longer
/// than two of the log's intervals; a label change within them, or a repeated boundary row, is
/// one stretch.
@Suite struct LabelledStretchTests {
    /// A 2 Ah cell in 10 s rows, exact SOC: rest 0–60 s, 2 A discharge for 600 s from `dischargeS`,
    /// then rest for 300 s from `restS` (defaults: a label change one interval after the last
    /// row); `gapRow` puts one row labelled `gap` (no SOC) between the discharge and the rest.
    static func log(dischargeS: Double = 70, restS: Double? = nil, gapRow: Bool = false) -> String {
        var lines = ["# current_sign: charge_positive", "time_s,voltage_v,current_a,temperature_c,soc,operation"]
        let endS = dischargeS + 600, rest = restS ?? endS + 10
        let endSOC = 1 - 2 * 600 / 7200.0
        for t in stride(from: 0.0, through: 60, by: 10) { lines.append("\(t),4.15,0,25,1,rest") }
        for t in stride(from: dischargeS, through: endS, by: 10) {
            lines.append("\(t),4.0,-2,25,\(1 - 2 * (t - dischargeS) / 7200),discharge")
        }
        if gapRow { lines.append("\(endS + 5),3.9,0,25,,gap") }
        for t in stride(from: rest, through: rest + 300, by: 10) { lines.append("\(t),3.95,0,25,\(endSOC),rest") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func stretches(_ text: String) throws -> [LabelledDischarge] {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("log.csv", text)
        let data = try GenericDataset(folder: folder.path)
        return try data.labelled(data.members).sequences
    }

    @Test func aLabelChangeWithinTwoIntervalsIsOneStretch() throws {
        let one = try Self.stretches(Self.log())
        #expect(one.count == 1 && one[0].samples.count == 7 + 61 + 31)
        // 20 s after the last row (two intervals): still one.
        #expect(try Self.stretches(Self.log(dischargeS: 80)).count == 1)
    }

    @Test func aGapRowAHoleOrALongPauseCutsTheRecording() throws {
        for (what, text) in [("gap row", Self.log(gapRow: true)),
                             ("pause of 21 s at a label change", Self.log(restS: 691)),
                             ("hole of more than an hour", Self.log(restS: 670 + LogContinuity.maximumSampleIntervalS + 1))] {
            let s = try Self.stretches(text)
            try #require(s.count == 2, "\(what): \(s.count) stretches")
            #expect(s[0].samples.count == 7 + 61 && s[1].samples.count == 31, "\(what)")
            #expect(s[1].samples.timeS.first == 0 && s[1].soc.allSatisfy { abs($0 - (1 - 1200 / 7200.0)) < 1e-12 }, "\(what)")
            #expect(s.allSatisfy { $0.cycle == 1 && $0.source == "log.csv" && $0.capacityAh > 0 }, "\(what)")
        }
    }

    @Test func afterACutTheLogsIntervalIsUnknownUntilItsSecondRow() throws {
        // Rest 0–60 s, a gap row, one rest row at 70 s, then a discharge from 80 s: with no
        // interval known after the single row, the change at 80 s is a pause (a cut), and the
        // one-row stretch is left out.
        var lines = ["# current_sign: charge_positive", "time_s,voltage_v,current_a,temperature_c,soc,operation"]
        for t in stride(from: 0, through: 60, by: 10) { lines.append("\(t),4.15,0,25,1,rest") }
        lines.append("65,4.15,0,25,,gap")
        lines.append("70,4.15,0,25,1,rest")
        for t in stride(from: 80.0, through: 200, by: 10) { lines.append("\(t),4.0,-2,25,\(1 - 2 * (t - 80) / 7200),discharge") }
        let s = try Self.stretches(lines.joined(separator: "\n") + "\n")
        #expect(s.map(\.samples.count) == [7, 13])
    }

    @Test func aRecordingWhoseStretchesAreSingleRowsIsUnlabelled() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("one.csv", "# current_sign: charge_positive\ntime_s,voltage_v,current_a,temperature_c,soc,operation\n"
                         + "0,4.1,0,25,1,rest\n5000,4.1,0,25,1,rest\n")
        let data = try GenericDataset(folder: folder.path)
        #expect { try data.labelled(data.members) } throws: { error in
            guard case let .noLabelledData(_, unlabelled) = error as? CellDataError else { return false }
            return unlabelled == ["one.csv (fewer than two samples)"]
        }
    }
}
