import ArgumentParser
import CellData
import Estimators
import Evaluation
import Foundation
import Replay

/// Loads recordings, builds the jobs (cells × scenarios), runs them on the thread pool
/// with a progress bar and SIGINT/SIGTERM handling; shared by `replay` and `compare`.
struct ReplayDriver {
    let shared: ReplaySharedOptions
    let keepTelemetry: Bool
    /// Time the estimator updates (ns/update in the report); off for reports that must be
    /// byte-identical from run to run (`compare --no-timing`).
    var measureTiming = true

    /// What a batch produced.
    struct Outcome {
        /// Finished runs, in job order.
        var finished: [ReplayResult]
        /// The index in the whole run list of each finished run.
        var finishedJobs: [Int] = []
        /// The noise draws: the whole run list is the cells × scenarios of each, one after another.
        var draws: [Int] = [0]
        /// Names of every run of the whole list (cell, source, scenario), in job order.
        var allKeys: [ReplayResult.RunKey] = []
        /// The noise draw of job `index` of the whole run list.
        func draw(ofJob index: Int) -> Int {
            draws[min(index / max(1, allKeys.count / max(1, draws.count)), draws.count - 1)]
        }
        /// The noise draw of each finished run.
        var finishedDraws: [Int] { finishedJobs.map(draw(ofJob:)) }
        /// Jobs stopped by SIGINT or SIGTERM: (cell, scenario).
        var interrupted: [(String, String)]
        /// Jobs that failed otherwise.
        var failed: [(String, String, ReplayError)]

        /// Reports unfinished jobs on stderr and exits non-zero if there were any (130 after
        /// SIGINT, 143 after SIGTERM).
        func finishOrExit() throws {
            for (cell, scenario, error) in failed {
                FileHandle.standardError.write(Data("bmsim: error: run \(cell) / \(scenario) failed: \(error)\n".utf8))
            }
            if !interrupted.isEmpty {
                FileHandle.standardError.write(Data("""
                interrupted: \(finished.count) runs finished and written; not finished: \
                \(interrupted.map { "\($0.0)/\($0.1)" }.joined(separator: ", "))\n
                """.utf8))
                throw ExitCode(InterruptHandler.status.rawValue)
            }
            if !failed.isEmpty {
                // No run finished and every job failed for one kind of reason: that reason's
                // status (a one-row CSV is a data error, 65); otherwise 1.
                let statuses = Set(failed.map { CLIExitStatus.classify($0.2) })
                if finished.isEmpty, statuses.count == 1, let status = statuses.first { throw ExitCode(status.rawValue) }
                throw ExitCode.failure
            }
        }
    }

    /// Runs every job of cells × scenarios, or only those of `shard` (each seeded by its cell and
    /// scenario names, so its results equal the same jobs' in a run without shards, or in any
    /// other list), once per noise draw of `draws` (default: `--noise-draw`'s one draw; the
    /// jobs of every draw share the thread pool, draw by draw in job order).
    func run(scenarios: [ReplayScenario], shard: ShardSpec? = nil, draws: [Int]? = nil) throws -> Outcome {
        InterruptHandler.install()
        // Scenario values that cannot be replayed are an input error before any work (status 65).
        for scenario in scenarios { try scenario.validate() }
        let recordings = try RecordingLoader.load(paths: shared.paths, cells: shared.cellNames,
                                                 currentSign: shared.currentSign.flatMap(GenericRecordingCSV.CurrentSign.init),
                                                 policy: QualityPolicy(acceptImplausible: shared.acceptImplausible))
        let fusionNoise = try shared.fusionNoiseDocument()
        let factory = try ClassicalEstimatorFactory.load(cellModelPath: shared.cellModel, lstmModelPath: shared.lstmModel,
                                                         baseConfig: shared.estimatorConfig(fusionNoise: fusionNoise?.noise))
        if shared.estimatorNames.contains(EstimatorKind.ekfLSTM.rawValue) {
            factory.warnOnFusionNoiseMismatch(fusionNoise, path: shared.lstmModel)
        }
        // Presets are sized for the bundled 18650: say when this cell scales them.
        let scaled = scenarios.filter { factory.currentScale(of: $0) != 1 }
        for k in Set(scaled.map { factory.currentScale(of: $0) }).sorted() {
            let names = scaled.filter { factory.currentScale(of: $0) == k }.map(\.name).joined(separator: ", ")
            FileHandle.standardError.write(Data(String(
                format: "note: scenario currents ×%.3g for this cell model (%.3g Ah; sized for %.3g Ah) in %@: sensor range, noise, bias, plausibility and protection limits, fault spikes, assumed capacity\n",
                k, factory.cellCapacityAh ?? 0, (factory.cellCapacityAh ?? 0) / k, names).utf8))
        }
        // A model of another cell makes every figure a measure of the model: say so first.
        for warning in CellModelMismatch.warnings(model: factory.model, recordings: recordings) {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        if let note = EstimatorList(names: shared.estimatorNames).twoPairNote(filterPairs: factory.model.filterPairs) {
            FileHandle.standardError.write(Data("note: \(note)\n".utf8))
        }
        // Check the estimator names once, before any work.
        for name in shared.estimatorNames where !factory.knownNames.contains(name) {
            if let kind = EstimatorList.kind(of: name), kind.needsBlobModel {
                throw ReplayError.estimatorSetup(name: name, detail: EstimatorFactoryError.blobModelMissing(kind: kind).description)
            }
            throw ReplayError.unknownEstimator(name: name, known: factory.knownNames)
        }
        let drawList = draws ?? [shared.noiseDraw]
        let allJobs = drawList.flatMap { draw in
            recordings.flatMap { r in
                scenarios.map {
                    // Only the first draw's figures are drawn.
                    ReplayJob(recording: r, scenario: $0,
                              seedOffset: ReplayJob.stableSeedOffset(cell: r.cell, scenario: $0.name, draw: draw),
                              keepsFigure: draw == drawList[0])
                }
            }
        }
        let jobIndices = allJobs.indices.filter { shard?.contains(jobIndex: $0) ?? true }
        let jobs = jobIndices.map { allJobs[$0] }
        let totalTicks = jobs.reduce(0) { sum, job in
            let ops = job.recording.operations
            guard let first = ops.first, let last = ops.last else { return sum }
            let ticks = (last.endTimeS - first.startTimeS) / job.scenario.baseTickSeconds
            // A span too long to replay is refused by the runner; it adds nothing to the bar here.
            return sum + (ticks.isFinite && ticks < ReplayRunner.maximumTicks ? Int(ticks) + 1 : 0)
        }
        // Every run keeps the data of its figure (a few hundred kB); the telemetry only when kept.
        let runner = ReplayRunner(factory: factory,
                                  options: ReplayOptions(telemetryEveryTicks: shared.telemetryEvery,
                                                         keepTelemetry: keepTelemetry, timingSampleEvery: measureTiming ? 64 : 0,
                                                         plotWindow: shared.plotWindow))
        FileHandle.standardError.write(Data("""
            replaying \(jobs.count) runs on \(shared.threads) threads (Ctrl-C or SIGTERM stops early; finished runs are written)\n
            """.utf8))
        let bar = ProgressBar(totalTicks: totalTicks, totalJobs: jobs.count, enabled: !shared.quiet)
        let clock = ContinuousClock()
        let start = clock.now
        let results = ReplayBatch(runner: runner, estimators: shared.estimatorNames, threads: shared.threads)
            .run(jobs) { ticks, done in bar.update(ticks: ticks, jobsDone: done) }
        let elapsed = clock.now - start
        bar.finish()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let ticksRun = results.reduce(0) { $0 + ((try? $1.get())?.ticks ?? 0) }
        FileHandle.standardError.write(Data(String(
            format: "replayed %d runs, %d ticks in %.2f s (%.0f ticks/s, %d threads; loading not included)\n",
            results.filter { (try? $0.get()) != nil }.count, ticksRun, seconds, Double(ticksRun) / max(seconds, 1e-9), shared.threads).utf8))
        var outcome = Outcome(finished: [], interrupted: [], failed: [])
        outcome.draws = drawList
        outcome.allKeys = allJobs.map { ReplayResult.RunKey(cell: $0.recording.cell, source: $0.recording.source,
                                                            scenario: $0.scenario.name) }
        for (index, (job, result)) in zip(jobIndices, zip(jobs, results)) {
            // With several draws a run is named with its draw.
            let scenario = drawList.count > 1 ? "\(job.scenario.name) (noise draw \(outcome.draw(ofJob: index)))" : job.scenario.name
            switch result {
            case let .success(r):
                outcome.finished.append(r)
                outcome.finishedJobs.append(index)
            case .failure(.interrupted): outcome.interrupted.append((job.recording.cell, scenario))
            case let .failure(error): outcome.failed.append((job.recording.cell, scenario, error))
            }
        }
        return outcome
    }
}
