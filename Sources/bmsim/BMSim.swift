import ArgumentParser

/// The `bmsim` command: replay recorded cells through BMS firmware, compare SOC methods,
/// train, quantize and export the fixed-point LSTM. The process entry point is `BMSimMain`
/// (CLIExitStatus.swift), which maps failures to exit statuses.
struct BMSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bmsim",
        abstract: "Battery-management firmware on the desktop: replay, compare, train, quantize.",
        version: "0.1.0",
        subcommands: [
            // Each subcommand lives in its own file, in the order of the main flows.
            ReplayCommand.self, CompareCommand.self, CompareMergeCommand.self,
            DataCommand.self,
            FitCommand.self, SimulateCommand.self, ClassicalEvalCommand.self,
            TrainCommand.self, EvaluateCommand.self, ShrinkCommand.self,
            InspectCommand.self, ExportCommand.self, GoldenCommand.self,
            BenchLSTMCommand.self, QuantizeCommand.self, SoakCommand.self, FusionNoiseCommand.self, FusionFloatCommand.self,
            EstimatorBenchCommand.self,
        ]
    )
}
