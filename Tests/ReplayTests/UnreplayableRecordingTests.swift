import CellData
import Foundation
import Testing
@testable import Replay

/// A recording the readers accept but whose times span more ticks than can be counted.
@Suite struct UnreplayableRecordingTests {
    /// A generic CSV whose last row is at 1e300 s: it once trapped `bmsim replay FILE` in the
    /// tick-count conversion.
    static let csv = """
        # current_sign: charge_positive
        time_s,voltage_v,current_a,temperature_c
        0,3.9,-1,25
        10,3.89,-1,25
        1e300,3.8,-1,25

        """

    @Test("a span of 1e300 s is a typed error naming the recording, not a trap")
    func hugeSpan() throws {
        let recording = try GenericRecordingCSV.parse(Array(Self.csv.utf8), name: "big.csv")
        #expect {
            try ReplayRunner(factory: testFactory).run(recording: recording, scenario: .nominal, estimators: ["count"])
        } throws: { error in
            guard case let .firmwareConfig(_, detail)? = error as? ReplayError else { return false }
            return "\(detail)".contains("recording big") && "\(detail)".contains("< 1e12 ticks")
        }
    }

    @Test("a long but countable span is not refused by that check")
    func countableSpan() throws {
        let text = Self.csv.replacingOccurrences(of: "1e300", with: "100")
        let recording = try GenericRecordingCSV.parse(Array(text.utf8), name: "short.csv")
        let result = try ReplayRunner(factory: testFactory).run(recording: recording, scenario: .nominal, estimators: ["count"])
        #expect(result.ticks > 0)
    }

    /// Reliability issue row 7: a second row at t = 10¹¹ s (one operation, no gap row) took
    /// about 12 h of ticks. The hole is now slept through: the run ends at once, with the
    /// hole off the operating axis and the samples after it still replayed.
    @Test("a hole of 1e11 s inside one operation is slept through, not ticked through")
    func holeInsideAnOperation() throws {
        let text = Self.csv.replacingOccurrences(of: "10,3.89", with: "1e11,3.89")
            .replacingOccurrences(of: "1e300", with: "100000000010")
        let recording = try GenericRecordingCSV.parse(Array(text.utf8), name: "hole.csv")
        let timeline = try PlantTimeline(recording: recording, referenceSOC: recording.operations.map {
            [Double](repeating: .nan, count: $0.samples.count)
        })
        #expect(timeline.operations.count == 2)
        #expect(timeline.operations.map(\.recordingIndex) == [0, 0])
        let result = try ReplayRunner(factory: testFactory).run(recording: recording, scenario: .nominal, estimators: ["count"])
        #expect(result.ticks > 0)
        #expect(result.ticks - result.sleptTicks < 1_000_000, "awake ticks: \(result.ticks - result.sleptTicks)")
    }
}
