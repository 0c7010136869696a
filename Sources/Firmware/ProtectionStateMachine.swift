/// Trip and release thresholds of the protection, with debounce. Every threshold comes
/// from configuration: NASA's cells were cycled down to 2.0–2.7 V, so no cell's limits are
/// hard-coded.
///
/// Hysteresis: a condition trips when the value is beyond `trip` for `debounceTicks`
/// consecutive protection ticks, and releases only when it is back inside `release`
/// (which lies on the safe side of `trip`) for `releaseDebounceTicks` consecutive ticks.
public struct ProtectionLimits: Sendable, Equatable, Codable {
    /// Over-voltage trip, V, and release (< trip).
    public var overVoltageV: Double, overVoltageReleaseV: Double
    /// Under-voltage trip, V, and release (> trip).
    public var underVoltageV: Double, underVoltageReleaseV: Double
    /// Charge over-current trip, A (positive), and release.
    public var overCurrentChargeA: Double, overCurrentChargeReleaseA: Double
    /// Discharge over-current trip, A (magnitude, positive), and release.
    public var overCurrentDischargeA: Double, overCurrentDischargeReleaseA: Double
    /// Over-temperature trip, °C, and release (< trip).
    public var overTemperatureC: Double, overTemperatureReleaseC: Double
    /// Under-temperature trip, °C, and release (> trip).
    public var underTemperatureC: Double, underTemperatureReleaseC: Double
    /// Consecutive protection ticks beyond a trip threshold before the condition trips.
    public var debounceTicks: Int
    /// Consecutive protection ticks inside the release threshold before it releases.
    public var releaseDebounceTicks: Int
    /// |current| below this counts as standby, A.
    public var standbyCurrentA: Double

    /// Creates limits. Defaults suit NASA's 2 Ah 18650 cells cycled to 2.0 V.
    public init(overVoltageV: Double = 4.30, overVoltageReleaseV: Double = 4.20,
                underVoltageV: Double = 1.90, underVoltageReleaseV: Double = 2.50,
                overCurrentChargeA: Double = 3.0, overCurrentChargeReleaseA: Double = 2.0,
                overCurrentDischargeA: Double = 6.0, overCurrentDischargeReleaseA: Double = 5.0,
                overTemperatureC: Double = 60, overTemperatureReleaseC: Double = 50,
                underTemperatureC: Double = -10, underTemperatureReleaseC: Double = -5,
                debounceTicks: Int = 3, releaseDebounceTicks: Int = 10, standbyCurrentA: Double = 0.05) {
        self.overVoltageV = overVoltageV
        self.overVoltageReleaseV = overVoltageReleaseV
        self.underVoltageV = underVoltageV
        self.underVoltageReleaseV = underVoltageReleaseV
        self.overCurrentChargeA = overCurrentChargeA
        self.overCurrentChargeReleaseA = overCurrentChargeReleaseA
        self.overCurrentDischargeA = overCurrentDischargeA
        self.overCurrentDischargeReleaseA = overCurrentDischargeReleaseA
        self.overTemperatureC = overTemperatureC
        self.overTemperatureReleaseC = overTemperatureReleaseC
        self.underTemperatureC = underTemperatureC
        self.underTemperatureReleaseC = underTemperatureReleaseC
        self.debounceTicks = debounceTicks
        self.releaseDebounceTicks = releaseDebounceTicks
        self.standbyCurrentA = standbyCurrentA
    }

    /// Checks that every release lies on the safe side of its trip and counts are ≥ 1.
    public func validate() throws(FirmwareConfigError) {
        let all = [overVoltageV, overVoltageReleaseV, underVoltageV, underVoltageReleaseV, overCurrentChargeA,
                   overCurrentChargeReleaseA, overCurrentDischargeA, overCurrentDischargeReleaseA, overTemperatureC,
                   overTemperatureReleaseC, underTemperatureC, underTemperatureReleaseC, standbyCurrentA]
        if let bad = all.first(where: { !$0.isFinite }) {
            throw .outOfRange(field: "protection", value: bad, allowed: "finite thresholds")
        }
        let ordered: [(String, Double, Double)] = [
            ("overVoltageReleaseV < overVoltageV", overVoltageReleaseV, overVoltageV),
            ("underVoltageV < underVoltageReleaseV", underVoltageV, underVoltageReleaseV),
            ("underVoltageReleaseV < overVoltageReleaseV", underVoltageReleaseV, overVoltageReleaseV),
            ("overCurrentChargeReleaseA < overCurrentChargeA", overCurrentChargeReleaseA, overCurrentChargeA),
            ("overCurrentDischargeReleaseA < overCurrentDischargeA", overCurrentDischargeReleaseA, overCurrentDischargeA),
            ("overTemperatureReleaseC < overTemperatureC", overTemperatureReleaseC, overTemperatureC),
            ("underTemperatureC < underTemperatureReleaseC", underTemperatureC, underTemperatureReleaseC),
        ]
        for (rule, low, high) in ordered where !(low < high) {
            throw .inconsistent(field: "protection", detail: "need \(rule), found \(low) >= \(high)")
        }
        guard debounceTicks >= 1, releaseDebounceTicks >= 1 else {
            throw .outOfRange(field: "protection.debounceTicks", value: Double(min(debounceTicks, releaseDebounceTicks)), allowed: ">= 1")
        }
    }
}

/// The operating state of the pack as protection sees it.
public enum ProtectionState: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// |I| below the standby threshold, no fault.
    case standby
    /// Charging, no fault.
    case charge
    /// Discharging, no fault.
    case discharge
    /// At least one protection condition has tripped.
    case fault

    /// Lower-case name.
    public var description: String {
        switch self {
        case .standby: "standby"
        case .charge: "charge"
        case .discharge: "discharge"
        case .fault: "fault"
        }
    }
}

/// The protection conditions.
public enum ProtectionCondition: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Cell voltage too high.
    case overVoltage
    /// Cell voltage too low.
    case underVoltage
    /// Charge current too high.
    case overCurrentCharge
    /// Discharge current too high.
    case overCurrentDischarge
    /// Too hot.
    case overTemperature
    /// Too cold.
    case underTemperature

    /// Lower-case name with dashes.
    public var description: String {
        switch self {
        case .overVoltage: "over-voltage"
        case .underVoltage: "under-voltage"
        case .overCurrentCharge: "over-current-charge"
        case .overCurrentDischarge: "over-current-discharge"
        case .overTemperature: "over-temperature"
        case .underTemperature: "under-temperature"
        }
    }
}

/// One logged protection event.
public struct ProtectionEvent: Sendable, Equatable {
    /// Base tick at which it happened.
    public var tick: Int
    /// The condition.
    public var condition: ProtectionCondition
    /// True = tripped, false = released.
    public var tripped: Bool
    /// The measured value that completed the debounce.
    public var value: Double
}

/// The protection state machine (standby / charge / discharge / fault) with debounced,
/// hysteretic conditions and an event log in a preallocated ring (the oldest events are
/// overwritten when it is full; `eventCount` keeps the total).
public struct ProtectionStateMachine: Sendable {
    /// The limits.
    public let limits: ProtectionLimits
    /// Current state.
    public private(set) var state: ProtectionState = .standby
    /// Active conditions, bit `1 << condition.rawValue`.
    public private(set) var activeMask: UInt8 = 0
    /// Total number of events since start (may exceed the ring's capacity).
    public private(set) var eventCount = 0
    private var counters: [Int]
    private var ring: [ProtectionEvent]

    /// Creates the machine with room for `eventCapacity` logged events.
    public init(limits: ProtectionLimits, eventCapacity: Int = 1024) throws(FirmwareConfigError) {
        try limits.validate()
        self.limits = limits
        counters = Array(repeating: 0, count: ProtectionCondition.allCases.count)
        ring = Array(repeating: ProtectionEvent(tick: 0, condition: .overVoltage, tripped: false, value: 0),
                     count: max(1, eventCapacity))
    }

    /// True when `condition` is currently tripped.
    @inlinable
    public func isActive(_ condition: ProtectionCondition) -> Bool {
        activeMask & (1 << UInt8(condition.rawValue)) != 0
    }

    /// The logged events still in the ring, oldest first (allocates; call outside the loop).
    public var events: [ProtectionEvent] {
        let kept = min(eventCount, ring.count)
        return (0..<kept).map { ring[(eventCount - kept + $0) % ring.count] }
    }

    /// Runs one protection tick on validated measurements.
    public mutating func update(voltageV: Double, currentA: Double, temperatureC: Double, tick: Int) {
        let l = limits
        step(.overVoltage, beyond: voltageV > l.overVoltageV, inside: voltageV < l.overVoltageReleaseV, voltageV, tick)
        step(.underVoltage, beyond: voltageV < l.underVoltageV, inside: voltageV > l.underVoltageReleaseV, voltageV, tick)
        step(.overCurrentCharge, beyond: currentA > l.overCurrentChargeA,
             inside: currentA < l.overCurrentChargeReleaseA, currentA, tick)
        step(.overCurrentDischarge, beyond: -currentA > l.overCurrentDischargeA,
             inside: -currentA < l.overCurrentDischargeReleaseA, currentA, tick)
        step(.overTemperature, beyond: temperatureC > l.overTemperatureC,
             inside: temperatureC < l.overTemperatureReleaseC, temperatureC, tick)
        step(.underTemperature, beyond: temperatureC < l.underTemperatureC,
             inside: temperatureC > l.underTemperatureReleaseC, temperatureC, tick)
        if activeMask != 0 {
            state = .fault
        } else if currentA > l.standbyCurrentA {
            state = .charge
        } else if currentA < -l.standbyCurrentA {
            state = .discharge
        } else {
            state = .standby
        }
    }

    private mutating func step(_ condition: ProtectionCondition, beyond: Bool, inside: Bool, _ value: Double, _ tick: Int) {
        let bit: UInt8 = 1 << UInt8(condition.rawValue)
        let index = condition.rawValue
        if activeMask & bit == 0 {
            counters[index] = beyond ? counters[index] + 1 : 0
            if counters[index] >= limits.debounceTicks {
                activeMask |= bit
                counters[index] = 0
                log(ProtectionEvent(tick: tick, condition: condition, tripped: true, value: value))
            }
        } else {
            counters[index] = inside ? counters[index] + 1 : 0
            if counters[index] >= limits.releaseDebounceTicks {
                activeMask &= ~bit
                counters[index] = 0
                log(ProtectionEvent(tick: tick, condition: condition, tripped: false, value: value))
            }
        }
    }

    private mutating func log(_ event: ProtectionEvent) {
        ring[eventCount % ring.count] = event
        eventCount += 1
    }
}
