/// Why a typed option's text was refused (`CellSelection`, `EstimatorList`, `InitialSOC`);
/// ArgumentParser prints it after `The value '…' is invalid for '--option':`, status 64.
struct OptionValueError: Error, CustomStringConvertible, Sendable {
    /// One sentence.
    let description: String
}

/// Old spellings of renamed options: each is a second, hidden `@Option` beside the new one,
/// because ArgumentParser shows every name of an option in `--help` (no per-name
/// visibility). The old spellings are accepted for one release (issue 17: then removed).
enum OptionAlias {
    /// The value given under the new or the old name; both given is a usage error.
    static func merge<T>(_ new: T?, _ old: T?, new newName: String, old oldName: String) throws -> T? {
        if new != nil, old != nil {
            throw OptionValueError(description: "\(oldName) is the old spelling of \(newName); give one of them")
        }
        return new ?? old
    }
}
