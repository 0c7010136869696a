import FloatModel
import Foundation

/// The training history as CSV and as a loss-curve SVG, and the model summary table.
public enum TrainingReports {
    /// CSV with one row per epoch (header first).
    public static func historyCSV(_ history: [EpochRecord]) -> String {
        var s = "epoch,train_loss,train_mae_pct,val_loss,val_mae_pct,learning_rate,train_s,val_s,samples_per_s,train_cpu_s,loadavg_1m\n"
        for r in history {
            s += "\(r.epoch),\(r.trainLoss),\(r.trainMAEPercent),\(r.validationLoss),\(r.validationMAEPercent),"
            s += "\(r.learningRate),\(r.trainSeconds),\(r.validationSeconds),\(r.samplesPerSecond),"
            s += "\(r.trainCPUSeconds),\(r.loadAverage1m)\n"
        }
        return s
    }

    /// A self-contained SVG of training and validation loss (log scale) per epoch;
    /// the kept (best) epoch is marked.
    public static func lossCurveSVG(_ history: [EpochRecord], bestEpoch: Int, title: String) -> String {
        let width = 640.0, height = 360.0, left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        let values = history.flatMap { [$0.trainLoss, $0.validationLoss] }.filter { $0 > 0 && $0.isFinite }
        let lo = Foundation.log10(values.min() ?? 1e-4), hi = Foundation.log10(values.max() ?? 1)
        let yLo = Foundation.floor(lo), yHi = max(Foundation.ceil(hi), yLo + 1)
        let n = max(history.count, 2)
        func x(_ epoch: Int) -> Double { left + Double(epoch - 1) / Double(n - 1) * (width - left - right) }
        func y(_ v: Double) -> Double {
            let l = Foundation.log10(max(v, 1e-30))
            return top + (yHi - l) / (yHi - yLo) * (height - top - bottom)
        }
        func path(_ key: KeyPath<EpochRecord, Double>) -> String {
            history.enumerated().map { k, r in
                "\(k == 0 ? "M" : "L")\(String(format: "%.1f", x(r.epoch))),\(String(format: "%.1f", y(r[keyPath: key])))"
            }.joined(separator: " ")
        }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(left)\" y=\"22\" font-size=\"14\">\(escape(title))</text>\n"
        var decade = yLo
        while decade <= yHi {
            let yy = y(Foundation.pow(10, decade))
            s += "<line x1=\"\(left)\" y1=\"\(yy)\" x2=\"\(width - right)\" y2=\"\(yy)\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(left - 8)\" y=\"\(yy + 4)\" text-anchor=\"end\">1e\(Int(decade))</text>\n"
            decade += 1
        }
        s += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" stroke=\"black\"/>\n"
        s += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">epoch (1 … \(history.count))</text>\n"
        s += "<text x=\"16\" y=\"\((top + height - bottom) / 2)\" transform=\"rotate(-90 16 \((top + height - bottom) / 2))\" text-anchor=\"middle\">MSE (scaled SOC)</text>\n"
        s += "<path d=\"\(path(\.trainLoss))\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n"
        s += "<path d=\"\(path(\.validationLoss))\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n"
        if bestEpoch >= 1 && bestEpoch <= history.count {
            let bx = x(bestEpoch)
            s += "<line x1=\"\(bx)\" y1=\"\(top)\" x2=\"\(bx)\" y2=\"\(height - bottom)\" stroke=\"#2ca02c\" stroke-dasharray=\"4 3\"/>\n"
        }
        s += "<text x=\"\(width - right - 170)\" y=\"\(top + 14)\" fill=\"#1f77b4\">train loss</text>"
        s += "<text x=\"\(width - right - 100)\" y=\"\(top + 14)\" fill=\"#d62728\">validation loss</text>"
        s += "<text x=\"\(width - right - 170)\" y=\"\(top + 30)\" fill=\"#2ca02c\">kept epoch \(bestEpoch)</text>\n"
        s += "</svg>\n"
        return s
    }

    /// Keras-style summary: each layer's output shape and parameter count, and the total.
    public static func modelSummary(_ architecture: Architecture, mode: SequenceMode, lookback: Int) -> String {
        let counts = architecture.parameterCounts
        let steps = mode == .window ? "\(lookback)" : "T"
        var lines = ["Model \"\(architecture.name)\" (\(mode.rawValue) mode, input (\(steps), \(architecture.inputSize)))",
                     pad("Layer", 24) + pad("Output shape", 20) + "Params"]
        for (k, layer) in architecture.layers.enumerated() {
            let name: String
            switch layer {
            case let .lstm(u): name = "LSTM(\(u))"
            case let .dropout(r): name = "Dropout(\(r))"
            case let .dense(u, a): name = "Dense(\(u), \(a.rawValue))"
            }
            let w = previousWidth(architecture, before: k + 1)
            let perStep = mode == .stateful || k < architecture.lastLSTMIndex
            lines.append(pad(name, 24) + pad(perStep ? "(B, \(steps), \(w))" : "(B, \(w))", 20) + String(counts[k]))
        }
        lines.append("Total trainable parameters: \(counts.reduce(0, +))")
        return lines.joined(separator: "\n")
    }

    private static func previousWidth(_ a: Architecture, before k: Int) -> Int {
        var w = a.inputSize
        for layer in a.layers[..<k] {
            switch layer {
            case let .lstm(u): w = u
            case let .dense(u, _): w = u
            case .dropout: break
            }
        }
        return w
    }

    private static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
