import CellModel

/// The filters' loaded-voltage noise σ over cell temperature: `voltageNoisePerResidual` × the
/// model's fit residual of each OCV temperature group (at the group's mean temperature),
/// linear between groups and held beyond the first and last (like the OCV rows), at least
/// 10 mV. Without per-group residuals (older model files) it is the overall residual's σ at
/// every temperature; `EstimatorConfig.voltageNoiseV` overrides it everywhere.
struct VoltageNoiseTable: Sendable {
    /// Group temperatures, °C (increasing; empty = one σ everywhere).
    let temperaturesC: [Double]
    /// σ at each group temperature, V (interpolated in σ, squared on use).
    let sigmasV: [Double]
    /// σ² when `temperaturesC` is empty, V².
    let uniformVarianceV2: Double

    init(model: CellModelParameters, config: EstimatorConfig, pairs: Int) {
        let overallmV = (pairs == 1 ? model.fitReport.residual1RCmV : model.fitReport.residual2RCmV) ?? 20
        func sigma(_ residualmV: Double) -> Double {
            config.voltageNoiseV ?? max(0.010, config.voltageNoisePerResidual * residualmV / 1000)
        }
        let overall = sigma(overallmV)
        uniformVarianceV2 = overall * overall
        var temps: [Double] = [], sigmas: [Double] = []
        if config.voltageNoiseV == nil, config.voltageNoiseByTemperatureGroup {
            for g in model.fitReport.ocvTemperatureGroups ?? [] {
                guard let r = pairs == 1 ? g.residual1RCmV : g.residual2RCmV else { continue }
                temps.append(g.temperatureC)
                sigmas.append(sigma(r))
            }
        }
        temperaturesC = temps
        sigmasV = sigmas
    }

    /// σ² at `temperatureC`, V² (no allocation).
    func variance(at temperatureC: Double) -> Double {
        let n = temperaturesC.count
        guard n > 0 else { return uniformVarianceV2 }
        if !(temperatureC > temperaturesC[0]) { return sigmasV[0] * sigmasV[0] }
        if temperatureC >= temperaturesC[n - 1] { return sigmasV[n - 1] * sigmasV[n - 1] }
        var i = 1
        while temperaturesC[i] < temperatureC { i += 1 }
        let f = (temperatureC - temperaturesC[i - 1]) / (temperaturesC[i] - temperaturesC[i - 1])
        let s = sigmasV[i - 1] + f * (sigmasV[i] - sigmasV[i - 1])
        return s * s
    }
}
