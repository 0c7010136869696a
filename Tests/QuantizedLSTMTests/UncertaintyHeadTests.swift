import BMSCore
import CBMSRuntime
import Foundation
import QuantizedLSTM
import Testing
import TestSupport
@testable import WeightBlob

/// Format version 6, the uncertainty head: the last dense layer's row 1 is log σ² in Q4.11,
/// clamped to [−16, 4]; the Swift engine and the C runtime give the same integers
/// (Fixtures/golden-nll, random models), and old blobs are untouched.
struct UncertaintyHeadTests {
    static let folder = SharedData.fixtures.appendingPathComponent("golden-nll")

    /// A random model whose last dense layer gets a second row and the head.
    static func randomHeadModel(seed: UInt64, span: Int32 = 1_130_000) -> BlobModel {
        var rng = SeededGenerator(seed: seed)
        var model = BlobModel.random(using: &rng, chargeCounter: seed % 2 == 0)
        let last = model.denseLayers.count - 1
        var layer = model.denseLayers[last]
        layer.outputSize = 2
        layer.weight += (0..<layer.inputSize).map { _ in Int8(truncatingIfNeeded: rng.next()) }
        layer.bias.append(Int32(truncatingIfNeeded: Int64(rng.next() % (1 << 21)) - (1 << 20)))
        layer.multipliers.append(Int32(1 << 30) + Int32(truncatingIfNeeded: rng.next() % (1 << 30)))
        layer.shifts.append(Int32(20 + rng.next() % 20))
        model.denseLayers[last] = layer
        model.uncertaintyHead = BlobUncertaintyHead(labelSpanPPM: span)
        return model
    }

    @Test func goldenNLLIsVersion6AndBothEnginesReproduceEveryStep() throws {
        let (blob, vectors) = try Version3LayoutTests.load(Self.folder)
        let decoded = try BlobReader.decode(blob)
        #expect(decoded.version == 6 && decoded.kernelLayout == .v3)
        #expect(decoded.model.uncertaintyHead != nil && decoded.model.denseLayers.last?.outputSize == 2)
        let logVariance = try #require(vectors.logVarianceQ11)
        // the golden set covers both clamps
        #expect(logVariance.contains(Int16.min) && logVariance.contains(4 * 2048))
        let swift = try vectors.replayOutputs(on: QuantizedLSTMEngine(model: decoded.model))
        #expect(swift.soc == vectors.socCentiPercent && swift.logVarianceQ11 == logVariance)
        let c = CRuntimeHarness(bytes: blob)
        #expect(c.loadStatus == BMS_OK && c.model.pointee.has_log_variance == 1)
        #expect(c.model.pointee.label_span_ppm == decoded.model.uncertaintyHead!.labelSpanPPM)
        for kernel in CRuntimeHarness.allKernels where c.use(kernel: kernel) {
            c.reset()
            var mismatches = 0
            for (n, sample) in vectors.samples.enumerated() {
                let soc = c.step(sample), head = c.logVariance()
                if soc != vectors.socCentiPercent[n] || head.status != BMS_OK || head.value != logVariance[n] { mismatches += 1 }
            }
            #expect(mismatches == 0, "kernel \(kernel)")
        }
    }

    @Test func theLogVarianceIsZeroAfterAResetAndRefusedWithoutAHead() throws {
        let (blob, vectors) = try Version3LayoutTests.load(Self.folder)
        let engine = QuantizedLSTMEngine(model: try BlobReader.decode(blob).model)
        let c = CRuntimeHarness(bytes: blob)
        #expect(engine.logVarianceQ11 == 0 && c.logVariance().value == 0 && c.logVariance().status == BMS_OK)
        for sample in vectors.samples.prefix(40) { _ = engine.step(sample); _ = c.step(sample) }
        #expect(engine.logVarianceQ11 != 0 && engine.logVarianceQ11 == c.logVariance().value)
        engine.reset(); c.reset()
        #expect(engine.logVarianceQ11 == 0 && c.logVariance().value == 0)
        // a one-output blob has no second output: the C call says so, the Swift engine reports 0
        let (oldBlob, oldVectors) = try GoldenVectorTests.load()
        let old = CRuntimeHarness(bytes: oldBlob)
        let oldEngine = QuantizedLSTMEngine(model: try BlobReader.decode(oldBlob).model)
        _ = old.step(oldVectors.samples[0]); _ = oldEngine.step(oldVectors.samples[0])
        #expect(old.logVariance().status == BMS_ERR_TOPOLOGY && oldEngine.logVarianceQ11 == 0)
        var value: Int16 = 0
        #expect(bms_lstm_log_variance_q11(nil, &value) == BMS_ERR_ARGUMENT)
        #expect(bms_lstm_log_variance_q11(c.context, nil) == BMS_ERR_ARGUMENT)
        var blank = bms_lstm_context_t()
        #expect(bms_lstm_log_variance_q11(&blank, &value) == BMS_ERR_ARGUMENT)
    }

    @Test func theClampIsTheTrainersRange() {
        #expect(BlobUncertaintyHead.clamped(Int16.max) == 8192 && BlobUncertaintyHead.clamped(8193) == 8192)
        #expect(BlobUncertaintyHead.clamped(8192) == 8192 && BlobUncertaintyHead.clamped(-32768) == -32768)
        #expect(BlobUncertaintyHead.clamped(-5) == -5)
    }

    /// Property: random version-6 models, random inputs with ADC faults — Swift and C agree on
    /// the SOC and the log variance of every step, with every C kernel this CPU has.
    @Test(arguments: 0..<16)
    func randomHeadModelsAgreeInSwiftAndC(seed: Int) throws {
        let model = Self.randomHeadModel(seed: UInt64(seed) + 700)
        let bytes = try BlobWriter.encode(model)
        #expect(bytes[4] == 6)
        let decoded = try BlobReader.decode(bytes)
        #expect(decoded.model == model && decoded.kernelLayout == .v3)
        let engine = QuantizedLSTMEngine(model: decoded.model)
        let c = CRuntimeHarness(bytes: bytes)
        #expect(c.loadStatus == BMS_OK)
        var source = RawSampleSource(rng: SeededGeneratorBox(seed: UInt64(seed) + 9))
        let samples = (0..<300).map { _ in source.next() }
        for kernel in CRuntimeHarness.allKernels where c.use(kernel: kernel) {
            engine.reset(); c.reset()
            var mismatches = 0
            for sample in samples {
                let swift = engine.step(sample), cSOC = c.step(sample)
                if swift != cSOC || engine.logVarianceQ11 != c.logVariance().value { mismatches += 1 }
                #expect(engine.logVarianceQ11 <= 8192)
            }
            #expect(mismatches == 0, "seed \(seed) kernel \(kernel)")
        }
    }

    /// Old versions are read and written as before: a model without the head keeps its version
    /// and its bytes whatever the writer now knows.
    @Test func blobsWithoutTheHeadKeepTheirVersionAndBytes() throws {
        for name in ["golden", "golden-charge", "golden-v3"] {
            let (blob, _) = try Version3LayoutTests.load(SharedData.fixtures.appendingPathComponent(name))
            let decoded = try BlobReader.decode(blob)
            #expect(decoded.model.uncertaintyHead == nil && decoded.version < 6)
            #expect(try BlobWriter.encode(decoded.model, layout: decoded.kernelLayout) == blob, "\(name)")
        }
    }
}
