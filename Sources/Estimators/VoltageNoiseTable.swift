import CellModel

/// The filters' loaded-voltage noise σ over cell temperature: `voltageNoisePerResidual` × the
/// model's fit residual of each OCV temperature group (at the group's mean temperature),
/// linear between groups and held beyond the first and last (like the OCV rows), at least
/// 10 mV. Without per-group residuals (older model files) it is the overall residual's σ at
/// every temperature; `EstimatorConfig.voltageNoiseV` overrides it everywhere.
struct VoltageNoiseTable: Sendable {
    /// Group temperatures, °C (increasing; empty = one σ everywhere).
    let temperaturesC: [Double]
    /// σ² at each group temperature, V².
    let variancesV2: [Double]
    /// σ² when `temperaturesC` is empty, V².
    let uniformVarianceV2: Double

    init(model: CellModelParameters, config: EstimatorConfig, pairs: Int) {
        let overallmV = (pairs == 1 ? model.fitReport.residual1RCmV : model.fitReport.residual2RCmV) ?? 20
        func variance(_ residualmV: Double) -> Double {
            let sigma = config.voltageNoiseV ?? max(0.010, config.voltageNoisePerResidual * residualmV / 1000)
            return sigma * sigma
        }
        uniformVarianceV2 = variance(overallmV)
        var temps: [Double] = [], vars: [Double] = []
        if config.voltageNoiseV == nil, config.voltageNoiseByTemperatureGroup {
            for g in model.fitReport.ocvTemperatureGroups ?? [] {
                guard let r = pairs == 1 ? g.residual1RCmV : g.residual2RCmV else { continue }
                temps.append(g.temperatureC)
                vars.append(variance(r))
            }
        }
        temperaturesC = temps
        variancesV2 = vars
    }

    /// σ² at `temperatureC`, V² (no allocation).
    func variance(at temperatureC: Double) -> Double {
        let n = temperaturesC.count
        guard n > 0 else { return uniformVarianceV2 }
        if !(temperatureC > temperaturesC[0]) { return variancesV2[0] }
        if temperatureC >= temperaturesC[n - 1] { return variancesV2[n - 1] }
        var i = 1
        while temperaturesC[i] < temperatureC { i += 1 }
        let f = (temperatureC - temperaturesC[i - 1]) / (temperaturesC[i] - temperaturesC[i - 1])
        let s0 = variancesV2[i - 1].squareRoot(), s1 = variancesV2[i].squareRoot()
        let s = s0 + f * (s1 - s0)
        return s * s
    }
}
