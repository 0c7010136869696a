import BMSCore
import CBMSRuntime
import Foundation
@testable import QuantizedLSTM
import Testing
@testable import WeightBlob

/// Format version 4: the prior capacity as an input feature (code 6). Written interleaved,
/// read by Swift and C alike, bit-exact while the capacity changes, and every misuse of the
/// code rejected by both readers with the same status.
struct PriorCapacityInputTests {
    static func model(seed: UInt64) -> BlobModel {
        var rng = SeededGenerator(seed: seed)
        return BlobModel.random(using: &rng, priorCapacityInput: true)
    }

    @Test func aCapacityInputIsWrittenAsVersionFourWithInterleavedKernels() throws {
        let model = Self.model(seed: 1)
        #expect(model.readsPriorCapacity && model.formatVersion == 4)
        for layout in BlobKernelLayout.allCases {
            let bytes = try BlobWriter.encode(model, layout: layout)
            #expect(bytes[4] == 4)
            let decoded = try BlobReader.decode(bytes)
            #expect(decoded.version == 4 && decoded.kernelLayout == .v3 && decoded.model == model)
            #expect(CRuntimeHarness(bytes: bytes).loadStatus == BMS_OK)
        }
    }

    @Test func theInputReadsTheCapacityTheEngineCountsAgainst() throws {
        // Two engines, one at another capacity: their first outputs (nothing drawn yet, so equal
        // priors) differ only through the capacity input (unless a random model saturates).
        var differing = 0
        for seed in 0..<20 {
            let model = Self.model(seed: 100 + UInt64(seed))
            let a = QuantizedLSTMEngine(model: model), b = QuantizedLSTMEngine(model: model)
            try b.setPriorCapacity(milliampHours: 700)
            #expect(b.frontEnd.priorCapacityMAh == 700 && a.frontEnd.priorCapacityMAh == a.defaultPriorCapacityMAh)
            let sample = RawSensorSample(voltageUV: 3_900_000, currentMA: -2000, temperatureDeciC: 250)
            if a.step(sample) != b.step(sample) { differing += 1 }
        }
        #expect(differing >= 5)
    }

    @Test(arguments: 0..<30)
    func swiftAndCAgreeWithChangingCapacities(seed: Int) throws {
        try PriorCapacityTests.expectSwiftEqualsC(try BlobWriter.encode(Self.model(seed: 9000 + UInt64(seed))),
                                                  seed: UInt64(seed), steps: 300, every: 29)
    }

    @Test func misusedCapacityInputsAreRejectedAlikeBySwiftAndC() throws {
        let model = Self.model(seed: 3)
        let good = try BlobWriter.encode(model)
        let prior = 32 + 16 * model.inputs.count + 12
        // Code 6 in a version-3 blob is unknown there.
        var bad = good; ChargeBlobBadInputTests.put(&bad, 4, 3, width: 2)
        ChargeBlobBadInputTests.expectBoth(bad, 14, "prior_capacity in a version-3 blob")
        // No prior for the input to read.
        bad = good; ChargeBlobBadInputTests.put(&bad, prior, 0, width: 4)
        ChargeBlobBadInputTests.expectBoth(bad, 8, "prior_capacity input without a prior")
        // A second capacity input (the charge input relabelled).
        bad = good; ChargeBlobBadInputTests.put(&bad, 32 + 16 * (model.inputs.count - 1), 6, width: 1)
        ChargeBlobBadInputTests.expectBoth(bad, 8, "two prior_capacity inputs")
        // Non-zero reserved bytes of the record.
        bad = good; ChargeBlobBadInputTests.put(&bad, 33, 1, width: 1)
        ChargeBlobBadInputTests.expectBoth(bad, 15, "prior_capacity record byte 1")
        // The writer refuses the same models.
        var noPrior = model
        noPrior.chargeCounter?.priorCapacityMAh = nil
        #expect(throws: BlobError.self) { try BlobWriter.encode(noPrior) }
        var twice = model
        twice.inputs[1] = BlobInputScaling(feature: .priorCapacity, offsetRaw: 1500, scale: model.inputs[0].scale)
        #expect(throws: BlobError.self) { try BlobWriter.encode(twice) }
    }
}
