/// The MATLAB array classes of the Level 5 format (`mxCLASS`), with their codes.
public enum MATClass: UInt8, Sendable, CaseIterable {
    /// Cell array.
    case cell = 1
    /// Structure (array).
    case structure = 2
    /// Object (not supported).
    case object = 3
    /// Character array.
    case char = 4
    /// Sparse matrix (not supported).
    case sparse = 5
    /// IEEE double.
    case double = 6
    /// IEEE single.
    case single = 7
    /// Signed 8-bit integer.
    case int8 = 8
    /// Unsigned 8-bit integer.
    case uint8 = 9
    /// Signed 16-bit integer.
    case int16 = 10
    /// Unsigned 16-bit integer.
    case uint16 = 11
    /// Signed 32-bit integer.
    case int32 = 12
    /// Unsigned 32-bit integer.
    case uint32 = 13
    /// Signed 64-bit integer.
    case int64 = 14
    /// Unsigned 64-bit integer.
    case uint64 = 15

    /// True for the numeric classes (double, single and the integers).
    public var isNumeric: Bool { rawValue >= 6 }
}

/// A numeric MATLAB array, values widened to `Double` in column-major order.
/// (Integers beyond 2^53 lose precision; the NASA files hold only doubles.)
public struct MATNumericArray: Sendable, Equatable {
    /// Storage class in the file.
    public var matClass: MATClass
    /// Dimensions, e.g. `[1, 3815]` for a row vector.
    public var dimensions: [Int]
    /// Real parts, column-major.
    public var real: [Double]
    /// Imaginary parts when the array is complex.
    public var imaginary: [Double]?
    /// True when MATLAB's logical flag is set.
    public var isLogical: Bool
}

/// A MATLAB struct array: `elements × fields` values, element-major (column-major elements).
public struct MATStructArray: Sendable, Equatable {
    /// Dimensions of the struct array, e.g. `[1, 80]`.
    public var dimensions: [Int]
    /// Field names in file order.
    public var fieldNames: [String]
    /// `values[element * fieldNames.count + field]`.
    public var values: [MATValue]

    /// Number of elements.
    public var count: Int { fieldNames.isEmpty ? dimensions.reduce(1, *) : values.count / fieldNames.count }

    /// The value of field `name` of element `element`, or `nil` when there is no such field.
    public func field(_ name: String, element: Int = 0) -> MATValue? {
        guard let f = fieldNames.firstIndex(of: name), element >= 0, element < count else { return nil }
        return values[element * fieldNames.count + f]
    }
}

/// One MATLAB array as read from a Level 5 `.mat` file.
public indirect enum MATValue: Sendable, Equatable {
    /// double, single or integer array.
    case numeric(MATNumericArray)
    /// Character array, decoded to a string (rows concatenated column-major as MATLAB stores it).
    case char(dimensions: [Int], text: String)
    /// Struct array.
    case structure(MATStructArray)
    /// Cell array, column-major.
    case cell(dimensions: [Int], values: [MATValue])

    /// The numeric array, if this is one.
    public var numeric: MATNumericArray? { if case let .numeric(n) = self { return n } else { return nil } }
    /// The text, if this is a char array.
    public var text: String? { if case let .char(_, t) = self { return t } else { return nil } }
    /// The struct array, if this is one.
    public var structure: MATStructArray? { if case let .structure(s) = self { return s } else { return nil } }
}

/// The contents of a MAT file: its header text and its top-level variables in file order.
public struct MATFile: Sendable, Equatable {
    /// The 116-byte descriptive header text, trailing blanks and NULs removed.
    public var headerText: String
    /// True when the file was written big-endian ("MI").
    public var isBigEndian: Bool
    /// Variables in file order.
    public var variables: [(name: String, value: MATValue)]

    /// The variable called `name`.
    public func variable(_ name: String) -> MATValue? { variables.first { $0.name == name }?.value }

    /// Compares header, byte order and variables.
    public static func == (a: MATFile, b: MATFile) -> Bool {
        a.headerText == b.headerText && a.isBigEndian == b.isBigEndian
            && a.variables.map(\.name) == b.variables.map(\.name)
            && a.variables.map(\.value) == b.variables.map(\.value)
    }
}
