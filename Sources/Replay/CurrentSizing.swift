/// What a scenario's current quantities were sized for (`ReplayScenario.currentSizing`): the
/// sensor's current range, noise and bias, the plausibility and protection current limits, a
/// fault's current spike and the assumed capacity scale with the cell they are replayed on.
///
/// In a scenario file, the field `sizedForCellAh`: a number (the capacity the file's currents
/// were written for, Ah), `"reference"` (the replay's reference cell: what the presets use), or
/// absent / `"absolute"` (the file's values as written).
///
/// ```swift
/// CurrentSizing.cell(ah: 2.0).factor(cellCapacityAh: 5.0, referenceCapacityAh: 1.8)   // 2.5
/// CurrentSizing.referenceCell.factor(cellCapacityAh: 5.0, referenceCapacityAh: 2.0)   // 2.5
/// CurrentSizing.absolute.factor(cellCapacityAh: 5.0, referenceCapacityAh: 2.0)        // 1
/// ```
public enum CurrentSizing: Sendable, Equatable, Codable {
    /// The values as written.
    case absolute
    /// Sized for the replay's reference cell (`EstimatorFactory.referenceCellCapacityAh`: the
    /// bundled cell model of `bmsim`, NASA's 18650): the built-in presets.
    case referenceCell
    /// Sized for a cell of this capacity, Ah.
    case cell(ah: Double)

    /// The factor every current quantity is multiplied by on a cell of `cellCapacityAh`:
    /// the cell's capacity over the one the values were sized for; 1 when either is unknown,
    /// not finite or not positive.
    public func factor(cellCapacityAh: Double?, referenceCapacityAh: Double?) -> Double {
        let base: Double?
        switch self {
        case .absolute: base = nil
        case .referenceCell: base = referenceCapacityAh
        case let .cell(ah): base = ah
        }
        guard let base, let cellCapacityAh, base.isFinite, base > 0, cellCapacityAh.isFinite, cellCapacityAh > 0 else { return 1 }
        return cellCapacityAh / base
    }

    /// Reads a number, `"reference"` or `"absolute"`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let ah = try? c.decode(Double.self) {
            guard ah.isFinite, ah > 0 else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "sizedForCellAh must be a capacity > 0 Ah, found \(ah)")
            }
            self = .cell(ah: ah)
            return
        }
        switch try c.decode(String.self) {
        case "reference": self = .referenceCell
        case "absolute": self = .absolute
        case let other:
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "sizedForCellAh is a capacity in Ah, \"reference\" or \"absolute\", found \"\(other)\"")
        }
    }

    /// Writes a number, `"reference"` or `"absolute"`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .absolute: try c.encode("absolute")
        case .referenceCell: try c.encode("reference")
        case let .cell(ah): try c.encode(ah)
        }
    }
}
