import Foundation
import Testing
import TestSupport

/// What `bmsim` writes is what it says: results on a full stdout are an error (status 73),
/// two runs never share an output file, and cell names with markup or commas stay text.
@Suite("bmsim results: stdout, run names, escaping", .serialized)
struct ReplayOutputCommandTests {
    /// A small generic recording CSV declaring `cell`: 10 min rest, 30 min of 2 A discharge
    /// (2 Ah), 10 min rest, a sample every 10 s, with its SOC.
    static func recordingCSV(cell: String) -> String {
        var text = "# bmsim recording v1\n# cell: \(cell)\n# current_sign: charge_positive\n"
            + "time_s,voltage_v,current_a,temperature_c,soc,operation,capacity_ah\n"
        var soc = 0.9, time = 0
        for (operation, samples, currentA) in [("rest", 60, 0.0), ("discharge", 180, -2.0), ("rest", 60, 0.0)] {
            for _ in 0..<samples {
                text += "\(time),\(3.5 + 0.6 * soc + 0.05 * currentA),\(currentA),25,\(soc),\(operation),2.0\n"
                soc += currentA * 10 / 7200
                time += 10
            }
        }
        return text
    }

    /// A scratch folder with `name.csv` recordings declaring the given cells.
    static func scratch(_ recordings: [(name: String, cell: String)]) throws -> URL {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-results-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        for r in recordings {
            try Data(recordingCSV(cell: r.cell).utf8).write(to: tmp.appendingPathComponent("\(r.name).csv"))
        }
        return tmp
    }

    /// The records of RFC 4180 CSV text (quoted fields, `""` inside quotes).
    static func parseCSV(_ text: String) -> [[String]] {
        let chars = Array(text)
        var records: [[String]] = [], record: [String] = [], field = ""
        var i = 0, quoted = false
        while i < chars.count {
            let c = chars[i]
            i += 1
            if quoted {
                if c != "\"" { field.append(c) } else if i < chars.count && chars[i] == "\"" { field.append(c); i += 1 } else { quoted = false }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",": record.append(field); field = ""
            case "\n": record.append(field); records.append(record); record = []; field = ""
            default: field.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }

    @Test("results on a full disk: status 73 and 'cannot write standard output'", arguments: [
        ["replay", "@TMP@/a.csv", "--estimators", "ah", "--quiet", "--format", "json", "--out", "@TMP@/out"],
        // More than the 4 KiB stdout buffer in one write (the C library writes it directly).
        ["replay", "@TMP@/a.csv", "@TMP@/b.csv", "@TMP@/c.csv", "--estimators", "ah,ekf", "--quiet", "--format", "json",
         "--out", "@TMP@/out"],
        ["replay", "@TMP@/a.csv", "--estimators", "ah", "--quiet", "--out", "@TMP@/out"],
        ["compare", "@TMP@/a.csv", "--estimators", "ah", "--scenarios", "nominal", "--quiet", "--out", "@TMP@/out"],
        ["data", "summary", "@TMP@/a.csv"],
        ["data", "synthetic", "--out", "@TMP@/x.csv"],
        ["inspect", SharedData.fixtures.appendingPathComponent("models/lstm-demo.bmsq").path],
    ])
    func fullDisk(_ command: [String]) throws {
        let tmp = try Self.scratch([("a", "CELL1"), ("b", "CELL2"), ("c", "CELL3")])
        defer { try? FileManager.default.removeItem(at: tmp) }
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let outcome = try BMSimProcess.run(command.map { $0.replacingOccurrences(of: "@TMP@", with: tmp.path) },
                                           standardOutput: full)
        #expect(!outcome.signalled && outcome.status == 73, "\(command): stderr \(outcome.stderr)")
        #expect(outcome.stderr.contains("bmsim: error: cannot write standard output: No space left on device"),
                "stderr: \(outcome.stderr)")
    }

    @Test("two recordings declaring the same cell: every run its own files, 'wrote N' counts them, rows differ")
    func sameCellTwice() throws {
        let tmp = try Self.scratch([("first", "SAME"), ("second", "SAME")])
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("out")
        let outcome = try BMSimProcess.run(["replay", tmp.appendingPathComponent("first.csv").path,
                                            tmp.appendingPathComponent("second.csv").path,
                                            "--estimators", "ah", "--quiet", "--format", "csv", "--out", out.path])
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(outcome.stderr.contains("wrote \(files.count) files to"), "stderr: \(outcome.stderr), files: \(files)")
        #expect(files.filter { $0.hasPrefix("telemetry_") }.count == 2, "\(files)")
        #expect(files.filter { $0.hasPrefix("run_") && $0.hasSuffix(".svg") }.count == 2, "\(files)")
        let rows = Self.parseCSV(try String(contentsOf: out.appendingPathComponent("comparison.csv"), encoding: .utf8)).dropFirst()
        #expect(rows.count == 2 && Set(rows.map { $0[0] }).count == 2, "\(rows)")
        #expect(rows.allSatisfy { $0[0].hasPrefix("SAME") })
        // stdout (the same table) tells the runs apart too.
        #expect(Set(Self.parseCSV(outcome.stdout).dropFirst().map { $0[0] }).count == 2, "stdout: \(outcome.stdout)")
    }

    @Test("cell names with markup, commas, quotes and bars stay text in HTML, CSV and Markdown")
    func hostileCellNames() throws {
        let names = ["A&B<script>alert(1)</script>", "a,b", "q\"uote|bar"]
        let tmp = try Self.scratch(names.enumerated().map { ("r\($0.offset)", $0.element) })
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("out")
        let outcome = try BMSimProcess.run(["replay"] + names.indices.map { tmp.appendingPathComponent("r\($0).csv").path }
                                           + ["--estimators", "ah", "--quiet", "--out", out.path])
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(!html.contains("<script>") && html.contains("A&amp;B&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("q&quot;uote|bar"))
        let csv = Self.parseCSV(try String(contentsOf: out.appendingPathComponent("comparison.csv"), encoding: .utf8))
        #expect(csv.count == 4 && csv.allSatisfy { $0.count == 15 }, "\(csv)")
        #expect(csv.dropFirst().map { $0[0] } == names)
        let markdown = try String(contentsOf: out.appendingPathComponent("comparison.md"), encoding: .utf8)
        let row = try #require(markdown.split(separator: "\n").first { $0.contains("uote") })
        #expect(row.contains("q\"uote\\|bar"))
        #expect(row.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count == 14, "\(row)")
    }
}
