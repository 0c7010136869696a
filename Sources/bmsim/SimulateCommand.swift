import ArgumentParser
import CellModel
import Foundation

/// `bmsim simulate`: drive a cell model with a synthetic current profile or a standard drive
/// cycle (UDDS, US06, WLTC, HWFET, or a current / power / speed trace from a file) and write a
/// recording with exact SOC in the generic recording CSV format (`Docs/DataFormats.md`,
/// current + = charge).
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write a synthetic recording (exact SOC) from a cell model and a current profile or drive cycle.")

    /// Built-in synthetic profiles (the drive cycles are `DriveOptions.standardCycles`).
    enum Profile: String, CaseIterable {
        /// CC–CV charge from 10 %, rest, 4 A pulse discharge (30 s on / 30 s off) to 3.0 V, rest.
        case cycle
        /// From full: rest, drive-cycle-like random-walk discharge (mean 1.5 A) to 3.0 V, rest.
        case drive
        /// From full: 2 A constant-current discharge to 3.0 V, rest.
        case constant
    }

    @Option(name: .customLong("cell-model"), help: "Cell model file (default: the synthetic hand-made 18650).")
    var cellModel: String?

    @Option(name: .customLong("model"), help: .hidden) var legacyModel: String?

    /// `--cell-model`, or its old spelling `--model`.
    var model: String? { cellModel ?? legacyModel }

    @Option(help: ArgumentHelp("Profile: \(Profile.allCases.map(\.rawValue).joined(separator: ", ")); a drive cycle \(DriveOptions.standardCycles.joined(separator: ", ")) (vehicle speed through a small vehicle model); or a trace FILE.csv with time_s and current_a, power_w or speed_mps (Docs/DataFormats.md §6).",
                               valueName: "name|FILE.csv"))
    var profile: String = Profile.cycle.rawValue

    @Option(help: "Tick, s (default 10; 1 for drive cycles).")
    var dt: Double?

    @OptionGroup(title: "Drive cycles") var drive: DriveOptions

    @Option(help: "Cell temperature, °C.")
    var temperature: Double = 24

    @Option(help: "Voltage sensor noise σ, V.")
    var voltageNoise: Double = 0.002

    @Option(help: "Current sensor noise σ, A.")
    var currentNoise: Double = 0.005

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Output CSV.")
    var out: String

    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try OptionAlias.merge(cellModel, legacyModel, new: "--cell-model", old: "--model")
        // 0.01 s keeps the longest profile (≈ 8.5 h) under 3.1 million rows.
        if let dt { try OptionCheck.require(dt, in: 0.01...60, "--dt", unit: "s") }
        try OptionCheck.require(temperature, in: -40...80, "--temperature", unit: "°C")
        try OptionCheck.require(voltageNoise, in: 0...0.5, "--voltage-noise", unit: "V")
        try OptionCheck.require(currentNoise, in: 0...20, "--current-noise", unit: "A")
    }

    func run() throws {
        let cell = try model.map { try CellModelFile.load(from: URL(fileURLWithPath: $0)) }
            ?? CellModelParameters.synthetic18650()
        let synthetic = Profile(rawValue: profile)
        let dt = self.dt ?? (synthetic == nil ? 1 : 10)
        let startSOC = synthetic == .cycle ? 0.1 : (synthetic == nil ? drive.startSOC : 1.0)
        // A new cell of the model's type: its design capacity at the temperature (the model's
        // `capacityAh` when it has no design table), the capacity the estimators start from.
        let capacity = cell.initialCapacityAh(temperatureC: temperature)
        var simulator = CellSimulator(model: cell, pairCount: 2, capacityAh: capacity, soc: startSOC)
        let segments: [ProfileSegment]
        switch synthetic {
        case .cycle:
            segments = [.cccvCharge(currentA: 1.5, voltageV: 4.2, cutoffA: 0.05, durationS: 4 * 3600),
                        .rest(durationS: 600),
                        .pulses(currentA: -4, onS: 30, offS: 30, durationS: 4 * 3600, stopBelowV: 3.0),
                        .rest(durationS: 900)]
        case .drive:
            segments = [.rest(durationS: 120),
                        .randomWalk(meanA: -1.5, stepSigmaA: 0.3, limitA: 4, durationS: 4 * 3600, stopBelowV: 3.0),
                        .rest(durationS: 900)]
        case .constant:
            segments = [.rest(durationS: 120), .constant(currentA: -2, durationS: 4 * 3600, stopBelowV: 3.0),
                        .rest(durationS: 900)]
        case nil:
            segments = try drive.segments(profile: profile, cell: cell, capacityAh: simulator.capacityAh)
        }
        let generator = SyntheticCycleGenerator(dtSeconds: dt, temperatureC: temperature,
                                                voltageNoiseV: voltageNoise, currentNoiseA: currentNoise)
        let recording = generator.run(segments, simulator: &simulator, seed: seed)
        let name = URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent
        let text = recording.csvText(cell: name.uppercased(),
                                     source: "bmsim simulate --profile \(profile) --dt \(dt) --seed \(seed), model \(model ?? "synthetic18650")"
                                        + (synthetic == nil ? ", " + drive.summary : ""),
                                     capacityAh: simulator.capacityAh)
        try output.write(text, to: out)
        print("wrote \(out): \(recording.count) rows, SOC \(recording.soc.first!) → \(recording.soc.last!)")
    }
}
