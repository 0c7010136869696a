import BMSCore

extension TheveninEKF {
    /// One scalar Kalman measurement update with a direct SOC measurement `z` of variance `r`
    /// (H = [1, 0, …, 0], the SOC row), used by `FusedEKFLSTMEstimator` with the LSTM's SOC:
    ///
    ///     S = P₀₀ + r,   K = P[·,0] / S,   x ← x + K (z − x₀)
    ///     P ← (I − K H) P (I − K H)ᵀ + K r Kᵀ = P − K P[0,·] − P[·,0] Kᵀ + K S Kᵀ   (Joseph form)
    ///
    /// The SOC moves by K₀ (z − x₀) with K₀ = P₀₀ / (P₀₀ + r) ∈ [0, 1): the new SOC lies between
    /// the filter's and `z`, so with both in [0, 1] it stays there. Branch voltages (and the
    /// hysteresis and bias states) move through their covariance with the SOC. Does nothing and
    /// returns false when `z` or `r` is not finite or `r` ≤ 0. No allocation.
    @discardableResult
    public func applySOCMeasurement(_ z: Double, variance r: Double) -> Bool {
        guard z.isFinite, r.isFinite, r > 0 else { return false }
        let s = p[0] + r
        guard s > 0, s.isFinite else { return false }
        for i in 0..<n { gain[i] = p[i * n] / s }
        let innovation = z - x[0]
        for i in 0..<n { x[i] += gain[i] * innovation }
        // Joseph form expanded for H = e₀ (P symmetric): row 0 of P is copied first, as P changes.
        for j in 0..<n { prior[j] = p[j] }
        for i in 0..<n {
            for j in 0..<n {
                p[i * n + j] += -gain[i] * prior[j] - prior[i] * gain[j] + gain[i] * s * gain[j]
            }
        }
        SmallMatrix.symmetrize(p, n: n)
        if SmallMatrix.guardState(x: x, p: p, lower: lower, initialP: initialP, lastSOC: last.soc, n: n) {
            covarianceResets += 1
        }
        if let index = stateModel.hysteresisIndex { x[index] = min(max(x[index], -1), 1) }
        last = SOCEstimate(soc: x[0], sigma: p[0].squareRoot(), holding: last.holding)
        return true
    }

    /// The SOC variance P₀₀ (fraction²).
    public var socVariance: Double { p[0] }
}
