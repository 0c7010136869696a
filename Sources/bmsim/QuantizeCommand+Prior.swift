import CellData
import FloatModel
import Foundation
import QuantizedLSTM
import Quantizer
import WeightBlob

extension QuantizeCommand {
    /// The learned-prior rule of a trainer model file (`scalers.learnedPrior`), nil for a
    /// fixed prior or a `ReferenceLSTMModel` JSON.
    static func learnedPriorRule(_ path: String) -> LearnedPriorCapacity? {
        (try? FloatModelFile.read(from: URL(fileURLWithPath: path)))?.scalers.learnedPrior
    }

    /// Float vs int8 on the test discharges (`data` "test"), and with `perCell` on each cell's
    /// ("test B0039"), every discharge at its prior capacity when `priorsMAh` gives them and
    /// from its start SOC when `startSOCs` does (`startSOCs(_:_:)`).
    static func testComparisons(float: ReferenceLSTMModel, blob: BlobModel, discharges: [LabelledDischarge],
                                series: [ResampledSeries], priorsMAh: [Int32]?, startSOCs: [Double?]?,
                                perCell: Bool) -> [QuantizeReport.Comparison] {
        func compare(_ name: String, _ indices: [Int]) -> QuantizeReport.Comparison {
            .init(data: name, QuantizationEvaluation.run(
                float: float, blob: blob, sequences: indices.map { series[$0].rawSensorSamples },
                labels: indices.map { series[$0].soc ?? [] }, priorCapacitiesMAh: priorsMAh.map { p in indices.map { p[$0] } },
                startSOCs: startSOCs.map { s in indices.map { s[$0] } }))
        }
        var out = [compare("test", Array(discharges.indices))]
        guard perCell else { return out }
        var cells: [String] = []
        for d in discharges where !cells.contains(d.cell) { cells.append(d.cell) }
        for cell in cells { out.append(compare("test \(cell)", discharges.indices.filter { discharges[$0].cell == cell })) }
        return out
    }

    /// Each sequence's start SOC as the trainer sets it (`GridCycle.startSOC`): a generic
    /// dataset's recording starts at its first label (a drive log from 60 %); nil for NASA,
    /// whose discharges start full by the label's definition.
    static func startSOCs(_ dataset: Dataset, _ sequences: [LabelledDischarge]) -> [Double?]? {
        guard case .generic = dataset else { return nil }
        return sequences.map(\.soc.first)
    }

    /// Each discharge's learned prior capacity in whole mAh (`LearnedPriorCapacity.priors`
    /// over `discharges`, each cell's in time order), or nil without a rule.
    static func learnedPriorsMAh(_ rule: LearnedPriorCapacity?, _ discharges: [LabelledDischarge]) -> [Int32]? {
        guard let rule else { return nil }
        let range = BlobChargeCounter.priorCapacityRange
        return rule.priors(for: discharges.map(DischargeCapacityRecord.init)).map {
            Int32(min(max(($0 * 1000).rounded(), Double(range.lowerBound)), Double(range.upperBound)))
        }
    }
}
