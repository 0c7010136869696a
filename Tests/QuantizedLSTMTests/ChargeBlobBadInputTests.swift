import BMSCore
import CBMSRuntime
import Testing
@testable import WeightBlob

/// Corrupted version-2 fields: the Swift reader and the C loader reject each with the same
/// specific error (`BlobError.statusCode` = `bms_status_t`).
struct ChargeBlobBadInputTests {
    static func good() throws -> (bytes: [UInt8], featureCount: Int) {
        var rng = SeededGenerator(seed: 4)
        var model = BlobModel.random(using: &rng, chargeCounter: true)
        model.chargeCounter = BlobChargeCounter(stepSeconds: 10, priorCapacityMAh: 2000)
        return (try BlobWriter.encode(model), model.inputs.count)
    }

    static func put(_ bytes: inout [UInt8], _ offset: Int, _ value: Int64, width: Int) {
        for k in 0..<width { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * Int64(k))) }
        BadBlobParityTests.fixCRC(&bytes)
    }

    /// Both readers' codes; the Swift error must also be the expected case.
    static func expectBoth(_ bytes: [UInt8], _ code: Int32, _ what: Comment) {
        #expect(BadBlobParityTests.swiftCode(bytes) == code, what)
        #expect(CRuntimeHarness(bytes: bytes).statusCode == code, what)
    }

    @Test func unknownFeatureCodes() throws {
        let (good, f) = try Self.good()
        let charge = 32 + 16 * (f - 1)
        var bad = good; Self.put(&bad, charge, 6, width: 1)
        Self.expectBoth(bad, 14, "feature code 6")
        bad = good; Self.put(&bad, charge, 255, width: 1)
        Self.expectBoth(bad, 14, "feature code 255")
        // Code 5 does not exist in version 1: the same blob relabelled v1 is rejected.
        bad = good; Self.put(&bad, 4, 1, width: 2)
        Self.expectBoth(bad, 14, "charge_drawn in a version-1 blob")
        bad = good; Self.put(&bad, 4, 7, width: 2)
        Self.expectBoth(bad, 5, "version 7")
    }

    @Test func stepOutOfRange() throws {
        let (good, f) = try Self.good()
        let step = 32 + 16 * (f - 1) + 2
        for value: Int64 in [0, 3601, 65535] {
            var bad = good; Self.put(&bad, step, value, width: 2)
            Self.expectBoth(bad, 18, "step \(value)")
        }
        var edge = good; Self.put(&edge, step, 3600, width: 2)
        Self.expectBoth(edge, 0, "step 3600 is valid")
        var reserved = good; Self.put(&reserved, step - 1, 1, width: 1)
        Self.expectBoth(reserved, 15, "charge record byte 1")
        do {
            var bad = good; Self.put(&bad, step, 0, width: 2)
            _ = try BlobReader.decode(bad)
        } catch {
            guard case let .stepOutOfRange(at, _, found) = error else { Issue.record("\(error)"); return }
            #expect(at.byteOffset == step && found == 0)
        }
    }

    @Test func priorOutOfRange() throws {
        let (good, f) = try Self.good()
        let prior = 32 + 16 * f + 12
        for value: Int64 in [-1, -2000, Int64(Int32.min), 1_000_001] {
            var bad = good; Self.put(&bad, prior, value, width: 4)
            Self.expectBoth(bad, 19, "prior \(value)")
        }
        var none = good; Self.put(&none, prior, 0, width: 4)
        Self.expectBoth(none, 0, "prior 0 = no prior")
        #expect(try BlobReader.decode(none).model.chargeCounter?.priorCapacityMAh == nil)
        // A prior without a charge input: relabel the charge record as voltage.
        var orphan = good
        orphan[32 + 16 * (f - 1) + 2] = 0
        orphan[32 + 16 * (f - 1) + 3] = 0
        Self.put(&orphan, 32 + 16 * (f - 1), 0, width: 1)
        Self.expectBoth(orphan, 19, "prior without charge_drawn")
        do { _ = try BlobReader.decode(orphan) } catch {
            guard case let .priorOutOfRange(_, found, reason) = error else { Issue.record("\(error)"); return }
            #expect(found == 2000 && reason.contains("charge_drawn"))
        }
    }

    @Test func secondChargeInputIsATopologyError() throws {
        let (good, f) = try Self.good()
        guard f >= 2 else { return }
        var bad = good
        bad[32] = 5; bad[33] = 0; bad[34] = 10; bad[35] = 0
        BadBlobParityTests.fixCRC(&bad)
        Self.expectBoth(bad, 8, "two charge_drawn inputs")
    }

    /// Single-byte corruptions of a version-2 blob get the same verdict from both readers.
    @Test func corruptionsOfVersionTwoAgree() throws {
        let (good, f) = try Self.good()
        let picks = SeededGeneratorBox(seed: 9)
        for offset in 0..<(32 + 16 * (f + 1)) {
            for _ in 0..<3 {
                var bad = good
                bad[offset] ^= UInt8(truncatingIfNeeded: 1 + picks.next() % 255)
                BadBlobParityTests.fixCRC(&bad)
                let swift = BadBlobParityTests.swiftCode(bad), c = CRuntimeHarness(bytes: bad).statusCode
                // Metadata offset/size (header bytes 24…31) are checked only by Swift's reader (100).
                #expect(swift == c || (swift == 100 && c == 0), "byte \(offset): Swift \(swift) C \(c)")
            }
        }
    }
}
