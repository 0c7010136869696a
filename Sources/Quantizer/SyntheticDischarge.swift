import BMSCore
import QuantizedLSTM

/// A synthetic constant-current discharge on a 10 s grid, in raw sensor units, for
/// calibration smoke tests and golden vectors when no recorded data are at hand:
/// voltage 4.2 V → 3.0 V (with a knee near the end), current −2 A ± noise, temperature
/// rising 24 °C → 38 °C, plus occasional rests.
public enum SyntheticDischarge {
    /// `steps` samples from a seeded generator.
    public static func samples(steps: Int, seed: UInt64) -> [RawSensorSample] {
        var rng = SeededGenerator(seed: seed)
        var out: [RawSensorSample] = []
        out.reserveCapacity(steps)
        for n in 0..<steps {
            let cycle = 1200
            let t = Double(n % cycle) / Double(cycle)          // one discharge per 1200 steps
            let resting = (n % cycle) % 300 > 285
            let currentA = resting ? 0 : -2.0 + 0.02 * rng.nextGaussian()
            let knee = t > 0.85 ? (t - 0.85) * 2.5 : 0
            let ocv = 4.2 - 0.9 * t - knee
            let voltageV = ocv + (resting ? 0 : 0.08 * currentA / 2) + 0.001 * rng.nextGaussian()
            let temperatureC = 24 + 14 * t + 0.1 * rng.nextGaussian()
            out.append(RawSensorSample(voltageUV: Int32((voltageV * 1e6).rounded()),
                                       currentMA: Int32((currentA * 1e3).rounded()),
                                       temperatureDeciC: Int32((temperatureC * 10).rounded())))
        }
        return out
    }
}
