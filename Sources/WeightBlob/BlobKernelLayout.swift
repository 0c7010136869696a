/// How a blob stores the int8 input and recurrent kernels of its LSTM layers
/// (Docs/WeightBlobFormat.md, "Version 3").
///
/// - `rows`: versions 1 and 2 — `[4H × C]` row-major, gate-major rows (i₀…i_{H−1}, f…, g…, o…).
/// - `v3`: version 3, interleaved — one block of `4·P` bytes per unit j (P = C rounded up to a
///   multiple of 4, padding zero); inside it, for every group of 4 columns, the 4 bytes of
///   gate i, then f, g, o of unit j. A Cortex-M4 then walks one pointer, one 32-bit load per
///   gate and column group, and the four gate sums of a unit come out of one pass.
///
/// The model (`BlobModel`) is always row-major; the layout is only how the bytes are stored,
/// so the same model written either way computes the same integers.
public enum BlobKernelLayout: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Row-major, gate-major rows (format versions 1 and 2).
    case rows
    /// Interleaved per unit, word groups of 4 columns, rows padded to a multiple of 4 (version 3).
    case v3

    /// The format version a model needs in this layout: rows → 1 (2 with a charge counter);
    /// v3 → 3; a model with a prior-capacity input → 4, one with a prior-SOC input → 5 and one
    /// with an uncertainty head → 6 in either (versions 4 to 6 store the kernels interleaved,
    /// `BlobWriter` writes them so).
    public func formatVersion(for model: BlobModel) -> UInt16 {
        model.needsInterleavedKernels ? model.formatVersion : (self == .v3 ? 3 : model.formatVersion)
    }

    /// The layout a format version implies.
    public static func of(version: Int) -> BlobKernelLayout { version >= 3 ? .v3 : .rows }

    /// `rows` or `v3`.
    public var description: String { rawValue }

    /// Columns rounded up to a multiple of 4 (the stored row length in version 3).
    public static func paddedColumns(_ columns: Int) -> Int { (columns + 3) / 4 * 4 }

    /// Bytes of a `[4H × C]` kernel in this layout.
    public func kernelBytes(hidden: Int, columns: Int) -> Int {
        self == .v3 ? 4 * hidden * Self.paddedColumns(columns) : 4 * hidden * columns
    }

    /// Byte position, in version 3, of logical element (row, column) of a `[4H × C]` kernel
    /// (row = gate · H + unit); columns C…P−1 are the zero padding.
    public static func interleavedOffset(row: Int, column: Int, hidden: Int, columns: Int) -> Int {
        let gate = row / hidden, unit = row % hidden
        return unit * 4 * paddedColumns(columns) + (column / 4) * 16 + gate * 4 + column % 4
    }

    /// The stored bytes of a row-major `[4H × C]` kernel.
    func store(_ kernel: [Int8], hidden: Int, columns: Int) -> [UInt8] {
        switch self {
        case .rows:
            return kernel.map { UInt8(bitPattern: $0) }
        case .v3:
            var out = [UInt8](repeating: 0, count: kernelBytes(hidden: hidden, columns: columns))
            for row in 0..<(4 * hidden) {
                for column in 0..<columns {
                    let at = Self.interleavedOffset(row: row, column: column, hidden: hidden, columns: columns)
                    out[at] = UInt8(bitPattern: kernel[row * columns + column])
                }
            }
            return out
        }
    }
}
