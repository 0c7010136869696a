import ArgumentParser
import CellModel
import FloatModel
import Foundation

/// `--prior-capacity`: a fixed capacity in Ah (0 = no prior) or `learned`.
enum PriorCapacityArgument: ExpressibleByArgument, Equatable {
    /// One capacity for every discharge, Ah (0: plain SOC label).
    case fixed(Double)
    /// Per discharge the capacity learned before it (`LearnedPriorCapacity`).
    case learned

    init?(argument: String) {
        if argument == "learned" { self = .learned; return }
        guard let value = Double(argument) else { return nil }
        self = .fixed(value)
    }

    var defaultValueDescription: String {
        switch self {
        case let .fixed(capacity): "\(capacity)"
        case .learned: "learned"
        }
    }
}

extension TrainCommand {
    /// Range checks of the prior options (NaN, negative, absurd values; noise without `learned`).
    func validatePrior() throws {
        switch priorCapacity {
        case let .fixed(capacity):
            try OptionCheck.require(capacity, in: 0...10_000, "--prior-capacity", unit: "Ah")
            if FeatureSet(rawValue: features)?.readsPrior == true {
                throw ValidationError("--features \(features) needs --prior-capacity learned")
            }
        case .learned:
            guard FeatureSet(rawValue: features)?.hasCharge == true else {
                throw ValidationError("--prior-capacity learned needs a charge-counter feature set (--features task+charge, charge-no-current…)")
            }
        }
        try OptionCheck.require(priorNoise, in: 0...0.5, "--prior-noise")
        try OptionCheck.require(partialStarts, in: 0...10, "--partial-starts")
        try OptionCheck.require(startSOCError, in: 0...0.3, "--start-soc-error")
        if partialStarts > 0 && FeatureSet(rawValue: features)?.hasPriorSOC != true {
            throw ValidationError("--partial-starts needs a prior-SOC feature set (--features charge-no-current+capacity+prior)")
        }
    }

    /// The learned-prior rule of `--prior-capacity learned` (nil for a fixed capacity): the
    /// design-capacity table of `--cell-model` (or the bundled model) and `--prior-noise`.
    func learnedPriorRule() throws -> LearnedPriorCapacity? {
        guard priorCapacity == .learned else { return nil }
        let model = try cellModel.map { try CellModelFile.load(from: URL(fileURLWithPath: $0)) } ?? BundledData.cellModel()
        let table = model.designCapacityByTemperature ?? model.capacityByTemperature ?? ([25], [model.capacityAh])
        let rule = LearnedPriorCapacity(temperaturesC: table.temperaturesC, designCapacityAh: table.capacityAh,
                                        trainingNoise: priorNoise)
        if let problem = rule.problem { throw ValidationError("--cell-model: \(problem)") }
        return rule
    }
}
