import BMSCore
import QuantizedLSTM
import WeightBlob

/// Settings of `LSTMEstimator` that the classical `EstimatorConfig` does not cover: the
/// model's step length and the rule that decides when a discharge (one model run) begins
/// and ends.
public struct LSTMEstimatorSettings: Sendable, Equatable {
    /// Seconds of measurement time between two model steps; `nil` = the blob's
    /// `step_seconds` metadata, else `defaultStepSeconds` (every demo model runs on 10 s).
    public var stepSeconds: Double?
    /// The current counts as discharging below −this, A.
    public var dischargeThresholdA: Double = 0.1
    /// A discharge ends (and the next one restarts the model from zero state) after the
    /// current has stayed at or above −`dischargeThresholdA` this long, s. Shorter pauses
    /// (pulse loads) belong to the same discharge.
    public var restBeforeDischargeSeconds: Double = 60
    /// A model run is confirmed after this many seconds of discharge current, s: from then
    /// on its output is the estimate, and when the run ends its last output becomes the
    /// base of the coulomb count. A shorter run (e.g. the brief negative current at the
    /// start of NASA's charges) is dropped: the count that ran on underneath carries on.
    /// A charging current (above +`dischargeThresholdA`) ends a run at once.
    public var minimumDischargeSeconds: Double = 60
    /// How far outside the blob's training envelope an input may be before the estimate is
    /// flagged (`SOCEstimate.envelope`).
    public var envelopeTolerance = TrainingEnvelope.Tolerance()
    /// A blob trained on full starts only (no prior-SOC input) does not start a run when the
    /// count between runs puts the start below `fullStartMinimumSOC`: the network would read
    /// the cell as full (a drive cycle's discharge after a regeneration pulse or an idle stop,
    /// a start under load at a wrong SOC). The count carries on instead, flagged `.start`,
    /// until the discharge ends. `false`: every discharge starts a run (the behaviour before).
    public var declinePartialStarts = true
    /// The lowest start SOC (of the count between runs) a full-start blob runs from.
    public var fullStartMinimumSOC = 0.95
    /// Whether a charging current (regeneration, a charge) leaves a model run going, the
    /// model stepping through it, instead of ending it at once. `nil`: only for a blob whose
    /// training envelope holds charge current above `dischargeThresholdA` (trained on whole
    /// drive logs with regeneration); NASA's discharge-only blobs end a run at a charge.
    public var runThroughCharge: Bool? = nil

    /// The model step when neither the settings nor the blob give one, s.
    public static let defaultStepSeconds = 10.0

    /// Defaults.
    public init() {}

    /// The step length used for `model`, s.
    public func resolvedStepSeconds(for model: BlobModel) -> Double {
        if let stepSeconds { return stepSeconds }
        for key in ["step_seconds", "stepSeconds"] {
            if let text = model.metadataValue(key), let value = Double(text), value > 0, value.isFinite { return value }
        }
        return Self.defaultStepSeconds
    }
}

extension RawSensorSample {
    /// The integer sample an ADC front-end would deliver for `measurement`: µV, mA and
    /// 0.1 °C, each rounded to nearest (ties away from zero) and saturated to `Int32`.
    /// Non-finite fields must be filtered out before (they map to 0 here).
    ///
    /// ```swift
    /// RawSensorSample(CellMeasurement(voltageV: 3.9123456, currentA: -2.0004, temperatureC: 24.46, dtSeconds: 1))
    /// // voltageUV 3_912_346, currentMA -2_000, temperatureDeciC 245
    /// ```
    @inlinable
    public init(_ measurement: CellMeasurement) {
        self.init(voltageUV: Self.saturatedRound(measurement.voltageV * 1e6),
                  currentMA: Self.saturatedRound(measurement.currentA * 1e3),
                  temperatureDeciC: Self.saturatedRound(measurement.temperatureC * 10))
    }

    /// `value` rounded to the nearest integer and clamped to `Int32`'s range (NaN → 0).
    @inlinable
    public static func saturatedRound(_ value: Double) -> Int32 {
        guard !value.isNaN else { return 0 }
        let r = value.rounded()
        if r >= 2_147_483_647 { return .max }
        if r <= -2_147_483_648 { return .min }
        return Int32(r)
    }
}
