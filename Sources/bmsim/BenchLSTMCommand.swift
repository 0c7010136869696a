import ArgumentParser
import CBMSRuntime
import Foundation
import QuantizedLSTM
import Quantizer
import WeightBlob

/// `bmsim bench-lstm [--lstm-model model.bmsq]`: host latency of the integer LSTM — Swift engine
/// and C runtime, per streaming step and per 50-step window (batch 1, one thread).
/// Measure in a release build: `swift build -c release && .build/release/bmsim bench-lstm`.
struct BenchLSTMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-lstm",
        abstract: "Time the integer LSTM step and 50-step window (Swift engine and C runtime).")

    @Option(name: .customLong("lstm-model"), help: "Fixed-point LSTM blob (.bmsq) to time.")
    var lstmModel: String = "Fixtures/golden/golden-model.bmsq"

    @Option(name: .customLong("blob"), help: .hidden) var legacyBlob: String?

    /// `--lstm-model`, or its old spelling `--blob` when given.
    var blob: String { legacyBlob ?? lstmModel }

    @Option(help: "Streaming steps per measurement.")
    var steps: Int = 20_000

    @Option(help: "Windows per measurement.")
    var windows: Int = 400

    @Option(help: "Repetitions (the median is reported).")
    var repeats: Int = 5

    @OptionGroup var format: FormatOption

    func validate() throws {
        try OptionCheck.require(steps, in: 100...100_000_000, "--steps")
        try OptionCheck.require(windows, in: 10...1_000_000, "--windows")
        try OptionCheck.require(repeats, in: 1...1000, "--repeats")
    }

    func run() throws {
        let decoded = try BlobFile.load(blob)
        let bytes = try InputBytes.read(blob)
        let samples = SyntheticDischarge.samples(steps: steps, seed: 7)
        let engine = QuantizedLSTMEngine(model: decoded.model)

        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
        defer { storage.deallocate() }
        storage.copyBytes(from: bytes)
        let model = UnsafeMutablePointer<bms_lstm_model_t>.allocate(capacity: 1)
        let context = UnsafeMutablePointer<bms_lstm_context_t>.allocate(capacity: 1)
        defer { model.deallocate(); context.deallocate() }
        model.initialize(to: bms_lstm_model_t())
        context.initialize(to: bms_lstm_context_t())
        let status = bms_lstm_load_blob(storage.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count, model)
        guard status == BMS_OK else { throw ValidationError("C loader: \(String(cString: bms_status_name(status)))") }
        let words = Int(bms_lstm_workspace_words(model))
        let workspace = UnsafeMutablePointer<Int16>.allocate(capacity: words)
        defer { workspace.deallocate() }
        _ = bms_lstm_init_context(model, workspace, words, context)

        // Thread CPU time (CLOCK_THREAD_CPUTIME_ID), not wall time: the build machine is
        // shared, and CPU time of the one benchmark thread is what a dedicated core would see.
        func cpuSeconds() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        func median(_ body: () -> Int32) -> (seconds: Double, check: Int32) {
            var times: [Double] = []
            var check: Int32 = 0
            for _ in 0..<repeats {
                let start = cpuSeconds()
                check = body()
                times.append(cpuSeconds() - start)
            }
            return (times.sorted()[times.count / 2], check)
        }
        let swiftStep = median {
            engine.reset()
            var soc: Int32 = 0
            for s in samples { soc = engine.step(s) }
            return soc
        }
        let window = 50
        let swiftWindow = median {
            var soc: Int32 = 0
            samples.withUnsafeBufferPointer { all in
                for w in 0..<windows {
                    let start = (w * 7) % (samples.count - window)
                    soc = engine.runWindow(UnsafeBufferPointer(rebasing: all[start..<(start + window)]))
                }
            }
            return soc
        }
        let v = samples.map(\.voltageUV), i = samples.map(\.currentMA), t = samples.map(\.temperatureDeciC)
        // Every layer-step kernel this build and CPU have, the one init chose first.
        let chosen = bms_kernel_t(rawValue: UInt32(context.pointee.kernel))
        let kernels = [chosen] + [BMS_KERNEL_AVX512_VNNI, BMS_KERNEL_AVX2, BMS_KERNEL_BASELINE].filter {
            $0 != chosen && bms_lstm_set_kernel(context, $0) == BMS_OK
        }
        var cTimes: [(name: String, step: (seconds: Double, check: Int32), window: (seconds: Double, check: Int32))] = []
        for kernel in kernels {
            _ = bms_lstm_set_kernel(context, kernel)
            let cStep = median {
                bms_lstm_reset(context)
                var soc: Int32 = 0
                for s in samples { _ = bms_lstm_step_s8(context, s.voltageUV, s.currentMA, s.temperatureDeciC, &soc) }
                return soc
            }
            let cWindow = median {
                var soc: Int32 = 0
                for w in 0..<windows {
                    let start = (w * 7) % (samples.count - window)
                    v.withUnsafeBufferPointer { vp in i.withUnsafeBufferPointer { ip in t.withUnsafeBufferPointer { tp in
                        _ = bms_lstm_window_s8(context, vp.baseAddress! + start, ip.baseAddress! + start,
                                               tp.baseAddress! + start, window, &soc)
                    } } }
                }
                return soc
            }
            cTimes.append((String(cString: bms_lstm_kernel_name(kernel)), cStep, cWindow))
        }
        for c in cTimes where c.step.check != swiftStep.check || c.window.check != swiftWindow.check {
            throw ValidationError("Swift and C (\(c.name)) disagree: \(swiftStep.check) vs \(c.step.check)")
        }
        let engines = [BenchLSTMReport.Engine(engine: "swift", kernel: "swift", chosen: true,
                                              stepNanoseconds: swiftStep.seconds / Double(steps) * 1e9,
                                              windowMicroseconds: swiftWindow.seconds / Double(windows) * 1e6)]
            + cTimes.enumerated().map { n, c in
                // The first C kernel is the one the runtime picks by itself (what a user gets).
                BenchLSTMReport.Engine(engine: "c", kernel: c.name, chosen: n == 0,
                                       stepNanoseconds: c.step.seconds / Double(steps) * 1e9,
                                       windowMicroseconds: c.window.seconds / Double(windows) * 1e6)
            }
        try format.print(BenchLSTMReport(model: blob, multiplyAccumulates: decoded.model.multiplyAccumulates,
                                         blobBytes: bytes.count, repeats: repeats, steps: steps, windows: windows,
                                         engines: engines, lastStepSOC: Int(swiftStep.check),
                                         lastWindowSOC: Int(swiftWindow.check)))
    }
}

/// What `bmsim bench-lstm` measured (`--format table|json|csv`): the median thread CPU time
/// per streaming step and per 50-step window of each engine; every engine's outputs agreed.
struct BenchLSTMReport: TabularReport {
    /// One engine (the Swift engine, or the C runtime with one layer-step kernel).
    struct Engine: Encodable {
        var engine: String
        var kernel: String
        /// The kernel the C runtime picks by itself (always true for Swift).
        var chosen: Bool
        var stepNanoseconds: Double
        var windowMicroseconds: Double
    }

    var model: String
    var multiplyAccumulates: Int
    var blobBytes: Int
    var repeats: Int
    var steps: Int
    var windows: Int
    var engines: [Engine]
    /// The last SOC of the step run and of the window run (0.01 %), equal for every engine.
    var lastStepSOC: Int
    var lastWindowSOC: Int

    var table: String {
        var out = "model: \(multiplyAccumulates) MACs per step, \(blobBytes) bytes; median of \(repeats) runs, thread CPU time\n"
        for e in engines {
            let label = e.engine == "swift" ? "Swift engine" : (e.chosen ? "C runtime   " : "  C kernel  ")
            let note = e.engine == "swift" ? "" : "   (\(e.kernel)\(e.chosen ? ", chosen at run time" : ""))"
            out += String(format: "%@   step %8.0f ns   50-step window %8.1f µs", label, e.stepNanoseconds, e.windowMicroseconds) + note + "\n"
        }
        return out + "outputs agree (last SOC \(lastStepSOC) / window \(lastWindowSOC), 0.01 %)\n"
    }

    var csvHeader: [String] { ["engine", "kernel", "chosen", "step_ns", "window_us"] }

    var csvRows: [[String]] {
        engines.map { [$0.engine, $0.kernel, "\($0.chosen)", "\($0.stepNanoseconds)", "\($0.windowMicroseconds)"] }
    }
}
