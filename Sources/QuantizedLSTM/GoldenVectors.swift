/// Golden vectors for Swift-vs-C bit-exactness: raw samples and the SOC the engine
/// returned after each, streamed from a reset state.
///
/// File format (`golden-steps.bin`, little-endian): magic "BMSG", u32 version, u32 step
/// count N, then N records. Version 1: four int32 per record — voltage µV, current mA,
/// temperature 0.1 °C, SOC 0.01 %. Version 2 (a prior-capacity schedule): five int32 —
/// voltage, current, temperature, the prior capacity in mAh set before the step
/// (`QuantizedLSTMEngine.setPriorCapacity`, `bms_lstm_set_prior_capacity`; 0 = keep the
/// current one), SOC. Writers emit version 1 without a schedule.
public struct GoldenVectors: Sendable, Equatable {
    /// Inputs.
    public var samples: [RawSensorSample]
    /// Expected outputs, one per sample.
    public var socCentiPercent: [Int32]
    /// Prior capacity set before each step, mAh (0: keep), or nil (version 1: never set).
    public var priorCapacityMAh: [Int32]?

    /// Creates vectors.
    public init(samples: [RawSensorSample], socCentiPercent: [Int32], priorCapacityMAh: [Int32]? = nil) {
        precondition(samples.count == socCentiPercent.count, "one output per sample")
        precondition(priorCapacityMAh.map { $0.count == samples.count } ?? true, "one prior capacity per sample")
        self.samples = samples
        self.socCentiPercent = socCentiPercent
        self.priorCapacityMAh = priorCapacityMAh
    }

    /// The file bytes.
    public func encoded() -> [UInt8] {
        var out = Array("BMSG".utf8)
        func put(_ v: UInt32) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
        put(priorCapacityMAh == nil ? 1 : 2)
        put(UInt32(samples.count))
        for (n, (s, soc)) in zip(samples, socCentiPercent).enumerated() {
            let words = priorCapacityMAh.map { [s.voltageUV, s.currentMA, s.temperatureDeciC, $0[n], soc] }
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
        guard bytes.count >= 12, Array(bytes[0..<4]) == Array("BMSG".utf8), get(4) == 1 || get(4) == 2 else { return nil }
        let withPrior = get(4) == 2
        let record = withPrior ? 20 : 16
        let count = Int(get(8))
        guard bytes.count == 12 + record * count else { return nil }
        var samples: [RawSensorSample] = [], outputs: [Int32] = [], priors: [Int32] = []
        for n in 0..<count {
            let o = 12 + record * n
            samples.append(RawSensorSample(voltageUV: Int32(bitPattern: get(o)), currentMA: Int32(bitPattern: get(o + 4)),
                                           temperatureDeciC: Int32(bitPattern: get(o + 8))))
            if withPrior { priors.append(Int32(bitPattern: get(o + 12))) }
            outputs.append(Int32(bitPattern: get(o + record - 4)))
        }
        self.init(samples: samples, socCentiPercent: outputs, priorCapacityMAh: withPrior ? priors : nil)
    }

    /// Streams the samples through `engine` from a reset at the blob's prior capacity, setting
    /// each scheduled capacity before its step; returns the outputs (to compare with
    /// `socCentiPercent`), or throws the engine's error for a scheduled capacity it refuses.
    public func replay(on engine: QuantizedLSTMEngine) throws(PriorCapacityError) -> [Int32] {
        engine.reset()
        if engine.defaultPriorCapacityMAh > 0 { try engine.setPriorCapacity(milliampHours: engine.defaultPriorCapacityMAh) }
        var out: [Int32] = []
        out.reserveCapacity(samples.count)
        for (n, sample) in samples.enumerated() {
            if let capacity = priorCapacityMAh?[n], capacity != 0 { try engine.setPriorCapacity(milliampHours: capacity) }
            out.append(engine.step(sample))
        }
        return out
    }
}
