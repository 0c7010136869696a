/// Running sum of a network's weights over the last epochs of a run, for weight averaging
/// (Polyak–Ruppert; stochastic weight averaging, Izmailov et al. 2018, with the run's own
/// learning-rate schedule): `TrainingConfig.averageLastEpochs`.
///
/// The sums are Float32 and added in epoch order, so a run resumed from a checkpoint (which
/// stores them) ends with the same mean, bit for bit, as a run that never stopped.
struct WeightAverage: Equatable {
    /// Per parameter tensor, the sum of its values over the epochs added so far.
    private(set) var sums: [[Float]]
    /// Epochs added so far.
    private(set) var count: Int

    /// No epoch added yet, for tensors of `sizes` values.
    init(sizes: [Int]) {
        sums = sizes.map { [Float](repeating: 0, count: $0) }
        count = 0
    }

    /// A stored state (`TrainingCheckpoint`); the caller checks the sizes.
    init(sums: [[Float]], count: Int) {
        self.sums = sums
        self.count = count
    }

    /// Adds one epoch's weights (same tensor sizes as `sums`).
    mutating func add(_ parameters: [[Float]]) {
        precondition(parameters.map(\.count) == sums.map(\.count), "WeightAverage.add: tensor sizes differ")
        for t in sums.indices {
            parameters[t].withUnsafeBufferPointer { p in
                sums[t].withUnsafeMutableBufferPointer { s in
                    for i in s.indices { s[i] += p[i] }
                }
            }
        }
        count += 1
    }

    /// The mean of the epochs added (nil before the first).
    var mean: [[Float]]? {
        guard count > 0 else { return nil }
        let scale = 1 / Float(count)
        return sums.map { $0.map { $0 * scale } }
    }

    /// Whether epoch `epoch` (from 1) of a run of `epochs` falls in the last `last` epochs.
    static func includes(epoch: Int, of epochs: Int, last: Int) -> Bool {
        epoch > epochs - last
    }
}
