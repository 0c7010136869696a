import Evaluation
import Foundation
import Replay

/// The SVG `bmsim fit` writes per recording: measured and model voltage over time (top) and
/// model − measured (bottom), at most `maxPoints` points per line (every k-th sample; the
/// breaks between labelled stretches are kept).
enum FitVoltagePlot {
    static func svg(_ trace: RecordingFit.VoltageTrace, maxPoints: Int = 3000) -> String {
        let breaks = trace.timeS.indices.filter { !trace.timeS[$0].isFinite }
        let keep = breaks.count < maxPoints / 2 ? breaks : []
        let budget = maxPoints - keep.count
        let stride = max(1, (trace.timeS.count + budget - 1) / budget)
        let picked = Array(Set(Swift.stride(from: 0, to: trace.timeS.count, by: stride)).union(keep)).sorted()
        let hours = picked.map { trace.timeS[$0] / 3600 }
        func series(_ label: String, _ y: [Double], _ color: String, width: Double = 1.2) -> SVGLineChart.Series {
            SVGLineChart.Series(label: label, x: hours, y: picked.map { y[$0] }, color: color, width: width)
        }
        let diff1 = trace.timeS.indices.map { 1000 * (trace.model1RCV[$0] - trace.measuredV[$0]) }
        let diff2 = trace.timeS.indices.map { 1000 * (trace.model2RCV[$0] - trace.measuredV[$0]) }
        let r = trace.residualmV
        let voltage = SVGLineChart(title: "\(trace.name): measured and model voltage", xLabel: "time, h",
                                   yLabel: "voltage, V", series: [
                                       series("measured", trace.measuredV, "#000", width: 2),
                                       series("1RC model", trace.model1RCV, SVGLineChart.palette[0]),
                                       series("2RC model", trace.model2RCV, SVGLineChart.palette[1]),
                                   ])
        let error = SVGLineChart(title: String(format: "%@: model − measured (RMS 1RC %.1f mV, 2RC %.1f mV)",
                                               trace.name, r.oneRC, r.twoRC),
                                 xLabel: "time, h", yLabel: "difference, mV", series: [
                                     series("1RC − measured", diff1, SVGLineChart.palette[0]),
                                     series("2RC − measured", diff2, SVGLineChart.palette[1]),
                                 ])
        let top = voltage.render(), bottom = error.render()
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(voltage.width))\" "
            + "height=\"\(Int(voltage.height + error.height))\" viewBox=\"0 0 \(Int(voltage.width)) \(Int(voltage.height + error.height))\">\n"
            + top + "<g transform=\"translate(0,\(Int(voltage.height)))\">\n" + bottom + "</g>\n</svg>\n"
    }
}
