extension CellModelParameters {
    /// A hand-made, plausible 18650 model (2.0 Ah, LCO/NMC-like OCV, R0 ≈ 70–110 mΩ,
    /// τ1 = 30 s, τ2 = 600 s, resistances rising at low SOC and low temperature). Not fitted
    /// to any data: it is the known truth for simulator tests, and the demo model before a
    /// fitted `cell.json` exists.
    public static func synthetic18650() -> CellModelParameters {
        let soc: [Double] = [0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
        let ocv24: [Double] = [3.30, 3.45, 3.55, 3.62, 3.68, 3.73, 3.78, 3.85, 3.93, 4.00, 4.08, 4.19]
        let temps: [Double] = [4, 24, 44]
        // OCV shifts slightly with temperature (entropic term, a few mV).
        var ocvValues: [Double] = []
        for t in temps { ocvValues += ocv24.map { $0 + (t - 24) * 0.0002 } }
        let ocv = OCVCurve(table: SOCTemperatureTable(socPoints: soc, temperaturesC: temps,
                                                      values: ocvValues, extrapolateSOC: true))
        func table(_ base: Double) -> SOCTemperatureTable {
            var values: [Double] = []
            for t in temps {
                let thermal = 1 + 0.02 * (24 - t)          // +40 % at 4 °C, −40 % at 44 °C
                for s in soc { values.append(base * thermal * (1 + 0.5 * (1 - s) * (1 - s) * (1 - s))) }
            }
            return SOCTemperatureTable(socPoints: soc, temperaturesC: temps, values: values)
        }
        func capacitance(_ r: SOCTemperatureTable, tau: Double) -> SOCTemperatureTable {
            SOCTemperatureTable(socPoints: soc, temperaturesC: temps, values: r.values.map { tau / $0 })
        }
        let r1a = table(0.030)
        let one = TheveninParameters(r0Ohm: table(0.07),
                                     pairs: [RCPair(resistanceOhm: r1a, capacitanceF: capacitance(r1a, tau: 60))])
        let r1 = table(0.020), r2 = table(0.020)
        let two = TheveninParameters(r0Ohm: table(0.07), pairs: [
            RCPair(resistanceOhm: r1, capacitanceF: capacitance(r1, tau: 30)),
            RCPair(resistanceOhm: r2, capacitanceF: capacitance(r2, tau: 600)),
        ])
        return CellModelParameters(cellName: "synthetic 18650 (hand-made)", capacityAh: 2.0,
                                   capacityByTemperature: nil, coulombicEfficiency: 1, ocv: ocv,
                                   thevenin1RC: one, thevenin2RC: two,
                                   fitReport: FitReport(method: ["hand-made, not fitted"],
                                                        residual1RCmV: 10, residual2RCmV: 10))
    }
}

extension ChargeTransfer {
    /// A hand-made charge-transfer term for `CellModelParameters.synthetic18650()` turned into
    /// a cold cell whose resistance falls with the current: a = 60 / 30 / 15 mV and
    /// I_ref = 0.8 / 1.5 / 2.5 A at 4 / 24 / 44 °C (small-signal resistance +75 / +20 / +6 mΩ).
    /// Not fitted to any data: the known truth of the identification and filter tests.
    public static let synthetic18650 = ChargeTransfer(groups: [
        .init(temperatureC: 4, coefficientV: 0.060, referenceCurrentA: 0.8),
        .init(temperatureC: 24, coefficientV: 0.030, referenceCurrentA: 1.5),
        .init(temperatureC: 44, coefficientV: 0.015, referenceCurrentA: 2.5),
    ])
}
