/// The (temperature, discharge current) band a capacity is learned in: usable capacity
/// depends on rate and temperature (a cold 4 A discharge ends far earlier than a warm 1 A
/// one), so a BMS keeps one learned capacity per band. One definition for the firmware's
/// `CapacityLearner` and for the trainer's per-discharge prior (`LearnedPriorCapacity`).
///
/// Three temperature bands (below 14 °C, 14–34 °C, from 34 °C) times three current bands
/// (|I| below 1.5 A, 1.5–3 A, from 3 A), index `3 · temperature band + current band`:
///
/// ```swift
/// CapacityBand.index(temperatureC: 24, currentA: -2)   // 4 (warm, 1.5–3 A)
/// CapacityBand.index(temperatureC: 4, currentA: -1)    // 0 (cold, below 1.5 A)
/// ```
public enum CapacityBand {
    /// Temperature band edges, °C (3 bands).
    public static let temperatureEdgesC: (Double, Double) = (14, 34)
    /// Current band edges, A (3 bands; the magnitude of the current).
    public static let currentEdgesA: (Double, Double) = (1.5, 3.0)
    /// Number of bands.
    public static let count = 9
    /// Discharge time after which the band is read, s: at a fine tick the first loaded samples
    /// interpolate the current's step and would put a 4 A discharge in the 1 A band.
    public static let settleSeconds = 30.0

    /// Band index (0…8) of a (temperature, current) pair; NaN falls in the lowest band.
    @inlinable
    public static func index(temperatureC: Double, currentA: Double) -> Int {
        let t = temperatureC < temperatureEdgesC.0 ? 0 : (temperatureC < temperatureEdgesC.1 ? 1 : 2)
        let a = abs(currentA)
        let i = a < currentEdgesA.0 ? 0 : (a < currentEdgesA.1 ? 1 : 2)
        return t * 3 + i
    }

    /// Where a recorded discharge starts, as the learner reads it: the cell temperature at the
    /// first loaded sample (|I| above `restCurrentA`) and the current once `settleSeconds` of
    /// load have passed (or at the last loaded sample of a shorter discharge). `nil` when no
    /// sample is loaded. Arrays of equal length, time in s.
    public static func start(timeS: [Double], currentA: [Double], temperatureC: [Double],
                             restCurrentA: Double = 0.05) -> (temperatureC: Double, currentA: Double)? {
        precondition(timeS.count == currentA.count && currentA.count == temperatureC.count, "equal lengths")
        guard let first = currentA.firstIndex(where: { abs($0) > restCurrentA }) else { return nil }
        var loadedSeconds = 0.0, current = currentA[first]
        for k in (first + 1)..<max(first + 1, currentA.count) where abs(currentA[k]) > restCurrentA {
            loadedSeconds += timeS[k] - timeS[k - 1]
            current = currentA[k]
            if loadedSeconds >= settleSeconds { break }
        }
        return (temperatureC[first], current)
    }
}
