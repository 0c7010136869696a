import BMSCore
import CBMSRuntime
import Testing
@testable import WeightBlob

/// Every way a version-6 blob (the uncertainty head) can be wrong is refused by the Swift
/// reader with a typed error and by the C loader with the same status code; the writer
/// refuses a model whose head and last layer disagree.
struct Version6BadInputTests {
    static func good() throws -> [UInt8] { try BlobWriter.encode(UncertaintyHeadTests.randomHeadModel(seed: 31)) }

    /// Byte offset of the last layer record.
    static func lastRecord(_ bytes: [UInt8]) -> Int {
        32 + 16 * (Int(bytes[12]) + Int(bytes[14]) + Int(bytes[16]))
    }

    static func put32(_ bytes: inout [UInt8], _ o: Int, _ v: Int32) {
        for k in 0..<4 { bytes[o + k] = UInt8((UInt32(bitPattern: v) >> (8 * UInt32(k))) & 0xFF) }
    }

    /// Decodes in Swift (expecting `check` on the error) and loads in C; both codes must agree.
    static func refused(_ bytes: [UInt8], fixCRC: Bool = true, _ check: (BlobError) -> Bool) {
        var bad = bytes
        if fixCRC { BadBlobParityTests.fixCRC(&bad) }
        do {
            _ = try BlobReader.decode(bad)
            Issue.record("accepted")
        } catch {
            #expect(check(error), "\(error)")
            #expect(CRuntimeHarness(bytes: bad).statusCode == error.statusCode, "\(error)")
        }
    }

    @Test func truncatedBlobsAreRefused() throws {
        let good = try Self.good()
        for length in stride(from: 0, to: good.count, by: 7) {
            Self.refused(Array(good[0..<length]), fixCRC: false) {
                if case .truncated = $0 { return true } else { return false }
            }
        }
    }

    @Test func aVersionOutsideOneToSixIsRefused() throws {
        for version: UInt8 in [0, 7, 9] {
            var bad = try Self.good()
            bad[4] = version
            Self.refused(bad) { if case .unsupportedVersion(_, expected: 6, found: Int(version)) = $0 { true } else { false } }
        }
    }

    @Test func twoOutputsBelowVersion6AndOneOutputInVersion6AreRefused() throws {
        var old = try Self.good()
        old[4] = 5
        Self.refused(old) { if case .invalidTopology(_, let field, _, let found) = $0 { field.hasSuffix("outputSize") && found == "2" } else { false } }
        var rng = SeededGenerator(seed: 4)
        var oneOutput = try BlobWriter.encode(BlobModel.random(using: &rng), layout: .v3)
        oneOutput[4] = 6
        Self.refused(oneOutput) { if case .invalidTopology(_, let field, _, let found) = $0 { field.hasSuffix("outputSize") && found == "1" } else { false } }
    }

    @Test func aBadLogVarianceFormatOrLabelSpanIsAScaleError() throws {
        let good = try Self.good()
        let record = Self.lastRecord(good)
        for bits: UInt8 in [0, 10, 12, 15] {
            var bad = good
            bad[record + 8] = bits
            Self.refused(bad) {
                if case .scaleOutOfRange(_, let field, _, let shift) = $0 { field.hasSuffix("logVarianceFractionBits") && shift == Int32(bits) } else { false }
            }
        }
        for span: Int32 in [0, -1, Int32.min, 10_000_001, Int32.max] {
            var bad = good
            Self.put32(&bad, record + 12, span)
            Self.refused(bad) {
                if case .scaleOutOfRange(_, let field, let found, _) = $0 { field.hasSuffix("labelSpanPPM") && found == span } else { false }
            }
        }
    }

    @Test func theHeadRecordsReservedBytesMustBeZero() throws {
        let good = try Self.good()
        let record = Self.lastRecord(good)
        for offset in 9...11 {
            var bad = good
            bad[record + offset] = 1
            Self.refused(bad) { if case .reservedNotZero = $0 { true } else { false } }
        }
    }

    @Test func theWriterRefusesAHeadThatDoesNotMatchTheLastLayer() throws {
        var headless = UncertaintyHeadTests.randomHeadModel(seed: 32)
        headless.uncertaintyHead = nil
        #expect(throws: BlobError.self) { _ = try BlobWriter.encode(headless) }
        do { _ = try BlobWriter.encode(headless) } catch {
            guard case .invalidTopology(_, _, _, let found) = error else { Issue.record("\(error)"); return }
            #expect(found == "2")
        }
        var rng = SeededGenerator(seed: 33)
        var oneOutput = BlobModel.random(using: &rng)
        oneOutput.uncertaintyHead = BlobUncertaintyHead(labelSpanPPM: 1000)
        do { _ = try BlobWriter.encode(oneOutput); Issue.record("accepted") } catch {
            guard case .invalidTopology(_, _, _, let found) = error else { Issue.record("\(error)"); return }
            #expect(found == "1")
        }
        for span: Int32 in [0, -5, 10_000_001] {
            let badSpan = UncertaintyHeadTests.randomHeadModel(seed: 34, span: span)
            do { _ = try BlobWriter.encode(badSpan); Issue.record("accepted") } catch {
                guard case .scaleOutOfRange(_, _, let found, _) = error else { Issue.record("\(error)"); return }
                #expect(found == span)
            }
        }
    }

    @Test func singleByteCorruptionsGetTheSameVerdictInSwiftAndC() throws {
        let good = try Self.good()
        let metaStart = Int(good[24]) | Int(good[25]) << 8
        let metaEnd = metaStart + (Int(good[28]) | Int(good[29]) << 8)
        var rejected = 0
        for offset in 0..<(good.count - 4) where !(metaStart..<metaEnd).contains(offset) {
            var bad = good
            bad[offset] ^= UInt8(truncatingIfNeeded: 1 + offset % 255)
            BadBlobParityTests.fixCRC(&bad)
            let swift = BadBlobParityTests.swiftCode(bad), c = CRuntimeHarness(bytes: bad).statusCode
            // metadata is informational: C does not read it (the one intended difference, BadBlobParityTests)
            #expect(swift == c || (swift == 100 && c == 0), "byte \(offset): Swift \(swift) C \(c)")
            if swift != 0 { rejected += 1 }
        }
        #expect(rejected > 50)
    }
}
