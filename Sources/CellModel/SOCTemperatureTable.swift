/// A quantity tabulated over state of charge × temperature, read by bilinear interpolation.
///
/// Rows are temperatures, columns are SOC points: `values[t * socPoints.count + s]`.
/// Between grid points the value is linear in SOC and in temperature; outside the SOC grid
/// it is extrapolated with the slope of the end segment when `extrapolateSOC` is true (OCV)
/// or held at the end value otherwise (resistances); outside the temperature grid it is
/// held at the nearest row.
///
/// ```swift
/// let r0 = SOCTemperatureTable(socPoints: [0, 1], temperaturesC: [0, 40],
///                              values: [0.10, 0.08, 0.06, 0.05])
/// r0.value(soc: 0.5, temperatureC: 20)   // 0.0725
/// ```
/// Lookups do not allocate: they are safe on a firmware tick.
public struct SOCTemperatureTable: Sendable, Equatable {
    /// SOC grid, strictly increasing (fraction; may extend below 0).
    public let socPoints: [Double]
    /// Temperature grid, °C, strictly increasing (one point = no temperature dependence).
    public let temperaturesC: [Double]
    /// Row-major values, `temperaturesC.count × socPoints.count`.
    public let values: [Double]
    /// Linear extrapolation beyond the SOC grid (true) or clamping (false).
    public let extrapolateSOC: Bool

    /// Creates a table; the grid must be valid (see `CellModelFile` for checked loading).
    public init(socPoints: [Double], temperaturesC: [Double], values: [Double],
                extrapolateSOC: Bool = false) {
        precondition(socPoints.count >= 2 && !temperaturesC.isEmpty
                     && values.count == socPoints.count * temperaturesC.count,
                     "table shape does not match its grid")
        self.socPoints = socPoints
        self.temperaturesC = temperaturesC
        self.values = values
        self.extrapolateSOC = extrapolateSOC
    }

    /// A table with the same value everywhere.
    public static func constant(_ value: Double) -> SOCTemperatureTable {
        SOCTemperatureTable(socPoints: [0, 1], temperaturesC: [25], values: [value, value])
    }

    /// Bracketing segment index `i` (so that points[i] ≤ x < points[i+1] inside the grid)
    /// and the fraction within it; the fraction leaves [0, 1] when extrapolating.
    @inlinable
    static func segment(_ points: [Double], _ x: Double, clamp: Bool) -> (Int, Double) {
        let n = points.count
        if n == 1 { return (0, 0) }
        var lo = 0
        var hi = n - 1
        if x <= points[0] {
            lo = 0
        } else if x >= points[n - 1] {
            lo = n - 2
        } else {
            while hi - lo > 1 {
                let mid = (lo + hi) >> 1
                if points[mid] <= x { lo = mid } else { hi = mid }
            }
        }
        var f = (x - points[lo]) / (points[lo + 1] - points[lo])
        if clamp { f = Swift.min(Swift.max(f, 0), 1) }
        return (lo, f)
    }

    /// Value at one row (temperature index) and SOC, with its derivative d/dSOC.
    @inlinable
    func rowValue(_ row: Int, soc: Double) -> (value: Double, slope: Double) {
        let (s, f) = Self.segment(socPoints, soc, clamp: !extrapolateSOC)
        let base = row * socPoints.count
        let v0 = values[base + s]
        let v1 = values[base + s + 1]
        let width = socPoints[s + 1] - socPoints[s]
        let outside = soc < socPoints[0] || soc > socPoints[socPoints.count - 1]
        let slope = (!extrapolateSOC && outside) ? 0 : (v1 - v0) / width
        return (v0 + f * (v1 - v0), slope)
    }

    /// Interpolated value and its derivative with respect to SOC (per unit SOC fraction).
    @inlinable
    public func valueAndSlope(soc: Double, temperatureC: Double) -> (value: Double, slope: Double) {
        let (t, g) = Self.segment(temperaturesC, temperatureC, clamp: true)
        if temperaturesC.count == 1 { return rowValue(0, soc: soc) }
        let a = rowValue(t, soc: soc)
        let b = rowValue(t + 1, soc: soc)
        return (a.value + g * (b.value - a.value), a.slope + g * (b.slope - a.slope))
    }

    /// Interpolated value.
    @inlinable
    public func value(soc: Double, temperatureC: Double) -> Double {
        valueAndSlope(soc: soc, temperatureC: temperatureC).value
    }

    /// Where a point falls on a grid: found once, then read from several tables that share
    /// the grid (`value(at:)`), e.g. R0, R_j and τ_j on one filter tick.
    public struct GridPosition: Sendable {
        @usableFromInline var socIndex: Int
        @usableFromInline var socFraction: Double
        @usableFromInline var rowIndex: Int
        @usableFromInline var rowFraction: Double
        @usableFromInline var nextRow: Int

        @usableFromInline
        init(socIndex: Int, socFraction: Double, rowIndex: Int, rowFraction: Double, nextRow: Int) {
            self.socIndex = socIndex
            self.socFraction = socFraction
            self.rowIndex = rowIndex
            self.rowFraction = rowFraction
            self.nextRow = nextRow
        }
    }

    /// The grid position of (soc, T); SOC clamped (use only for tables that hold beyond
    /// the SOC grid, i.e. not the OCV).
    @inlinable
    public func position(soc: Double, temperatureC: Double) -> GridPosition {
        let (s, f) = Self.segment(socPoints, soc, clamp: true)
        let (t, g) = Self.segment(temperaturesC, temperatureC, clamp: true)
        return GridPosition(socIndex: s, socFraction: f, rowIndex: t, rowFraction: g,
                            nextRow: temperaturesC.count == 1 ? t : t + 1)
    }

    /// True when `other` has the same SOC and temperature grid.
    public func sharesGrid(with other: SOCTemperatureTable) -> Bool {
        socPoints == other.socPoints && temperaturesC == other.temperaturesC
    }

    /// The value at a position found on a table with the same grid; equals
    /// `value(soc:temperatureC:)` for non-extrapolating tables.
    @inlinable
    public func value(at p: GridPosition) -> Double {
        let n = socPoints.count
        return values.withUnsafeBufferPointer { v in
            let a0 = v[p.rowIndex * n + p.socIndex], a1 = v[p.rowIndex * n + p.socIndex + 1]
            let b0 = v[p.nextRow * n + p.socIndex], b1 = v[p.nextRow * n + p.socIndex + 1]
            let a = a0 + p.socFraction * (a1 - a0)
            let b = b0 + p.socFraction * (b1 - b0)
            return a + p.rowFraction * (b - a)
        }
    }
}
