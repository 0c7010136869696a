import ArgumentParser
import BMSCore
import Foundation
import QuantizedLSTM
import Quantizer
import WeightBlob

/// `bmsim golden --out Fixtures/golden [--model model.json] [--steps 10000] [--prior-schedule]
/// [--start-schedule]`: writes the
/// Swift-vs-C golden vectors — a blob and a stream of raw samples with the SOC the Swift
/// engine computes for each — that the C tests and the Cortex-M harness replay.
struct GoldenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "golden",
        abstract: "Write golden vectors (blob + samples + expected SOC) for the C runtime tests.")

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Float model JSON (trainer model file or ReferenceLSTMModel); default: a seeded random LSTM(64)→LSTM(32)→Dense(16)→Dense(1).")
    var model: String?

    @Option(help: "Number of steps.")
    var steps: Int = 10_000

    @Option(help: "Seed of the random model and the synthetic discharge.")
    var seed: UInt64 = 2026

    @Option(help: "Also write the float model as JSON here (input for `bmsim quantize`).")
    var floatOut: String?

    @Option(help: "LSTM hidden sizes of the random model, comma-separated.")
    var lstm: String = "64,32"

    @Option(help: "Dense output sizes of the random model, comma-separated (last 1, or 2 for an uncertainty head: blob format 6, golden-steps.bin version 3 with the log variance).")
    var dense: String = "16,1"

    @Flag(help: "Vary the prior capacity along the steps (a model with a coulomb-count prior): every 500 steps a new one, uniform in 0.5…1.5 × the blob's, seeded; golden-steps.bin version 2.")
    var priorSchedule = false

    @Flag(help: "Vary the start SOC along the steps (a model with a prior-SOC input, blob format 5): every 500 steps, 250 after each capacity change, a new one: 12000 and 0 (0.01 %) first, then uniform in 0…12000, seeded; golden-steps.bin version 4.")
    var startSchedule = false

    @OptionGroup var kernelLayout: KernelLayoutArgument
    @OptionGroup var output: OutputOptions

    func sizes(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 1 && $0! <= 256 }) else { return nil }
        return parts.map { $0! }
    }

    func validate() throws {
        guard steps >= 1 && steps <= 1_000_000 else { throw ValidationError("--steps must be 1…1000000") }
        guard sizes(lstm) != nil, let d = sizes(dense), d.last == 1 || d.last == 2 else {
            throw ValidationError("--lstm and --dense take sizes 1…256 separated by commas; the last dense size must be 1 (or 2: an uncertainty head)")
        }
    }

    /// A random head's log σ² stays within ±0.5; scaled by 80 and shifted by −8 it sweeps past
    /// both clamps (−16 by int16 saturation, 4 by `BlobUncertaintyHead.clamped`), which the
    /// golden vectors should cover.
    static func widenLogVariance(_ model: inout ReferenceLSTMModel) {
        let last = model.denseLayers.count - 1
        let width = model.denseLayers[last].inputSize
        for j in 0..<width { model.denseLayers[last].weight[width + j] *= 80 }
        model.denseLayers[last].bias[1] = model.denseLayers[last].bias[1] * 80 - 8
    }

    func run() throws {
        var float: ReferenceLSTMModel
        if let model {
            float = try QuantizeCommand.loadFloatModel(model)
        } else {
            float = ReferenceLSTMModel.random(lstmSizes: sizes(lstm)!, denseSizes: sizes(dense)!, seed: seed)
            if float.hasUncertaintyHead { Self.widenLogVariance(&float) }
        }
        if let floatOut {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try output.write(encoder.encode(float), to: floatOut)
        }
        let calibration = [SyntheticDischarge.samples(steps: 2400, seed: seed &+ 1)]
        let (blob, report) = try PostTrainingQuantizer().quantize(float, calibration: calibration)
        for warning in report.warnings { print("warning: \(warning)") }
        let bytes = try kernelLayout.encode(blob)
        let engine = QuantizedLSTMEngine(model: blob)
        let samples = SyntheticDischarge.samples(steps: steps, seed: seed)
        var schedule: [Int32]?
        if priorSchedule {
            guard engine.defaultPriorCapacityMAh > 0 else {
                throw ValidationError("--prior-schedule needs a model with a coulomb-count prior (priorCapacityAh)")
            }
            var rng = SeededGenerator(seed: seed &+ 2)
            let base = Double(engine.defaultPriorCapacityMAh)
            schedule = samples.indices.map { n in
                n % 500 == 0 ? Int32((base * (0.5 + rng.nextUnitDouble())).rounded()) : 0
            }
        }
        var starts: [Int32]?
        if startSchedule {
            guard blob.readsPriorSOC else {
                throw ValidationError("--start-schedule needs a model with a prior-SOC input (train --features …+prior)")
            }
            var rng = SeededGenerator(seed: seed &+ 3)
            let range = StartSOC.centiPercentRange
            // Both ends first (120 %, a count above full after a charge; then 0 %), then seeded draws.
            starts = samples.indices.map { n in
                guard n % 500 == 250 else { return -1 }
                switch n / 500 {
                case 0: return range.upperBound
                case 1: return range.lowerBound
                default: return range.lowerBound + Int32(rng.next() % UInt64(range.upperBound - range.lowerBound + 1))
                }
            }
        }
        if (schedule != nil || starts != nil) && blob.uncertaintyHead != nil {
            throw ValidationError("--prior-schedule or --start-schedule and an uncertainty head together have no golden-steps.bin format")
        }
        var vectors = GoldenVectors(samples: samples, socCentiPercent: samples.map { _ in 0 }, priorCapacityMAh: schedule,
                                    startSOCCentiPercent: starts)
        let outputs = try vectors.replayOutputs(on: engine)
        vectors.socCentiPercent = outputs.soc
        if blob.uncertaintyHead != nil { vectors.logVarianceQ11 = outputs.logVarianceQ11 }
        let folder = try output.folder(out)
        try output.write(Data(bytes), to: folder.appendingPathComponent("golden-model.bmsq").path)
        try output.write(Data(vectors.encoded()), to: folder.appendingPathComponent("golden-steps.bin").path)
        print("wrote golden-model.bmsq (\(bytes.count) bytes) and golden-steps.bin (\(steps) steps) to \(out)")
    }
}
