import BMSCore
import CBMSRuntime
import Foundation
@testable import QuantizedLSTM
import Testing
import TestSupport
@testable import WeightBlob

/// The start SOC s0 of the prior `s0 − q/Q` (issue 16, "any start"; format version 5's
/// prior-SOC input, code 7): the integer prior against an independent reference, Swift = C
/// while s0 and the capacity change, every misuse refused alike.
struct StartSOCTests {
    static func model(seed: UInt64) -> BlobModel {
        var rng = SeededGenerator(seed: seed)
        return BlobModel.random(using: &rng, priorSOCInput: true)
    }

    /// Reference: `s0 − ⌊25q/(18Q) + ½⌋` (q/Q in percent·100 = 10000·q/(7200·Q)), in Double from
    /// other constants; exact here (the integers stay below 2^53, and a quotient within
    /// 1/(36Q) of an integer is still resolved by Double's 2^-53 relative error).
    static func reference(q: Int64, capacityMAh: Int64, start: Int64) -> Int64 {
        start - Int64((Double(50 * q + 18 * capacityMAh) / Double(36 * capacityMAh)).rounded(.down))
    }

    @Test func thePriorStartsAtEveryStartSOCExactly() {
        // Exhaustive over s0 for a few counters and capacities, including ties and negative q (charge).
        let cases: [(Int32, Int32)] = [(0, 2000), (3600, 1), (-3600, 1), (7_200_000, 2000), (6_480_000, 1800),
                                       (-1_234_567, 1750), (2_147_483_647, 1), (-2_147_483_648, 1_000_000)]
        for (q, capacity) in cases {
            for s0 in StartSOC.centiPercentRange {
                let got = IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: q, priorCapacityMAh: capacity, startSOCCentiPercent: s0)
                let want = Self.reference(q: Int64(q), capacityMAh: Int64(capacity), start: Int64(s0))
                if got != want { Issue.record("q \(q) Q \(capacity) s0 \(s0): \(got) vs \(want)"); return }
            }
        }
    }

    @Test func thePriorMatchesTheReferenceOnRandomInputs() {
        var rng = SeededGenerator(seed: 16)
        for _ in 0..<200_000 {
            let q = Int32(truncatingIfNeeded: rng.next())
            let capacity = Int32(1 + rng.next() % 1_000_000)
            let s0 = Int32(rng.next() % 12_001)
            let got = IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: q, priorCapacityMAh: capacity, startSOCCentiPercent: s0)
            #expect(got == Self.reference(q: Int64(q), capacityMAh: Int64(capacity), start: Int64(s0)))
            // s0 = 10000 is the prior of every older blob.
            #expect(IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: q, priorCapacityMAh: capacity)
                    == got - Int64(s0) + 10_000)
        }
    }

    @Test func aPriorSOCInputIsWrittenAsVersionFive() throws {
        let model = Self.model(seed: 1)
        #expect(model.readsPriorSOC && model.formatVersion == 5)
        for layout in BlobKernelLayout.allCases {
            let bytes = try BlobWriter.encode(model, layout: layout)
            #expect(bytes[4] == 5)
            let decoded = try BlobReader.decode(bytes)
            #expect(decoded.version == 5 && decoded.kernelLayout == .v3 && decoded.model == model)
            #expect(CRuntimeHarness(bytes: bytes).loadStatus == BMS_OK)
        }
    }

    @Test func theStartSOCMovesThePriorAndTheInput() throws {
        // Same samples, s0 = 60 %: the outputs differ from a full start (through the input and the prior).
        var differing = 0
        for seed in 0..<20 {
            let model = Self.model(seed: 200 + UInt64(seed))
            let full = QuantizedLSTMEngine(model: model), partial = QuantizedLSTMEngine(model: model)
            try partial.setStartSOC(centiPercent: 6000)
            partial.reset()
            #expect(partial.startSOCCentiPercent == 6000 && full.startSOCCentiPercent == 10_000)   // reset keeps it
            let sample = RawSensorSample(voltageUV: 3_700_000, currentMA: -2000, temperatureDeciC: 250)
            if full.step(sample) != partial.step(sample) { differing += 1 }
            #expect(partial.frontEnd.priorCentiPercent == 6000 && full.frontEnd.priorCentiPercent == 10_000)
        }
        #expect(differing >= 15)
    }

    @Test(arguments: 0..<30)
    func swiftAndCAgreeWithChangingStartSOCs(seed: Int) throws {
        let bytes = try BlobWriter.encode(Self.model(seed: 9500 + UInt64(seed)))
        let c = CRuntimeHarness(bytes: bytes)
        #expect(c.loadStatus == BMS_OK)
        let engine = QuantizedLSTMEngine(model: try BlobReader.decode(bytes).model)
        for kernel in CRuntimeHarness.allKernels where c.use(kernel: kernel) {
            var rng = SeededGenerator(seed: UInt64(seed) + 5)
            var source = RawSampleSource(rng: SeededGeneratorBox(seed: UInt64(seed) + 55))
            for n in 0..<400 {
                if n % 41 == 0 {
                    engine.reset(); c.reset()
                    let s0 = Int32(rng.next() % 12_001)
                    try engine.setStartSOC(centiPercent: s0)
                    #expect(bms_lstm_set_start_soc(c.context, s0) == BMS_OK)
                    let capacity = Int32(800 + rng.next() % 2400)
                    try engine.setPriorCapacity(milliampHours: capacity)
                    #expect(bms_lstm_set_prior_capacity(c.context, capacity) == BMS_OK)
                }
                let sample = source.next()
                let swift = engine.step(sample), cSOC = c.step(sample)
                if swift != cSOC { Issue.record("seed \(seed) step \(n) kernel \(kernel): Swift \(swift) C \(cSOC)"); return }
            }
        }
    }

    @Test func badStartSOCsAreRefusedWithATypedErrorAndChangeNothing() throws {
        let engine = QuantizedLSTMEngine(model: Self.model(seed: 2))
        let c = CRuntimeHarness(bytes: try BlobWriter.encode(Self.model(seed: 2)))
        for bad: Int32 in [-1, 12_001, .min, .max] {
            #expect(throws: StartSOCError.outOfRange(centiPercent: bad)) { try engine.setStartSOC(centiPercent: bad) }
            #expect(engine.startSOCCentiPercent == 10_000)
            #expect(bms_lstm_set_start_soc(c.context, bad) == BMS_ERR_START_SOC)
            #expect(c.context.pointee.start_soc_centi_percent == 10_000)
        }
        try engine.setStartSOC(centiPercent: 0)
        try engine.setStartSOC(centiPercent: 12_000)
        #expect(bms_lstm_set_start_soc(nil, 5000) == BMS_ERR_ARGUMENT)
        // Blobs without the input (full starts only, e.g. lstm-soh) refuse a start SOC.
        let older = PriorCapacityTests.modelWithPrior(seed: 3)
        #expect(throws: StartSOCError.modelHasNoStartSOC) { try QuantizedLSTMEngine(model: older).setStartSOC(centiPercent: 5000) }
        let olderC = CRuntimeHarness(bytes: try BlobWriter.encode(older))
        #expect(olderC.loadStatus == BMS_OK)
        #expect(bms_lstm_set_start_soc(olderC.context, 5000) == BMS_ERR_START_SOC)
        withExtendedLifetime(olderC) {}
        #expect(StartSOCError.modelHasNoStartSOC.statusCode == Int(BMS_ERR_START_SOC.rawValue))
        // (The fraction a firmware converts once per run: `StartSOCFractionTests` in EstimatorsTests.)
    }

    @Test func misusedPriorSOCInputsAreRejectedAlikeBySwiftAndC() throws {
        let model = Self.model(seed: 4)
        let good = try BlobWriter.encode(model)
        let prior = 32 + 16 * model.inputs.count + 12
        var bad = good; ChargeBlobBadInputTests.put(&bad, 4, 4, width: 2)
        ChargeBlobBadInputTests.expectBoth(bad, 14, "prior_soc in a version-4 blob")
        bad = good; ChargeBlobBadInputTests.put(&bad, prior, 0, width: 4)
        ChargeBlobBadInputTests.expectBoth(bad, 8, "prior_soc input without a prior")
        bad = good; ChargeBlobBadInputTests.put(&bad, 32 + 16 * (model.inputs.count - 1), 7, width: 1)
        ChargeBlobBadInputTests.expectBoth(bad, 8, "two prior_soc inputs")
        bad = good; ChargeBlobBadInputTests.put(&bad, 32, 8, width: 1)
        ChargeBlobBadInputTests.expectBoth(bad, 14, "feature code 8")
        var noPrior = model
        noPrior.chargeCounter?.priorCapacityMAh = nil
        #expect(throws: BlobError.self) { try BlobWriter.encode(noPrior) }
        var twice = model
        twice.inputs[1] = BlobInputScaling(feature: .priorSOC, offsetRaw: 5000, scale: model.inputs[0].scale)
        #expect(throws: BlobError.self) { try BlobWriter.encode(twice) }
    }
}
