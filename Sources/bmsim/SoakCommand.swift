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
        print("soak: \(done) ticks, estimators \(names.joined(separator: ",")), fault rate \(faultRate)/tick/kind")
        print(String(format: "  %.2f s, %.0f ticks/s", seconds, Double(done) / seconds))
        print("  injected: " + FaultKind.allCases.map { "\($0) \(fw.injector.injected($0))" }.joined(separator: ", "))
        print("  flagged ticks: dropout \(fw.flaggedTicks[0]), nan \(fw.flaggedTicks[1]), stuck \(fw.flaggedTicks[2]), spike \(fw.flaggedTicks[3]), timestamp \(fw.flaggedTicks[4]), resync \(fw.flaggedTicks[5])")
        print("  final SOC: " + zip(names, fw.bank.estimates).map { "\($0) \(String(format: "%.4f", $1.soc))" }.joined(separator: ", "))
        print("  non-finite estimates seen (sampled every 1024 ticks): \(nonFinite)")
        print("  resident memory: \(rssStart / 1024) KiB at start, \(rssEnd / 1024) KiB at end")
        if done < ticks {
            print("  interrupted after \(done) of \(ticks) ticks")
            throw ExitCode(InterruptHandler.status.rawValue)
        }
        if nonFinite > 0 || !fw.bank.estimates.allSatisfy({ $0.soc.isFinite }) { throw ExitCode.failure }
    }
}

/// Resident set size, bytes (Linux /proc; 0 elsewhere).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}
