@testable import CellData

/// First difference between two MAT values (NaN equals NaN), or `nil` when equal.
func firstDifference(_ a: MATValue, _ b: MATValue, path: String = "") -> String? {
    func same(_ x: [Double], _ y: [Double]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }
    switch (a, b) {
    case let (.numeric(x), .numeric(y)):
        if x.dimensions != y.dimensions { return "\(path): dims \(x.dimensions) vs \(y.dimensions)" }
        if !same(x.real, y.real) { return "\(path): real parts differ" }
        if (x.imaginary == nil) != (y.imaginary == nil) { return "\(path): complexity differs" }
        if let xi = x.imaginary, let yi = y.imaginary, !same(xi, yi) { return "\(path): imaginary parts differ" }
        return nil
    case let (.char(dx, tx), .char(dy, ty)):
        return dx == dy && tx == ty ? nil : "\(path): text '\(tx)' vs '\(ty)'"
    case let (.structure(x), .structure(y)):
        if x.dimensions != y.dimensions || x.fieldNames != y.fieldNames { return "\(path): struct layout differs" }
        for k in x.values.indices {
            let f = x.fieldNames[k % x.fieldNames.count]
            if let d = firstDifference(x.values[k], y.values[k], path: "\(path)(\(k / x.fieldNames.count + 1)).\(f)") { return d }
        }
        return nil
    case let (.cell(dx, vx), .cell(dy, vy)):
        if dx != dy { return "\(path): cell dims differ" }
        for k in vx.indices { if let d = firstDifference(vx[k], vy[k], path: "\(path){\(k + 1)}") { return d } }
        return nil
    default:
        return "\(path): kinds differ"
    }
}
