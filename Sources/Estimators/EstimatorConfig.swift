import BMSCore

/// Settings shared by the classical estimators. Every value has a default that works for
/// 18650 cells sampled every 1–20 s; `nil` means "take it from the cell model".
public struct EstimatorConfig: Sendable, Equatable {
    /// Capacity to count against until one is learned, Ah (e.g. the nameplate or an
    /// end-of-line test); `nil` = the model's default at the cell temperature.
    public var capacityAh: Double?
    /// Learn the capacity over the cell's life (`CapacityLearner`) and use it once learned,
    /// replacing `capacityAh`; `false` counts against `capacityAh` for the whole run.
    public var useLearnedCapacity: Bool = true
    /// Carry a learned capacity to a discharge that starts at another cell temperature by
    /// the model's capacity-vs-temperature slope: learned × default(T now) / default(T then)
    /// (`CapacityLearner`); `false` uses the band's latest measurement as measured.
    public var learnedCapacityFollowsTemperature: Bool = true
    /// Capacity learning: a measurement is learned only within this range of the capacity the
    /// band expected at the discharge's start (as a fraction of it); others are outliers.
    public var capacityMeasurementRange: ClosedRange<Double> = 0.65...1.25
    /// Charge efficiency; `nil` = the model's.
    public var coulombicEfficiency: Double?

    /// Ah counter: correct towards OCV(V) when the cell rests (false = pure coulomb counting).
    public var ocvCorrectionAtRest: Bool = true
    /// |I| at or below this counts as rest, A. 50 mA suits the NASA 18650s (C/36 of their 1.8 Ah);
    /// `scaledToCell(capacityAh:)` sets it from a cell's capacity.
    public var restCurrentA: Double = 0.05
    /// Rest must last this long before the OCV correction starts, s.
    public var restMinimumSeconds: Double = 300
    /// … and the voltage must have settled to |dV/dt| below this, V/s.
    public var restVoltageSlopeVPerS: Double = 2e-4
    /// No OCV correction where dOCV/dSOC is below this, V per unit SOC (0.1 = 1 mV per %).
    public var minimumOCVSlopeVPerSOC: Double = 0.1
    /// Time constant with which the OCV correction is blended in, s.
    public var ocvBlendTimeConstantS: Double = 120

    /// Filters: correct a rested wake-up reading after a sleep (first sample after a reset,
    /// Δt ≥ `restMinimumSeconds`) for the length of the rest with the model's relaxation law
    /// (`CellModelParameters.restRelaxation`; nothing happens without one).
    public var correctWakeUpForRest: Bool = true

    /// Voltage measurement noise σ for the filters, V; `nil` = from the fit residual.
    public var voltageNoiseV: Double?
    /// Default voltage noise σ as a multiple of the model's RMS fit residual. Chosen on the
    /// NASA validation cells (B0007 B0028 B0031 B0034): the residual is model error that stays
    /// correlated over a whole discharge, so the filter must trust it far less than white noise.
    public var voltageNoisePerResidual: Double = 10
    /// The loaded-voltage noise σ stands for one update every this many seconds (the NASA
    /// sampling it was chosen at, ≈ 10 s). An update over Δt uses R = σ² · (this / Δt): the
    /// model error is a noise of constant spectral density, so the information per second of
    /// voltage stays the same whatever the tick (a 1 s tick would otherwise trust the biased
    /// model 10 times as much as the 10 s samples it was tuned on). Δt below 1 % of it counts
    /// as 1 %. `nil` = R = σ² at every Δt.
    public var voltageNoiseReferenceSeconds: Double? = 10
    /// Take the residual per OCV temperature group (`OCVTemperatureDependence.Group.residual1RCmV`,
    /// interpolated in cell temperature, held beyond the groups) when the model has them;
    /// `false` = the model's one overall residual at every temperature.
    public var voltageNoiseByTemperatureGroup: Bool = true
    /// Voltage noise σ on a settled rest (see `restMinimumSeconds`; also the first sample after
    /// a reset taken at rest current), V: then only the OCV table's error remains, so the
    /// filters trust the voltage far more (and the EKF iterates that update).
    public var restVoltageNoiseV: Double = 0.03
    /// Filters: also treat settled rests after the first sample as OCV readings. Off by
    /// default: on the NASA validation cells it cost 0.5–1 point of RMSE, because the label's
    /// SOC is a rate-dependent usable-capacity scale that the relaxed OCV after a deep 4 A
    /// discharge disagrees with (the physics is right, the label is not thermodynamic).
    public var filterUpdatesAtLaterRests: Bool = false
    /// Filters: a rest that has lasted this long with the voltage settled re-anchors the
    /// filter to the rested reading once (`FilterCommon.RestReading.anchor`), whatever its
    /// state, as a wake-up after a sleep does; `nil` = never (only wake-ups anchor), s.
    public var restAnchorSeconds: Double? = 1800
    /// UKF: α of the scaled unscented transform (β = 2, κ = 0): the sigma points lie α √n
    /// standard deviations from the mean (α = 1: λ = 0). 1.5 was chosen for the textbook
    /// innovation, whose bias on a flat OCV (LFP) a wider spread reduced; with the innovation
    /// at the mean (`ukfInnovationAtMeanPoint`) α = 1 is as good on clean sensors and better
    /// from a wrong start, on the PyBaMM development cells and level on the NASA training and
    /// validation cells (`Docs/Results.md`, "UKF innovation at the mean").
    public var ukfAlpha: Double = 1
    /// UKF: take the innovation at the mean, V − h(x⁻) (h of the central sigma point, which the
    /// linear state transition keeps at x⁻), instead of V − Σ W_m h(χ_i); gain and covariances
    /// stay the unscented ones. On an OCV with a flat plateau and steep ends the sigma points
    /// that reach an end bias the weighted mean, so at the true SOC the innovation is not zero
    /// and the UKF walks off the plateau while the EKF holds (PyBaMM LFP, WLTC from 60 %: UKF
    /// 0.96–1.16 % against the EKF's 0.12–0.31 %). On, chosen on the PyBaMM development cells
    /// and the NASA training and validation cells (`Docs/Results.md`, "UKF innovation at the
    /// mean"); `false` is the textbook transform.
    public var ukfInnovationAtMeanPoint: Bool = true
    /// Filters: correct the state with the loaded voltage while charging (I > `restCurrentA`).
    /// Off by default: a model fitted on discharges does not describe the CC–CV charge (on the
    /// NASA validation cells the EKF ran up to 9 points ahead of the count through the CV
    /// phase), so the filters predict through a charge by counting, as the Ah counter does.
    public var filterVoltageUpdatesWhileCharging: Bool = false
    /// SOC random-walk noise, σ² per second (fraction²/s).
    public var socProcessNoisePerS: Double = 1e-8
    /// R–C branch voltage random-walk noise, σ² per second (V²/s).
    public var branchProcessNoiseV2PerS: Double = 1e-7
    /// Estimate a constant current-sensor bias as an extra filter state.
    public var estimateCurrentBias: Bool = false
    /// Bias random-walk noise, σ² per second (A²/s).
    public var biasProcessNoiseA2PerS: Double = 1e-9
    /// Initial SOC standard deviation of the filters (fraction): how far the start given to
    /// `init`/`reset` is trusted when no settled OCV reading comes with the wake-up.
    public var initialSOCSigma: Double = 0.2
    /// The EKF's SOC standard deviation (fraction) when it wakes up after an unknown or long
    /// time: the first sample after a reset has Δt = 0 (history unknown) or Δt ≥
    /// `restMinimumSeconds`; `nil` = `initialSOCSigma`. Applies to the EKF only (the UKF
    /// spreads its sigma points with `initialSOCSigma`). 1.0 (an uninformative start) lets the
    /// wake-up OCV reading override a wrong start: on the NASA validation cells the −20 %
    /// start's EKF RMSE fell 3.50 → 2.99 % at no cost from the correct start
    /// (`Docs/Estimators.md`). After a short interruption (0 < Δt < `restMinimumSeconds`,
    /// e.g. a restart at a full-charge event or a replay's first short sleep) the start is
    /// current and keeps `initialSOCSigma`.
    public var ekfInitialSOCSigma: Double? = 1.0
    /// Times the EKF iterates its update on a settled rest (the wake-up OCV reading),
    /// re-linearising at the updated state each time; values below 1 count as 1.
    public var restUpdateIterations: Int = 3
    /// Initial bias standard deviation, A.
    public var initialBiasSigmaA: Double = 0.05
    /// `ekf+lstm`: the noise of the LSTM's SOC as the EKF's second measurement
    /// (`LSTMFusionNoise.default`, learned on the NASA validation cells by `bmsim fusion-noise`).
    public var fusionNoise: LSTMFusionNoise = .default
    /// `lstm` (from `makeEstimator`): between its confirmed model runs the estimate is the
    /// BMS's Ah counter with OCV correction at rest, continued from the last run's output
    /// (`LSTMEstimator.betweenRuns`); false: the plain coulomb count from that output, as
    /// before (and as the C wrapper does).
    public var lstmOCVCorrectionBetweenRuns = true

    /// Use the cell model's hysteresis (`CellModelParameters.hysteresis`) when it has one: the
    /// filters carry h as a state and every rested reading is compared with OCV + M h + M0 s
    /// (the Ah counter's correction at rest too). `false`, or a model without hysteresis: the
    /// estimators run exactly as before the hysteresis state existed.
    public var useModelHysteresis: Bool = true
    /// Filters: the hysteresis state's standard deviation at the start and after a reset
    /// (h ∈ [−1, 1], unknown history: 0.6 ≈ the σ of a uniform spread over it).
    public var initialHysteresisSigma: Double = 0.6
    /// Filters: hysteresis state random-walk noise, σ² per second (1/s).
    public var hysteresisProcessNoisePerS: Double = 1e-6

    /// Capacity learning: the loaded voltage that defines empty (the BMS terminate voltage), V.
    public var terminateVoltageV: Double = 2.7
    /// End-of-discharge anchor (`EmptyAnchor`): on a model whose SOC scale has a loaded-voltage
    /// zero (`CellModelParameters.socZeroLoadedVoltageV`), the first loaded sample below it in a
    /// discharge sets the SOC to 0 when the estimate is at or below this (a dip at a higher
    /// estimate is taken for a transient); `nil` = never.
    public var emptyAnchorBelowSOC: Double? = 0.1
    /// Capacity learning: a rested voltage at or above this marks a full cell, V.
    public var fullRestVoltageV: Double = 4.15

    /// Measurements outside these ranges are refused (the estimator holds).
    public var voltageRangeV: ClosedRange<Double> = 0.5...5.0
    /// Accepted current magnitude, A.
    public var maximumCurrentA: Double = 50
    /// Accepted temperature range, °C.
    public var temperatureRangeC: ClosedRange<Double> = -40...90
    /// Longest accepted tick, s.
    public var maximumTickSeconds: Double = 86_400

    /// Defaults.
    public init() {}

    /// The rest current of a cell of `capacityAh`: C/36 (the 50 mA chosen on the NASA cells'
    /// 1.8 Ah design capacity, as a C-rate), at least `minimumRestCurrentA`. An absolute 50 mA
    /// is 0.29 C on a 0.17 Ah cell (a load read as a rest) and C/100 on a 5 Ah cell (a current
    /// sensor's bias of a few C/100 never reads as one, so the OCV never corrects it).
    public static func restCurrentA(capacityAh: Double) -> Double {
        max(minimumRestCurrentA, capacityAh / 36)
    }

    /// The smallest rest current, A: above a current sensor's offset (10–20 mA).
    public static let minimumRestCurrentA = 0.02

    /// These settings with the rest current of a cell of `capacityAh` (`restCurrentA(capacityAh:)`).
    public func scaledToCell(capacityAh: Double) -> EstimatorConfig {
        var c = self
        if capacityAh.isFinite && capacityAh > 0 { c.restCurrentA = Self.restCurrentA(capacityAh: capacityAh) }
        return c
    }

    /// True when a measurement is finite and inside the configured ranges.
    @inlinable
    public func accepts(_ m: CellMeasurement) -> Bool {
        m.isFinite && voltageRangeV.contains(m.voltageV) && abs(m.currentA) <= maximumCurrentA
            && temperatureRangeC.contains(m.temperatureC) && m.dtSeconds <= maximumTickSeconds
    }

    /// As `accepts`, but the first sample after a reset (`wakingUp`) may come after a sleep of
    /// any length: its Δt is the sleep, which the filters and the Ah counter do not integrate
    /// once it reaches `restMinimumSeconds` (a sleep is not a tick).
    @inlinable
    public func accepts(_ m: CellMeasurement, wakingUp: Bool) -> Bool {
        guard wakingUp else { return accepts(m) }
        return m.isFinite && voltageRangeV.contains(m.voltageV) && abs(m.currentA) <= maximumCurrentA
            && temperatureRangeC.contains(m.temperatureC)
    }
}
