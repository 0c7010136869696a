/// Thins a long series for a plot without hiding its extremes: min/max per pixel column.
///
/// The x range [first x, last x] is cut into `columns` equal buckets (one per pixel column of
/// the plot). Of the points in a bucket, the one with the smallest finite y and the one with
/// the largest are kept, in their original order (one point when they coincide); a bucket
/// whose points are all non-finite keeps one NaN point, which breaks the line there. So a
/// series comes out with at most `2 × columns` points, and every spike that would light a
/// pixel column is still drawn. A series that already has at most `2 × columns` points is
/// returned as it is.
///
/// Worked example: x = 0…9, y = [5, 1, 9, 2, 2, 7, 3, 0, 4, 4], 2 columns (x in [0, 4.5) and
/// [4.5, 9]) keeps (1, 1), (2, 9) and (5, 7), (7, 0): four points.
public enum PlotDecimation {
    /// The kept points of (`x`, `y`); `x` must be non-decreasing.
    public static func minMax(x: [Double], y: [Double], columns: Int) -> (x: [Double], y: [Double]) {
        let n = min(x.count, y.count)
        precondition(columns >= 1, "at least one column")
        guard n > 2 * columns, x[n - 1] > x[0] else { return (Array(x.prefix(n)), Array(y.prefix(n))) }
        let first = x[0]
        let scale = Double(columns) / (x[n - 1] - first)
        var outX: [Double] = [], outY: [Double] = []
        outX.reserveCapacity(2 * columns)
        outY.reserveCapacity(2 * columns)
        var start = 0
        while start < n {
            let bucket = min(columns - 1, Int((x[start] - first) * scale))
            var end = start + 1
            while end < n && min(columns - 1, Int((x[end] - first) * scale)) == bucket { end += 1 }
            var low = -1, high = -1
            for i in start..<end where y[i].isFinite {
                if low < 0 || y[i] < y[low] { low = i }
                if high < 0 || y[i] > y[high] { high = i }
            }
            if low < 0 {
                outX.append(x[start]); outY.append(.nan)
            } else {
                outX.append(x[min(low, high)]); outY.append(y[min(low, high)])
                if low != high { outX.append(x[max(low, high)]); outY.append(y[max(low, high)]) }
            }
            start = end
        }
        return (outX, outY)
    }
}
