import CBMSRuntime
import Foundation
import QuantizedLSTM
import Testing
import TestSupport
import WeightBlob

/// The committed golden vectors (Fixtures/golden, made by `bmsim golden`): 10,000 steps of
/// a synthetic discharge through the default-topology model, replayed by the Swift engine
/// and by the C runtime.
struct GoldenVectorTests {
    static let folder = SharedData.fixtures.appendingPathComponent("golden")

    static func load() throws -> (blob: [UInt8], vectors: GoldenVectors) {
        let blob = [UInt8](try Data(contentsOf: folder.appendingPathComponent("golden-model.bmsq")))
        let steps = [UInt8](try Data(contentsOf: folder.appendingPathComponent("golden-steps.bin")))
        guard let vectors = GoldenVectors(bytes: steps) else { throw CocoaError(.fileReadCorruptFile) }
        return (blob, vectors)
    }

    @Test func goldenFilesAreTheDefaultTopologyWithTenThousandSteps() throws {
        let (blob, vectors) = try Self.load()
        let model = try BlobReader.decode(blob).model
        #expect(model.lstmLayers.map(\.hiddenSize) == [64, 32])
        #expect(model.denseLayers.map(\.outputSize) == [16, 1])
        #expect(vectors.samples.count >= 10_000)
        #expect(Set(vectors.socCentiPercent).count > 100)  // the output actually moves
    }

    @Test func swiftEngineReproducesEveryStep() throws {
        let (blob, vectors) = try Self.load()
        let engine = QuantizedLSTMEngine(model: try BlobReader.decode(blob).model)
        var mismatches = 0
        for (sample, expected) in zip(vectors.samples, vectors.socCentiPercent) where engine.step(sample) != expected {
            mismatches += 1
        }
        #expect(mismatches == 0)
    }

    @Test func cRuntimeReproducesEveryStep() throws {
        let (blob, vectors) = try Self.load()
        let c = CRuntimeHarness(bytes: blob)
        #expect(c.loadStatus == BMS_OK)
        var firstMismatch: Int?
        for (n, (sample, expected)) in zip(vectors.samples, vectors.socCentiPercent).enumerated()
        where c.step(sample) != expected && firstMismatch == nil {
            firstMismatch = n
        }
        #expect(firstMismatch == nil)
    }
}
