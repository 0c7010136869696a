import ArgumentParser

/// Range checks for numeric command-line options, with one message shape for every command:
/// `--name must be a number in [lo, hi] unit (got x)`. NaN and ±∞ fail every check. The
/// ranges are documented limits (`Docs/Reliability.md`, "Limits"), chosen so that derived
/// sizes (ticks, grid points, allocations) stay bounded before anything is allocated.
enum OptionCheck {
    /// Most threads or workers any command starts.
    static let maximumThreads = 256

    /// Throws unless `value` is finite and inside `range`.
    static func require(_ value: Double, in range: ClosedRange<Double>, _ name: String, unit: String = "") throws {
        guard value.isFinite, range.contains(value) else {
            let unitText = unit.isEmpty ? "" : " \(unit)"
            throw ValidationError("\(name) must be a number in [\(text(range.lowerBound)), \(text(range.upperBound))]\(unitText) (got \(value))")
        }
    }

    /// Throws unless `value` is inside `range`.
    static func require(_ value: Int, in range: ClosedRange<Int>, _ name: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(name) must be an integer in [\(range.lowerBound), \(range.upperBound)] (got \(value))")
        }
    }

    /// Shortest text of a bound (`0.01`, `60`, `1e+06`).
    private static func text(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e6 ? String(Int(x)) : "\(x)"
    }
}
