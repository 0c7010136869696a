import BMSCore
import Testing
@testable import WeightBlob

/// Format version 3: the LSTM kernels interleaved per unit in 4-column word groups, rows
/// padded to a multiple of 4 (Docs/WeightBlobFormat.md, "Version 3").
struct BlobVersion3Tests {
    static func put32(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt32) {
        for k in 0..<4 { bytes[offset + k] = UInt8((value >> (8 * UInt32(k))) & 0xFF) }
    }

    static func fixCRC(_ bytes: inout [UInt8]) {
        let end = bytes.count - 4
        put32(&bytes, end, CRC32.checksum(bytes[0..<end]))
    }

    static func u32(_ bytes: [UInt8], _ o: Int) -> Int {
        Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24
    }

    /// A model with one LSTM(1) layer over 5 inputs whose weights name their place:
    /// input kernel row r (gate), column c holds 10·(r+1) + c.
    static func namedWeights() throws -> BlobModel {
        var rng = SeededGenerator(seed: 2)
        var model = BlobModel.random(using: &rng)
        while model.inputs.count < 5 {
            model.inputs.append(BlobInputScaling(feature: .voltage, offsetRaw: 0,
                                                 scale: BlobRequantization(multiplier: 1 << 30, shift: 30)))
        }
        model.inputs = Array(model.inputs.prefix(5))
        let rq = BlobRequantization(multiplier: 1 << 30, shift: 40)
        model.lstmLayers = [BlobLSTMLayer(
            inputSize: 5, hiddenSize: 1, inputKernel: (0..<4).flatMap { r in (0..<5).map { Int8(10 * (r + 1) + $0) } },
            recurrentKernel: [-1, -2, -3, -4], bias: [0, 0, 0, 0],
            inputMultipliers: Array(repeating: rq.multiplier, count: 4), inputShifts: Array(repeating: rq.shift, count: 4),
            recurrentMultipliers: Array(repeating: rq.multiplier, count: 4),
            recurrentShifts: Array(repeating: rq.shift, count: 4))]
        model.denseLayers = [BlobDenseLayer(inputSize: 1, outputSize: 1, activation: .none, weight: [7], bias: [0],
                                            multipliers: [rq.multiplier], shifts: [rq.shift])]
        return model
    }

    @Test func kernelBytesAreWhereTheSpecSays() throws {
        let bytes = try BlobWriter.encode(try Self.namedWeights(), layout: .v3)
        let decoded = try BlobReader.decode(bytes)
        #expect(bytes[4] == 3 && bytes[5] == 0)
        #expect(decoded.version == 3 && decoded.kernelLayout == .v3)
        let kernel = decoded.tensors[0], recurrent = decoded.tensors[1]
        #expect(kernel.shape == [4, 5] && kernel.byteCount == 32)      // 4 rows × 8 (5 padded)
        #expect(recurrent.shape == [4, 1] && recurrent.byteCount == 16)  // 4 rows × 4 (1 padded)
        // columns 0…3 of gates i, f, g, o, then column 4 of each with three zero pad bytes
        let expected: [Int8] = [10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33, 40, 41, 42, 43,
                                14, 0, 0, 0, 24, 0, 0, 0, 34, 0, 0, 0, 44, 0, 0, 0]
        #expect(bytes[kernel.offset..<(kernel.offset + 32)].map { Int8(bitPattern: $0) } == expected)
        let expectedRecurrent: [Int8] = [-1, 0, 0, 0, -2, 0, 0, 0, -3, 0, 0, 0, -4, 0, 0, 0]
        #expect(bytes[recurrent.offset..<(recurrent.offset + 16)].map { Int8(bitPattern: $0) } == expectedRecurrent)
    }

    @Test(arguments: 0..<30)
    func randomModelsRoundTripInBothLayouts(seed: Int) throws {
        var rng = SeededGenerator(seed: 500 + UInt64(seed))
        let model = BlobModel.random(using: &rng, chargeCounter: seed % 3 == 0)
        let rows = try BlobReader.decode(try BlobWriter.encode(model))
        let v3Bytes = try BlobWriter.encode(model, layout: .v3)
        let v3 = try BlobReader.decode(v3Bytes)
        #expect(v3.model == model && rows.model == model)
        #expect(v3.version == 3 && rows.version == Int(model.formatVersion))
        for (tensor, lstm) in zip(v3.tensors.filter { $0.role == .lstmInputKernel }, model.lstmLayers) {
            #expect(tensor.byteCount == 4 * lstm.hiddenSize * ((lstm.inputSize + 3) / 4 * 4))
            #expect(tensor.offset % 16 == 0)
        }
        #expect(try BlobWriter.encode(v3.model, layout: .v3) == v3Bytes)
    }

    @Test func nonZeroPaddingIsRejectedAtItsByte() throws {
        let good = try BlobWriter.encode(try Self.namedWeights(), layout: .v3)
        let kernel = try BlobReader.decode(good).tensors[0]
        var bad = good
        bad[kernel.offset + 16 + 4 + 2] = 1  // gate f, padding column 6
        Self.fixCRC(&bad)
        #expect {
            try BlobReader.decode(bad, source: "v3.bmsq")
        } throws: { error in
            guard case let .reservedNotZero(at, field) = error as? BlobError else { return false }
            return at.file == "v3.bmsq" && at.byteOffset == kernel.offset + 22 && field.contains("kernel padding")
        }
    }

    @Test func rowMajorByteCountsInAVersion3HeaderAreRejected() throws {
        // A version-1 blob relabelled 3: its 5-column kernel holds 20, not 32, bytes.
        var bad = try BlobWriter.encode(try Self.namedWeights())
        bad[4] = 3
        Self.fixCRC(&bad)
        let table = Self.u32(bad, 20)
        #expect {
            try BlobReader.decode(bad)
        } throws: { error in
            guard case let .invalidTensor(at, field, expected, found) = error as? BlobError else { return false }
            return at.byteOffset == table + 12 && field.hasSuffix("kernel.byteCount") && expected == "32" && found == "20"
        }
    }

    @Test func versionSevenIsUnsupported() throws {
        var bad = try BlobWriter.encode(try Self.namedWeights(), layout: .v3)
        bad[4] = 7
        Self.fixCRC(&bad)
        #expect {
            try BlobReader.decode(bad)
        } throws: { error in
            guard case let .unsupportedVersion(at, expected, found) = error as? BlobError else { return false }
            return at.byteOffset == 4 && expected == 6 && found == 7
        }
    }

    @Test func cHeaderStatesTheBlobsOwnVersion() throws {
        let model = try Self.namedWeights()
        for (layout, version) in [(BlobKernelLayout.rows, 1), (.v3, 3)] {
            let bytes = try BlobWriter.encode(model, layout: layout)
            let text = CHeaderEmitter.emit(blob: try BlobReader.decode(bytes), bytes: bytes, symbol: "m")
            #expect(text.contains("#define M_FORMAT_VERSION \(version) "))
        }
    }
}
