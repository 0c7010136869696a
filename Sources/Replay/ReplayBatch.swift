import CellData
import Foundation
import Synchronization

/// One unit of work of a batch: a recording under a scenario.
public struct ReplayJob: Sendable {
    /// The recording.
    public var recording: Recording
    /// The scenario.
    public var scenario: ReplayScenario
    /// The job's index in the whole run list, which seeds its noise; `nil` = its position in
    /// the batch. A shard of a larger run (`ComparisonPart`) sets it so that its jobs draw the
    /// same noise as in the run without shards.
    public var seedOffset: UInt64?

    /// Creates a job.
    public init(recording: Recording, scenario: ReplayScenario, seedOffset: UInt64? = nil) {
        self.recording = recording
        self.scenario = scenario
        self.seedOffset = seedOffset
    }
}

/// Runs many replays on a fixed number of threads. Each job's noise seed comes from its
/// index in the job list (never from the thread that runs it), and results are stored by
/// index, so the output is identical for any thread count.
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
                            seedOffset: jobs[index].seedOffset ?? UInt64(index),
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
