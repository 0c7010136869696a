import ArgumentParser
import CellData
import CellModel
import Estimators
import Evaluation
import Foundation

/// `bmsim classical-eval`: the discharge-only protocol (`Evaluation.DischargeEvaluation`) over
/// the test cells' discharges (NASA), or the `soc`-labelled recordings of a generic dataset's
/// selection; prints the table and writes the typed report as JSON.
struct ClassicalEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classical-eval",
        abstract: "Score the classical SOC estimators on recorded NASA discharges or a dataset's labelled recordings (discharge-only protocol).",
        discussion: """
            --data is the NASA PCoE folder, a generic dataset (a folder of recording CSVs with or without its dataset.json, \
            or the manifest) or recording CSVs (Docs/DataFormats.md §1, §7). A generic recording is scored whole against \
            its soc column; recordings without one are left out (listed), and a selection with none is an error.
            """)

    @Option(parsing: .upToNextOption,
            help: "NASA PCoE data folder (nasa_pcoe_battery or the folder holding it), a generic dataset (folder or dataset.json), or recording CSVs.")
    var data: [String] = []

    @Option(name: .customLong("cell-model"), help: "Cell model file (cell.json, written by `bmsim fit`).")
    var cellModel: String?

    @Option(help: "Cells: names and split names (train, validation, test), comma-separated (default: test); a generic dataset's split is its manifest's (none: every recording), and its recordings may be named too.", transform: CellSelection.parse)
    var cells = CellSelection(.test)

    @Option(help: "Comma-separated estimators: ah, ah-pure, ocv, ekf-1rc, ekf-2rc, ukf-1rc, ukf-2rc (ekf, ukf), and with a blob lstm and ekf+lstm (default: the classical ones).",
            transform: EstimatorList.parse)
    var estimators = EstimatorList(EstimatorKind.classical)

    @Option(name: .customLong("lstm-model"), help: "Fixed-point LSTM blob (.bmsq) for lstm and ekf+lstm (default: Fixtures/models/lstm-soh-shrunk.bmsq for lstm and lstm-soh-nll.bmsq for ekf+lstm, when present).")
    var lstmModel: String?

    @Option(name: .customLong("fusion-noise"), help: "ekf+lstm's noise learned on your own validation data (`bmsim fusion-noise --out FILE`; default: the one learned on NASA's validation cells).")
    var fusionNoiseFile: String?

    @Option(name: .customLong("fusion-decorrelation"), help: "Experiment: ekf+lstm's decorrelation time τ, s (default: LSTMFusionNoise.default).")
    var fusionDecorrelation: Double?

    @Option(help: "Feed every discharge on a uniform grid of this many seconds (interpolated; 0.1 … 60); default: the native samples, or 1 s when lstm or ekf+lstm is listed (their 10 s model step needs a regular tick).")
    var grid: Double?

    @Option(name: .customLong("initial-soc"),
            help: "Initial SOC: 'rested' (OCV of the rested first sample) or an offset such as -0.2 from the true SOC (default: rested).",
            transform: InitialSOC.parse)
    var initialSOC: InitialSOC = .rested

    @OptionGroup var legacy: ClassicalEvalLegacyOptions

    @Option(help: "Voltage noise σ for the filters, V (default: from the model's fit residual).")
    var voltageNoise: Double?

    @Option(help: "SOC process noise, fraction²/s.")
    var socNoise: Double?

    @Flag(help: "Count against the model's fixed capacity (no learning).")
    var fixedCapacity = false

    @Option(help: "EKF initial SOC σ, fraction (default: EstimatorConfig.ekfInitialSOCSigma, else initialSOCSigma).")
    var ekfInitialSigma: Double?

    @Option(help: "EKF update iterations on the rested wake-up sample (default: EstimatorConfig.restUpdateIterations).")
    var restIterations: Int?

    @Flag(help: "Experiment: withhold each discharge's leading rested samples (|I| ≤ the rest current), so the estimators wake up under load.")
    var wakeUnderLoad = false

    @Flag(help: "Do not give the estimators the rest before each discharge (the first sample's Δt is then 0, history unknown, and the wake-up reading is not corrected for the rest).")
    var noSleepTime = false

    @Flag(help: "Experiment (oracle, not a BMS figure): count each discharge against that cycle's own NASA capacity_Ah, to separate capacity-prediction error from the rest.")
    var oracleCapacity = false

    @Flag(help: "Use each band's learned capacity as measured, not carried to the discharge's start temperature by the model's capacity-vs-temperature table.")
    var noCapacityTemperature = false

    @Flag(help: "After each method's row, list the discharges not within ±2 % at 600 s (cell, cycle, ambient, error from each start).")
    var listFailures = false

    @Option(help: "Write the report as JSON here.")
    var out: String?

    @OptionGroup var output: OutputOptions
    @OptionGroup var plausibility: AcceptImplausibleOption

    @OptionGroup var format: FormatOption

    func validate() throws {
        if let sigma = ekfInitialSigma, !(sigma.isFinite && sigma > 0) {
            throw ValidationError("--ekf-initial-sigma must be a positive number, got \(sigma)")
        }
        if let iterations = restIterations, !(1...100).contains(iterations) {
            throw ValidationError("--rest-iterations must be 1…100, got \(iterations)")
        }
        if let voltageNoise { try OptionCheck.require(voltageNoise, in: 1e-6...1, "--voltage-noise", unit: "V") }
        if let socNoise { try OptionCheck.require(socNoise, in: 0...1e-2, "--soc-noise", unit: "fraction²/s") }
        if oracleCapacity && fixedCapacity {
            throw ValidationError("--oracle-capacity and --fixed-capacity each set the capacity; give one")
        }
        if let grid { try OptionCheck.require(grid, in: 0.1...60, "--grid", unit: "s") }
        if let fusionDecorrelation { try OptionCheck.require(fusionDecorrelation, in: 0...1e6, "--fusion-decorrelation", unit: "s") }
        _ = try inputs()
    }

    func run() throws {
        let (dataPath, cellModelPath) = try inputs()
        let cellModel = try CellModelFile.load(from: URL(fileURLWithPath: cellModelPath))
        var options = DischargeEvaluation.Options()
        options.start = (legacy.initial ?? initialSOC).start
        options.config.voltageNoiseV = voltageNoise
        if let q = socNoise { options.config.socProcessNoisePerS = q }
        options.config.useLearnedCapacity = !fixedCapacity
        options.config.learnedCapacityFollowsTemperature = !noCapacityTemperature
        if let sigma = ekfInitialSigma { options.config.ekfInitialSOCSigma = sigma }
        if let iterations = restIterations { options.config.restUpdateIterations = iterations }
        options.wakeUnderLoad = wakeUnderLoad
        options.giveSleepTime = !noSleepTime
        options.oracleCapacity = oracleCapacity
        let fusionDocument = try fusionNoiseFile.map { path throws(LSTMFusionNoiseFileError) in try LSTMFusionNoiseFile.load(path: path) }
        if let fusionDocument { options.config.fusionNoise = fusionDocument.noise }
        options.config.fusionNoise = options.config.fusionNoise.adjusted(decorrelationSeconds: fusionDecorrelation, sigmaScale: nil)
        let list = try legacy.estimators(estimators)
        let kinds = list.kinds(filterPairs: cellModel.filterPairs)
        if let note = list.twoPairNote(filterPairs: cellModel.filterPairs) { format.note(note) }
        let needsBlob = kinds.contains(where: \.needsBlobModel)
        options.gridSeconds = grid ?? (needsBlob ? 1 : nil)
        let factory = needsBlob ? try ClassicalEstimatorFactory.load(cellModelPath: cellModelPath, lstmModelPath: lstmModel) : nil
        let blob = factory?.lstmModel
        if kinds.contains(.ekfLSTM) { factory?.warnOnFusionNoiseMismatch(fusionDocument, path: lstmModel) }
        if needsBlob && blob == nil {
            throw ValidationError(EstimatorFactoryError.blobModelMissing(kind: kinds.first(where: \.needsBlobModel) ?? .lstm).description)
        }
        let dataset = try Dataset.open(paths: dataPath, policy: plausibility.policy)
        let (discharges, cellList, unlabelled) = try EvaluationDischarge.load(dataset, selecting: cells.items)
        if !unlabelled.isEmpty {
            format.note("left out \(unlabelled.count) recording(s) without a soc label: \(unlabelled.joined(separator: "; "))")
        }
        let report = try DischargeEvaluation(model: cellModel, methods: kinds, options: options, lstmModel: blob,
                                             fusionLSTMModel: factory?.fusionLSTMModel)
            .run(discharges, cells: cellList)
        if let out { try output.write(try report.json(), to: out) }
        try format.print(report)
        if listFailures {
            for m in report.methods { format.note(report.failureReport(m)) }
            format.note(RestedVoltageReport.report(discharges, restCurrentA: options.config.restCurrentA))
        }
    }
}
