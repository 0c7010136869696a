import ArgumentParser
import Estimators
import Foundation

/// `--estimators` (and `--model-rate`): a comma list of SOC methods by their stable names
/// (`EstimatorKind`: ah, ah-pure, ocv, ekf-1rc, ekf-2rc, ukf-1rc, ukf-2rc, lstm, ekf+lstm) or the short
/// aliases `ekf` and `ukf`: ekf-1rc and ukf-1rc, or ekf-2rc and ukf-2rc on a cell model whose
/// `filterPairs` is 2 (`kind(of:filterPairs:)`). Parsed and checked here only; whether `lstm`
/// has a model is up to the command.
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

    /// The names as given (not checked: `parse` checks).
    init(names: [String]) { self.names = names }

    /// `text` parsed, or why not: at least one name, each known.
    static func parse(_ text: String) throws(OptionValueError) -> EstimatorList {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw OptionValueError(description: "no estimator given") }
        if let unknown = names.first(where: { kind(of: $0) == nil }) {
            throw OptionValueError(description: "unknown estimator '\(unknown)'; known: \(knownNames.joined(separator: ", "))")
        }
        return EstimatorList(names: names)
    }

    /// The method `name` stands for (aliases resolved) on a cell model whose filters run
    /// `filterPairs` R–C pairs (`CellModelParameters.filterPairs`; nil or 1: one pair).
    static func kind(of name: String, filterPairs: Int? = nil) -> EstimatorKind? {
        if filterPairs == 2, let two = ["ekf": EstimatorKind.ekf2RC, "ukf": .ukf2RC][name] { return two }
        return EstimatorKind(rawValue: aliases[name] ?? name)
    }

    /// The methods, aliases resolved, in order (`kind(of:filterPairs:)`).
    func kinds(filterPairs: Int? = nil) -> [EstimatorKind] { names.compactMap { Self.kind(of: $0, filterPairs: filterPairs) } }

    /// A note for the user when `ekf` or `ukf` in this list run on two R–C pairs, else nil.
    func twoPairNote(filterPairs: Int?) -> String? {
        let short = names.filter { $0 == "ekf" || $0 == "ukf" }
        guard filterPairs == 2, !short.isEmpty else { return nil }
        return "\(short.joined(separator: " and ")) run on 2 R-C pairs (the cell model's filterPairs, set by bmsim fit): "
            + short.map { "\($0) = \($0)-2rc" }.joined(separator: ", ") + "; name \(short.map { "\($0)-1rc" }.joined(separator: " or ")) for one pair"
    }

    var description: String { names.joined(separator: ",") }
}
