/// Byte layout constants of the `.bmsq` format, version 1 (Docs/WeightBlobFormat.md).
public enum BlobLayout {
    /// "BMSQ".
    public static let magic: [UInt8] = Array("BMSQ".utf8)
    /// Newest format version this code reads and writes (2 adds the charge counter; a
    /// model without one is still written as version 1; 3 is version 2 with interleaved
    /// LSTM kernels, `BlobKernelLayout.v3`; 4 is version 3 plus the prior-capacity input; 5 is
    /// version 4 plus the prior-SOC input; 6 is version 5 plus the uncertainty head, a last
    /// dense layer with two outputs).
    public static let version: UInt16 = 6
    /// Versions the readers accept.
    public static let readableVersions: ClosedRange<Int> = 1...6
    /// The first version whose last dense layer has two outputs (`BlobUncertaintyHead`).
    public static let uncertaintyHeadVersion = 6
    /// Fixed header size.
    public static let headerBytes = 32
    /// Size of every feature, output, layer and tensor record.
    public static let recordBytes = 16
    /// CRC-32 trailer.
    public static let crcBytes = 4
    /// Alignment of every tensor's data.
    public static let tensorAlignment = 16
    /// Limits (they keep every int32 accumulator free of overflow).
    public static let maxFeatures = 8
    /// At most this many LSTM layers.
    public static let maxLSTMLayers = 4
    /// At most this many dense layers.
    public static let maxDenseLayers = 4
    /// Widest layer.
    public static let maxWidth = 256
    /// Largest |bias|: 256 · 127 · 32768 + 2^30 < 2^31.
    public static let maxAbsBias: Int32 = 1 << 30
    /// Tensors per LSTM layer (kernel, recurrent kernel, bias, 4 requantization vectors).
    public static let tensorsPerLSTM = 7
    /// Tensors per dense layer (weight, bias, multipliers, shifts).
    public static let tensorsPerDense = 4
    /// Layer kind codes.
    static let lstmKind: UInt8 = 1
    static let denseKind: UInt8 = 2

    /// Offset of the tensor table for a topology.
    public static func tensorTableOffset(features: Int, layers: Int) -> Int {
        headerBytes + recordBytes * (features + 1 + layers)
    }
}

/// Element type of a blob tensor.
public enum BlobDType: UInt8, Sendable, CustomStringConvertible {
    /// Signed 8-bit.
    case int8 = 1
    /// Signed 16-bit (reserved; no tensor uses it in version 1).
    case int16 = 2
    /// Signed 32-bit, little-endian.
    case int32 = 3

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .int8: 1
        case .int16: 2
        case .int32: 4
        }
    }

    /// `s8`, `s16`, `s32`.
    public var description: String {
        switch self {
        case .int8: "s8"
        case .int16: "s16"
        case .int32: "s32"
        }
    }
}

/// What a tensor holds; the code is stored in the tensor table and checked by readers.
public enum BlobTensorRole: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    /// LSTM input kernel, s8 [4H × I].
    case lstmInputKernel = 1
    /// LSTM recurrent kernel, s8 [4H × H].
    case lstmRecurrentKernel = 2
    /// LSTM bias, s32 [4H].
    case lstmBias = 3
    /// LSTM input-part multipliers, s32 [4H].
    case lstmInputMultipliers = 4
    /// LSTM input-part shifts, s32 [4H].
    case lstmInputShifts = 5
    /// LSTM recurrent-part multipliers, s32 [4H].
    case lstmRecurrentMultipliers = 6
    /// LSTM recurrent-part shifts, s32 [4H].
    case lstmRecurrentShifts = 7
    /// Dense weight, s8 [O × I].
    case denseWeight = 8
    /// Dense bias, s32 [O].
    case denseBias = 9
    /// Dense multipliers, s32 [O].
    case denseMultipliers = 10
    /// Dense shifts, s32 [O].
    case denseShifts = 11

    /// Short name used by `bmsim inspect`.
    public var description: String {
        switch self {
        case .lstmInputKernel: "kernel"
        case .lstmRecurrentKernel: "recurrent_kernel"
        case .lstmBias, .denseBias: "bias"
        case .lstmInputMultipliers: "input_multiplier"
        case .lstmInputShifts: "input_shift"
        case .lstmRecurrentMultipliers: "recurrent_multiplier"
        case .lstmRecurrentShifts: "recurrent_shift"
        case .denseWeight: "weight"
        case .denseMultipliers: "multiplier"
        case .denseShifts: "shift"
        }
    }

    /// Expected dtype.
    public var dtype: BlobDType {
        switch self {
        case .lstmInputKernel, .lstmRecurrentKernel, .denseWeight: .int8
        default: .int32
        }
    }

    /// Expected shape for a layer of the given input and output width (LSTM: output = H).
    public func shape(inputSize: Int, outputSize: Int) -> [Int] {
        switch self {
        case .lstmInputKernel: [4 * outputSize, inputSize]
        case .lstmRecurrentKernel: [4 * outputSize, outputSize]
        case .lstmBias, .lstmInputMultipliers, .lstmInputShifts, .lstmRecurrentMultipliers,
             .lstmRecurrentShifts: [4 * outputSize]
        case .denseWeight: [outputSize, inputSize]
        case .denseBias, .denseMultipliers, .denseShifts: [outputSize]
        }
    }

    /// Roles of an LSTM layer's tensors, in table order.
    public static let lstmRoles: [BlobTensorRole] = [
        .lstmInputKernel, .lstmRecurrentKernel, .lstmBias, .lstmInputMultipliers, .lstmInputShifts,
        .lstmRecurrentMultipliers, .lstmRecurrentShifts,
    ]
    /// Roles of a dense layer's tensors, in table order.
    public static let denseRoles: [BlobTensorRole] = [.denseWeight, .denseBias, .denseMultipliers, .denseShifts]
}

/// One row of the tensor table as read from a blob.
public struct BlobTensorInfo: Sendable, Equatable {
    /// Index in the table.
    public var index: Int
    /// Layer index (LSTM layers first, then dense).
    public var layer: Int
    /// What it holds.
    public var role: BlobTensorRole
    /// Element type.
    public var dtype: BlobDType
    /// Shape (rank 1 or 2).
    public var shape: [Int]
    /// Byte offset of the data in the file.
    public var offset: Int
    /// Bytes of data.
    public var byteCount: Int
}
