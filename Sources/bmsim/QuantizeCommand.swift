import ArgumentParser
import CellData
import FloatModel
import Foundation
import QuantizedLSTM
import Quantizer
import WeightBlob

/// `bmsim quantize model.json --calibration DIR --out model.bmsq [--evaluate]`:
/// post-training quantization of a float model (`ReferenceLSTMModel` JSON), calibrated on
/// NASA training discharges resampled to the 10 s grid, or on a generic dataset's labelled
/// recordings (its train split by default).
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Quantize a float LSTM model (JSON) to a .bmsq blob, calibrating on recorded discharges.")

    @Argument(help: "Float model JSON: `bmsim train`'s model file, or a ReferenceLSTMModel.")
    var model: String

    @Option(help: "Calibration data: the NASA PCoE folder (nasa_pcoe_battery or the folder holding it), a generic dataset (folder or dataset.json) or a recording CSV.")
    var data: String?

    @Option(name: .customLong("calibration"), help: .hidden) var legacyCalibration: String?

    @Option(help: "Calibration cells: names and split names (train, validation, test), comma-separated (default: train); a generic dataset's split is its manifest's (none: every recording).",
            transform: CellSelection.parse)
    var cells = CellSelection(.train)

    @Option(help: "Use every n-th usable discharge of the calibration cells.")
    var every: Int = 10

    @OptionGroup(title: "Quantization-aware training")
    var qatOptions: QATOptions

    @Flag(help: "Plain round-to-nearest weights instead of error-compensating (GPTQ-style) rounding.")
    var plainRounding = false

    @Flag(help: "Also report float vs int8 RMSE and |Δ| on the test split (the benchmark task's, Docs/Benchmark.md, or the dataset's).")
    var evaluate = false

    @Flag(help: "With --evaluate: also each test cell's figures.")
    var perCell = false

    @Option(help: "Also list the N discharges with the largest |int8 − float| (calibration, and test with --evaluate) and which quantization stage causes it.")
    var worst: Int = 0

    @Option(help: "Output blob.")
    var out: String

    @OptionGroup var output: OutputOptions
    @OptionGroup var plausibility: AcceptImplausibleOption

    @OptionGroup var kernelLayout: KernelLayoutArgument

    @OptionGroup var format: FormatOption

    func validate() throws {
        try OptionCheck.require(every, in: 1...1_000_000, "--every")
        try OptionCheck.require(worst, in: 0...1_000_000, "--worst")
        try OptionCheck.require(qatOptions.threads, in: 1...OptionCheck.maximumThreads, "--threads")
        if format.format != .table, qatOptions.qat || worst > 0 {
            throw ValidationError("--format \(format.format.rawValue) reports post-training quantization; --qat and --worst print tables (--format table)")
        }
        _ = try dataPath()
    }

    /// `--data`, or its old spelling `--calibration`.
    func dataPath() throws -> String {
        guard let path = try OptionAlias.merge(data, legacyCalibration, new: "--data", old: "--calibration") else {
            throw ValidationError("Missing expected argument '--data <data>' (the NASA PCoE data folder)")
        }
        return path
    }

    func run() throws {
        let float = try Self.loadFloatModel(model)
        let dataset = try Dataset.open(paths: [try dataPath()], policy: plausibility.policy)
        let selection = try dataset.labelled(selecting: cells.items)
        let cellList = selection.cells, discharges = selection.discharges
        if !selection.unlabelled.isEmpty {
            format.note("left out \(selection.unlabelled.count) recording(s) without a soc label: \(selection.unlabelled.joined(separator: "; "))")
        }
        guard !discharges.isEmpty else { throw CLIError.badInput(path: try dataPath(), reason: "no calibration discharge in --cells \(cells)") }
        let chosenIndices = Array(stride(from: 0, to: discharges.count, by: every))
        let chosen = chosenIndices.map { discharges[$0].resampled(dtS: float.stepSeconds ?? 10) }
        let labels = chosenIndices.map { discharges[$0].reportLabel }
        let sequences = chosen.map(\.rawSensorSamples)
        // A model trained with a learned prior runs each discharge at the capacity learned before it.
        let rule = Self.learnedPriorRule(model)
        let calibrationPriors = Self.learnedPriorsMAh(rule, discharges).map { all in chosenIndices.map { all[$0] } }
        let quantizer = PostTrainingQuantizer(errorCompensation: !plainRounding, cellFractionBits: qatOptions.cellFractionBits)
        let calibrationStarts = Self.startSOCs(dataset, chosenIndices.map { discharges[$0] })
        let (blob, report) = try quantizer.quantize(float, calibration: sequences,
                                                    priorCapacitiesAh: calibrationPriors?.map { Double($0) / 1000 },
                                                    startSOCs: calibrationStarts)
        if qatOptions.qat {
            return try runQAT(parent: float, postTraining: blob, report: report, dataset: dataset, cells: cellList,
                              discharges: discharges, rule: rule,
                              calibration: (chosen, calibrationPriors, calibrationStarts))
        }
        var withMeta = blob
        withMeta.metadata.append(BlobMetadataEntry(key: "calibration",
                                                   value: "\(chosen.count) discharges of \(cellList.joined(separator: " "))"))
        let bytes = try kernelLayout.encode(withMeta)
        try output.write(Data(bytes), to: out)
        let onCalibration = QuantizationEvaluation.run(float: float, blob: blob, sequences: sequences,
                                                       priorCapacitiesMAh: calibrationPriors, startSOCs: calibrationStarts)
        var summary = QuantizeReport(out: out, bytes: bytes.count, calibrationDischarges: chosen.count,
                                     calibrationSteps: report.calibrationSteps, featureScale: report.featureScale,
                                     cellFormats: blob.lstmLayers.map { "Q\(15 - $0.cellFractionBits).\($0.cellFractionBits)" },
                                     warnings: report.warnings, comparisons: [.init(data: "calibration", onCalibration)])
        var test: (discharges: [LabelledDischarge], series: [ResampledSeries]) = ([], [])
        if evaluate {
            let testDischarges = try dataset.labelled(selecting: ["test"]).discharges
            test = (testDischarges, testDischarges.map { $0.resampled(dtS: float.stepSeconds ?? 10) })
            summary.comparisons += Self.testComparisons(float: float, blob: blob, discharges: testDischarges,
                                                        series: test.series, priorsMAh: Self.learnedPriorsMAh(rule, testDischarges),
                                                        startSOCs: Self.startSOCs(dataset, testDischarges), perCell: perCell)
        }
        try format.print(summary)
        if worst > 0 {
            if rule != nil { print("note: the diagnosis below runs every discharge at the blob's prior capacity, not the learned ones") }
            if calibrationStarts != nil && blob.readsPriorSOC { print("note: the diagnosis below starts every recording's prior from full, not from its first label") }
            try Self.printDiagnosis(name: "calibration", float: float, blob: blob,
                                    discharges: chosen.indices.map { (labels[$0], sequences[$0]) }, count: worst)
            if evaluate {
                try Self.printDiagnosis(name: "test split", float: float, blob: blob,
                                        discharges: zip(test.discharges, test.series).map { ($0.reportLabel, $1.rawSensorSamples) },
                                        count: worst)
            }
        }
    }

    /// A trainer model file (`"format": "bmsim-float-lstm"`) or a `ReferenceLSTMModel` JSON.
    static func loadFloatModel(_ path: String) throws -> ReferenceLSTMModel {
        let url = URL(fileURLWithPath: path)
        let data: Data
        data = Data(try InputBytes.read(path))
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           object["format"] as? String == FloatModelFile.formatTag {
            do {
                return try ReferenceLSTMModel(try FloatModelFile.read(from: url))
            } catch {
                throw CLIError.badInput(path: path, reason: "\(error)")
            }
        }
        do {
            return try JSONDecoder().decode(ReferenceLSTMModel.self, from: data)
        } catch {
            throw CLIError.badInput(path: path, reason: "neither a bmsim-float-lstm model nor a ReferenceLSTMModel: \(error)")
        }
    }
}
