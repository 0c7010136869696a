import BMSCore

/// The three measured channels of a cell.
public enum SensorChannel: Int, Sendable, CaseIterable, Codable {
    /// Cell voltage.
    case voltage
    /// Cell current.
    case current
    /// Cell temperature.
    case temperature
}

/// The sensor faults BMSim can inject.
public enum FaultKind: Int, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// The channel's frame is missing (bus timeout): no new value arrives.
    case dropout
    /// The channel reports NaN.
    case nan
    /// The channel repeats one value for a while.
    case stuckAt
    /// A single reading far off (EMI, bit flip).
    case spike
    /// The timestamp of the sample jumps (clock glitch): `dtSeconds` is wrong.
    case timestampJump

    /// Stable lower-case name used in configs and tables.
    public var description: String {
        switch self {
        case .dropout: "dropout"
        case .nan: "nan"
        case .stuckAt: "stuck-at"
        case .spike: "spike"
        case .timestampJump: "timestamp-jump"
        }
    }
}

/// One fault placed at a given base tick (for tests and for reproducing a field case).
public struct ScheduledFault: Sendable, Equatable, Codable {
    /// Base tick (0-based) at which the fault starts.
    public var tick: Int
    /// What happens.
    public var kind: FaultKind
    /// Which channel (ignored for `timestampJump`).
    public var channel: SensorChannel
    /// For `dropout` and `stuckAt`: how many ticks it lasts (≥ 1).
    public var durationTicks: Int

    /// Creates a scheduled fault.
    public init(tick: Int, kind: FaultKind, channel: SensorChannel = .voltage, durationTicks: Int = 1) {
        self.tick = tick
        self.kind = kind
        self.channel = channel
        self.durationTicks = durationTicks
    }
}

/// What faults to inject: random events with a per-tick probability for each kind, plus a
/// list of scheduled ones. All draws come from a seeded generator, so a run is reproducible.
public struct FaultConfig: Sendable, Equatable, Codable {
    /// Probability per base tick that a dropout starts (on a random channel).
    public var dropoutRate: Double
    /// Probability per base tick that a NaN reading occurs.
    public var nanRate: Double
    /// Probability per base tick that a stuck-at episode starts.
    public var stuckRate: Double
    /// Probability per base tick of a spike.
    public var spikeRate: Double
    /// Probability per base tick of a timestamp jump.
    public var timestampJumpRate: Double
    /// Length of random dropout and stuck-at episodes, ticks.
    public var episodeTicks: Int
    /// Spike heights: added to voltage (V), current (A), temperature (°C); sign random.
    public var spikeVoltageV: Double
    /// Spike height on the current channel, A.
    public var spikeCurrentA: Double
    /// Spike height on the temperature channel, °C.
    public var spikeTemperatureC: Double
    /// Size of a timestamp jump, seconds (added to `dtSeconds`; sign random).
    public var timestampJumpS: Double
    /// Faults at fixed ticks, in any order.
    public var scheduled: [ScheduledFault]

    /// Creates a configuration; the default injects nothing.
    public init(dropoutRate: Double = 0, nanRate: Double = 0, stuckRate: Double = 0, spikeRate: Double = 0,
                timestampJumpRate: Double = 0, episodeTicks: Int = 30, spikeVoltageV: Double = 2.0,
                spikeCurrentA: Double = 30, spikeTemperatureC: Double = 60, timestampJumpS: Double = 3600,
                scheduled: [ScheduledFault] = []) {
        self.dropoutRate = dropoutRate
        self.nanRate = nanRate
        self.stuckRate = stuckRate
        self.spikeRate = spikeRate
        self.timestampJumpRate = timestampJumpRate
        self.episodeTicks = episodeTicks
        self.spikeVoltageV = spikeVoltageV
        self.spikeCurrentA = spikeCurrentA
        self.spikeTemperatureC = spikeTemperatureC
        self.timestampJumpS = timestampJumpS
        self.scheduled = scheduled
    }

    /// No faults.
    public static let none = FaultConfig()

    /// True when nothing would ever be injected.
    public var isEmpty: Bool {
        dropoutRate == 0 && nanRate == 0 && stuckRate == 0 && spikeRate == 0 && timestampJumpRate == 0
            && scheduled.isEmpty
    }

    /// Checks rates are probabilities and sizes are finite.
    public func validate() throws(FirmwareConfigError) {
        for (name, rate) in [("dropoutRate", dropoutRate), ("nanRate", nanRate), ("stuckRate", stuckRate),
                             ("spikeRate", spikeRate), ("timestampJumpRate", timestampJumpRate)]
        where !(rate >= 0 && rate <= 1) {
            throw .outOfRange(field: "faults.\(name)", value: rate, allowed: "0...1")
        }
        guard episodeTicks >= 1 else {
            throw .outOfRange(field: "faults.episodeTicks", value: Double(episodeTicks), allowed: ">= 1")
        }
        for (name, size) in [("spikeVoltageV", spikeVoltageV), ("spikeCurrentA", spikeCurrentA),
                             ("spikeTemperatureC", spikeTemperatureC), ("timestampJumpS", timestampJumpS)]
        where !size.isFinite {
            throw .outOfRange(field: "faults.\(name)", value: size, allowed: "finite")
        }
        for (index, fault) in scheduled.enumerated() where fault.tick < 0 || fault.durationTicks < 1 {
            throw .inconsistent(field: "faults.scheduled[\(index)]",
                                detail: "tick must be >= 0 and durationTicks >= 1, found tick \(fault.tick), duration \(fault.durationTicks)")
        }
    }
}

/// A sensor reading as it arrives at the firmware, after fault injection: values plus a
/// mask of channels whose frame did not arrive (bit = `1 << channel.rawValue`).
public struct RawReading: Sendable, Equatable {
    /// The values (meaningless for missing channels).
    public var measurement: CellMeasurement
    /// Channels with no new frame this tick.
    public var missingMask: UInt8

    /// Creates a reading.
    @inlinable
    public init(measurement: CellMeasurement, missingMask: UInt8 = 0) {
        self.measurement = measurement
        self.missingMask = missingMask
    }
}

/// Injects the configured faults into sensor readings, one tick at a time, without
/// allocating. Keeps counts of what it injected so tests can compare with what the
/// plausibility checks flagged.
public struct FaultInjector: Sendable {
    /// The configuration (scheduled faults sorted by tick).
    public let config: FaultConfig
    @usableFromInline var rng: SeededGenerator
    @usableFromInline var nextScheduled = 0
    /// Per channel: active episode kind (dropout / stuck-at) and ticks left.
    @usableFromInline var episodeKind: (FaultKind?, FaultKind?, FaultKind?) = (nil, nil, nil)
    @usableFromInline var episodeTicksLeft: (Int, Int, Int) = (0, 0, 0)
    @usableFromInline var stuckValue: (Double, Double, Double) = (0, 0, 0)
    /// Number of faults started so far, indexed by `FaultKind.rawValue`.
    public private(set) var injectedCount: (Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0)

    /// Creates an injector; throws when the configuration is invalid.
    public init(config: FaultConfig, seed: UInt64) throws(FirmwareConfigError) {
        try config.validate()
        var sorted = config
        sorted.scheduled.sort { $0.tick < $1.tick }
        self.config = sorted
        self.rng = SeededGenerator(seed: seed)
    }

    /// Number of injected faults of `kind`.
    public func injected(_ kind: FaultKind) -> Int {
        switch kind {
        case .dropout: injectedCount.0
        case .nan: injectedCount.1
        case .stuckAt: injectedCount.2
        case .spike: injectedCount.3
        case .timestampJump: injectedCount.4
        }
    }

    @usableFromInline
    mutating func count(_ kind: FaultKind) {
        switch kind {
        case .dropout: injectedCount.0 += 1
        case .nan: injectedCount.1 += 1
        case .stuckAt: injectedCount.2 += 1
        case .spike: injectedCount.3 += 1
        case .timestampJump: injectedCount.4 += 1
        }
    }

    /// Applies the faults due on base tick `tick` to a sensor reading.
    public mutating func apply(_ reading: CellMeasurement, tick: Int) -> RawReading {
        var out = RawReading(measurement: reading)
        // Start new faults: scheduled first, then random draws (a fixed number per tick,
        // so the random stream does not depend on what happened before).
        while nextScheduled < config.scheduled.count, config.scheduled[nextScheduled].tick <= tick {
            let fault = config.scheduled[nextScheduled]
            nextScheduled += 1
            if fault.tick == tick { start(fault.kind, channel: fault.channel, duration: fault.durationTicks, on: &out) }
        }
        if !config.isEmpty {
            let draws = (rng.nextUnitDouble(), rng.nextUnitDouble(), rng.nextUnitDouble(),
                         rng.nextUnitDouble(), rng.nextUnitDouble())
            let channel = SensorChannel(rawValue: Int(rng.next() % 3))!
            if draws.0 < config.dropoutRate { start(.dropout, channel: channel, duration: config.episodeTicks, on: &out) }
            if draws.1 < config.nanRate { start(.nan, channel: channel, duration: 1, on: &out) }
            if draws.2 < config.stuckRate { start(.stuckAt, channel: channel, duration: config.episodeTicks, on: &out) }
            if draws.3 < config.spikeRate { start(.spike, channel: channel, duration: 1, on: &out) }
            if draws.4 < config.timestampJumpRate { start(.timestampJump, channel: channel, duration: 1, on: &out) }
        }
        // Apply running episodes.
        for channel in SensorChannel.allCases {
            let ticksLeft = episodeTicksLeft(channel)
            guard ticksLeft > 0, let kind = episodeKind(channel) else { continue }
            switch kind {
            case .dropout: out.missingMask |= 1 << UInt8(channel.rawValue)
            case .stuckAt: set(channel, stuckValue(channel), in: &out.measurement)
            default: break
            }
            setEpisode(channel, kind: ticksLeft > 1 ? kind : nil, ticksLeft: ticksLeft - 1)
        }
        return out
    }

    @usableFromInline
    mutating func start(_ kind: FaultKind, channel: SensorChannel, duration: Int, on reading: inout RawReading) {
        count(kind)
        switch kind {
        case .dropout:
            setEpisode(channel, kind: .dropout, ticksLeft: duration)
        case .stuckAt:
            if episodeTicksLeft(channel) == 0 || episodeKind(channel) != .stuckAt {
                setStuck(channel, value(channel, in: reading.measurement))
            }
            setEpisode(channel, kind: .stuckAt, ticksLeft: duration)
        case .nan:
            set(channel, .nan, in: &reading.measurement)
        case .spike:
            let sign: Double = rng.next() & 1 == 0 ? 1 : -1
            let height: Double = switch channel {
            case .voltage: config.spikeVoltageV
            case .current: config.spikeCurrentA
            case .temperature: config.spikeTemperatureC
            }
            set(channel, value(channel, in: reading.measurement) + sign * height, in: &reading.measurement)
        case .timestampJump:
            let sign: Double = rng.next() & 1 == 0 ? 1 : -1
            reading.measurement.dtSeconds += sign * config.timestampJumpS
        }
    }

    @inlinable func value(_ channel: SensorChannel, in m: CellMeasurement) -> Double {
        switch channel {
        case .voltage: m.voltageV
        case .current: m.currentA
        case .temperature: m.temperatureC
        }
    }

    @inlinable func set(_ channel: SensorChannel, _ value: Double, in m: inout CellMeasurement) {
        switch channel {
        case .voltage: m.voltageV = value
        case .current: m.currentA = value
        case .temperature: m.temperatureC = value
        }
    }

    @inlinable func episodeTicksLeft(_ c: SensorChannel) -> Int {
        switch c { case .voltage: episodeTicksLeft.0; case .current: episodeTicksLeft.1; case .temperature: episodeTicksLeft.2 }
    }

    @inlinable func episodeKind(_ c: SensorChannel) -> FaultKind? {
        switch c { case .voltage: episodeKind.0; case .current: episodeKind.1; case .temperature: episodeKind.2 }
    }

    @inlinable func stuckValue(_ c: SensorChannel) -> Double {
        switch c { case .voltage: stuckValue.0; case .current: stuckValue.1; case .temperature: stuckValue.2 }
    }

    @usableFromInline mutating func setEpisode(_ c: SensorChannel, kind: FaultKind?, ticksLeft: Int) {
        switch c {
        case .voltage: episodeKind.0 = kind; episodeTicksLeft.0 = ticksLeft
        case .current: episodeKind.1 = kind; episodeTicksLeft.1 = ticksLeft
        case .temperature: episodeKind.2 = kind; episodeTicksLeft.2 = ticksLeft
        }
    }

    @usableFromInline mutating func setStuck(_ c: SensorChannel, _ value: Double) {
        switch c {
        case .voltage: stuckValue.0 = value
        case .current: stuckValue.1 = value
        case .temperature: stuckValue.2 = value
        }
    }
}

extension FaultKind {
    /// Decodes from the name (`"dropout"`, `"nan"`, `"stuck-at"`, `"spike"`, `"timestamp-jump"`).
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let kind = FaultKind.allCases.first(where: { $0.description == name }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "unknown fault kind '\(name)'; expected one of \(FaultKind.allCases.map(\.description))"))
        }
        self = kind
    }

    /// Encodes as the name.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension SensorChannel {
    /// Decodes from `"voltage"`, `"current"` or `"temperature"`.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let channel = SensorChannel.allCases.first(where: { "\($0)" == name }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "unknown channel '\(name)'; expected voltage, current or temperature"))
        }
        self = channel
    }

    /// Encodes as the name.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode("\(self)")
    }
}
