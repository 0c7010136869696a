import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Replay

/// The elements of an XML document in order: name, attributes and the text directly inside.
final class XMLElements: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var text = "" }
    private(set) var elements: [Element] = []
    private var open: [Int] = []

    /// The elements of the file at `url`, or nil when it is not well-formed XML.
    static func parse(_ url: URL) -> [Element]? {
        guard let parser = XMLParser(contentsOf: url) else { return nil }
        let collector = XMLElements()
        parser.delegate = collector
        return parser.parse() ? collector.elements : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        open.append(elements.count)
        elements.append(Element(name: name, attributes: attributes))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let last = open.last { elements[last].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }
}

/// What a report folder holds: the page, its figures, and the numbers in them.
@Suite("Report figures: index, heat map, colours, escaping, zoom")
struct ReportFiguresTests {
    func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-report-\(UUID().uuidString)")
    }

    /// Runs as `compare` makes them: telemetry not kept, the figure's data kept.
    func results(cells: [String] = ["SYN1"], scenarios: [ReplayScenario] = [.nominal, .currentBias],
                 estimators: [String] = ["count", "volt"], window: RunTrace.Window = .all) throws -> [ReplayResult] {
        let runner = ReplayRunner(factory: testFactory, options: ReplayOptions(keepTelemetry: false, plotWindow: window))
        return try cells.flatMap { cell in
            try scenarios.map { try runner.run(recording: syntheticRecording(cell: cell), scenario: $0, estimators: estimators) }
        }
    }

    /// The `src` of every `<img>` in `html`.
    static func imageSources(_ html: String) -> [String] {
        html.components(separatedBy: "<img src=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    /// Legend entries of an SVG: the label after each 3 px legend line, with its colour.
    static func legend(_ elements: [XMLElements.Element]) -> [String: String] {
        var out: [String: String] = [:]
        for (i, e) in elements.enumerated() where e.name == "line" && e.attributes["stroke-width"] == "3" {
            if let label = elements[(i + 1)...].first(where: { $0.name == "text" })?.text {
                out[String(label.prefix { $0 != " " })] = e.attributes["stroke"]
            }
        }
        return out
    }

    @Test("the compare index.html exists, lists every SVG in the folder, each exists and parses as XML")
    func indexReferencesEverySVG() throws {
        let runs = try results()
        #expect(runs.allSatisfy { $0.telemetry.count == 0 && $0.trace != nil })
        let dir = folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ReplayOutput(directory: dir).writeAll(results: runs, report: ComparisonReport(results: runs),
                                                  telemetryCSV: false, title: "BMSim comparison")
        let html = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
        let sources = Self.imageSources(html)
        let svgs = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".svg") }
        #expect(Set(sources) == Set(svgs) && sources.count == svgs.count)
        #expect(Set(svgs) == ["ranking.svg", "rmse_heatmap.svg", "error_ecdf.svg", "run_SYN1_nominal.svg",
                              "run_SYN1_current-bias.svg"])
        for source in sources {
            #expect(XMLElements.parse(dir.appendingPathComponent(source)) != nil, "\(source) is not well-formed XML")
        }
        #expect(html.contains("<title>BMSim comparison</title>"))
    }

    @Test("a run that keeps no figure has no figure data and the same metrics and digest as one that does")
    func runWithoutFigure() throws {
        let runner = ReplayRunner(factory: testFactory, options: ReplayOptions(keepTelemetry: false, plotWindow: .all))
        let recording = syntheticRecording(cell: "SYN1")
        let with = try runner.run(recording: recording, scenario: .currentBias, estimators: ["count", "volt"])
        let without = try runner.run(recording: recording, scenario: .currentBias, estimators: ["count", "volt"], keepsFigure: false)
        #expect(with.trace != nil && without.trace == nil && without.telemetry.count == 0)
        #expect(with.digest == without.digest)
        // The same figures, but the timing the runs measure.
        func untimed(_ r: ReplayResult) -> [SOCMetrics] {
            r.metrics.map { var m = $0; m.nanosecondsPerUpdate = 0; return m }
        }
        #expect(untimed(with) == untimed(without))
        #expect(ReplayJob(recording: recording, scenario: .nominal).keepsFigure)
    }

    @Test("the heat map holds the mean RMSE per estimator and scenario of comparison.json")
    func heatMapMatchesJSON() throws {
        let runs = try results(cells: ["C1", "C2"])
        let dir = folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ReplayOutput(directory: dir).writeAll(results: runs, report: ComparisonReport(results: runs), telemetryCSV: false)
        let report = try ComparisonReport.read(json: Data(contentsOf: dir.appendingPathComponent("comparison.json")))
        let cells = try #require(XMLElements.parse(dir.appendingPathComponent("rmse_heatmap.svg"))).filter { $0.attributes["class"] == "cell" }
        #expect(cells.count == 4)
        for cell in cells {
            let estimator = try #require(cell.attributes["data-estimator"]), scenario = try #require(cell.attributes["data-scenario"])
            let values = report.rows.filter { $0.metrics.estimator == estimator && $0.scenario == scenario }.map(\.metrics.rmsePercent)
            #expect(values.count == 2)
            let mean = values.reduce(0, +) / Double(values.count)
            #expect(abs(try #require(Double(cell.attributes["data-rmse"] ?? "")) - mean) < 1e-9)
            #expect(cell.text == String(format: "%.2f", mean), "\(estimator)/\(scenario)")
        }
        // The bars hold the ranking of the JSON.
        let bars = try #require(XMLElements.parse(dir.appendingPathComponent("ranking.svg"))).filter { $0.attributes["data-rmse"] != nil }
        #expect(bars.map { $0.attributes["data-estimator"]! } == report.ranking.map(\.estimator))
        #expect(zip(bars, report.ranking).allSatisfy { abs(Double($0.attributes["data-rmse"]!)! - $1.meanRMSEPercent) < 1e-9 })
    }

    @Test("an estimator has the same colour in every figure of two runs with the estimators in another order")
    func coloursAcrossOrders() throws {
        var colours: [[String: String]] = []
        for order in [["count", "volt"], ["volt", "count"]] {
            let runs = try results(scenarios: [.nominal], estimators: order)
            let dir = folder()
            defer { try? FileManager.default.removeItem(at: dir) }
            try ReplayOutput(directory: dir).writeAll(results: runs, report: ComparisonReport(results: runs))
            let run = Self.legend(try #require(XMLElements.parse(dir.appendingPathComponent("run_SYN1_nominal.svg"))))
            let ecdf = Self.legend(try #require(XMLElements.parse(dir.appendingPathComponent("error_ecdf.svg"))))
            let bars = try #require(XMLElements.parse(dir.appendingPathComponent("ranking.svg"))).filter { $0.name == "rect" }
            for name in order {
                #expect(run[name] == EstimatorColors.color(for: name) && ecdf[name] == run[name])
                #expect(bars.first { $0.attributes["data-estimator"] == name }?.attributes["fill"] == run[name])
            }
            colours.append(run)
        }
        #expect(colours[0] == colours[1] && colours[0]["count"] != colours[0]["volt"])
    }

    @Test("a hostile cell and file name stay text in index.html and every SVG, and quoted in CSV")
    func hostileNames() throws {
        let hostile = "<script>&\"'"
        let runner = ReplayRunner(factory: testFactory, options: ReplayOptions(plotWindow: .all))
        let runs = try ["/tmp/a/\(hostile).csv", "/tmp/b/<b>x.csv"].map { source in
            var recording = syntheticRecording(cell: hostile)
            recording.source = source
            return try runner.run(recording: recording, scenario: .nominal, estimators: ["count"])
        }
        let dir = folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ReplayOutput(directory: dir).writeAll(results: runs, report: ComparisonReport(results: runs))
        let html = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(!html.contains("<script") && !html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;&amp;&quot;&#39; (&lt;script&gt;&amp;&quot;&#39;.csv)"))
        #expect(html.contains("&lt;script&gt;&amp;&quot;&#39; (&lt;b&gt;x.csv)"))
        for source in Self.imageSources(html) {
            let elements = try #require(XMLElements.parse(dir.appendingPathComponent(source)), "\(source)")
            #expect(!elements.contains { $0.name == "script" || $0.name == "b" })
            if source.hasPrefix("run_") { #expect(elements.contains { $0.text.hasPrefix(hostile + " (") }) }
        }
        let csv = try String(contentsOf: dir.appendingPathComponent("comparison.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv[1].hasPrefix("\"<script>&\"\"' (<script>&\"\"'.csv)\",nominal,count,"), "\(csv[1])")
    }

    @Test("--from-cycle/--to-cycle: the figure shows only those operations, on the run's own hours")
    func zoomWindow() throws {
        let whole = try #require(try results(scenarios: [.nominal], estimators: ["count"])[0].trace)
        let zoomed = try #require(try results(scenarios: [.nominal], estimators: ["count"],
                                              window: RunTrace.Window(fromOperation: 2, toOperation: 2))[0].trace)
        let full = try ReplayRunner(factory: testFactory, options: ReplayOptions(telemetryEveryTicks: 0))
            .run(recording: syntheticRecording(), scenario: .nominal, estimators: ["count"]).telemetry
        #expect(whole.frames == (0..<full.count).filter { full.operation[$0] >= 0 }.count)
        #expect(zoomed.frames == (0..<full.count).filter { full.operation[$0] == 2 }.count && zoomed.frames > 0)
        // The charge (operation 2) starts after the first discharge and the rest: hours > 1.
        let hours = zoomed.soc[0].x
        #expect(hours.min()! > 1 && hours.max()! <= whole.soc[0].x.max()!)
        #expect(zoomed.current.y.allSatisfy { $0 > -0.5 }, "no discharge current (-2 A)")
        let chart = zoomed.chart(name: "SYN1", scenario: "nominal")
        #expect(chart.title.contains("operations 2–2") && chart.note == nil && chart.panels.count == 5)
        let empty = try #require(try results(scenarios: [.nominal], estimators: ["count"],
                                             window: RunTrace.Window(fromOperation: 40))[0].trace)
        #expect(empty.frames == 0)
        #expect(empty.chart(name: "SYN1", scenario: "nominal").note?.contains("no scored frames in operations 40–end") == true)
        #expect(XMLParser(data: Data(empty.chart(name: "SYN1", scenario: "nominal").render().utf8)).parse())
    }
}
