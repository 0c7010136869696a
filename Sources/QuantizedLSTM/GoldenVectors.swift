/// Golden vectors for Swift-vs-C bit-exactness: raw samples and the SOC the engine
/// returned after each, streamed from a reset state.
///
/// File format (`golden-steps.bin`, little-endian): magic "BMSG", u32 version, u32 step
/// count N, then N records. Version 1: four int32 per record — voltage µV, current mA,
/// temperature 0.1 °C, SOC 0.01 %. Version 2 (a prior-capacity schedule): five int32 —
/// voltage, current, temperature, the prior capacity in mAh set before the step
/// (`QuantizedLSTMEngine.setPriorCapacity`, `bms_lstm_set_prior_capacity`; 0 = keep the
/// current one), SOC. Version 3 (a model with an uncertainty head, blob format 6): five int32 —
/// voltage, current, temperature, SOC, the log variance in Q4.11 after the step
/// (`QuantizedLSTMEngine.logVarianceQ11`, `bms_lstm_log_variance_q11`). Writers emit version 1
/// without a schedule or a log variance; a schedule and a log variance together are not a format.
public struct GoldenVectors: Sendable, Equatable {
    /// Inputs.
    public var samples: [RawSensorSample]
    /// Expected outputs, one per sample.
    public var socCentiPercent: [Int32]
    /// Prior capacity set before each step, mAh (0: keep), or nil (version 1: never set).
    public var priorCapacityMAh: [Int32]?
    /// Expected log variance after each step, Q4.11 (version 3), or nil.
    public var logVarianceQ11: [Int16]?

    /// Creates vectors.
    public init(samples: [RawSensorSample], socCentiPercent: [Int32], priorCapacityMAh: [Int32]? = nil,
                logVarianceQ11: [Int16]? = nil) {
        precondition(samples.count == socCentiPercent.count, "one output per sample")
        precondition(priorCapacityMAh.map { $0.count == samples.count } ?? true, "one prior capacity per sample")
        precondition(logVarianceQ11.map { $0.count == samples.count } ?? true, "one log variance per sample")
        precondition(priorCapacityMAh == nil || logVarianceQ11 == nil, "no golden format has both")
        self.samples = samples
        self.socCentiPercent = socCentiPercent
        self.priorCapacityMAh = priorCapacityMAh
        self.logVarianceQ11 = logVarianceQ11
    }

    /// The file format version these vectors are written in (1, 2 or 3).
    public var formatVersion: UInt32 { logVarianceQ11 != nil ? 3 : priorCapacityMAh != nil ? 2 : 1 }

    /// The file bytes.
    public func encoded() -> [UInt8] {
        var out = Array("BMSG".utf8)
        func put(_ v: UInt32) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
        put(formatVersion)
        put(UInt32(samples.count))
        for (n, (s, soc)) in zip(samples, socCentiPercent).enumerated() {
            let words = priorCapacityMAh.map { [s.voltageUV, s.currentMA, s.temperatureDeciC, $0[n], soc] }
                ?? logVarianceQ11.map { [s.voltageUV, s.currentMA, s.temperatureDeciC, soc, Int32($0[n])] }
                ?? [s.voltageUV, s.currentMA, s.temperatureDeciC, soc]
            for v in words { put(UInt32(bitPattern: v)) }
        }
        return out
    }

    /// Parses the file bytes; `nil` when the magic, version or length is wrong.
    public init?(bytes: [UInt8]) {
        func get(_ o: Int) -> UInt32 {
            UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        guard bytes.count >= 12, Array(bytes[0..<4]) == Array("BMSG".utf8), (1...3).contains(get(4)) else { return nil }
        let withPrior = get(4) == 2, withLogVariance = get(4) == 3
        let record = withPrior || withLogVariance ? 20 : 16
        let count = Int(get(8))
        guard bytes.count == 12 + record * count else { return nil }
        var samples: [RawSensorSample] = [], outputs: [Int32] = [], priors: [Int32] = [], logVariances: [Int16] = []
        for n in 0..<count {
            let o = 12 + record * n
            samples.append(RawSensorSample(voltageUV: Int32(bitPattern: get(o)), currentMA: Int32(bitPattern: get(o + 4)),
                                           temperatureDeciC: Int32(bitPattern: get(o + 8))))
            if withPrior { priors.append(Int32(bitPattern: get(o + 12))) }
            if withLogVariance {
                guard let value = Int16(exactly: Int32(bitPattern: get(o + 16))) else { return nil }
                logVariances.append(value)
            }
            outputs.append(Int32(bitPattern: get(o + (withLogVariance ? 12 : record - 4))))
        }
        self.init(samples: samples, socCentiPercent: outputs, priorCapacityMAh: withPrior ? priors : nil,
                  logVarianceQ11: withLogVariance ? logVariances : nil)
    }

    /// Streams the samples through `engine` from a reset at the blob's prior capacity, setting
    /// each scheduled capacity before its step; returns the outputs (to compare with
    /// `socCentiPercent`), or throws the engine's error for a scheduled capacity it refuses.
    public func replay(on engine: QuantizedLSTMEngine) throws(PriorCapacityError) -> [Int32] {
        try replayOutputs(on: engine).soc
    }

    /// `replay`, also returning the log variance after each step (`QuantizedLSTMEngine.logVarianceQ11`).
    public func replayOutputs(on engine: QuantizedLSTMEngine) throws(PriorCapacityError)
        -> (soc: [Int32], logVarianceQ11: [Int16]) {
        engine.reset()
        if engine.defaultPriorCapacityMAh > 0 { try engine.setPriorCapacity(milliampHours: engine.defaultPriorCapacityMAh) }
        var soc: [Int32] = [], logVariance: [Int16] = []
        soc.reserveCapacity(samples.count)
        logVariance.reserveCapacity(samples.count)
        for (n, sample) in samples.enumerated() {
            if let capacity = priorCapacityMAh?[n], capacity != 0 { try engine.setPriorCapacity(milliampHours: capacity) }
            soc.append(engine.step(sample))
            logVariance.append(engine.logVarianceQ11)
        }
        return (soc, logVariance)
    }
}
