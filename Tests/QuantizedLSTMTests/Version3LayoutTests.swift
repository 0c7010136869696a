import BMSCore
import CBMSRuntime
import Foundation
import QuantizedLSTM
import Testing
import TestSupport
@testable import WeightBlob

/// Format version 3 changes only where the kernel bytes sit: the same model written as
/// version 1/2 and as version 3 gives the same integers, in Swift and in C (both C paths:
/// the row-major step and the interleaved one).
struct Version3LayoutTests {
    static let folder = SharedData.fixtures.appendingPathComponent("golden-v3")

    static func load(_ folder: URL) throws -> (blob: [UInt8], vectors: GoldenVectors) {
        let blob = [UInt8](try Data(contentsOf: folder.appendingPathComponent("golden-model.bmsq")))
        let steps = [UInt8](try Data(contentsOf: folder.appendingPathComponent("golden-steps.bin")))
        guard let vectors = GoldenVectors(bytes: steps) else { throw CocoaError(.fileReadCorruptFile) }
        return (blob, vectors)
    }

    @Test func goldenV3IsTheGoldenModelInVersion3WithTheSameSteps() throws {
        let (v3Blob, v3Vectors) = try Self.load(Self.folder)
        let (v1Blob, v1Vectors) = try GoldenVectorTests.load()
        let v3 = try BlobReader.decode(v3Blob), v1 = try BlobReader.decode(v1Blob)
        #expect(v3.version == 3 && v3.kernelLayout == .v3)
        #expect(v1.version == 1 && v1.kernelLayout == .rows)
        #expect(v3.model == v1.model)
        #expect(v3Vectors == v1Vectors)
        #expect(try BlobWriter.encode(v1.model, layout: .v3) == v3Blob)
    }

    @Test func swiftEngineReproducesEveryGoldenV3Step() throws {
        let (blob, vectors) = try Self.load(Self.folder)
        let engine = QuantizedLSTMEngine(model: try BlobReader.decode(blob).model)
        var mismatches = 0
        for (sample, expected) in zip(vectors.samples, vectors.socCentiPercent) where engine.step(sample) != expected {
            mismatches += 1
        }
        #expect(mismatches == 0)
    }

    @Test func cRuntimeReproducesEveryGoldenV3Step() throws {
        let (blob, vectors) = try Self.load(Self.folder)
        let c = CRuntimeHarness(bytes: blob)
        #expect(c.loadStatus == BMS_OK)
        #expect(c.model.pointee.lstm.0.interleaved == 1)
        var firstMismatch: Int?
        for (n, (sample, expected)) in zip(vectors.samples, vectors.socCentiPercent).enumerated()
        where c.step(sample) != expected && firstMismatch == nil {
            firstMismatch = n
        }
        #expect(firstMismatch == nil)
    }

    /// Property: random models (with and without the charge counter, widths up to 40 so
    /// that blocks of 8 and 16 units have partial tails), random inputs with ADC faults and
    /// a reset — the row-major C step, the interleaved C step with every kernel this CPU
    /// has (baseline, AVX2, AVX-512 + VNNI) and the Swift engine agree on every step.
    @Test(arguments: 0..<40)
    func rowsAndInterleavedAgreeStepByStep(seed: Int) throws {
        var rng = SeededGenerator(seed: 7000 + UInt64(seed))
        let model = BlobModel.random(using: &rng, maxWidth: seed % 2 == 0 ? 20 : 40, chargeCounter: seed % 4 == 1)
        let rows = CRuntimeHarness(bytes: try BlobWriter.encode(model))
        let v3Bytes = try BlobWriter.encode(model, layout: .v3)
        let kernels = CRuntimeHarness.allKernels.compactMap { kernel -> (String, CRuntimeHarness)? in
            let harness = CRuntimeHarness(bytes: v3Bytes)
            return harness.use(kernel: kernel) ? (String(cString: bms_lstm_kernel_name(kernel)), harness) : nil
        }
        #expect(kernels.count >= 1 && kernels[0].0 != "avx2")   // the baseline is always there
        #expect(rows.loadStatus == BMS_OK && kernels.allSatisfy { $0.1.loadStatus == BMS_OK })
        #expect(rows.model.pointee.lstm.0.interleaved == 0 && kernels[0].1.model.pointee.lstm.0.interleaved == 1)
        let engine = QuantizedLSTMEngine(model: model)
        var source = RawSampleSource(rng: SeededGeneratorBox(seed: UInt64(seed)))
        for n in 0..<250 {
            if n == 120 { engine.reset(); rows.reset(); kernels.forEach { $0.1.reset() } }
            let sample = source.next()
            let swift = engine.step(sample), cRows = rows.step(sample)
            let cKernels = kernels.map { ($0.0, $0.1.step(sample)) }
            if swift != cRows || cKernels.contains(where: { $0.1 != swift }) {
                Issue.record("seed \(seed) step \(n): Swift \(swift), C rows \(cRows), C v3 \(cKernels)")
                return
            }
        }
        // The states too (C keeps h, c per layer at the start of its workspace, as Swift does).
        let swiftState = engine.stateSnapshot
        let rowsState = Array(UnsafeBufferPointer(start: rows.workspace, count: swiftState.count))
        #expect(rowsState == swiftState)
        for (name, harness) in kernels {
            let state = Array(UnsafeBufferPointer(start: harness.workspace, count: swiftState.count))
            #expect(state == swiftState, "kernel \(name)")
        }
        let nonZero = swiftState.contains { $0 != 0 }
        #expect(nonZero)
    }

    /// Asking for a kernel this build or CPU lacks, or for no kernel at all, is an error.
    @Test func setKernelRejectsUnknownKernels() throws {
        var rng = SeededGenerator(seed: 8)
        let harness = CRuntimeHarness(bytes: try BlobWriter.encode(BlobModel.random(using: &rng), layout: .v3))
        #expect(bms_lstm_set_kernel(harness.context, bms_kernel_t(rawValue: 99)) == BMS_ERR_ARGUMENT)
        #expect(bms_lstm_set_kernel(nil, BMS_KERNEL_AUTO) == BMS_ERR_ARGUMENT)
        #expect(harness.use(kernel: BMS_KERNEL_AUTO))
        #expect(harness.context.pointee.kernel != 0)   // AUTO resolves to a real kernel
    }

    @Test func cLoaderRejectsNonZeroPaddingLikeSwift() throws {
        var rng = SeededGenerator(seed: 31)
        var model = BlobModel.random(using: &rng)
        model.inputs = Array(model.inputs.prefix(1))  // one input: three padding columns per row
        model.lstmLayers[0] = BlobLSTMLayer(
            inputSize: 1, hiddenSize: model.lstmLayers[0].hiddenSize,
            inputKernel: Array(model.lstmLayers[0].inputKernel.prefix(4 * model.lstmLayers[0].hiddenSize)),
            recurrentKernel: model.lstmLayers[0].recurrentKernel, bias: model.lstmLayers[0].bias,
            inputMultipliers: model.lstmLayers[0].inputMultipliers, inputShifts: model.lstmLayers[0].inputShifts,
            recurrentMultipliers: model.lstmLayers[0].recurrentMultipliers,
            recurrentShifts: model.lstmLayers[0].recurrentShifts, cellFractionBits: model.lstmLayers[0].cellFractionBits)
        let good = try BlobWriter.encode(model, layout: .v3)
        let kernel = try BlobReader.decode(good).tensors[0]
        for padding in [1, 2, 3, 16 * (model.lstmLayers[0].hiddenSize - 1) + 12 + 3] {  // first and last unit
            var bad = good
            bad[kernel.offset + padding] = 0x80
            BadBlobParityTests.fixCRC(&bad)
            #expect(BadBlobParityTests.swiftCode(bad) == 15, "padding byte \(padding)")
            #expect(CRuntimeHarness(bytes: bad).statusCode == 15, "padding byte \(padding)")
        }
    }
}
