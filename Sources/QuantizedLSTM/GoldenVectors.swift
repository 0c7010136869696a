/// Golden vectors for Swift-vs-C bit-exactness: raw samples and the SOC the engine
/// returned after each, streamed from a reset state.
///
/// File format (`golden-steps.bin`, little-endian): magic "BMSG", u32 version 1, u32 step
/// count N, then N records of four int32: voltage µV, current mA, temperature 0.1 °C,
/// SOC 0.01 %.
public struct GoldenVectors: Sendable, Equatable {
    /// Inputs.
    public var samples: [RawSensorSample]
    /// Expected outputs, one per sample.
    public var socCentiPercent: [Int32]

    /// Creates vectors.
    public init(samples: [RawSensorSample], socCentiPercent: [Int32]) {
        precondition(samples.count == socCentiPercent.count, "one output per sample")
        self.samples = samples
        self.socCentiPercent = socCentiPercent
    }

    /// The file bytes.
    public func encoded() -> [UInt8] {
        var out = Array("BMSG".utf8)
        func put(_ v: UInt32) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
        put(1)
        put(UInt32(samples.count))
        for (s, soc) in zip(samples, socCentiPercent) {
            for v in [s.voltageUV, s.currentMA, s.temperatureDeciC, soc] { put(UInt32(bitPattern: v)) }
        }
        return out
    }

    /// Parses the file bytes; `nil` when the magic, version or length is wrong.
    public init?(bytes: [UInt8]) {
        func get(_ o: Int) -> UInt32 {
            UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        guard bytes.count >= 12, Array(bytes[0..<4]) == Array("BMSG".utf8), get(4) == 1 else { return nil }
        let count = Int(get(8))
        guard bytes.count == 12 + 16 * count else { return nil }
        var samples: [RawSensorSample] = [], outputs: [Int32] = []
        for n in 0..<count {
            let o = 12 + 16 * n
            samples.append(RawSensorSample(voltageUV: Int32(bitPattern: get(o)), currentMA: Int32(bitPattern: get(o + 4)),
                                           temperatureDeciC: Int32(bitPattern: get(o + 8))))
            outputs.append(Int32(bitPattern: get(o + 12)))
        }
        self.init(samples: samples, socCentiPercent: outputs)
    }
}
