extension OCVCurve {
    /// The SOC a rested (open-circuit) voltage reading supports, chosen nearest to `prior`:
    ///
    /// * where the curve is informative — its slope at s* = OCV⁻¹(V, T) is at least
    ///   `minimumSlopeVPerSOC` — the inverse s*, capped at 1 (a rested reading above the full
    ///   cell's OCV means full);
    /// * where it is flat, the reading only says that the SOC lies somewhere on the flat
    ///   stretch [a, b] around s* (the contiguous grid segments flatter than the minimum,
    ///   extended by the inverse's extrapolation limit at the ends of the grid), so the result
    ///   is `prior` clamped into [a, b]: a state already consistent with the reading is kept,
    ///   one that is not is moved to the nearest consistent SOC;
    /// * where the curve is not trusted at rest — s* below `trustedFromSOC` — the reading only
    ///   says that the SOC is at most `trustedFromSOC`: `prior` clamped into
    ///   [lowest SOC, trustedFromSOC] (`CellModelParameters.restedOCVTrustedFromSOC`).
    ///
    /// Whatever `prior` is (90 points off, NaN-free), the result is consistent with the reading,
    /// which is what makes an estimator that re-anchors here unable to stay lost. Does not
    /// allocate (a scan of the grid at this temperature).
    ///
    /// ```swift
    /// // table 3.0 V at SOC 0, 3.001 V at 0.2, 4.2 V at 1: flat below 0.2
    /// ocv.restedSOC(voltageV: 3.9, temperatureC: 25, nearest: 0.1, minimumSlopeVPerSOC: 0.1)    // OCV⁻¹(3.9)
    /// ocv.restedSOC(voltageV: 3.0005, temperatureC: 25, nearest: 0.9, minimumSlopeVPerSOC: 0.1) // 0.2 (top of the flat part)
    /// ocv.restedSOC(voltageV: 3.0005, temperatureC: 25, nearest: 0.05, minimumSlopeVPerSOC: 0.1) // 0.05 (kept)
    /// ```
    public func restedSOC(voltageV: Double, temperatureC: Double, nearest prior: Double,
                          minimumSlopeVPerSOC: Double, trustedFromSOC: Double? = nil) -> Double {
        let target = Swift.min(soc(voltageV: voltageV, temperatureC: temperatureC), 1)
        let points = table.socPoints
        let n = points.count
        if let floor = trustedFromSOC, target < floor {
            return Swift.min(Swift.max(prior, points[0] - Self.inverseExtrapolationLimit), floor)
        }
        guard slope(soc: target, temperatureC: temperatureC) < minimumSlopeVPerSOC else { return target }
        @inline(__always) func flat(_ segment: Int) -> Bool {
            let v0 = voltage(soc: points[segment], temperatureC: temperatureC)
            let v1 = voltage(soc: points[segment + 1], temperatureC: temperatureC)
            return (v1 - v0) / (points[segment + 1] - points[segment]) < minimumSlopeVPerSOC
        }
        // The segment holding the target (end segments when the target lies beyond the grid).
        var segment = 0
        while segment < n - 2 && target >= points[segment + 1] { segment += 1 }
        var first = segment, last = segment
        while first > 0 && flat(first - 1) { first -= 1 }
        while last < n - 2 && flat(last + 1) { last += 1 }
        let lower = first == 0 ? points[0] - Self.inverseExtrapolationLimit : points[first]
        let upper = last == n - 2 ? Swift.min(points[n - 1] + Self.inverseExtrapolationLimit, 1) : points[last + 1]
        return Swift.min(Swift.max(prior, Swift.min(lower, target)), Swift.max(upper, target))
    }
}
