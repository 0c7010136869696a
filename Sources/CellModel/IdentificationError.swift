/// Why a cell-model identification cannot produce a model from the data it was given.
public enum IdentificationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Fewer than two OCV nodes have enough samples (≥ 5 samples with a spread of currents, or
    /// a settled rest) inside the temperature range the OCV is read in.
    case tooLittleOCVData(nodesWithData: Int, nodes: Int, samples: Int, temperatureRangeC: ClosedRange<Double>)
    /// No candidate time constant gave a solvable least-squares system.
    case singular(model: String)

    /// One-line message.
    public var description: String {
        switch self {
        case let .tooLittleOCVData(withData, nodes, samples, range):
            "too little data for an OCV curve: \(withData) of \(nodes) SOC nodes have enough samples "
                + "(\(samples) samples in all) at \(range.lowerBound)–\(range.upperBound) °C cell temperature; "
                + "at least 2 are needed (choose cells recorded in that range, or a smaller --every)"
        case let .singular(model):
            "the \(model) least-squares system is singular for every time-constant candidate (too little data?)"
        }
    }
}
