import BMSCore
import CBMSRuntime
import Testing
@testable import WeightBlob

/// The C loader rejects every corrupted blob for the same reason as the Swift reader.
struct BadBlobParityTests {
    static func fixCRC(_ bytes: inout [UInt8]) {
        let end = bytes.count - 4
        let crc = CRC32.checksum(bytes[0..<end])
        for k in 0..<4 { bytes[end + k] = UInt8((crc >> (8 * UInt32(k))) & 0xFF) }
    }

    static func swiftCode(_ bytes: [UInt8]) -> Int32 {
        do { _ = try BlobReader.decode(bytes); return 0 } catch { return error.statusCode }
    }

    @Test(arguments: BlobKernelLayout.allCases)
    func singleByteCorruptionsGetTheSameVerdict(layout: BlobKernelLayout) throws {
        var rng = SeededGenerator(seed: 21)
        let good = try BlobWriter.encode(BlobModel.random(using: &rng), layout: layout)
        let metaStart = Int(good[24]) | Int(good[25]) << 8
        let metaEnd = metaStart + (Int(good[28]) | Int(good[29]) << 8)
        var compared = 0, rejected = 0
        let picks = SeededGeneratorBox(seed: 3)
        for offset in 0..<(good.count - 4) where !(metaStart..<metaEnd).contains(offset) {
            for _ in 0..<2 {
                var bad = good
                bad[offset] ^= UInt8(truncatingIfNeeded: 1 + picks.next() % 255)
                Self.fixCRC(&bad)
                let swift = Self.swiftCode(bad)
                let c = CRuntimeHarness(bytes: bad).statusCode
                // Metadata is informational: the C runtime does not read it, so a blob whose
                // metadata fields were hit is rejected by Swift (100) and accepted by C.
                #expect(swift == c || (swift == 100 && c == 0), "byte \(offset): Swift \(swift) C \(c)")
                compared += 1
                if swift != 0 { rejected += 1 }
            }
        }
        #expect(compared > 1000 && rejected > 100)
    }

    @Test func truncationsAndRawCorruptionsAgree() throws {
        var rng = SeededGenerator(seed: 22)
        let good = try BlobWriter.encode(BlobModel.random(using: &rng))
        for length in stride(from: 0, to: good.count, by: 5) {
            let prefix = Array(good[0..<length])
            #expect(CRuntimeHarness(bytes: prefix).statusCode == Self.swiftCode(prefix))
        }
        var bad = good; bad[100] ^= 1
        #expect(CRuntimeHarness(bytes: bad).loadStatus == BMS_ERR_CRC)
        #expect(Self.swiftCode(bad) == 7)
    }

    @Test func nullArgumentsAreRejected() {
        var model = bms_lstm_model_t()
        #expect(bms_lstm_load_blob(nil, 100, &model) == BMS_ERR_ARGUMENT)
        var soc: Int32 = 0
        #expect(bms_lstm_step_s8(nil, 0, 0, 0, &soc) == BMS_ERR_ARGUMENT)
        var context = bms_lstm_context_t()
        var words: [Int16] = [0]
        #expect(bms_lstm_init_context(&model, &words, 1, &context) == BMS_ERR_WORKSPACE)
    }
}
