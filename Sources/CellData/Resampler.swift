import BMSCore

/// Signals of one operation (or a whole timeline) on a uniform time grid.
public struct ResampledSeries: Sendable, Equatable {
    /// Grid times `n × dtS`, s (relative to the series' time origin).
    public var timeS: [Double]
    /// Terminal voltage, V.
    public var voltageV: [Double]
    /// Current, A (positive = charge).
    public var currentA: [Double]
    /// Cell temperature, °C.
    public var temperatureC: [Double]
    /// Reference SOC (fraction), when labelled.
    public var soc: [Double]?
    /// Number of grid points.
    public var count: Int { timeS.count }
}

/// Linear interpolation onto a uniform grid, matching `numpy.interp` as used by `soc_data.py`,
/// the Python reference of the benchmark task (Docs/Benchmark.md): grid g_n = n·dt for
/// n = 0 … ⌊t_last/dt + 1e−9⌋;
/// values before the first sample take the first value, between samples the straight line.
/// Labels are computed at the native samples first and interpolated like every other column.
public enum Resampler {
    /// Interpolates `values` given at increasing `timeS` onto `gridS` (both sorted).
    /// At a repeated time (operation boundaries of a timeline) the later sample wins.
    public static func interpolate(timeS: [Double], values: [Double], at gridS: [Double]) -> [Double] {
        precondition(timeS.count == values.count && !timeS.isEmpty, "need equally long, non-empty columns")
        var out = [Double](repeating: 0, count: gridS.count)
        var j = 0
        let last = timeS.count - 1
        for (n, g) in gridS.enumerated() {
            if g <= timeS[0] && !(timeS.count > 1 && timeS[1] <= g) { out[n] = values[0]; continue }
            while j < last && timeS[j + 1] <= g { j += 1 }
            if j == last { out[n] = values[last]; continue }
            let t0 = timeS[j], t1 = timeS[j + 1]
            out[n] = (values[j + 1] - values[j]) / (t1 - t0) * (g - t0) + values[j]   // numpy's order of operations
        }
        return out
    }

    /// The grid 0, dt, 2dt, … up to `lastS` (as `soc_data.py`).
    public static func grid(lastS: Double, dtS: Double) -> [Double] {
        precondition(dtS > 0, "dtS must be positive")
        guard lastS >= 0 else { return [] }
        let n = Int((lastS / dtS + 1e-9).rounded(.down)) + 1
        return (0..<n).map { Double($0) * dtS }
    }

    /// One operation's samples (and optional labels) on the grid n·dtS of its own time.
    public static func resample(_ samples: OperationSamples, soc: [Double]? = nil, dtS: Double) -> ResampledSeries {
        guard let lastS = samples.timeS.last else {
            return ResampledSeries(timeS: [], voltageV: [], currentA: [], temperatureC: [], soc: soc == nil ? nil : [])
        }
        let g = grid(lastS: lastS, dtS: dtS)
        return ResampledSeries(timeS: g,
                               voltageV: interpolate(timeS: samples.timeS, values: samples.voltageV, at: g),
                               currentA: interpolate(timeS: samples.timeS, values: samples.currentA, at: g),
                               temperatureC: interpolate(timeS: samples.timeS, values: samples.temperatureC, at: g),
                               soc: soc.map { interpolate(timeS: samples.timeS, values: $0, at: g) })
    }

    /// The whole recording as one series on the grid n·dtS of recording time (for the tick
    /// loop). SOC is included where every operation is labelled; otherwise it is `nil`.
    /// Use `Recording.withGapsCapped(atS:)` first to avoid idling through long gaps.
    public static func resample(_ recording: Recording, dtS: Double) -> ResampledSeries {
        let labels = ReferenceSOC.label(recording)
        var t: [Double] = [], v: [Double] = [], i: [Double] = [], temp: [Double] = [], soc: [Double] = []
        var allLabelled = true
        for (op, label) in zip(recording.operations, labels) {
            for k in 0..<op.samples.count {
                t.append(op.startTimeS + op.samples.timeS[k])
                v.append(op.samples.voltageV[k]); i.append(op.samples.currentA[k]); temp.append(op.samples.temperatureC[k])
            }
            if let label { soc.append(contentsOf: label) } else { allLabelled = false }
        }
        guard let first = t.first, let lastS = t.last else {
            return ResampledSeries(timeS: [], voltageV: [], currentA: [], temperatureC: [], soc: nil)
        }
        let g = grid(lastS: lastS - first, dtS: dtS).map { $0 + first }
        return ResampledSeries(timeS: g, voltageV: interpolate(timeS: t, values: v, at: g),
                               currentA: interpolate(timeS: t, values: i, at: g),
                               temperatureC: interpolate(timeS: t, values: temp, at: g),
                               soc: allLabelled ? interpolate(timeS: t, values: soc, at: g) : nil)
    }
}

extension ResampledSeries {
    /// The series as firmware ticks: one `CellMeasurement` per grid point, `dtSeconds` the
    /// grid step (the first carries the step too, as `CellMeasurement` documents).
    public func measurements() -> [BMSCore.CellMeasurement] {
        guard count > 0 else { return [] }
        let step = count > 1 ? timeS[1] - timeS[0] : 0
        return (0..<count).map {
            BMSCore.CellMeasurement(voltageV: voltageV[$0], currentA: currentA[$0], temperatureC: temperatureC[$0],
                                    dtSeconds: $0 == 0 ? step : timeS[$0] - timeS[$0 - 1])
        }
    }
}
