import Firmware

/// A replay scenario: how the sensors, faults, clocks and estimator set-up differ from an
/// ideal lab, so that SOC methods are compared under realistic conditions. Stored as JSON
/// (format in `Docs/BMSLoop.md`); every field except `name` is optional in the file and
/// falls back to the `nominal` value.
public struct ReplayScenario: Sendable, Equatable, Codable {
    /// Short name used in tables, e.g. `"current-bias"`.
    public var name: String
    /// One line saying what the scenario models.
    public var summary: String
    /// Base tick, s.
    public var baseTickSeconds: Double
    /// Period of model-rate estimators (those named in `slowEstimators`), s.
    public var slowEstimatorPeriodSeconds: Double
    /// Estimators that run at `slowEstimatorPeriodSeconds` instead of every tick.
    public var slowEstimators: [String]
    /// Sensor front-end.
    public var sensor: SensorConfig
    /// Fault injection.
    public var faults: FaultConfig
    /// Plausibility limits.
    public var plausibility: PlausibilityLimits
    /// Protection thresholds.
    public var protection: ProtectionLimits
    /// SOC the estimators are started with (fraction); `nil` = the true SOC at the start.
    public var initialSOC: Double?
    /// Where the run starts: this many seconds into the first labelled discharge, at the first
    /// tick under load (where the voltage cannot tell the SOC at once); `nil` = at the first
    /// sample with a reference SOC.
    public var startUnderLoadSeconds: Double?
    /// Capacity the estimators start from, Ah; `nil` = the estimators' own cell-model capacity.
    public var assumedCapacityAh: Double?
    /// Seed of noise and faults.
    public var seed: UInt64
    /// The firmware's current auto-zero (`CurrentOffsetLearner`); `nil` = on, with the largest
    /// offset scaled to the cell (`CurrentOffsetSettings.scaledToCell`).
    public var currentOffset: CurrentOffsetSettings?
    /// What the current quantities were sized for (`CurrentSizing`; `sizedForCellAh` in a file):
    /// the presets are sized for the reference cell and scale with the replayed cell model's
    /// capacity (`scaledCurrents(by:)`); a file's values stay as written unless it says.
    public var currentSizing: CurrentSizing

    /// Creates a scenario.
    public init(name: String, summary: String, baseTickSeconds: Double = 1, slowEstimatorPeriodSeconds: Double = 1,
                slowEstimators: [String] = [], sensor: SensorConfig = .ideal, faults: FaultConfig = .none,
                plausibility: PlausibilityLimits = PlausibilityLimits(), protection: ProtectionLimits = ProtectionLimits(),
                initialSOC: Double? = nil, startUnderLoadSeconds: Double? = nil, assumedCapacityAh: Double? = nil,
                seed: UInt64 = 2026, currentOffset: CurrentOffsetSettings? = nil, currentSizing: CurrentSizing = .absolute) {
        self.name = name
        self.summary = summary
        self.baseTickSeconds = baseTickSeconds
        self.slowEstimatorPeriodSeconds = slowEstimatorPeriodSeconds
        self.slowEstimators = slowEstimators
        self.sensor = sensor
        self.faults = faults
        self.plausibility = plausibility
        self.protection = protection
        self.initialSOC = initialSOC
        self.startUnderLoadSeconds = startUnderLoadSeconds
        self.assumedCapacityAh = assumedCapacityAh
        self.seed = seed
        self.currentSizing = currentSizing
        self.currentOffset = currentOffset
    }

    private enum CodingKeys: String, CodingKey {
        case name, summary, baseTickSeconds, slowEstimatorPeriodSeconds, slowEstimators, sensor, faults
        case plausibility, protection, initialSOC, startUnderLoadSeconds, assumedCapacityAh, seed, currentOffset
        case currentSizing = "sizedForCellAh"
    }

    /// Decodes a scenario; absent fields take the `nominal` preset's values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let base = ReplayScenario.nominal
        name = try c.decode(String.self, forKey: .name)
        summary = try c.decodeIfPresent(String.self, forKey: .summary) ?? "user scenario"
        baseTickSeconds = try c.decodeIfPresent(Double.self, forKey: .baseTickSeconds) ?? base.baseTickSeconds
        slowEstimatorPeriodSeconds = try c.decodeIfPresent(Double.self, forKey: .slowEstimatorPeriodSeconds)
            ?? base.slowEstimatorPeriodSeconds
        slowEstimators = try c.decodeIfPresent([String].self, forKey: .slowEstimators) ?? base.slowEstimators
        sensor = try c.decodeIfPresent(SensorConfig.self, forKey: .sensor) ?? base.sensor
        faults = try c.decodeIfPresent(FaultConfig.self, forKey: .faults) ?? base.faults
        plausibility = try c.decodeIfPresent(PlausibilityLimits.self, forKey: .plausibility) ?? base.plausibility
        protection = try c.decodeIfPresent(ProtectionLimits.self, forKey: .protection) ?? base.protection
        initialSOC = try c.decodeIfPresent(Double.self, forKey: .initialSOC)
        startUnderLoadSeconds = try c.decodeIfPresent(Double.self, forKey: .startUnderLoadSeconds)
        assumedCapacityAh = try c.decodeIfPresent(Double.self, forKey: .assumedCapacityAh)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? base.seed
        currentOffset = try c.decodeIfPresent(CurrentOffsetSettings.self, forKey: .currentOffset)
        currentSizing = try c.decodeIfPresent(CurrentSizing.self, forKey: .currentSizing) ?? .absolute
    }

    /// The auto-zero's settings: the scenario's, else the defaults scaled to the cell; no
    /// calibration at power-up when the run starts under load (a reset while driving: the
    /// current flowing then is no offset).
    func currentOffsetSettings(cellCapacityAh: Double?) -> CurrentOffsetSettings {
        var s = currentOffset ?? cellCapacityAh.map { CurrentOffsetSettings().scaledToCell(capacityAh: $0) } ?? CurrentOffsetSettings()
        if startUnderLoadSeconds != nil { s.calibrateAtPowerUp = false }
        return s
    }

    /// The firmware configuration for this scenario (validated when the firmware is made);
    /// `cellCapacityAh` scales the auto-zero's largest offset when the scenario sets none.
    public func firmwareConfig(seedOffset: UInt64, telemetryEveryTicks: Int, telemetryCapacity: Int,
                               cellCapacityAh: Double? = nil) throws(ReplayError) -> FirmwareConfig {
        do {
            let schedule = try TickSchedule(baseTickSeconds: baseTickSeconds, telemetryEveryTicks: telemetryEveryTicks)
            return FirmwareConfig(schedule: schedule, sensor: sensor, faults: faults, plausibility: plausibility,
                                  protection: protection, seed: seed &+ seedOffset &* 0x2545_F491_4F6C_DD1D,
                                  currentOffset: currentOffsetSettings(cellCapacityAh: cellCapacityAh),
                                  telemetryCapacity: telemetryCapacity)
        } catch {
            throw .firmwareConfig(scenario: name, error)
        }
    }
}
