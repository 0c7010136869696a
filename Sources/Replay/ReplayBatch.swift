import CellData
import Firmware
import Foundation
import Synchronization

/// One unit of work of a batch: a recording under a scenario.
public struct ReplayJob: Sendable {
    /// The recording.
    public var recording: Recording
    /// The scenario.
    public var scenario: ReplayScenario
    /// Offset added to the scenario's seed for this job's noise. By default it is
    /// `stableSeedOffset(cell:scenario:)`, a hash of the cell's and the scenario's names, so a
    /// cell under a scenario draws the same noise whatever else is in the run list, in any
    /// order, in any shard.
    public var seedOffset: UInt64
    /// Keep the data of the run's figure (the runner's `plotWindow`) and its telemetry (when the
    /// runner keeps telemetry). Off for runs whose figure and telemetry file are never written,
    /// such as the later draws of `compare` or `replay --noise-draws`, so that they hold only
    /// their metrics in memory.
    public var keepsFigure: Bool

    /// Creates a job; `seedOffset` defaults to the stable hash of the cell and scenario names.
    public init(recording: Recording, scenario: ReplayScenario, seedOffset: UInt64? = nil, keepsFigure: Bool = true) {
        self.recording = recording
        self.scenario = scenario
        self.keepsFigure = keepsFigure
        self.seedOffset = seedOffset ?? ReplayJob.stableSeedOffset(cell: recording.cell, scenario: scenario.name)
    }

    /// FNV-1a-64 over the UTF-8 bytes of `cell`, a zero byte, and `scenario`, then, for a
    /// `draw` above 0, over a zero byte and the draw's decimal digits: the job's seed offset
    /// depends on what is replayed and which noise draw is asked for, never on its place in a
    /// list. Draw 0 is the default of every command.
    public static func stableSeedOffset(cell: String, scenario: String, draw: Int = 0) -> UInt64 {
        var bytes = Array(cell.utf8) + [0] + Array(scenario.utf8)
        if draw != 0 { bytes += [0] + Array(String(draw).utf8) }
        return bytes.reduce(TelemetryBuffer.fnvOffsetBasis) { TelemetryBuffer.fnv1a($0, word: UInt64($1)) }
    }
}

/// Runs many replays on a fixed number of threads. Each job's noise seed comes from the job
/// itself (`ReplayJob.seedOffset`, never from the thread that runs it or its place in the
/// list), and results are stored by index, so the output is identical for any thread count.
public struct ReplayBatch: Sendable {
    /// The runner used for each job.
    public let runner: ReplayRunner
    /// Estimator names.
    public let estimators: [String]
    /// Worker threads (≥ 1).
    public let threads: Int

    /// Creates a batch.
    public init(runner: ReplayRunner, estimators: [String], threads: Int) {
        self.runner = runner
        self.estimators = estimators
        self.threads = max(1, threads)
    }

    /// Runs every job; element i of the answer is job i's result or its error (e.g.
    /// `ReplayError.interrupted` for jobs stopped or never started after a SIGINT).
    /// `progress` receives (ticks done so far, jobs finished so far).
    public func run(_ jobs: [ReplayJob],
                    progress: (@Sendable (_ ticks: Int, _ jobsDone: Int) -> Void)? = nil) -> [Result<ReplayResult, ReplayError>] {
        let results = Mutex<[Result<ReplayResult, ReplayError>?]>(Array(repeating: nil, count: jobs.count))
        let next = Atomic<Int>(0)
        let ticksDone = Atomic<Int>(0)
        let jobsDone = Atomic<Int>(0)
        let work: @Sendable () -> Void = {
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < jobs.count else { return }
                let outcome: Result<ReplayResult, ReplayError>
                if ReplayCancellation.isRequested {
                    outcome = .failure(.interrupted)
                } else {
                    do throws(ReplayError) {
                        outcome = .success(try runner.run(
                            recording: jobs[index].recording, scenario: jobs[index].scenario, estimators: estimators,
                            seedOffset: jobs[index].seedOffset, keepsFigure: jobs[index].keepsFigure,
                            progress: { ticks in
                                let total = ticksDone.wrappingAdd(ticks, ordering: .relaxed).newValue
                                progress?(total, jobsDone.load(ordering: .relaxed))
                            }))
                    } catch {
                        outcome = .failure(error)
                    }
                }
                results.withLock { $0[index] = outcome }
                let done = jobsDone.wrappingAdd(1, ordering: .relaxed).newValue
                progress?(ticksDone.load(ordering: .relaxed), done)
            }
        }
        if threads == 1 {
            work()
        } else {
            let group = DispatchGroup()
            for _ in 0..<min(threads, max(1, jobs.count)) {
                let thread = Thread { work(); group.leave() }
                thread.stackSize = 8 << 20
                group.enter()
                thread.start()
            }
            group.wait()
        }
        return results.withLock { $0.map { $0 ?? .failure(.interrupted) } }
    }
}
