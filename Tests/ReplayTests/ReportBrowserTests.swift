import Foundation
import Testing
@testable import Replay

/// Opens a report in a headless Chromium (Debian's `chromium` package): the page logs nothing
/// to the console and every figure loads and decodes (a missing or malformed SVG has no
/// natural width). Skipped when no Chromium is installed; not part of `.ci/run`'s setup.
@Suite("Report in a headless browser")
struct ReportBrowserTests {
    /// The browser: `$BMSIM_BROWSER`, else the first of the usual Chromium paths that exists.
    static let browser: String? = {
        let candidates = [ProcessInfo.processInfo.environment["BMSIM_BROWSER"], "/usr/bin/chromium",
                          "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// A page beside `index.html` that loads it in a frame and, once everything has loaded,
    /// writes how many images the report has and which of them did not decode.
    static let checkPage = """
    <!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
    <iframe id="report" src="index.html" width="1200" height="800"></iframe><pre id="result">pending</pre>
    <script>
    window.addEventListener("load", () => {
      const doc = document.getElementById("report").contentDocument;
      const images = Array.from(doc ? doc.images : []);
      const broken = images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute("src"));
      document.getElementById("result").textContent = "images=" + images.length + " broken=" + JSON.stringify(broken);
    });
    </script></body></html>
    """

    @Test("index.html opens without console messages and every figure decodes", .enabled(if: browser != nil),
          .timeLimit(.minutes(2)))
    func opensCleanly() throws {
        let runner = ReplayRunner(factory: testFactory, options: ReplayOptions(keepTelemetry: false, plotWindow: .all))
        let runs = try [ReplayScenario.nominal, .currentBias].map {
            try runner.run(recording: syntheticRecording(cell: "<script>&\"'"), scenario: $0, estimators: ["count", "volt"])
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-browser-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try ReplayOutput(directory: dir).writeAll(results: runs, report: ComparisonReport(results: runs), telemetryCSV: false)
        try Data(Self.checkPage.utf8).write(to: dir.appendingPathComponent("browser-check.html"))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.browser))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
                             "--user-data-dir=\(dir.appendingPathComponent("profile").path)", "--enable-logging=stderr",
                             "--v=0", "--virtual-time-budget=10000", "--dump-dom",
                             dir.appendingPathComponent("browser-check.html").absoluteString]
        let stdoutURL = dir.appendingPathComponent("stdout"), stderrURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let dom = try String(contentsOf: stdoutURL, encoding: .utf8)
        let log = try String(contentsOf: stderrURL, encoding: .utf8)
        #expect(process.terminationStatus == 0, "stderr: \(log)")
        #expect(dom.contains("<pre id=\"result\">images=5 broken=[]</pre>"), "DOM: \(dom)")
        let console = log.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        #expect(console.isEmpty, "console: \(console)")
    }
}
