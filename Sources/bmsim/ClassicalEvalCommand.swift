import ArgumentParser
import CellModel
import Estimators
import Evaluation
import Foundation

/// `bmsim classical-eval`: the discharge-only protocol (`Evaluation.DischargeEvaluation`) over
/// the test cells' discharges; prints the table and writes the typed report as JSON.
struct ClassicalEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classical-eval",
        abstract: "Score the classical SOC estimators on recorded NASA discharges (discharge-only protocol).")

    @Argument(help: "Folder of the NASA PCoE data.")
    var path: String

    @Option(help: "Cell model file (cell.json).")
    var model: String

    @Option(help: "Comma-separated cells (default: the test split).")
    var cells: String = FitCommand.testCells.joined(separator: ",")

    @Option(help: "Comma-separated methods (default: all).")
    var methods: String = EstimatorKind.classical.map(\.rawValue).joined(separator: ",")

    @Option(help: "Initial SOC: 'rested' (OCV of the rested first sample) or an offset such as -0.2 from the true SOC.")
    var initial: String = "rested"

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
        _ = try start()
        _ = try kinds()
    }

    func start() throws -> DischargeEvaluation.Start {
        if initial == "rested" { return .rested }
        guard let offset = Double(initial), offset.isFinite, (-1...1).contains(offset) else {
            throw ValidationError("--initial: 'rested' or an SOC offset in [-1, 1] such as -0.2, got '\(initial)'")
        }
        return .offset(offset)
    }

    func kinds() throws -> [EstimatorKind] {
        try methods.split(separator: ",").map { name in
            guard let k = EstimatorKind(rawValue: String(name)) else { throw ValidationError("unknown method \(name)") }
            return k
        }
    }

    func run() throws {
        let cellModel = try CellModelFile.load(from: URL(fileURLWithPath: model))
        var options = DischargeEvaluation.Options()
        options.start = try start()
        options.config.voltageNoiseV = voltageNoise
        if let q = socNoise { options.config.socProcessNoisePerS = q }
        options.config.useLearnedCapacity = !fixedCapacity
        options.config.learnedCapacityFollowsTemperature = !noCapacityTemperature
        if let sigma = ekfInitialSigma { options.config.ekfInitialSOCSigma = sigma }
        if let iterations = restIterations { options.config.restUpdateIterations = iterations }
        options.wakeUnderLoad = wakeUnderLoad
        options.giveSleepTime = !noSleepTime
        options.oracleCapacity = oracleCapacity
        let cellList = cells.split(separator: ",").map(String.init)
        let discharges = try EvaluationDischarge.load(root: URL(fileURLWithPath: path), cells: cellList)
        let report = try DischargeEvaluation(model: cellModel, methods: try kinds(), options: options).run(discharges, cells: cellList)
        print(report.wakeUpReadings.line)
        print(report.markdownTable())
        if listFailures {
            for m in report.methods { print(report.failureReport(m)) }
            print(RestedVoltageReport.report(discharges, restCurrentA: options.config.restCurrentA))
        }
        if let out { try output.write(try report.json(), to: out) }
    }
}
