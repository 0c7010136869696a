import ArgumentParser
import BMSCore
import CellModel
import Estimators
import Foundation
import WeightBlob

/// `bmsim estimator-bench`: nanoseconds per `update` of each classical estimator on a
/// pre-generated measurement stream (simulated 1 s drive cycle), best of several repeats.
/// Timed with the thread's CPU clock, so time the thread spends descheduled on a shared
/// machine is not counted (cache and core sharing still are).
struct EstimatorBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimator-bench",
        abstract: "Time one update of each classical SOC estimator (use a release build).")

    @Option(name: .customLong("cell-model"), help: "Cell model file (default: the synthetic hand-made 18650).")
    var cellModel: String?

    @Option(name: .customLong("model"), help: .hidden) var legacyModel: String?

    @Option(name: .customLong("lstm-model"), help: "Fixed-point LSTM blob for lstm and ekf+lstm (default: Fixtures/models/lstm-soh-shrunk.bmsq for lstm and lstm-soh-nll.bmsq for ekf+lstm when present; both are skipped without one).")
    var lstmModel: String?

    @Option(help: "Updates per repeat.")
    var updates: Int = 200_000

    @Option(help: "Repeats (the best is reported).")
    var repeats: Int = 5

    @OptionGroup var format: FormatOption

    func validate() throws {
        _ = try OptionAlias.merge(cellModel, legacyModel, new: "--cell-model", old: "--model")
        try OptionCheck.require(updates, in: 1...100_000_000, "--updates")
        try OptionCheck.require(repeats, in: 1...1000, "--repeats")
    }

    func run() throws {
        let cell = try (cellModel ?? legacyModel).map { try CellModelFile.load(from: URL(fileURLWithPath: $0)) }
            ?? CellModelParameters.synthetic18650()
        // A stream that keeps the cell between 40 % and 80 %: sinusoidal load plus noise.
        var simulator = CellSimulator(model: cell, pairCount: 2, soc: 0.4)
        var rng = SeededGenerator(seed: 3)
        var stream: [CellMeasurement] = []
        stream.reserveCapacity(updates)
        for k in 0..<updates {
            let current = 1.2 * Double.sin(Double(k) * 2 * Double.pi / 7200) + 0.3 * rng.nextGaussian()
            let v = simulator.step(currentA: current, dtSeconds: 1, temperatureC: 25)
            stream.append(CellMeasurement(voltageV: v + 0.002 * rng.nextGaussian(), currentA: current,
                                          temperatureC: 25, dtSeconds: 1))
        }
        var report = EstimatorBenchReport(updates: updates, repeats: repeats)
        let factory = try ClassicalEstimatorFactory.load(cellModelPath: nil, lstmModelPath: lstmModel)
        for kind in EstimatorKind.classical + (factory.lstmModel == nil ? [] : [.lstm, .ekfLSTM]) {
            let estimator = try makeEstimator(kind, model: cell, lstmModel: factory.blob(for: kind), soc: 0.4)
            var best = Double.infinity
            var sink = 0.0
            for _ in 0..<repeats {
                estimator.reset(soc: 0.4)
                let t0 = Self.threadCPUNanoseconds()
                for m in stream { sink += estimator.update(m).soc }
                let t1 = Self.threadCPUNanoseconds()
                best = min(best, Double(t1 - t0) / Double(updates))
            }
            precondition(sink.isFinite)
            report.estimators.append(.init(estimator: kind.rawValue, nanosecondsPerUpdate: best, stateBytes: estimator.stateBytes))
        }
        try format.print(report)
    }

    /// CPU time of the calling thread, ns.
    static func threadCPUNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// `estimator-bench`'s report: CPU time per update and state size of each estimator.
struct EstimatorBenchReport: TabularReport {
    /// One estimator's figures.
    struct Row: Encodable {
        var estimator: String
        var nanosecondsPerUpdate: Double
        var stateBytes: Int
    }

    var updates: Int
    var repeats: Int
    var estimators: [Row] = []

    var table: String {
        (["| estimator | CPU ns per update (best of \(repeats) × \(updates)) | state bytes |", "|---|---|---|"]
            + estimators.map { "| \($0.estimator) | \(String(format: "%.0f", $0.nanosecondsPerUpdate)) | \($0.stateBytes) |" })
            .joined(separator: "\n")
    }

    var csvHeader: [String] { ["estimator", "ns_per_update", "state_bytes"] }

    var csvRows: [[String]] { estimators.map { [$0.estimator, "\($0.nanosecondsPerUpdate)", "\($0.stateBytes)"] } }
}
