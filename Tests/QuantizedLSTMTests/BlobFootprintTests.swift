import BMSCore
import CBMSRuntime
import Testing
import WeightBlob

/// `BlobFootprint` (what `bmsim export` prints and the exported header defines) against the
/// C loader's own figure, `bms_lstm_workspace_words`, on random topologies.
struct BlobFootprintTests {
    @Test func workspaceWordsEqualTheCLoadersOnRandomModels() throws {
        var rng = SeededGenerator(seed: 2027)
        for trial in 0..<40 {
            let model = BlobModel.random(using: &rng)
            for layout in [BlobKernelLayout.rows, .v3] {
                let bytes = try BlobWriter.encode(model, layout: layout)
                let c = CRuntimeHarness(bytes: bytes)
                #expect(c.loadStatus == BMS_OK)
                let footprint = BlobFootprint(model: model, blobBytes: bytes.count)
                #expect(footprint.workspaceWords == Int(bms_lstm_workspace_words(c.model)), "trial \(trial) \(layout)")
                let stateWords = model.lstmLayers.reduce(0) { $0 + 2 * $1.hiddenSize }
                #expect(footprint.lstmStateBytes == stateWords * MemoryLayout<Int16>.size)
            }
        }
    }

    @Test func contextStateBytesAreTheContextsStepFields() {
        let context = bms_lstm_context_t()
        let fields = MemoryLayout.size(ofValue: context.previous_voltage_uV) + MemoryLayout.size(ofValue: context.previous_current_mA)
            + MemoryLayout.size(ofValue: context.charge_half_mAs) + MemoryLayout.size(ofValue: context.has_previous)
        #expect(BlobFootprint.contextStateBytes == fields)
    }
}
