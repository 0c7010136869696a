import ArgumentParser
import Estimators
import Foundation

/// `--estimators` (and `--model-rate`): a comma list of SOC methods by their stable names
/// (`EstimatorKind`: ah, ah-pure, ocv, ekf-1rc, ekf-2rc, ukf-1rc, ukf-2rc, lstm, ekf+lstm) or the short
/// aliases `ekf` (= ekf-1rc) and `ukf` (= ukf-1rc). Parsed and checked here only; whether
/// `lstm` has a model is up to the command.
struct EstimatorList: ExpressibleByArgument, Equatable, Sendable, CustomStringConvertible {
    /// Short names accepted beside `EstimatorKind`'s.
    static let aliases = ["ekf": "ekf-1rc", "ukf": "ukf-1rc"]

    /// Every name accepted.
    static var knownNames: [String] { EstimatorKind.allCases.map(\.rawValue) + aliases.keys.sorted() }

    /// The names as given (trimmed, blanks dropped); tables show these.
    let names: [String]

    /// The list of `kinds` under their stable names.
    init(_ kinds: [EstimatorKind]) { names = kinds.map(\.rawValue) }

    init?(argument: String) {
        guard let parsed = try? Self.parse(argument) else { return nil }
        self = parsed
    }

    private init(names: [String]) { self.names = names }

    /// `text` parsed, or why not: at least one name, each known.
    static func parse(_ text: String) throws(OptionValueError) -> EstimatorList {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw OptionValueError(description: "no estimator given") }
        if let unknown = names.first(where: { kind(of: $0) == nil }) {
            throw OptionValueError(description: "unknown estimator '\(unknown)'; known: \(knownNames.joined(separator: ", "))")
        }
        return EstimatorList(names: names)
    }

    /// The method `name` stands for (aliases resolved).
    static func kind(of name: String) -> EstimatorKind? { EstimatorKind(rawValue: aliases[name] ?? name) }

    /// The methods, aliases resolved, in order.
    var kinds: [EstimatorKind] { names.compactMap(Self.kind(of:)) }

    var description: String { names.joined(separator: ",") }
}
