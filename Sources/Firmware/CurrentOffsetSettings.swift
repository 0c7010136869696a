import BMSCore

/// Settings of the current sensor's zero-offset learning ("auto-zero", `CurrentOffsetLearner`).
public struct CurrentOffsetSettings: Sendable, Equatable, Codable {
    /// Learn the offset and subtract it (`false`: the measured current is passed on as read).
    public var enabled: Bool
    /// Length of one calibration window in a rest, s: the cell must be quiet for all of it.
    public var windowSeconds: Double
    /// Length of the calibration at wake-up, s.
    public var wakeSeconds: Double
    /// Calibrate on the first readings after power-up, as after a wake-up (the BMS starts
    /// with its contactors open); `false` for a start under load (a reset while driving).
    public var calibrateAtPowerUp: Bool
    /// Largest offset the sensor can have, A: a reading above it is a load, never an offset.
    /// Keep it below the slowest real load (a C/20 OCV test): a steady load below it on a
    /// settled voltage would be taken for the offset.
    public var maximumOffsetA: Double
    /// Largest change of the mean voltage between the window's two halves, V (a slow load
    /// moves it; a settled rest does not).
    public var voltageTrendV: Double
    /// Largest change of the mean current between the window's two halves, A, plus
    /// `currentTrendFraction` of the larger mean and 3 σ of the halves' noise (a CV charge's
    /// tapering tail moves it).
    public var currentTrendA: Double
    /// See `currentTrendA`.
    public var currentTrendFraction: Double
    /// A calibration whose mean is below this fraction of `maximumOffsetA` sets the offset to
    /// 0: a current that small is as likely a real one (a logger's or balancer's draw at
    /// wake-up) as an offset, and it does not stop rest detection.
    public var deadbandFraction: Double

    /// Creates settings; defaults: on, 20 min windows in a rest, 10 s at wake-up, at most
    /// 80 mA (C/25 of a 2 Ah cell), 0.5 mV and 0.5 mA + 1 % (+ noise) between the halves.
    public init(enabled: Bool = true, windowSeconds: Double = 1200, wakeSeconds: Double = 10,
                calibrateAtPowerUp: Bool = true, maximumOffsetA: Double = 0.08,
                voltageTrendV: Double = 0.0005, currentTrendA: Double = 0.0005, currentTrendFraction: Double = 0.01,
                deadbandFraction: Double = 0.25) {
        self.deadbandFraction = deadbandFraction
        self.enabled = enabled
        self.windowSeconds = windowSeconds
        self.wakeSeconds = wakeSeconds
        self.calibrateAtPowerUp = calibrateAtPowerUp
        self.maximumOffsetA = maximumOffsetA
        self.voltageTrendV = voltageTrendV
        self.currentTrendA = currentTrendA
        self.currentTrendFraction = currentTrendFraction
    }

    private enum CodingKeys: String, CodingKey {
        case enabled, windowSeconds, wakeSeconds, calibrateAtPowerUp, maximumOffsetA, voltageTrendV, currentTrendA, currentTrendFraction
        case deadbandFraction
    }

    /// Decodes settings; absent fields take the defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CurrentOffsetSettings()
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
        windowSeconds = try c.decodeIfPresent(Double.self, forKey: .windowSeconds) ?? d.windowSeconds
        wakeSeconds = try c.decodeIfPresent(Double.self, forKey: .wakeSeconds) ?? d.wakeSeconds
        calibrateAtPowerUp = try c.decodeIfPresent(Bool.self, forKey: .calibrateAtPowerUp) ?? d.calibrateAtPowerUp
        maximumOffsetA = try c.decodeIfPresent(Double.self, forKey: .maximumOffsetA) ?? d.maximumOffsetA
        voltageTrendV = try c.decodeIfPresent(Double.self, forKey: .voltageTrendV) ?? d.voltageTrendV
        currentTrendA = try c.decodeIfPresent(Double.self, forKey: .currentTrendA) ?? d.currentTrendA
        currentTrendFraction = try c.decodeIfPresent(Double.self, forKey: .currentTrendFraction) ?? d.currentTrendFraction
        deadbandFraction = try c.decodeIfPresent(Double.self, forKey: .deadbandFraction) ?? d.deadbandFraction
    }

    /// Off: the current is passed on as read.
    public static let off = CurrentOffsetSettings(enabled: false)

    /// These settings with the largest offset of a cell of `capacityAh`: C/25, so that a C/20
    /// test is never read as an offset.
    public func scaledToCell(capacityAh: Double) -> CurrentOffsetSettings {
        var s = self
        if capacityAh.isFinite && capacityAh > 0 { s.maximumOffsetA = capacityAh / 25 }
        return s
    }

    /// Throws when a setting is not finite or not positive.
    public func validate() throws(FirmwareConfigError) {
        for (field, value) in [("currentOffset.windowSeconds", windowSeconds), ("currentOffset.wakeSeconds", wakeSeconds),
                               ("currentOffset.maximumOffsetA", maximumOffsetA),
                               ("currentOffset.voltageTrendV", voltageTrendV),
                               ("currentOffset.currentTrendA", currentTrendA)] where !(value.isFinite && value > 0) {
            throw .outOfRange(field: field, value: value, allowed: "finite and > 0")
        }
        for (field, value) in [("currentOffset.currentTrendFraction", currentTrendFraction),
                               ("currentOffset.deadbandFraction", deadbandFraction)] where !(value >= 0 && value <= 1) {
            throw .outOfRange(field: field, value: value, allowed: "0...1")
        }
    }
}
