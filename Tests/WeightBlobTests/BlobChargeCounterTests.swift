import BMSCore
import Testing
@testable import WeightBlob

/// Format version 2: the charge-drawn input (with the model step) and the coulomb-count prior.
struct BlobChargeCounterTests {
    static func chargeModel(seed: UInt64 = 3, prior: Int? = 2000, step: Int = 10) -> BlobModel {
        var rng = SeededGenerator(seed: seed)
        var model = BlobModel.random(using: &rng, chargeCounter: true)
        model.chargeCounter = BlobChargeCounter(stepSeconds: step, priorCapacityMAh: prior)
        return model
    }

    @Test(arguments: [2000, nil] as [Int?])
    func roundTripKeepsStepAndPrior(prior: Int?) throws {
        let model = Self.chargeModel(prior: prior, step: 37)
        let bytes = try BlobWriter.encode(model)
        #expect(bytes[4] == 2 && bytes[5] == 0)   // version 2, little-endian
        let decoded = try BlobReader.decode(bytes).model
        #expect(decoded == model)
        #expect(decoded.chargeCounter == BlobChargeCounter(stepSeconds: 37, priorCapacityMAh: prior))
        // The step sits in the charge record's bytes 2…3, the prior in the output record's 12…15.
        let f = model.inputs.count
        let record = 32 + 16 * (f - 1)
        #expect(bytes[record] == 5 && Int(bytes[record + 2]) | Int(bytes[record + 3]) << 8 == 37)
        let output = 32 + 16 * f
        let stored = (0..<4).reduce(0) { $0 | Int(bytes[output + 12 + $1]) << (8 * $1) }
        #expect(stored == (prior ?? 0))
    }

    @Test func modelsWithoutTheCounterStayVersionOne() throws {
        var rng = SeededGenerator(seed: 3)
        let bytes = try BlobWriter.encode(BlobModel.random(using: &rng))
        #expect(bytes[4] == 1)
        #expect(try BlobReader.decode(bytes).model.chargeCounter == nil)
    }

    @Test func writerRejectsInconsistentCounters() {
        var model = Self.chargeModel()
        model.chargeCounter?.stepSeconds = 0
        #expect(throws: BlobError.self) { try BlobWriter.encode(model) }
        model = Self.chargeModel(prior: 0)
        do { _ = try BlobWriter.encode(model); Issue.record("prior 0 accepted") } catch {
            #expect(error.statusCode == 19)
        }
        model = Self.chargeModel(prior: -5)
        do { _ = try BlobWriter.encode(model); Issue.record("negative prior accepted") } catch {
            #expect(error.statusCode == 19)
        }
        model = Self.chargeModel()
        model.chargeCounter = nil   // a charge input without a step
        do { _ = try BlobWriter.encode(model); Issue.record("charge input without step accepted") } catch {
            #expect(error.statusCode == 18)
        }
    }
}
