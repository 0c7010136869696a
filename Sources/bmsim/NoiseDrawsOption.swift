import ArgumentParser

/// `--noise-draws N` of `compare` and `replay`: every run under N noise draws, `--noise-draw K`
/// … K+N−1, summarised in draws.md, draws.csv and draws.json (`NoiseDrawSummary`).
struct NoiseDrawsOption: ParsableArguments {
    @Option(name: .customLong("noise-draws"), help: ArgumentHelp(
        "Run every cell × scenario under N noise draws (--noise-draw K … K+N−1, 1 … 100) and add draws.md, draws.csv and draws.json: each estimator's mean RMSE per scenario over the draws, with the lowest and highest draw and the draws it was best in. The other files and the table are the first draw's.",
        valueName: "N"))
    var count: Int = 1

    /// The draws, from `first` (`--noise-draw`); refuses N outside 1…100 and a last draw above
    /// 1,000,000.
    func draws(from first: Int) throws -> [Int] {
        try OptionCheck.require(count, in: 1...100, "--noise-draws")
        if first + count - 1 > 1_000_000 {
            throw ValidationError("--noise-draw \(first) --noise-draws \(count): the last draw, \(first + count - 1), is above 1000000")
        }
        return Array(first..<(first + count))
    }
}
