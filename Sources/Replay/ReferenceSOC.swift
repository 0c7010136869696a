import CellData

/// Labels every sample of a recording with the true SOC used to score estimators (never
/// shown to them). `Replay` takes any labeller, so CellData's reference can be plugged in.
public protocol ReferenceSOCLabeller: Sendable {
    /// One array per operation, one SOC fraction per sample.
    func referenceSOC(for recording: Recording) -> [[Double]]
}

/// Coulomb-counted reference on the clean recording, anchored to NASA's protocol:
/// a discharge starts full (NASA charges to 4.2 V CV until 20 mA before each discharge)
/// and runs down by the charge drawn over the discharge's own measured capacity
/// (`capacityAh`, else the charge drawn to its end), so it ends at 0 at cut-off; a charge
/// ends full, rising by the charge put in over the capacity of the neighbouring
/// discharge; a rest keeps the SOC it starts with.
///
/// `soc(t) = 1 − (∫|I|dt) / (3600·C)` in a discharge; `soc(t) = 1 − (Q_total − Q(t)) / (3600·C)`
/// in a charge.
public struct CoulombReferenceSOC: ReferenceSOCLabeller {
    /// Creates the labeller.
    public init() {}

    /// Cumulative trapezoid integral of `currentA` over `timeS`, A·s.
    static func cumulativeCharge(_ s: OperationSamples) -> [Double] {
        var q = [Double](repeating: 0, count: s.count)
        for j in 1..<max(1, s.count) {
            q[j] = q[j - 1] + 0.5 * (s.currentA[j] + s.currentA[j - 1]) * (s.timeS[j] - s.timeS[j - 1])
        }
        return q
    }

    /// One array per operation, one SOC fraction per sample.
    public func referenceSOC(for recording: Recording) -> [[Double]] {
        let ops = recording.operations
        // Capacity of each discharge (Ah), and for every operation the nearest discharge's.
        var dischargeCapacity = [Double?](repeating: nil, count: ops.count)
        for (k, op) in ops.enumerated() where op.kind == .discharge && op.samples.count > 1 {
            let drawnAh = -(Self.cumulativeCharge(op.samples).last ?? 0) / 3600
            dischargeCapacity[k] = op.capacityAh.flatMap { $0 > 0.05 ? $0 : nil } ?? (drawnAh > 0.01 ? drawnAh : nil)
        }
        func nearestCapacity(_ k: Int) -> Double {
            for d in 0..<ops.count {
                if k + d < ops.count, let c = dischargeCapacity[k + d] { return c }
                if k - d >= 0, let c = dischargeCapacity[k - d] { return c }
            }
            return 2.0
        }
        var result: [[Double]] = []
        result.reserveCapacity(ops.count)
        var soc = 1.0
        for (k, op) in ops.enumerated() {
            let s = op.samples
            guard s.count > 0 else { result.append([]); continue }
            let q = s.count > 1 ? Self.cumulativeCharge(s) : [0]
            let capacityAs = 3600 * (op.kind == .discharge ? (dischargeCapacity[k] ?? nearestCapacity(k)) : nearestCapacity(k))
            var labels = [Double](repeating: soc, count: s.count)
            switch op.kind {
            case .discharge:
                for j in 0..<s.count { labels[j] = 1 + q[j] / capacityAs }
            case .charge:
                let total = q[s.count - 1]
                for j in 0..<s.count { labels[j] = min(1, 1 - (total - q[j]) / capacityAs) }
            case .rest:
                break
            }
            soc = labels[s.count - 1]
            result.append(labels)
        }
        return result
    }
}
