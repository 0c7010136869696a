import CBMSRuntime
import QuantizedLSTM
import WeightBlob

/// The C runtime driven from Swift: owns a copy of the blob, the validated model, the
/// workspace and the context at stable addresses.
final class CRuntimeHarness {
    let blob: UnsafeMutableRawBufferPointer
    let model: UnsafeMutablePointer<bms_lstm_model_t>
    let context: UnsafeMutablePointer<bms_lstm_context_t>
    var workspace: UnsafeMutablePointer<Int16>?
    let loadStatus: bms_status_t

    init(bytes: [UInt8]) {
        blob = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
        blob.copyBytes(from: bytes)
        model = .allocate(capacity: 1)
        model.initialize(to: bms_lstm_model_t())
        context = .allocate(capacity: 1)
        context.initialize(to: bms_lstm_context_t())
        loadStatus = bms_lstm_load_blob(blob.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count, model)
        if loadStatus == BMS_OK {
            let words = Int(bms_lstm_workspace_words(model))
            workspace = .allocate(capacity: words)
            let status = bms_lstm_init_context(model, workspace, words, context)
            precondition(status == BMS_OK, "init_context: \(String(cString: bms_status_name(status)))")
        }
    }

    deinit {
        blob.deallocate()
        model.deallocate()
        context.deallocate()
        workspace?.deallocate()
    }

    /// The status as the Swift reader's `statusCode`.
    var statusCode: Int32 { Int32(loadStatus.rawValue) }

    func step(_ s: RawSensorSample) -> Int32 {
        var soc: Int32 = 0
        let status = bms_lstm_step_s8(context, s.voltageUV, s.currentMA, s.temperatureDeciC, &soc)
        precondition(status == BMS_OK)
        return soc
    }

    func reset() { bms_lstm_reset(context) }

    /// The uncertainty head's last output (`bms_lstm_log_variance_q11`) and the status.
    func logVariance() -> (status: bms_status_t, value: Int16) {
        var value: Int16 = 0
        let status = bms_lstm_log_variance_q11(context, &value)
        return (status, value)
    }

    /// Makes the context use `kernel`; false if this build or CPU does not have it.
    func use(kernel: bms_kernel_t) -> Bool { bms_lstm_set_kernel(context, kernel) == BMS_OK }

    /// Every layer-step kernel of the C runtime (`use(kernel:)` says which this machine has).
    static let allKernels: [bms_kernel_t] = [BMS_KERNEL_BASELINE, BMS_KERNEL_AVX2, BMS_KERNEL_AVX512_VNNI]

    func window(_ samples: [RawSensorSample]) -> Int32 {
        let v = samples.map(\.voltageUV), i = samples.map(\.currentMA), t = samples.map(\.temperatureDeciC)
        var soc: Int32 = 0
        let status = bms_lstm_window_s8(context, v, i, t, samples.count, &soc)
        precondition(status == BMS_OK)
        return soc
    }
}

/// Random raw sensor samples: mostly a plausible cell, sometimes anything an ADC fault
/// could deliver (full Int32 range), to reach saturation paths.
struct RawSampleSource {
    var rng: SeededGeneratorBox

    mutating func next() -> RawSensorSample {
        if rng.next() % 10 == 0 {
            return RawSensorSample(voltageUV: Int32(truncatingIfNeeded: rng.next()),
                                   currentMA: Int32(truncatingIfNeeded: rng.next()),
                                   temperatureDeciC: Int32(truncatingIfNeeded: rng.next()))
        }
        return RawSensorSample(voltageUV: 2_500_000 + Int32(rng.next() % 1_800_000),
                               currentMA: -4000 + Int32(rng.next() % 6000),
                               temperatureDeciC: 100 + Int32(rng.next() % 400))
    }
}

import BMSCore

/// A reference-type wrapper so helpers can share one generator.
final class SeededGeneratorBox {
    var generator: SeededGenerator
    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }
    func next() -> UInt64 { generator.next() }
}
