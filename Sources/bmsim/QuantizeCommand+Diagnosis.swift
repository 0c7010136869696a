import CellData
import Foundation
import QuantizedLSTM
import Quantizer
import WeightBlob

extension QuantizeCommand {
    /// Prints `QuantizationDiagnosis` of `blob` against `float` on `discharges`: the stage
    /// table and the `count` worst discharges with the units that carry the difference.
    static func printDiagnosis(name: String, float: ReferenceLSTMModel, blob: BlobModel,
                               discharges: [(label: String, samples: [RawSensorSample])], count: Int) throws {
        let diagnosis = try QuantizationDiagnosis.run(float: float, blob: blob, sequences: discharges.map(\.samples),
                                                      count: count)
        print("\(name): where int8 departs from float")
        print("| stage | mean |Δ| | max |Δ| |")
        print("|---|---:|---:|")
        for stage in diagnosis.stages {
            print(String(format: "| %@ | %.3f | %.3f |", stage.name, stage.meanAbsDeltaPercent, stage.maxAbsDeltaPercent))
        }
        print("| discharge | steps | worst step | separates at | float | int8 | units (SOC points; h float/Δh; c float/Δc) |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for w in diagnosis.worst {
            let units = w.units.map {
                String(format: "u%d %+.2f (h %.3f/%+.4f; c %.2f/%+.3f)", $0.unit, $0.socPoints, $0.floatHidden,
                       $0.hiddenDelta, $0.floatCell, $0.cellDelta)
            }.joined(separator: ", ")
            print(String(format: "| %@ | %d | %d | %d | %.2f | %.2f | %@ |", discharges[w.sequence].label, w.steps, w.step,
                         w.separationStep, w.float, w.integer, units))
        }
    }
}

extension LabelledDischarge {
    /// "cell cN" for reports (a generic dataset's recording: its name).
    var reportLabel: String { source ?? "\(cell) c\(cycle)" }
}
