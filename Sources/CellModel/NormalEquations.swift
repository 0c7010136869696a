/// Least squares by normal equations for problems with few nonzeros per row:
/// minimise ‖A x − b‖² + Σ (penalty rows)², accumulating AᵀA and Aᵀb row by row, then
/// solving with a Cholesky factorisation. Used by `TheveninIdentification`, whose rows
/// have at most ~16 nonzeros among a few hundred unknowns.
struct NormalEquations {
    let unknowns: Int
    var gram: [Double]       // unknowns × unknowns, upper triangle used
    var rhs: [Double]
    var targetSquares = 0.0
    var rows = 0

    init(unknowns: Int) {
        self.unknowns = unknowns
        gram = Array(repeating: 0, count: unknowns * unknowns)
        rhs = Array(repeating: 0, count: unknowns)
    }

    /// Adds the row Σ coefficients[k]·x[indices[k]] ≈ target with the given weight.
    mutating func addRow(indices: [Int], coefficients: [Double], count: Int, target: Double,
                         weight: Double = 1) {
        let w2 = weight * weight
        for a in 0..<count {
            let ia = indices[a]
            let ca = coefficients[a] * w2
            rhs[ia] += ca * target
            for b in 0..<count {
                let ib = indices[b]
                if ib >= ia { gram[ia * unknowns + ib] += ca * coefficients[b] }
            }
        }
        targetSquares += w2 * target * target
        rows += 1
    }

    /// Solves (with `jitter` added to the diagonal); `nil` when not positive-definite.
    func solve(jitter: Double = 1e-9) -> [Double]? {
        let n = unknowns
        var l = gram
        for i in 0..<n { for j in 0..<i { l[i * n + j] = l[j * n + i] } }
        for i in 0..<n { l[i * n + i] += jitter }
        for j in 0..<n {
            var d = l[j * n + j]
            for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
            guard d > 0 else { return nil }
            let root = d.squareRoot()
            l[j * n + j] = root
            for i in (j + 1)..<n {
                var s = l[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / root
            }
        }
        var y = rhs
        for i in 0..<n {
            var s = y[i]
            for k in 0..<i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<n { s -= l[k * n + i] * y[k] }
            y[i] = s / l[i * n + i]
        }
        return y
    }
}
