import ArgumentParser
import CellData
import Dispatch
import Foundation

/// `bmsim data timing NASA_FOLDER`: how long reading the shared data takes (for
/// `Docs/Performance.md`; `Benchmarks/read_data.sh` runs it beside pandas and scipy).
struct DataTimingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timing",
        abstract: "Time reading every NASA CSV (discharge + charge + index) and B0025.mat; [min, median] s as JSON (default), a table or CSV.")

    @Argument(help: "The nasa_pcoe_battery folder.")
    var path: String

    @Option(help: "Repetitions; minimum and median are reported.")
    var repeats = 5

    @Option(help: "How results are printed on stdout (json is the default here: the figures feed Docs/Performance.md).")
    var format: OutputFormat = .json

    func validate() throws {
        try OptionCheck.require(repeats, in: 1...1000, "--repeats")
    }

    func run() throws {
        let root = URL(fileURLWithPath: path)
        let data = try NASADataset(root: root)
        let files = data.cells.flatMap { cell in
            ["discharge", "charge"].map { root.appendingPathComponent("\($0)/\(cell)_\($0).csv").path }
        }.filter { FileManager.default.fileExists(atPath: $0) }
        let indexPath = root.appendingPathComponent("cycles_index.csv").path
        let matPath = root.appendingPathComponent("mat/B0025.mat").path

        /// (minimum, median) wall seconds over the repetitions: the machine is shared, so the
        /// minimum is the least disturbed run.
        var cpu: [String: Double] = [:]
        func median(_ name: String = "", _ body: () throws -> Void) rethrows -> [Double] {
            var times: [Double] = [], cpuTimes: [Double] = []
            for _ in 0..<repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                let cpuStart = Self.threadCPUSeconds()
                try body()
                cpuTimes.append(Self.threadCPUSeconds() - cpuStart)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            if !name.isEmpty { cpu[name] = cpuTimes.min() }
            let sorted = times.sorted()
            return [sorted[0], sorted[sorted.count / 2]]
        }
        var rows = 0
        let csvSequential = try median("csv_parse_sequential_thread_cpu_min_s") {
            rows = try CyclesIndex.read(path: indexPath).count
            for f in files { rows += try NASASampleFile.read(path: f).reduce(0) { $0 + $1.samples.count } }
        }
        let csvParallel = try median {
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: files.count + 1)
            defer { counts.deallocate() }
            let failed = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
            defer { failed.deallocate() }
            failed.pointee = false
            nonisolated(unsafe) let c = counts, f = failed
            DispatchQueue.concurrentPerform(iterations: files.count + 1) { k in
                do {
                    c[k] = k == files.count ? try CyclesIndex.read(path: indexPath).count
                        : try NASASampleFile.read(path: files[k]).reduce(0) { $0 + $1.samples.count }
                } catch { f.pointee = true }
            }
            if failed.pointee { throw ExitCode(1) }
        }
        let recordings = try median { _ = try NASADataset(root: root).recordings(cells: data.cells) }
        let mat = try median("mat_b0025_parse_thread_cpu_min_s") { _ = try MATReader.read(path: matPath) }
        let matRecording = try median { _ = try NASAMatRecording.read(path: matPath) }
        let plainPath = root.appendingPathComponent("mat/B0025_uncompressed.mat").path
        let plain = try median("mat_b0025_uncompressed_parse_thread_cpu_min_s") { _ = try MATReader.read(path: plainPath) }
        let bytes = (files + [indexPath]).reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
        let report: [String: Any] = [
            "csv_files": files.count + 1, "csv_bytes": bytes, "csv_rows": rows, "repeats": repeats, "times": "[min, median] s",
            "csv_parse_sequential_s": csvSequential, "csv_parse_parallel_s": csvParallel,
            "csv_recordings_all_cells_parallel_s": recordings,
            "mat_b0025_parse_s": mat, "mat_b0025_recording_s": matRecording, "mat_b0025_uncompressed_parse_s": plain,
            "cores": ProcessInfo.processInfo.activeProcessorCount,
        ]
        let full = report.merging(cpu) { a, _ in a }
        switch format {
        case .json:
            let json = try JSONSerialization.data(withJSONObject: full, options: [.prettyPrinted, .sortedKeys])
            try StandardOutput.write(String(decoding: json, as: UTF8.self) + "\n")
        case .table, .csv:
            // One row per quantity; a [min, median] pair as two columns.
            let rows = full.keys.sorted().map { key -> [String] in
                let value = full[key]!
                if let pair = value as? [Double], pair.count == 2 { return [key, "\(pair[0])", "\(pair[1])"] }
                return [key, "\(value)", ""]
            }
            if format == .csv {
                try StandardOutput.write((
                    [["quantity", "min_or_value", "median"]] + rows).map(CSVField.line).joined())
            } else {
                let width = rows.map { $0[0].count }.max() ?? 0
                try StandardOutput.write(rows.map { $0[0].padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + $0[1] + ($0[2].isEmpty ? "" : "  " + $0[2]) }.joined(separator: "\n") + "\n")
            }
        }
    }

    /// CPU seconds used by the calling thread (robust to other processes on a shared machine).
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
