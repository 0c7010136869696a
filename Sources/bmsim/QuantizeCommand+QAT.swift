import ArgumentParser
import CellData
import FixedPoint
import FloatModel
import Foundation
import QuantizedLSTM
import Quantizer
import Trainer
import WeightBlob

extension QATTarget: ExpressibleByArgument {}

/// `bmsim quantize --qat …`: quantization-aware fine-tuning options (see
/// Docs/QuantizationAwareTraining.md).
struct QATOptions: ParsableArguments {
    @Flag(help: "Quantization-aware fine-tuning: tune the float weights through the integer engine's rounding, then quantize them.")
    var qat = false

    @Option(help: "QAT epochs (passes over the training discharges).")
    var qatEpochs: Int = 3

    @Option(help: "QAT Adam learning rate.")
    var qatLearningRate: Double = 1e-4

    @Option(help: "QAT target: labels (reference SOC) or float (the parent float model's outputs).")
    var qatTarget: QATTarget = .float

    @Flag(help: "Start QAT from the float weights instead of the error-compensated (GPTQ-style) int8 weights, dequantized.")
    var qatFromFloat = false

    @Option(help: "Weight of the unquantized network's loss added to the int8 loss (0: int8 only).")
    var qatFloatWeight: Double = 0

    @Option(help: "Exponent p of the QAT loss Σ|error|^p (2: squared error; 4: aims at the largest errors), 2…8.")
    var qatLossExponent: Double = 2

    @Flag(help: "Write the tuned float weights as trained instead of snapped onto their int8 grid (q·s).")
    var qatKeepFloatWeights = false

    @Option(help: "Discharges (whole, streamed from a reset) per QAT Adam step.")
    var qatBatch: Int = 8

    @Option(help: "Use every n-th discharge of the calibration cells for QAT training.")
    var qatEvery: Int = 1

    @Option(help: "Seed of the QAT shuffle.")
    var qatSeed: UInt64 = 1

    @Option(help: "Tuned float model JSON to write (required with --qat).")
    var qatModelOut: String?

    @Option(help: "Worker threads for QAT (results do not depend on it).")
    var threads: Int = 1

    @Option(help: "Cell-state fraction bits n (Q(15-n).n, 8…12) for every LSTM layer; default: calibrated.")
    var cellFractionBits: Int?

    func validate() throws {
        let bitsRange = QFormat.cellFractionBitsRange
        if let bits = cellFractionBits, !bitsRange.contains(bits) {
            throw ValidationError("--cell-fraction-bits must be in \(bitsRange.lowerBound)…\(bitsRange.upperBound) (got \(bits))")
        }
        guard qat else { return }
        let config = QATConfig(epochs: qatEpochs, learningRate: qatLearningRate, sequencesPerBatch: qatBatch,
                               seed: qatSeed, threads: threads, floatLossWeight: qatFloatWeight,
                               lossExponent: qatLossExponent)
        if let problem = config.problem { throw ValidationError("--qat: \(problem)") }
        guard qatEvery >= 1 else { throw ValidationError("--qat-every must be ≥ 1 (got \(qatEvery))") }
        guard qatModelOut != nil else { throw ValidationError("--qat needs --qat-model-out FILE.json for the tuned float model") }
    }
}

extension QuantizeCommand {
    /// Fine-tunes `parent` with fake quantization under the post-training plan, writes the
    /// tuned float model and its blob, and prints the PTQ-vs-QAT report.
    func runQAT(parent: ReferenceLSTMModel, postTraining: BlobModel, report: PostTrainingQuantizer.Report,
                dataset: Dataset, cells: [String], discharges: [LabelledDischarge], rule: LearnedPriorCapacity?,
                calibration: (series: [ResampledSeries], priorsMAh: [Int32]?, startSOCs: [Double?]?)) throws {
        let options = qatOptions
        let step = parent.stepSeconds ?? 10
        let trainingIndices = Array(stride(from: 0, to: discharges.count, by: options.qatEvery))
        let training = trainingIndices.map { discharges[$0].resampled(dtS: step) }
        let validationDischarges = try dataset.labelled(selecting: ["validation"]).discharges
        let validation = validationDischarges.map { $0.resampled(dtS: step) }
        // A model trained with a learned prior (`rule`) runs each discharge at the capacity
        // learned before it (over all of its cell's discharges, then picked), from its start SOC.
        func priors(_ all: [LabelledDischarge], _ picked: [Int]?) -> [Int32]? {
            Self.learnedPriorsMAh(rule, all).map { p in picked.map { $0.map { p[$0] } } ?? p }
        }
        func starts(_ priorsMAh: [Int32]?, _ socs: [Double?]?) -> [FakeQuantStart]? {
            let count = priorsMAh?.count ?? socs?.count ?? 0
            return FakeQuantStart.list(count: count, priorCapacitiesMAh: priorsMAh,
                                       startSOCsCentiPercent: socs?.map { StartSOCs.centiPercent($0, blob: postTraining) })
        }
        let trainingPriors = priors(discharges, trainingIndices), validationPriors = priors(validationDischarges, nil)
        let trainingSOCs = Self.startSOCs(dataset, trainingIndices.map { discharges[$0] })
        let validationSOCs = Self.startSOCs(dataset, validationDischarges)
        let trainingStarts = starts(trainingPriors, trainingSOCs), validationStarts = starts(validationPriors, validationSOCs)
        func targets(_ series: [ResampledSeries], _ starts: [FakeQuantStart]?) throws -> [[Double]] {
            switch options.qatTarget {
            case .float: return TeacherLabels.outputs(of: parent, sequences: series.map(\.rawSensorSamples), starts: starts)
            case .labels:
                return try series.map { s in
                    guard let soc = s.soc, soc.count == s.count else { throw ValidationError("--qat-target labels: a discharge has no SOC labels") }
                    return soc
                }
            }
        }
        let config = QATConfig(epochs: options.qatEpochs, learningRate: options.qatLearningRate,
                               sequencesPerBatch: options.qatBatch, seed: options.qatSeed, threads: options.threads,
                               floatLossWeight: options.qatFloatWeight, lossExponent: options.qatLossExponent)
        print("QAT: \(training.count) training discharges (\(training.reduce(0) { $0 + $1.count }) steps), "
              + "\(validation.count) validation discharges, target \(options.qatTarget), start "
              + (options.qatFromFloat || plainRounding ? "float weights, " : "error-compensated int8 weights, ")
              + "cell formats " + report.cellFractionBits.map { "Q\(15 - $0).\($0)" }.joined(separator: ", "))
        // Start: the parent's weights, or (default) its error-compensated int8 weights
        // dequantized, so that epoch 0 is (nearly) the post-training blob.
        let start = options.qatFromFloat || plainRounding ? parent : try parent.withDequantizedWeights(of: postTraining)
        let qat = try QuantizationAwareTraining(model: start, plan: report.plan, config: config)
        let started = Date()
        if rule != nil { print("QAT: every discharge at the capacity learned before it (learned prior)") }
        let trained = try qat.train(sequences: training.map(\.rawSensorSamples), targets: try targets(training, trainingStarts),
                                    starts: trainingStarts,
                                    validation: (validation.map(\.rawSensorSamples), try targets(validation, validationStarts)),
                                    validationStarts: validationStarts) { record in
            print(String(format: "QAT epoch %d: train RMSE vs target %.3f points; validation RMSE %.3f, mean |Δ| %.3f, max |Δ| %.3f (%.0f s)",
                         record.epoch, record.trainRMSEPercent, record.validationRMSEPercent ?? .nan,
                         record.validationMeanAbsPercent ?? .nan, record.validationMaxAbsPercent ?? .nan,
                         Date().timeIntervalSince(started)))
        }
        print("QAT kept epoch \(qat.bestEpoch)")
        // The float model written (default): the tuned weights snapped onto their int8 grid
        // (ŵ = q·s), so that float and int8 differ by the integer arithmetic alone and the
        // blob is that model quantized with the plan.
        let tuned = options.qatKeepFloatWeights ? trained
            : try trained.withDequantizedWeights(of: try PostTrainingQuantizer().quantize(trained, plan: report.plan))

        var blob = try PostTrainingQuantizer().quantize(
            tuned, plan: report.plan,
            note: "quantization-aware (\(options.qatEpochs) epochs, lr \(options.qatLearningRate), target \(options.qatTarget), "
                + "float-loss weight \(options.qatFloatWeight), loss exponent \(options.qatLossExponent), seed \(options.qatSeed), kept epoch \(qat.bestEpoch)"
                + (options.qatKeepFloatWeights ? "" : ", weights snapped to the int8 grid") + "), round-to-nearest weights")
        blob.metadata.append(BlobMetadataEntry(key: "calibration", value: "\(calibration.series.count) discharges of \(cells.joined(separator: " "))"))
        let bytes = try BlobWriter.encode(blob)
        try output.write(Data(bytes), to: out)
        if let modelOut = options.qatModelOut { try Self.writeTunedModel(tuned, like: model, to: modelOut, output: output) }

        func labels(_ series: [ResampledSeries]) -> [[Double]]? {
            let all = series.compactMap { s in s.soc.flatMap { $0.count == s.count ? $0 : nil } }
            return all.count == series.count ? all : nil
        }
        var comparisons = [QuantizationComparison(
            name: "calibration cells", sequences: calibration.series.map(\.rawSensorSamples), labels: labels(calibration.series),
            parent: parent, postTrainingBlob: postTraining, tuned: tuned, tunedBlob: blob,
            priorCapacitiesMAh: calibration.priorsMAh, startSOCs: calibration.startSOCs),
            QuantizationComparison(
                name: "validation cells", sequences: validation.map(\.rawSensorSamples), labels: labels(validation),
                parent: parent, postTrainingBlob: postTraining, tuned: tuned, tunedBlob: blob,
                priorCapacitiesMAh: validationPriors, startSOCs: validationSOCs)]
        if evaluate {
            let testDischarges = try dataset.labelled(selecting: ["test"]).discharges
            let test = testDischarges.map { $0.resampled(dtS: step) }
            comparisons.append(QuantizationComparison(
                name: "test split", sequences: test.map(\.rawSensorSamples), labels: labels(test),
                parent: parent, postTrainingBlob: postTraining, tuned: tuned, tunedBlob: blob,
                priorCapacitiesMAh: priors(testDischarges, nil), startSOCs: Self.startSOCs(dataset, testDischarges)))
        }
        print(QuantizationComparison.markdown(comparisons))
        print("wrote \(out) (\(bytes.count) bytes)" + (options.qatModelOut.map { " and \($0)" } ?? ""))
    }

    /// The tuned weights in the input's format: a trainer model file keeps its scalers and
    /// metadata; a `ReferenceLSTMModel` JSON is written as one.
    static func writeTunedModel(_ tuned: ReferenceLSTMModel, like input: String, to path: String,
                                output: OutputOptions) throws {
        if let file = try? FloatModelFile.read(from: URL(fileURLWithPath: input)) {
            try output.write(try file.replacingWeights(with: tuned).encoded(), to: path)
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try output.write(encoder.encode(tuned), to: path)
        }
    }
}
