/// The `index.html` of a replay or comparison: a self-contained page (no script, no external
/// resource) with the summary figures, the table, and one figure per run, linked as `<img>`
/// files beside it. Every name from the inputs is escaped (`TextEscaping.html`).
enum ReportPage {
    /// A figure on the page: its heading and its SVG file (in the same folder).
    struct Figure: Sendable, Equatable {
        var title: String
        var file: String
    }

    /// The page; `draws` (from `compare --noise-draws`) adds its table before the first draw's.
    static func html(title: String, report: ComparisonReport, summary: [Figure], runs: [Figure],
                     draws: NoiseDrawSummary? = nil) -> String {
        let e = TextEscaping.html
        var html = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(e(title))</title>
        <link rel="icon" href="data:,">
        <style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse;font-size:13px}
        td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:nth-child(-n+3),th:nth-child(-n+3){text-align:left}
        img{max-width:100%;display:block;margin:8px 0 24px}</style></head><body>
        <h1>\(e(title))</h1><p>Errors in SOC percentage points against the reference SOC; ranked by RMSE within each cell and scenario.
        Each estimator has one colour in every figure.</p>

        """
        for figure in summary {
            html += "<h2>\(e(figure.title))</h2><img src=\"\(e(figure.file))\" alt=\"\(e(figure.title))\">\n"
        }
        if let draws {
            html += "<h2>Noise draws</h2>\n<p>\(e(draws.caption)) The table below and the figures are draw \(draws.draws[0])'s.</p>\n<table><tr>"
            html += NoiseDrawSummary.headers.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
            for row in draws.rows { html += "<tr>" + draws.cells(row).map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
            html += "</table>\n"
        }
        html += "<h2>Table</h2>\n<table><tr>"
        html += ComparisonReport.headers.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
        for row in report.rows { html += "<tr>" + ComparisonReport.cells(row).map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
        html += "</table>\n"
        if !runs.isEmpty { html += "<h2>Runs</h2>\n" }
        for figure in runs {
            html += "<h3>\(e(figure.title))</h3><img src=\"\(e(figure.file))\" alt=\"SOC, error, V, I, T: \(e(figure.title))\">\n"
        }
        return html + "</body></html>\n"
    }
}
