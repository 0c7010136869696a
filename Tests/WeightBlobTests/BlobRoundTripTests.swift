import BMSCore
import Testing
@testable import WeightBlob

/// Writer → reader round trips and the format's fixed facts.
struct BlobRoundTripTests {
    @Test func crc32OfTheStandardCheckString() {
        // The CRC-32/ISO-HDLC check value from the CRC catalogue.
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test(arguments: 0..<40)
    func randomModelsSurviveARoundTrip(seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed))
        let model = BlobModel.random(using: &rng)
        let bytes = try BlobWriter.encode(model)
        let decoded = try BlobReader.decode(bytes)
        #expect(decoded.model == model)
        #expect(decoded.fileSize == bytes.count)
        #expect(decoded.tensors.count == 7 * model.lstmLayers.count + 4 * model.denseLayers.count)
        for tensor in decoded.tensors {
            #expect(tensor.offset % 16 == 0)
            #expect(tensor.byteCount == tensor.shape.reduce(1, *) * tensor.dtype.size)
        }
        #expect(try BlobWriter.encode(decoded.model) == bytes)  // deterministic encoding
    }

    @Test func headerFieldsAreWhereTheSpecSays() throws {
        var rng = SeededGenerator(seed: 7)
        let model = BlobModel.random(using: &rng)
        let bytes = try BlobWriter.encode(model)
        #expect(Array(bytes[0..<4]) == Array("BMSQ".utf8))
        #expect(bytes[4] == 1 && bytes[5] == 0)            // version 1, little-endian
        #expect(bytes[6] == 0 && bytes[7] == 0)            // gate order i,f,g,o
        let size = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        #expect(size == bytes.count)
        #expect(Int(bytes[12]) == model.inputs.count)
        let crc = UInt32(bytes[size - 4]) | UInt32(bytes[size - 3]) << 8 | UInt32(bytes[size - 2]) << 16
            | UInt32(bytes[size - 1]) << 24
        #expect(crc == CRC32.checksum(bytes[0..<(size - 4)]))
    }

    @Test func metadataRoundTripsAndRejectsBadKeys() throws {
        var rng = SeededGenerator(seed: 3)
        var model = BlobModel.random(using: &rng)
        model.metadata = [BlobMetadataEntry(key: "epochs", value: "40"),
                          BlobMetadataEntry(key: "test_rmse_percent", value: "3.1 = good")]
        let decoded = try BlobReader.decode(try BlobWriter.encode(model))
        #expect(decoded.model.metadataValue("test_rmse_percent") == "3.1 = good")
        model.metadata = [BlobMetadataEntry(key: "a=b", value: "x")]
        #expect(throws: BlobError.self) { try BlobWriter.encode(model) }
    }

    @Test func writerRejectsArraysThatDoNotMatchTheirSizes() {
        var rng = SeededGenerator(seed: 5)
        var model = BlobModel.random(using: &rng)
        model.lstmLayers[0].bias.removeLast()
        #expect {
            try BlobWriter.encode(model)
        } throws: { error in
            guard case .invalidTensor(_, let field, _, _) = error as? BlobError else { return false }
            return field == "lstm[0].bias"
        }
    }

    @Test func cHeaderHoldsExactlyTheBlobBytes() throws {
        var rng = SeededGenerator(seed: 11)
        let bytes = try BlobWriter.encode(BlobModel.random(using: &rng))
        let text = CHeaderEmitter.emit(blob: try BlobReader.decode(bytes), bytes: bytes, symbol: "demo-model")
        #expect(text.contains("#define DEMO_MODEL_SIZE \(bytes.count)u"))
        #expect(text.contains("static const uint8_t demo_model[DEMO_MODEL_SIZE] DEMO_MODEL_ALIGNED"))
        let body = text.split(separator: "{", maxSplits: 1)[1].split(separator: "}")[0]
        let parsed = body.split(whereSeparator: { $0 == "," || $0.isWhitespace })
            .map { UInt8($0.dropFirst(2), radix: 16)! }
        #expect(parsed == bytes)
        #expect(CHeaderEmitter.sanitize("9lives") == "_9lives")
    }
}
