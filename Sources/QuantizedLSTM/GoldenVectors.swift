/// Golden vectors for Swift-vs-C bit-exactness: raw samples and the SOC the engine
/// returned after each, streamed from a reset state.
///
/// File format (`golden-steps.bin`, little-endian): magic "BMSG", u32 version, u32 step
/// count N, then N records of int32:
///
/// | version | record | for |
/// |---|---|---|
/// | 1 | V µV, I mA, T 0.1 °C, SOC 0.01 % | every blob |
/// | 2 | V, I, T, prior capacity mAh set before the step (0 = keep), SOC | a prior-capacity schedule (`setPriorCapacity`, `bms_lstm_set_prior_capacity`) |
/// | 3 | V, I, T, SOC, log variance Q4.11 after the step | an uncertainty head, blob format 6 (`logVarianceQ11`, `bms_lstm_log_variance_q11`) |
/// | 4 | V, I, T, prior capacity (0 = keep), start SOC 0.01 % set before the step (−1 = keep), SOC | a start-SOC schedule, blob format 5 (`setStartSOC`, `bms_lstm_set_start_soc`) |
///
/// Writers emit the lowest version that holds the vectors; a log variance together with a
/// schedule is not a format.
public struct GoldenVectors: Sendable, Equatable {
    /// Inputs.
    public var samples: [RawSensorSample]
    /// Expected outputs, one per sample.
    public var socCentiPercent: [Int32]
    /// Prior capacity set before each step, mAh (0: keep), or nil (never set).
    public var priorCapacityMAh: [Int32]?
    /// Expected log variance after each step, Q4.11 (version 3), or nil.
    public var logVarianceQ11: [Int16]?
    /// Start SOC set before each step, 0.01 % (−1: keep), or nil (never set). With it,
    /// `priorCapacityMAh` is never nil (all 0 when no capacity is scheduled).
    public var startSOCCentiPercent: [Int32]?

    /// Creates vectors.
    public init(samples: [RawSensorSample], socCentiPercent: [Int32], priorCapacityMAh: [Int32]? = nil,
                logVarianceQ11: [Int16]? = nil, startSOCCentiPercent: [Int32]? = nil) {
        precondition(samples.count == socCentiPercent.count, "one output per sample")
        precondition(priorCapacityMAh.map { $0.count == samples.count } ?? true, "one prior capacity per sample")
        precondition(logVarianceQ11.map { $0.count == samples.count } ?? true, "one log variance per sample")
        precondition(startSOCCentiPercent.map { $0.count == samples.count } ?? true, "one start SOC per sample")
        precondition(logVarianceQ11 == nil || (priorCapacityMAh == nil && startSOCCentiPercent == nil),
                     "no golden format has a log variance and a schedule")
        self.samples = samples
        self.socCentiPercent = socCentiPercent
        // Version 4 holds both schedules: without a capacity schedule its column keeps (0).
        self.priorCapacityMAh = priorCapacityMAh ?? startSOCCentiPercent.map { $0.map { _ in 0 } }
        self.logVarianceQ11 = logVarianceQ11
        self.startSOCCentiPercent = startSOCCentiPercent
    }

    /// The file format version these vectors are written in (1 to 4).
    public var formatVersion: UInt32 {
        startSOCCentiPercent != nil ? 4 : logVarianceQ11 != nil ? 3 : priorCapacityMAh != nil ? 2 : 1
    }

    /// The int32 words of record `n` in `formatVersion`.
    func words(_ n: Int) -> [Int32] {
        let s = samples[n], soc = socCentiPercent[n]
        switch formatVersion {
        case 4: return [s.voltageUV, s.currentMA, s.temperatureDeciC, priorCapacityMAh?[n] ?? 0, startSOCCentiPercent![n], soc]
        case 3: return [s.voltageUV, s.currentMA, s.temperatureDeciC, soc, Int32(logVarianceQ11![n])]
        case 2: return [s.voltageUV, s.currentMA, s.temperatureDeciC, priorCapacityMAh![n], soc]
        default: return [s.voltageUV, s.currentMA, s.temperatureDeciC, soc]
        }
    }

    /// The file bytes.
    public func encoded() -> [UInt8] {
        var out = Array("BMSG".utf8)
        func put(_ v: UInt32) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
        put(formatVersion)
        put(UInt32(samples.count))
        for n in samples.indices { for v in words(n) { put(UInt32(bitPattern: v)) } }
        return out
    }

    /// Parses the file bytes; `nil` when the magic, version or length is wrong, or a version-3
    /// log variance does not fit in int16.
    public init?(bytes: [UInt8]) {
        func get(_ o: Int) -> Int32 {
            Int32(bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24)
        }
        guard bytes.count >= 12, Array(bytes[0..<4]) == Array("BMSG".utf8), (1...4).contains(get(4)) else { return nil }
        let version = get(4)
        let width = [1: 4, 2: 5, 3: 5, 4: 6][Int(version)]!
        let count = Int(UInt32(bitPattern: get(8)))
        guard bytes.count == 12 + 4 * width * count else { return nil }
        var samples: [RawSensorSample] = [], outputs: [Int32] = [], priors: [Int32] = [], starts: [Int32] = []
        var logVariances: [Int16] = []
        for n in 0..<count {
            let w = (0..<width).map { get(12 + 4 * (width * n + $0)) }
            samples.append(RawSensorSample(voltageUV: w[0], currentMA: w[1], temperatureDeciC: w[2]))
            switch version {
            case 4: priors.append(w[3]); starts.append(w[4]); outputs.append(w[5])
            case 3:
                guard let value = Int16(exactly: w[4]) else { return nil }
                logVariances.append(value); outputs.append(w[3])
            case 2: priors.append(w[3]); outputs.append(w[4])
            default: outputs.append(w[3])
            }
        }
        self.init(samples: samples, socCentiPercent: outputs, priorCapacityMAh: version == 2 || version == 4 ? priors : nil,
                  logVarianceQ11: version == 3 ? logVariances : nil, startSOCCentiPercent: version == 4 ? starts : nil)
    }

    /// Streams the samples through `engine` from a reset at the blob's prior capacity and a
    /// full start, setting each scheduled capacity and start SOC before its step; returns the
    /// outputs (to compare with `socCentiPercent`), or throws the engine's error for a
    /// scheduled value it refuses.
    public func replay(on engine: QuantizedLSTMEngine) throws(GoldenReplayError) -> [Int32] {
        try replayOutputs(on: engine).soc
    }

    /// `replay`, also returning the log variance after each step (`QuantizedLSTMEngine.logVarianceQ11`).
    public func replayOutputs(on engine: QuantizedLSTMEngine) throws(GoldenReplayError)
        -> (soc: [Int32], logVarianceQ11: [Int16]) {
        engine.reset()
        do {
            if engine.defaultPriorCapacityMAh > 0 { try engine.setPriorCapacity(milliampHours: engine.defaultPriorCapacityMAh) }
        } catch { throw .priorCapacity(step: 0, error) }
        if engine.model.readsPriorSOC {
            do { try engine.setStartSOC(centiPercent: StartSOC.fullCentiPercent) } catch { throw .startSOC(step: 0, error) }
        }
        var soc: [Int32] = [], logVariance: [Int16] = []
        soc.reserveCapacity(samples.count)
        logVariance.reserveCapacity(samples.count)
        for (n, sample) in samples.enumerated() {
            if let capacity = priorCapacityMAh?[n], capacity != 0 {
                do { try engine.setPriorCapacity(milliampHours: capacity) } catch { throw .priorCapacity(step: n, error) }
            }
            if let start = startSOCCentiPercent?[n], start != -1 {
                do { try engine.setStartSOC(centiPercent: start) } catch { throw .startSOC(step: n, error) }
            }
            soc.append(engine.step(sample))
            logVariance.append(engine.logVarianceQ11)
        }
        return (soc, logVariance)
    }
}

/// Why a golden replay stopped: the engine refused a scheduled value at a step.
public enum GoldenReplayError: Error, Equatable, CustomStringConvertible {
    /// A prior capacity the engine refuses (`setPriorCapacity`).
    case priorCapacity(step: Int, PriorCapacityError)
    /// A start SOC the engine refuses (`setStartSOC`: out of range, or a blob without the input).
    case startSOC(step: Int, StartSOCError)

    /// Human-readable message.
    public var description: String {
        switch self {
        case let .priorCapacity(step, error): "golden step \(step): \(error)"
        case let .startSOC(step, error): "golden step \(step): \(error)"
        }
    }
}
