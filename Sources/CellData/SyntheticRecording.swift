import Foundation

/// A small, deterministic recording made by the project itself (no randomness): a 2.0 Ah
/// cell modelled as OCV(SOC) + R0 + one RC pair, driven through rest → 2 A discharge →
/// rest → 1.5 A charge → rest. Used as the fixture `Fixtures/recordings/synthetic_cycle.csv`
/// so tests and the README's main command run without the NASA data. (The CellModel
/// simulator replaces it later.)
///
/// Model: OCV(s) = 3.4 + 0.5 s + 0.3 s² − 0.1 e^(−15 s) V; R0 = 0.05 Ω; R1 = 0.03 Ω,
/// C1 = 1000 F (τ = 30 s); terminal V = OCV − I_d·R0 − U1 with I_d the discharge current;
/// U1 updated exactly for piecewise-constant current: U1 ← U1 e^(−Δt/τ) + I_d R1 (1 − e^(−Δt/τ));
/// temperature 25 °C + 0.8 °C per ampere of |I|, first-order with τ = 300 s.
public enum SyntheticRecording {
    /// Capacity of the modelled cell, Ah.
    public static let capacityAh = 2.0

    /// Open-circuit voltage of the modelled cell at SOC `soc` (fraction).
    public static func ocvV(soc: Double) -> Double {
        3.4 + 0.5 * soc + 0.3 * soc * soc - 0.1 * exp(-15 * soc)
    }

    /// One phase of the profile: constant current (positive = charge) for `durationS`,
    /// sampled every `dtS`.
    struct Phase {
        let kind: OperationKind
        let currentA: Double
        let durationS: Double
        let dtS: Double
    }

    static let profile: [Phase] = [
        Phase(kind: .rest, currentA: 0, durationS: 120, dtS: 10),
        Phase(kind: .discharge, currentA: -2.0, durationS: 3000, dtS: 15),
        Phase(kind: .rest, currentA: 0, durationS: 600, dtS: 30),
        Phase(kind: .charge, currentA: 1.5, durationS: 2400, dtS: 15),
        Phase(kind: .rest, currentA: 0, durationS: 300, dtS: 30),
    ]

    /// The recording (cell `SYN001`), with the model's exact SOC as `providedSOC`.
    public static func make() -> Recording {
        let r0 = 0.05, r1 = 0.03, tau = 30.0, ambientC = 25.0, tauThermal = 300.0
        var soc = 1.0, u1 = 0.0, temperature = ambientC
        var startS = 0.0
        var operations: [CellOperation] = []
        for phase in profile {
            var t: [Double] = [], v: [Double] = [], i: [Double] = [], temp: [Double] = [], socs: [Double] = []
            let steps = Int((phase.durationS / phase.dtS).rounded())
            for n in 0...steps {
                if n > 0 {
                    let dt = phase.dtS
                    soc += phase.currentA * dt / 3600 / capacityAh
                    let decay = exp(-dt / tau)
                    u1 = u1 * decay + (-phase.currentA) * r1 * (1 - decay)
                    let target = ambientC + 0.8 * abs(phase.currentA)
                    temperature = target + (temperature - target) * exp(-dt / tauThermal)
                }
                t.append(Double(n) * phase.dtS)
                v.append(ocvV(soc: soc) - (-phase.currentA) * r0 - u1)
                i.append(phase.currentA)
                temp.append(temperature)
                socs.append(soc)
            }
            operations.append(CellOperation(kind: phase.kind, nasaCycle: nil, startTimeS: startS, ambientTemperatureC: ambientC,
                                            capacityAh: capacityAh,
                                            samples: OperationSamples(timeS: t, voltageV: v, currentA: i, temperatureC: temp),
                                            providedSOC: socs))
            startS += phase.durationS
        }
        return Recording(cell: "SYN001", source: "SyntheticRecording.make()", operations: operations)
    }
}
