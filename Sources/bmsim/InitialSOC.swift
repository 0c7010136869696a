import ArgumentParser
import Evaluation

/// `--initial-soc`: where each scored discharge starts: `rested` (the OCV of the rested first
/// sample, what a BMS does at wake-up) or an offset from the true SOC in [-1, 1] such as -0.2.
enum InitialSOC: ExpressibleByArgument, Equatable, Sendable, CustomStringConvertible {
    /// The OCV of the rested first sample.
    case rested
    /// The true SOC plus this offset (fraction).
    case offset(Double)

    init?(argument: String) {
        guard let parsed = try? Self.parse(argument) else { return nil }
        self = parsed
    }

    /// `text` parsed, or why not.
    static func parse(_ text: String) throws(OptionValueError) -> InitialSOC {
        if text == "rested" { return .rested }
        guard let offset = Double(text), offset.isFinite, (-1...1).contains(offset) else {
            throw OptionValueError(description: "'rested' or an SOC offset in [-1, 1] such as -0.2")
        }
        return .offset(offset)
    }

    /// The protocol's start.
    var start: DischargeEvaluation.Start {
        switch self {
        case .rested: .rested
        case let .offset(x): .offset(x)
        }
    }

    var description: String {
        switch self {
        case .rested: "rested"
        case let .offset(x): "\(x)"
        }
    }
}
