import CellData
import FloatModel
import Foundation
import WeightBlob

extension QuantizeCommand {
    /// The learned-prior rule of a trainer model file (`scalers.learnedPrior`), nil for a
    /// fixed prior or a `ReferenceLSTMModel` JSON.
    static func learnedPriorRule(_ path: String) -> LearnedPriorCapacity? {
        (try? FloatModelFile.read(from: URL(fileURLWithPath: path)))?.scalers.learnedPrior
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
