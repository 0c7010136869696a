import ArgumentParser
import BMSCore
import Firmware
import Foundation
import Replay

/// `bmsim soak`: runs the firmware loop for many ticks on a synthetic cycling cell with
/// random sensor faults and reports throughput, memory and whether the state stayed finite.
struct SoakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Soak the firmware loop: many ticks with random faults; checks finite state and flat memory.")

    @Option(help: "Base ticks to run.")
    var ticks: Int = 10_000_000

    @Option(help: "Comma-separated estimators (default: ah,ocv,ekf,ukf).", transform: EstimatorList.parse)
    var estimators = EstimatorList(argument: "ah,ocv,ekf,ukf")!

    @Flag(help: "No progress note on stderr.")
    var quiet = false

    @Option(help: "Fault probability per tick for each fault kind.")
    var faultRate: Double = 1e-3

    @Option(help: "Seed.")
    var seed: UInt64 = 1

    @OptionGroup var format: FormatOption

    func validate() throws {
        guard ticks >= 1 else { throw ValidationError("--ticks must be >= 1") }
        guard faultRate >= 0 && faultRate <= 1 else { throw ValidationError("--fault-rate must be in 0…1") }
    }

    /// A cell cycling 2 A discharge 3000 s / rest 600 s / 1.5 A charge 4000 s / rest 600 s,
    /// with a linear OCV and 50 mΩ.
    static func plant(tick: Int, socBefore soc: inout Double) -> CellMeasurement {
        let t = tick % 8200
        let currentA: Double = t < 3000 ? -2 : (t < 3600 ? 0 : (t < 7600 ? 1.5 : 0))
        soc = min(1, max(0, soc + currentA / 7200))
        return CellMeasurement(voltageV: 3.0 + 1.2 * soc + 0.05 * currentA, currentA: currentA,
                               temperatureC: 25 + 3 * (1 - soc), dtSeconds: 1)
    }

    func run() throws {
        InterruptHandler.install()
        let factory = try ClassicalEstimatorFactory.load(cellModelPath: nil)
        let names = estimators.names
        let setup = EstimatorSetup(capacityAh: 2.0, initialSOC: 1, updatePeriodSeconds: 1, voltageNoiseV: 0.0005,
                                   currentNoiseA: 0.005)
        let bank = try names.map { try factory.makeEstimator(name: $0, setup: setup) }
        let faults = FaultConfig(dropoutRate: faultRate, nanRate: faultRate, stuckRate: faultRate / 10,
                                 spikeRate: faultRate, timestampJumpRate: faultRate)
        let config = FirmwareConfig(schedule: try TickSchedule(), sensor: .realistic, faults: faults,
                                    plausibility: PlausibilityLimits(stuckTicks: 10), seed: seed)
        var fw = try BMSFirmware(config: config, estimators: bank)
        var soc = 1.0
        let rssStart = residentBytes()
        if !quiet { FileHandle.standardError.write(Data("soak: running \(ticks) ticks (Ctrl-C or SIGTERM stops early and reports)\n".utf8)) }
        let clock = ContinuousClock()
        let start = clock.now
        var nonFinite = 0
        var done = 0
        for tick in 0..<ticks {
            if tick & 0xFFFF == 0 && ReplayCancellation.isRequested { break }
            if fw.telemetryNeedsDrain { fw.clearTelemetry() }
            fw.step(plant: Self.plant(tick: tick, socBefore: &soc))
            if tick & 0x3FF == 0 { nonFinite += fw.bank.estimates.filter { !$0.soc.isFinite }.count }
            done += 1
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let rssEnd = residentBytes()
        let report = SoakReport(
            ticksRequested: ticks, ticks: done, estimators: names, faultRatePerTickPerKind: faultRate, seconds: seconds,
            ticksPerSecond: Double(done) / seconds,
            injected: FaultKind.allCases.map { .init(kind: "\($0)", count: fw.injector.injected($0)) },
            flaggedTicks: zip(SoakReport.flagNames, fw.flaggedTicks).map { .init(kind: $0, count: $1) },
            finalSOC: zip(names, fw.bank.estimates).map { .init(estimator: $0, soc: $1.soc) },
            nonFiniteEstimatesSampled: nonFinite, residentKiBStart: rssStart / 1024, residentKiBEnd: rssEnd / 1024)
        try format.print(report)
        if done < ticks {
            throw ExitCode(InterruptHandler.status.rawValue)   // the report above says how far it got
        }
        if nonFinite > 0 || !fw.bank.estimates.allSatisfy({ $0.soc.isFinite }) { throw ExitCode.failure }
    }
}

/// What `bmsim soak` measured (`--format table|json|csv`).
struct SoakReport: TabularReport {
    /// Fault flag names in `BMSFirmware.flaggedTicks` order.
    static let flagNames = ["dropout", "nan", "stuck", "spike", "timestamp", "resync"]

    /// A count by name (a fault kind or flag).
    struct Count: Encodable { var kind: String; var count: Int }
    /// An estimator's SOC at the end.
    struct FinalSOC: Encodable { var estimator: String; var soc: Double }

    var ticksRequested: Int
    var ticks: Int
    var estimators: [String]
    var faultRatePerTickPerKind: Double
    var seconds: Double
    var ticksPerSecond: Double
    var injected: [Count]
    var flaggedTicks: [Count]
    var finalSOC: [FinalSOC]
    var nonFiniteEstimatesSampled: Int
    var residentKiBStart: Int
    var residentKiBEnd: Int

    var table: String {
        func list(_ counts: [Count]) -> String { counts.map { "\($0.kind) \($0.count)" }.joined(separator: ", ") }
        return """
            soak: \(ticks) ticks, estimators \(estimators.joined(separator: ",")), fault rate \(faultRatePerTickPerKind)/tick/kind
            \(String(format: "  %.2f s, %.0f ticks/s", seconds, ticksPerSecond))
              injected: \(list(injected))
              flagged ticks: \(list(flaggedTicks))
              final SOC: \(finalSOC.map { "\($0.estimator) \(String(format: "%.4f", $0.soc))" }.joined(separator: ", "))
              non-finite estimates seen (sampled every 1024 ticks): \(nonFiniteEstimatesSampled)
              resident memory: \(residentKiBStart) KiB at start, \(residentKiBEnd) KiB at end
            """ + (ticks < ticksRequested ? "\n  interrupted after \(ticks) of \(ticksRequested) ticks" : "")
    }

    var csvHeader: [String] { ["quantity", "key", "value"] }

    var csvRows: [[String]] {
        [["ticks", "", "\(ticks)"], ["ticks_requested", "", "\(ticksRequested)"], ["seconds", "", "\(seconds)"],
         ["ticks_per_second", "", "\(ticksPerSecond)"], ["fault_rate_per_tick_per_kind", "", "\(faultRatePerTickPerKind)"],
         ["non_finite_estimates_sampled", "", "\(nonFiniteEstimatesSampled)"],
         ["resident_kib_start", "", "\(residentKiBStart)"], ["resident_kib_end", "", "\(residentKiBEnd)"]]
            + injected.map { ["injected", $0.kind, "\($0.count)"] }
            + flaggedTicks.map { ["flagged_ticks", $0.kind, "\($0.count)"] }
            + finalSOC.map { ["final_soc", $0.estimator, "\($0.soc)"] }
    }
}

/// Resident set size, bytes (Linux /proc; 0 elsewhere).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}
