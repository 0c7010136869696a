import BMSCore
import Firmware
import Foundation
@testable import Replay
import Testing

/// An estimator with a training envelope that says its inputs are too hot on every update
/// whose current is a discharge: the replay must count, print and write what it says.
final class HotWhenDischargingEstimator: SOCEstimator {
    let name = "net"
    private(set) var estimate = SOCEstimate(soc: 1)
    let trainingEnvelope: TrainingEnvelope? = TrainingEnvelope(currentMinA: -2, currentMaxA: 0, temperatureMinC: 0,
                                                               temperatureMaxC: 40, startVoltageMinV: 4, socMin: 0, socMax: 1)
    private(set) var updates = 0
    private(set) var flagged = 0
    func update(_ m: CellMeasurement) -> SOCEstimate {
        updates += 1
        let hot = m.currentA < -0.05
        if hot { flagged += 1 }
        estimate = SOCEstimate(soc: estimate.soc, envelope: hot ? .temperature : [])
        return estimate
    }
    func reset(soc: Double) { estimate = SOCEstimate(soc: soc) }
    func wake(afterSleepSeconds seconds: Double) {}
    var stateBytes: Int { 4 }
}

@Suite("Training envelope in the replay report")
struct EnvelopeReportTests {
    @Test("the share of flagged updates, their reasons, the telemetry column and the report line")
    func reported() throws {
        let net = LockedBox<HotWhenDischargingEstimator?>(nil)
        let factory = ClosureEstimatorFactory([
            (name: "net", make: { _ in let e = HotWhenDischargingEstimator(); net.value = e; return e }),
            (name: "count", make: { CountingEstimator(setup: $0) }),
        ])
        let result = try ReplayRunner(factory: factory, options: ReplayOptions(telemetryEveryTicks: 1))
            .run(recording: syntheticRecording(), scenario: .nominal, estimators: ["net", "count"])
        let estimator = try #require(net.value)
        #expect(estimator.flagged > 0 && estimator.flagged < estimator.updates)
        let m = result.metrics[0]
        let share = try #require(m.outsideEnvelopeShare)
        #expect(abs(share - 100 * Double(estimator.flagged) / Double(estimator.updates)) < 1e-9)
        #expect(m.envelopeReasons == ["temperature"])
        #expect(result.metrics[1].outsideEnvelopeShare == nil && result.metrics[1].envelopeReasons == nil)

        let lines = ReplayOutput.telemetryCSV(result).split(separator: "\n")
        let header = lines[1].split(separator: ",").map(String.init)
        #expect(header.last == "envelope_net" && !header.contains("envelope_count"))
        let column = header.count - 1
        let currentColumn = try #require(header.firstIndex(of: "current_a"))
        let flagsColumn = try #require(header.firstIndex(of: "fault_flags"))
        var waiting = 0
        for line in lines.dropFirst(2) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(fields.count == header.count)
            // A wake-up tick awaiting confirmation shows the pre-sleep estimate and its flags.
            if let flags = UInt16(fields[flagsColumn]), FaultFlags(rawValue: flags).contains(.unconfirmed) {
                waiting += 1
                continue
            }
            #expect(fields[column] == (Double(fields[currentColumn])! < -0.05 ? "temperature" : ""))
        }
        // Telemetry every tick: one waiting tick per wake-up at least, and those with a
        // reference are the ones not scored.
        #expect((waiting > 0) == (result.sleptTicks > 0))
        #expect(m.unconfirmedTicks == result.metrics[1].unconfirmedTicks && (m.unconfirmedTicks ?? -1) <= waiting)

        let report = ComparisonReport(results: [result])
        #expect(report.textTable().contains("training envelope: net: \(String(format: "%.1f", share)) % of updates outside its training envelope (temperature)"))
        let row = try #require(report.csv().split(separator: "\n").first { $0.hasPrefix("SYN1,nominal,net,") })
        #expect(row.hasSuffix(",\(share)"))
    }
}

/// A mutable box shared with a `@Sendable` factory closure (tests only, single-threaded use).
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
