import BMSCore
import Testing
@testable import WeightBlob

/// Corrupted blobs: each defect is rejected with its specific error, never a crash.
struct BlobBadInputTests {
    static func validBlob(seed: UInt64 = 1) throws -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        return try BlobWriter.encode(BlobModel.random(using: &rng))
    }

    /// Rewrites the CRC trailer so that a corruption behind it is what the reader sees.
    static func fixCRC(_ bytes: inout [UInt8]) {
        let end = bytes.count - 4
        let crc = CRC32.checksum(bytes[0..<end])
        for k in 0..<4 { bytes[end + k] = UInt8((crc >> (8 * UInt32(k))) & 0xFF) }
    }

    static func put32(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt32) {
        for k in 0..<4 { bytes[offset + k] = UInt8((value >> (8 * UInt32(k))) & 0xFF) }
    }

    static func code(_ bytes: [UInt8]) -> Int32? {
        do { _ = try BlobReader.decode(bytes); return nil } catch { return error.statusCode }
    }

    @Test func everyTruncationIsReportedAsTruncated() throws {
        let bytes = try Self.validBlob()
        for length in stride(from: 0, to: bytes.count, by: 7) {
            #expect(Self.code(Array(bytes[0..<length])) == 2, "length \(length)")
        }
        #expect(Self.code(bytes + [0]) == 3)
    }

    @Test func headerDefects() throws {
        let good = try Self.validBlob()
        var bad = good; bad[0] = UInt8(ascii: "X")
        #expect(Self.code(bad) == 4)
        bad = good; bad[4] = 7
        #expect(Self.code(bad) == 5)
        bad = good; bad[6] = 1
        #expect(Self.code(bad) == 6)
        bad = good; bad[good.count / 2] ^= 0x40
        #expect(Self.code(bad) == 7)
        bad = good; bad[12] = 0; Self.fixCRC(&bad)
        #expect(Self.code(bad) == 8)
        bad = good; bad[18] &+= 1; Self.fixCRC(&bad)
        #expect(Self.code(bad) == 9)
        bad = good; Self.put32(&bad, 20, 4096); Self.fixCRC(&bad)
        #expect(Self.code(bad) == 10)
        bad = good; Self.put32(&bad, 28, UInt32(good.count)); Self.fixCRC(&bad)
        #expect(Self.code(bad) == 10)
    }

    /// Offsets of the first feature record, the output record, the first layer record and
    /// the first tensor entry of `bytes`.
    static func sections(_ bytes: [UInt8]) -> (feature: Int, output: Int, layer: Int, tensor: Int) {
        let features = Int(bytes[12])
        return (32, 32 + 16 * features, 48 + 16 * features, Int(bytes[20]) | Int(bytes[21]) << 8)
    }

    @Test func recordDefects() throws {
        let good = try Self.validBlob()
        let s = Self.sections(good)
        var bad = good; bad[s.feature] = 9; Self.fixCRC(&bad)
        #expect(Self.code(bad) == 14)
        bad = good; bad[s.feature + 2] = 1; Self.fixCRC(&bad)
        #expect(Self.code(bad) == 15)
        bad = good; Self.put32(&bad, s.feature + 8, 12345); Self.fixCRC(&bad)     // multiplier < 2^30
        #expect(Self.code(bad) == 12)
        bad = good; Self.put32(&bad, s.output + 4, 63); Self.fixCRC(&bad)         // shift > 62
        #expect(Self.code(bad) == 12)
        bad = good; bad[s.layer] = 2; Self.fixCRC(&bad)                           // dense where LSTM expected
        #expect(Self.code(bad) == 8)
        bad = good; bad[s.layer + 2] &+= 1; Self.fixCRC(&bad)                     // input size does not chain
        #expect(Self.code(bad) == 8)
        bad = good; bad[s.layer + 1] = 1; Self.fixCRC(&bad)                       // ReLU on an LSTM
        #expect(Self.code(bad) == 8)
    }

    @Test func tensorDefects() throws {
        let good = try Self.validBlob()
        let t = Self.sections(good).tensor
        var bad = good; bad[t] = 3; Self.fixCRC(&bad)                             // s32 kernel
        #expect(Self.code(bad) == 9)
        bad = good; bad[t + 4] &+= 1; Self.fixCRC(&bad)                           // shape
        #expect(Self.code(bad) == 9)
        bad = good; bad[t + 8] &+= 4; Self.fixCRC(&bad)                           // misaligned
        #expect(Self.code(bad) == 11)
        bad = good; Self.put32(&bad, t + 8, UInt32(good.count + 16) & ~15); Self.fixCRC(&bad)  // past the end
        #expect(Self.code(bad) == 10)
        bad = good; Self.put32(&bad, t + 8, 0); Self.fixCRC(&bad)                 // over the header
        #expect(Self.code(bad) == 10)
        bad = good; Self.put32(&bad, t + 8, 0xFFFF_FFF0); Self.fixCRC(&bad)       // offset + length overflows
        #expect(Self.code(bad) == 10)
    }

    @Test func valueDefects() throws {
        var rng = SeededGenerator(seed: 1)
        var model = BlobModel.random(using: &rng)
        model.lstmLayers[0].bias[0] = (1 << 30) + 1
        // The writer refuses it (it validates its own output), so patch a valid blob instead.
        #expect(throws: BlobError.self) { try BlobWriter.encode(model) }
        let good = try Self.validBlob()
        let decoded = try BlobReader.decode(good)
        let biasOffset = decoded.tensors[2].offset
        var bad = good; Self.put32(&bad, biasOffset, UInt32(bitPattern: Int32.min)); Self.fixCRC(&bad)
        #expect(Self.code(bad) == 13)
        let shiftOffset = decoded.tensors[4].offset
        bad = good; Self.put32(&bad, shiftOffset, 0); Self.fixCRC(&bad)
        #expect(Self.code(bad) == 12)
        let metaOffset = Int(good[24]) | Int(good[25]) << 8
        bad = good; bad[metaOffset] = 0xFF; Self.fixCRC(&bad)
        #expect(Self.code(bad) == 100)
    }

    @Test func errorsCarryTheByteOffset() throws {
        var bad = try Self.validBlob()
        bad[4] = 9
        #expect {
            try BlobReader.decode(bad, source: "model.bmsq")
        } throws: { error in
            guard case let .unsupportedVersion(at, expected, found) = error as? BlobError else { return false }
            return at.file == "model.bmsq" && at.byteOffset == 4 && expected == 6 && found == 9
        }
    }
}
