import CellData
import Testing
import TestSupport
@testable import Replay

/// A continuous log sampled more coarsely than the base tick, whose `operation` column
/// changes: the replay ticks through the change (with or without the boundary row repeated),
/// and sleeps only at a `gap` operation or a hole of more than an hour.
@Suite("Operation boundaries of a continuous log")
struct ContinuousBoundaryTests {
    /// Rest, a 2 A discharge of 1800 s, rest, in 10 s rows, with the exact SOC of a 2 Ah cell,
    /// logged as a tester logs: each step's first row is where the step starts.
    /// `repeatBoundary` writes that row at the previous operation's last time (discharge
    /// 100–1900 s); without it the step starts 10 s after the previous row (110–1910 s).
    static func csv(repeatBoundary: Bool, gapLabel: Bool = false, restStartS: Double = 1910) -> String {
        var text = "# current_sign: charge_positive\ntime_s,voltage_v,current_a,temperature_c,soc,operation\n"
        let startS = repeatBoundary ? 100.0 : 110
        func soc(_ t: Double) -> Double { 1 - 2 * min(max(t - startS, 0), 1800) / 7200 }
        func row(_ t: Double, _ i: Double, _ op: String) {
            text += "\(t),\(3.3 + soc(t)),\(i),25,\(soc(t)),\(op)\n"
        }
        for t in stride(from: 0.0, through: 100, by: 10) { row(t, 0, "rest") }
        if repeatBoundary { row(100, -2, "discharge") }
        for t in stride(from: 110.0, through: 1900, by: 10) { row(t, -2, "discharge") }
        if repeatBoundary { row(1900, 0, "rest") }
        if gapLabel { row(1905, 0, "gap") }
        for t in stride(from: restStartS, through: restStartS + 590, by: 10) { row(t, 0, "rest") }
        return text
    }

    static func replay(_ text: String) throws -> ReplayResult {
        let recording = try GenericRecordingCSV.parse(Array(text.utf8), name: "log.csv")
        var told = ReplayScenario.nominal
        told.assumedCapacityAh = 2
        return try ReplayRunner(factory: testFactory).run(recording: recording, scenario: told, estimators: ["count"])
    }

    @Test("a repeated boundary row: no tick between the operations, every ampere-second counted")
    func repeatedRowTicksThrough() throws {
        let r = try Self.replay(Self.csv(repeatBoundary: true))
        let m = r.metrics[0]
        #expect(m.unconfirmedTicks == 0)            // no sleep, so no wake-up awaiting confirmation
        #expect(m.scoredTicks == 2501)              // t = 0 … 2500 s, every tick scored
        // The counter integrates the interpolated current by rectangles: only the tick at
        // t = 100 s (the boundary row, 2 A) is counted for a second that was at rest, 2 A·s
        // = 0.028 points; the RMSE stays under 0.03 and the end under 0.03 points off.
        #expect(m.rmsePercent < 0.03)
        #expect(m.maxAbsErrorPercent < 0.03)
    }

    @Test("without the repeated row the 9 s between the operations tick through, the last row held")
    func labelChangeTicksThrough() throws {
        let m = try Self.replay(Self.csv(repeatBoundary: false)).metrics[0]
        #expect(m.unconfirmedTicks == 0)
        #expect(m.scoredTicks == 2501)
        // The rest's 0 A is held to 110 s, where the discharge's first row is, and the
        // discharge's 2 A to 1910 s: every ampere-second where the log has it (a ramp between
        // the rows would count 10 A·s early at each end, 0.14 points).
        #expect(m.maxAbsErrorPercent < 0.03)
        let recording = try GenericRecordingCSV.parse(Array(Self.csv(repeatBoundary: false).utf8), name: "log.csv")
        var timeline = try PlantTimeline(recording: recording, referenceSOC: recording.operations.map {
            $0.providedSOC ?? [Double](repeating: .nan, count: $0.samples.count)
        })
        let held = timeline.sample(at: 105, dt: 1)
        #expect(held.operation == 0 && held.plant.currentA == 0 && held.plant.voltageV == 4.3)
        let next = timeline.sample(at: 110, dt: 1)
        #expect(next.operation == 1 && next.plant.currentA == -2)
        let heldDischarge = timeline.sample(at: 1905, dt: 1)
        #expect(heldDischarge.operation == 1 && heldDischarge.plant.currentA == -2
                && abs(heldDischarge.referenceSOC - (1 - 2 * 1795 / 7200.0)) < 1e-12)
    }

    @Test("a gap operation, a pause longer than two of the log's intervals, or a hole of more than an hour: the firmware sleeps there")
    func gapAndHoleSleep() throws {
        for text in [Self.csv(repeatBoundary: false, gapLabel: true),
                     Self.csv(repeatBoundary: false, restStartS: 1921),    // 21 s after the last 10 s row
                     Self.csv(repeatBoundary: false, restStartS: 1910 + PlantTimeline.maximumSampleIntervalS + 10)] {
            let m = try Self.replay(text).metrics[0]
            #expect(m.unconfirmedTicks == 1)           // one wake-up, after the sleep
        }
        let recording = try GenericRecordingCSV.parse(Array(Self.csv(repeatBoundary: false, gapLabel: true).utf8), name: "g.csv")
        var timeline = try PlantTimeline(recording: recording, referenceSOC: recording.operations.map {
            $0.providedSOC ?? [Double](repeating: .nan, count: $0.samples.count)
        })
        #expect(timeline.operations.map(\.continuesPrevious) == [false, true, false])
        #expect(timeline.sample(at: 1908, dt: 1).operation == -1)
        #expect(timeline.nextRecordedTimeS == 1910)
        // Two intervals of the log (20 s) after its last row: still the same log; 21 s: a pause.
        for (restS, continues) in [(1920.0, true), (1921.0, false)] {
            let r = try GenericRecordingCSV.parse(Array(Self.csv(repeatBoundary: false, restStartS: restS).utf8), name: "p.csv")
            let tl = try PlantTimeline(recording: r, referenceSOC: r.operations.map {
                $0.providedSOC ?? [Double](repeating: .nan, count: $0.samples.count)
            })
            #expect(tl.operations.map(\.continuesPrevious) == [false, true, continues], "rest from \(restS) s")
        }
    }

    @Test("the timeline keeps the repeated row as the next operation's first sample")
    func timelineKeepsRepeatedRow() throws {
        let recording = try GenericRecordingCSV.parse(Array(Self.csv(repeatBoundary: true).utf8), name: "log.csv")
        var timeline = try PlantTimeline(recording: recording, referenceSOC: recording.operations.map {
            $0.providedSOC ?? [Double](repeating: .nan, count: $0.samples.count)
        })
        #expect(timeline.operations.count == 3)
        #expect(timeline.operations.map { timeline.timeS[$0.first] } == [0, 100, 1900])
        let atBoundary = timeline.sample(at: 100, dt: 1)
        #expect(atBoundary.operation == 1 && atBoundary.plant.currentA == -2)
        let inside = timeline.sample(at: 105, dt: 1)      // between the repeated row and the next
        #expect(inside.operation == 1 && inside.plant.currentA == -2)
        let afterDischarge = timeline.sample(at: 1903, dt: 1)
        #expect(afterDischarge.operation == 2 && afterDischarge.plant.currentA == 0)
    }

    @Test("NASA: a gap operation lies between every two records, so no record continues another and the replay is unchanged",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func nasaRecordsNeverContinue() throws {
        let data = try NASADataset(root: try #require(SharedData.nasa))
        var changes = 0
        for recording in try data.recordings(cells: data.cells) {
            let timeline = try PlantTimeline(recording: recording, referenceSOC: zip(ReferenceSOC.label(recording), recording.operations).map {
                $0 ?? [Double](repeating: .nan, count: $1.samples.count)
            })
            #expect(timeline.operations.allSatisfy { !$0.continuesPrevious }, "\(recording.cell)")
            changes += timeline.operations.count - 1
        }
        print("NASA records after the first on the replay axis: \(changes)")
        #expect(changes > 2000)   // recorded operations after the first, each after a gap or a hole
    }
}
