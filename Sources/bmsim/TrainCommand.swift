import ArgumentParser
import CellData
import FloatModel
import Foundation
import Trainer

/// `bmsim train`: trains the float LSTM SOC model on the benchmark task's splits (Docs/Benchmark.md),
/// or on a generic dataset's manifest split (`SOCDataset.load(_:)`).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the float LSTM SOC estimator (OpenBLAS) and write model.json, history CSV and loss SVG.",
        discussion: """
        After every epoch the whole training state is written to the checkpoint (temporary file, then rename). \
        SIGINT or SIGTERM stops training once the running epoch and its checkpoint are done (exit 130 or 143; a second \
        signal quits at once, the last checkpoint stays); run the same command with --resume CHECKPOINT to go on: \
        the model file is byte for byte that of an uninterrupted run. A checkpoint of other options or data is refused. \
        --data may also be a generic dataset (a folder of recording CSVs with its dataset.json, Docs/DataFormats.md §7) \
        or recording CSVs: its soc-labelled recordings, whole, split by the manifest (without one, every split is every recording).
        """)

    @Option(parsing: .upToNextOption, help: "NASA data folder (nasa_pcoe_battery or its parent), a generic dataset (folder or dataset.json), or recording CSVs.")
    var data: [String]
    @Option(help: "window (many-to-one, as the benchmark task in Docs/Benchmark.md) or stateful (many-to-many, truncated BPTT).")
    var mode: String = "stateful"
    @Option(help: "Architecture: \(Architecture.presetNames.joined(separator: ", ")) or a list like lstm:32,dense:1.")
    var arch: String = "tutorial"
    @Option(help: "Inputs: task (V, I, T, dI, dV), task+charge (plus Ah drawn since the discharge began), charge-no-current (V, T, dV, Ah), with --prior-capacity learned also charge-no-current+capacity (plus the prior capacity), charge-no-current+prior (plus the prior SOC s0 − q/C, s0 = 1 unless cut by --partial-starts) or charge-no-current+capacity+prior (both).")
    var features: String = "task"
    @Option(help: ArgumentHelp("Train on the residual to a coulomb-count prior 1 − q/C with this capacity C, Ah (e.g. the rated 2.0); "
                               + "0 = plain SOC label (as the benchmark task); learned = per discharge the capacity learned before it "
                               + "(the cell's previous discharge in its band, first the cell model's design capacity).", valueName: "Ah|learned"))
    var priorCapacity: PriorCapacityArgument = .fixed(0)
    @Option(help: "With --prior-capacity learned: training noise of the prior, a fraction (0.1 = uniform in ±10 %, new every epoch).")
    var priorNoise: Double = LearnedPriorCapacity.defaultTrainingNoise
    @Option(help: "With --prior-capacity learned: cell model whose design capacity by temperature starts each band (default: the bundled one).")
    var cellModel: String?
    @Option(help: "With a prior-SOC feature set (charge-no-current+capacity+prior): cut copies per training discharge that start part-way at a seeded step, from zero state, believing the reference SOC there ± --start-soc-error (0 = none).")
    var partialStarts: Int = 0
    @Option(name: .customLong("start-soc-error"), help: "With --partial-starts: half-width of the uniform error of each copy's start SOC, a fraction (0.03 = ±3 points).")
    var startSOCError: Double = PartialStarts.defaultStartSOCError
    @Option(name: .customLong("train-cells"), help: ArgumentHelp("NASA data: train on these cells instead of the benchmark split's (cell and split names, e.g. train,B0054,B0055); never a validation or test cell.", valueName: "cells"), transform: CellSelection.parse)
    var trainCells: CellSelection?
    @Option(help: "Maximum epochs.") var epochs: Int = 100
    @Option(help: "Seed (initialisation, dropout, shuffling).") var seed: UInt64 = 42
    @Option(help: "OpenBLAS threads (bit-identical results need the same count).") var threads: Int = 1
    @Option(help: "Data-parallel worker threads per batch (bit-identical results need the same count).") var workers: Int = 1
    @Option(help: "LSTM step kernel: blas (OpenBLAS per step), portable, avx2 or avx512 (fused C); default: the best this CPU runs.")
    var kernel: String?
    @Option(help: "Window mode: batch size.") var batchSize: Int = 32
    @Option(help: "Window mode: training-window stride (the benchmark task's 20; 1 = all windows).") var trainStride: Int = 20
    @Flag(help: "Window mode: shuffle windows each epoch (the benchmark task: no).") var shuffle = false
    @Option(help: "Stateful mode: parallel lanes.") var lanes: Int = 32
    @Option(help: "Stateful mode: truncated-BPTT steps per chunk.") var chunk: Int = 50
    @Option(help: "Adam learning rate.") var learningRate: Double = 1e-3
    @Option(help: "Global gradient-norm clip (0 = off).") var clipNorm: Double = 0
    @Option(help: "EarlyStopping patience.") var patience: Int = 15
    @Option(help: "Weight noise while training, in int8 steps of each weight row (1 = the span of int8 rounding; 0 = off).")
    var weightNoise: Double = 0
    @Option(help: "Loss: mse (one output, the scaled SOC) or gaussian-nll (an uncertainty head: the last dense layer gives the mean and log σ², trained on the Gaussian negative log-likelihood).")
    var loss: String = "mse"
    @Option(name: .customLong("nll-beta"), help: "With --loss gaussian-nll: β of β-NLL, gradients times σ^(2β) held constant (0 = plain NLL; 1 = the mean trained as by MSE, σ still the expected squared error).")
    var nllBeta: Double = 0
    @Option(name: .customLong("average-last"), help: ArgumentHelp("Weight averaging: keep the mean of the weights after each of the last N epochs instead of the best validation epoch's (0 = off).", valueName: "N"))
    var averageLast: Int = 0
    @Option(help: "Output model file (JSON).") var out: String
    @Option(help: "History CSV (default: <out without .json>.history.csv).") var history: String?
    @Option(help: "Loss-curve SVG (default: <out without .json>.loss.svg).") var svg: String?
    @Option(help: "Checkpoint rewritten (atomically) after every epoch (default: <out without .json>.checkpoint.json).")
    var checkpoint: String?
    @Option(help: ArgumentHelp("Go on from this checkpoint of an interrupted run with the same options and data; "
                               + "the model is bit-identical to an uninterrupted run's.", valueName: "checkpoint"))
    var resume: String?
    @Flag(help: "No progress bar (there is none either when stderr is not a terminal).") var quiet = false
    @OptionGroup var output: OutputOptions
    @OptionGroup var plausibility: AcceptImplausibleOption

    func validate() throws {
        guard SequenceMode(rawValue: mode) != nil else { throw ValidationError("--mode must be window or stateful") }
        // Upper bounds keep allocations (lanes × chunk × width, batch × window) and thread counts sane.
        for (value, range, name) in [(epochs, 1...100_000, "--epochs"), (threads, 1...OptionCheck.maximumThreads, "--threads"),
                                     (workers, 1...OptionCheck.maximumThreads, "--workers"), (batchSize, 1...65_536, "--batch-size"),
                                     (trainStride, 1...1_000_000, "--train-stride"), (lanes, 1...65_536, "--lanes"),
                                     (chunk, 1...100_000, "--chunk"), (patience, 0...100_000, "--patience")] {
            try OptionCheck.require(value, in: range, name)
        }
        try OptionCheck.require(clipNorm, in: 0...1e6, "--clip-norm")
        guard workers >= 1, mode == "window" || lanes % workers == 0 else {
            throw ValidationError("--workers must be ≥ 1 and divide --lanes in stateful mode")
        }
        if let kernel {
            guard let k = LSTMStepKernel(rawValue: kernel) else {
                throw ValidationError("--kernel must be one of \(LSTMStepKernel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            do { _ = try LSTMStepKernel.checked(k) } catch { throw ValidationError("--kernel: \(error.description)") }
        }
        guard FeatureSet(rawValue: features) != nil else {
            throw ValidationError("--features must be one of \(FeatureSet.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard TrainingLoss(rawValue: loss) != nil else {
            throw ValidationError("--loss must be one of \(TrainingLoss.allCases.map(\.rawValue).joined(separator: ", ")) (got \(loss))")
        }
        try OptionCheck.require(nllBeta, in: 0...1, "--nll-beta")
        try OptionCheck.require(averageLast, in: 0...epochs, "--average-last")
        try validatePrior()
        try OptionCheck.require(learningRate, in: 1e-9...1, "--learning-rate")
        guard weightNoise >= 0, weightNoise.isFinite else { throw ValidationError("--weight-noise must be finite and ≥ 0 (got \(weightNoise))") }
    }

    func run() throws {
        InterruptHandler.install()
        let source = try Dataset.open(paths: data, policy: plausibility.policy)
        var config = TrainingConfig()
        config.mode = SequenceMode(rawValue: mode)!
        config.featureSet = FeatureSet(rawValue: features)!
        config.learnedPrior = try learnedPriorRule()
        if case let .fixed(capacity) = priorCapacity, capacity > 0 { config.priorCapacityAh = capacity }
        if let rule = config.learnedPrior { config.priorCapacityAh = rule.firstCapacityAh(temperatureC: 25) }
        config.stepKernel = kernel.flatMap(LSTMStepKernel.init(rawValue:)) ?? .best
        config.epochs = epochs; config.seed = seed; config.threads = threads; config.workers = workers
        config.batchSize = batchSize; config.trainStride = trainStride; config.shuffle = shuffle
        config.lanes = lanes; config.chunkSteps = chunk; config.learningRate = learningRate
        config.clipNorm = clipNorm > 0 ? clipNorm : nil; config.earlyStoppingPatience = patience
        config.weightNoise = weightNoise
        config.loss = TrainingLoss(rawValue: loss)!
        config.nllBeta = nllBeta
        config.averageLastEpochs = averageLast > 0 ? averageLast : nil
        config.partialStarts = partialStarts > 0 ? PartialStarts(copies: partialStarts, startSOCError: startSOCError) : nil
        let architecture: Architecture
        do {
            architecture = try Architecture.named(arch, inputSize: config.featureSet.width).withOutputs(config.loss.outputCount)
        } catch { throw ValidationError(error.description) }

        let t0 = Date()
        let trainingCells = try trainCellsOverride(for: source)
        let dataset = try loadDataset(source, trainingCells: trainingCells, config: config)
        if !source.isNASA { say("data: \(source.description)") }
        let trainer = SOCTrainer(architecture: architecture, config: config, dataset: dataset)
        if let resume { try restore(trainer, from: resume) }
        try stopIfRequested(before: trainer)
        say("data: \(dataset.train.count) train / \(dataset.validation.count) validation / \(dataset.test.count) test cycles, hash \(dataset.dataHash), \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
        say("LSTM step kernel \(config.stepKernel.rawValue), \(config.workers) worker(s), \(config.threads) OpenBLAS thread(s)")
        say(TrainingReports.modelSummary(architecture, mode: config.mode, lookback: TaskSplit.lookback))
        let progress = TrainingProgress(bar: !quiet && isatty(STDERR_FILENO) != 0)
        let outcome = try trainer.train(onEvent: progress.report) { trainer in
            try output.write(try trainer.makeCheckpoint().encoded(), to: checkpointURL.path)
            return !InterruptHandler.isRequested
        }
        if case let .stopped(epoch) = outcome { try stopped(afterEpoch: epoch) }
        let meta = TrainingMetadata(config: config, epochsRun: trainer.history.count, bestEpoch: trainer.bestEpoch,
                                    dataHash: dataset.dataHash,
                                    bestValidationLoss: trainer.history.map(\.validationLoss).min(),
                                    trainCells: trainingCells)
        let model = FloatModelFile(network: trainer.network, scalers: dataset.scalers, training: meta)
        try output.write(try model.encoded(), to: out)
        let stem = out.hasSuffix(".json") ? String(out.dropLast(5)) : out
        let historyPath = history ?? stem + ".history.csv"
        let svgPath = svg ?? stem + ".loss.svg"
        try output.write(TrainingReports.historyCSV(trainer.history), to: historyPath)
        let title = "\(architecture.name), \(config.mode.rawValue) mode, seed \(seed)"
        try output.write(TrainingReports.lossCurveSVG(trainer.history, bestEpoch: trainer.bestEpoch, title: title), to: svgPath)
        let kept = trainer.averagedEpochs > 0
            ? "kept the mean of epochs \(trainer.history.count - trainer.averagedEpochs + 1)–\(trainer.history.count) (best validation epoch \(trainer.bestEpoch))"
            : "kept epoch \(trainer.bestEpoch)"
        say("\(kept) of \(trainer.history.count); wrote \(out), \(historyPath), \(svgPath)")
    }
}
