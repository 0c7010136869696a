/// |dV/dt| of the cell voltage for rest detection (the Ah counter's OCV correction and the
/// filters' rest readings), V/s: the slope of the voltage low-passed over ≈ 60 s, itself
/// low-passed, with k = Δt / (60 s + Δt) (no `exp` per tick):
///
///     V̄_k = V̄_{k−1} + k (V_k − V̄_{k−1}),   s_k = s_{k−1} + k (|V̄_k − V̄_{k−1}| / Δt − s_{k−1})
///
/// Differencing raw samples would read sensor noise as slope (0.5 mV of noise at 1 s ticks
/// reads ≈ 0.56 mV/s, above the 0.2 mV/s rest threshold, so a noisy cell never settled);
/// through the low-pass the same noise reads ≈ 0.007 mV/s, and a relaxation slope passes
/// unchanged (`Docs/Estimators.md`, "OCV correction at rest"). No allocation.
struct RestVoltageSlope: Sendable {
    /// The low-passed voltage, V (nil before the first sample or after `clear`).
    private(set) var smoothedV: Double?
    /// The slope, V/s (1 = not settled, before any history).
    private(set) var vPerS = 1.0

    /// Starts anew at `voltageV`: settled (slope 0) after a sleep at rest, else unsettled.
    mutating func restart(at voltageV: Double, settled: Bool) {
        smoothedV = voltageV
        vPerS = settled ? 0 : 1
    }

    /// Takes one sample `dtSeconds` after the one before.
    @inline(__always)
    mutating func add(_ voltageV: Double, dtSeconds: Double) {
        guard let v0 = smoothedV, dtSeconds > 0 else {
            smoothedV = voltageV   // no history, or no time passed: the reading restarts the filter
            return
        }
        let k = dtSeconds / (60 + dtSeconds)
        let smoothed = v0 + k * (voltageV - v0)
        vPerS += k * (abs(smoothed - v0) / dtSeconds - vPerS)
        smoothedV = smoothed
    }

    /// Forgets the history (after a reset): unsettled, no voltage.
    mutating func clear() {
        smoothedV = nil
        vPerS = 1
    }
}
