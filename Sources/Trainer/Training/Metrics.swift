import BMSCore

extension ErrorStatistics {
    /// Statistics of `predicted − reference` in SOC percentage points (the benchmark task's scoring, Docs/Benchmark.md; inputs are
    /// SOC fractions of equal, non-empty length), with the references' moments for R².
    public init(reference: [Double], predicted: [Double]) {
        precondition(reference.count == predicted.count && !reference.isEmpty, "metrics need equal, non-empty arrays")
        self.init()
        for k in reference.indices { add(estimate: predicted[k] * 100, reference: reference[k] * 100) }
    }
}
