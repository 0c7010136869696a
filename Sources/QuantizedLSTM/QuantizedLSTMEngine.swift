import FixedPoint
import WeightBlob

/// The integer LSTM SOC model: raw sensor integers in, SOC in hundredths of a percent out.
///
/// Streaming use (firmware): one `step` per tick; the hidden and cell states and the
/// previous sample (for the difference features) are kept between calls; `reset()`
/// clears them. Window use (the tutorial's models): `runWindow` resets and runs N steps.
/// No floating point, no allocation and no throwing after `init`; bit-exact with the C
/// runtime's `bms_lstm_step_s8` (same formulas, same rounding, see Docs/FixedPoint.md).
///
/// ```swift
/// let engine = QuantizedLSTMEngine(model: try BlobReader.decode(bytes).model)
/// let socCentiPercent = engine.step(RawSensorSample(voltageUV: 3_912_000, currentMA: -2000,
///                                                   temperatureDeciC: 245))
/// ```
public final class QuantizedLSTMEngine {
    /// The model it runs (validated by `BlobReader`).
    public let model: BlobModel
    let lstm: [LSTMLayerKernel]
    let dense: [DenseLayerKernel]
    /// Raw samples to int16 features (shared with the fake-quant path).
    var frontEnd: IntegerFeatureFrontEnd
    let outputScale: QuantizedMultiplier
    let outputOffset: Int32
    /// Hidden and cell states per layer: h[H], c[H], consecutive.
    let states: UnsafeMutablePointer<Int16>
    let stateWords: Int
    let featureBuffer: UnsafeMutablePointer<Int16>
    let denseA: UnsafeMutablePointer<Int16>
    let denseB: UnsafeMutablePointer<Int16>
    let sigmoidTable: UnsafeMutablePointer<Int16>
    let tanhTable: UnsafeMutablePointer<Int16>
    /// The coulomb-count prior capacity the next steps count against, mAh (0: the model has
    /// no prior). Starts at the blob's (`defaultPriorCapacityMAh`); `setPriorCapacity` changes
    /// it (e.g. to the capacity the BMS has learned), `reset` keeps it.
    public private(set) var priorCapacityMAh: Int32
    /// The uncertainty head's output after the last step (format version 6): log σ² of the
    /// scaled label in Q4.11, clamped to [−16, 4] (`BlobUncertaintyHead.clamped`); 0 after a
    /// reset and for a one-output model. Bit-exact with `bms_lstm_log_variance_q11`.
    public private(set) var logVarianceQ11: Int16 = 0
    let hasUncertaintyHead: Bool

    /// Builds the engine; `model` must come from `BlobReader` (or pass its checks).
    public convenience init(model: BlobModel) {
        self.init(model: model, path: .automatic)
    }

    /// Builds the engine with the given LSTM kernels (tests compare the paths).
    init(model: BlobModel, path: KernelPath) {
        self.model = model
        lstm = model.lstmLayers.map { LSTMLayerKernel($0, path: path) }
        dense = model.denseLayers.map(DenseLayerKernel.init)
        frontEnd = IntegerFeatureFrontEnd(model: model)
        outputScale = QuantizedMultiplier(multiplier: model.output.scale.multiplier, shift: model.output.scale.shift)
        outputOffset = model.output.offsetCentiPercent
        priorCapacityMAh = Int32(model.chargeCounter?.priorCapacityMAh ?? 0)
        hasUncertaintyHead = model.uncertaintyHead != nil
        stateWords = model.lstmLayers.reduce(0) { $0 + 2 * $1.hiddenSize }
        states = .allocate(capacity: stateWords)
        featureBuffer = .allocate(capacity: model.inputs.count)
        let maxDense = model.denseLayers.map(\.outputSize).max() ?? 1
        denseA = .allocate(capacity: maxDense)
        denseB = .allocate(capacity: maxDense)
        sigmoidTable = .allocate(capacity: ActivationTables.knotCount)
        tanhTable = .allocate(capacity: ActivationTables.knotCount)
        sigmoidTable.initialize(from: ActivationTables.sigmoidQ15, count: ActivationTables.knotCount)
        tanhTable.initialize(from: ActivationTables.tanhQ15, count: ActivationTables.knotCount)
        states.initialize(repeating: 0, count: stateWords)
        featureBuffer.initialize(repeating: 0, count: model.inputs.count)
        denseA.initialize(repeating: 0, count: maxDense)
        denseB.initialize(repeating: 0, count: maxDense)
    }

    deinit {
        for buffer in [states, featureBuffer, denseA, denseB, sigmoidTable, tanhTable] {
            buffer.deallocate()
        }
    }

    /// Bytes of mutable state on a microcontroller: h and c (int16) of every layer plus
    /// the previous voltage and current and the charge counter (int32 each) and a flag.
    public var stateBytes: Int { 2 * stateWords + 13 }

    /// The blob's prior capacity, mAh (0: no prior).
    public var defaultPriorCapacityMAh: Int32 { Int32(model.chargeCounter?.priorCapacityMAh ?? 0) }

    /// Counts the prior of the following steps against `milliampHours` instead of the blob's
    /// capacity (`IntegerChargeCounter.priorCentiPercent`): the firmware passes the capacity it
    /// has learned. Integer only; bit-exact with `bms_lstm_set_prior_capacity`. Throws (and
    /// changes nothing) for a model without a prior or a capacity outside 1…1,000,000 mAh,
    /// the blob's own range.
    public func setPriorCapacity(milliampHours: Int32) throws(PriorCapacityError) {
        guard priorCapacityMAh > 0 else { throw .modelHasNoPrior }
        guard BlobChargeCounter.priorCapacityRange.contains(Int(milliampHours)) else {
            throw .outOfRange(milliampHours: milliampHours)
        }
        priorCapacityMAh = milliampHours
        frontEnd.priorCapacityMAh = milliampHours
    }

    /// The SOC the coulomb-count prior starts from, 0.01 % (10000 until `setStartSOC`).
    public var startSOCCentiPercent: Int32 { frontEnd.startSOCCentiPercent }

    /// Starts the prior of the following steps at `centiPercent` (0.01 %, 0…12000) instead of
    /// 100 %: the prior becomes `s0 − q/Q` (`IntegerChargeCounter.priorCentiPercent`) and a
    /// `priorSOC` input reads it. The firmware passes the best SOC it has when a run starts
    /// (call it after `reset`, before the run's first step). Integer only; bit-exact with
    /// `bms_lstm_set_start_soc`. Throws (and changes nothing) for a blob without a prior-SOC
    /// input (a model trained only on full starts; `BlobModel.readsPriorSOC`) or a value
    /// outside `StartSOC.centiPercentRange`.
    public func setStartSOC(centiPercent: Int32) throws(StartSOCError) {
        guard model.readsPriorSOC, priorCapacityMAh > 0 else { throw .modelHasNoStartSOC }
        guard StartSOC.centiPercentRange.contains(centiPercent) else { throw .outOfRange(centiPercent: centiPercent) }
        frontEnd.startSOCCentiPercent = centiPercent
    }

    /// Clears hidden and cell states and the previous sample (the prior capacity and the
    /// start SOC stay).
    public func reset() {
        states.update(repeating: 0, count: stateWords)
        frontEnd.reset()
        logVarianceQ11 = 0
    }

    /// Charge drawn since the reset, 0.5 mA·s (0 when the model has no charge counter).
    public var chargeDrawnHalfMilliampSeconds: Int32 { frontEnd.chargeHalfMAs }

    /// A copy of the hidden and cell states (h then c, per layer), for tests.
    public var stateSnapshot: [Int16] { Array(UnsafeBufferPointer(start: states, count: stateWords)) }

    /// One streaming step; returns SOC in 0.01 % (10000 = 100 %). A version-6 model also leaves
    /// its log variance in `logVarianceQ11`.
    public func step(_ sample: RawSensorSample) -> Int32 {
        frontEnd.step(sample, into: featureBuffer)
        var input = UnsafePointer(featureBuffer)
        var stateCursor = states
        for layer in lstm {
            let hidden = stateCursor
            let cell = stateCursor + layer.hiddenSize
            layer.step(input: input, hidden: hidden, cell: cell, sigmoid: sigmoidTable, tanh: tanhTable)
            input = UnsafePointer(hidden)
            stateCursor += 2 * layer.hiddenSize
        }
        for (n, layer) in dense.enumerated() {
            let output = n % 2 == 0 ? denseA : denseB
            layer.step(input: input, output: output)
            input = UnsafePointer(output)
        }
        if hasUncertaintyHead { logVarianceQ11 = BlobUncertaintyHead.clamped(input[1]) }
        var wide = outputScale.applyWide(to: Int32(input[0])) &+ Int64(outputOffset)
        if priorCapacityMAh > 0 { wide &+= frontEnd.priorCentiPercent }
        return Saturating.narrowToInt32(wide)
    }

    /// Window mode: resets, runs every sample, returns the SOC after the last one.
    public func runWindow(_ samples: UnsafeBufferPointer<RawSensorSample>) -> Int32 {
        precondition(!samples.isEmpty, "a window needs at least one sample")
        reset()
        var soc: Int32 = 0
        for sample in samples { soc = step(sample) }
        return soc
    }

    /// Window mode over an array.
    public func runWindow(_ samples: [RawSensorSample]) -> Int32 {
        samples.withUnsafeBufferPointer { runWindow($0) }
    }
}
