/// The reference (ground-truth) state of charge of recorded operations, as defined in
/// `shared/data/README.md` §1.5 with Q_ref = NASA's `capacity_Ah` of the discharge.
///
/// * Discharge: SOC(t_k) = 1 − Σ_{j≤k} ½(−I_j − I_{j−1})(t_j − t_{j−1}) / 3600 / Q_ref, SOC(t_0) = 1
///   (every NASA discharge starts from a full CC-CV charge).
/// * Charge: starts from the SOC at the end of the previous discharge and adds
///   Σ ½(I_j + I_{j−1})(t_j − t_{j−1}) / 3600 / Q_ref, with Q_ref of that discharge. Undefined
///   (`nil`) when no labelled discharge precedes it, or a charge or discharge whose samples
///   are missing happened in between.
/// * Rest (recorded or gap): holds the last SOC before it (`nil` under the same conditions).
/// * An operation with `providedSOC` (generic CSV `soc` column) uses that instead.
/// It is computed only from the recording as loaded (the "clean" data, before any sensor
/// model adds noise or faults).
public enum ReferenceSOC {
    /// SOC (fraction) at every sample of a discharge with capacity `capacityAh`.
    /// Same operations in the same order as the peer benchmark's `soc_data.py`
    /// (`1 − cumsum(½(−I_k − I_{k−1})·Δt) / 3600 / Q`), so the labels are bit-identical.
    public static func discharge(timeS: [Double], currentA: [Double], capacityAh: Double) -> [Double] {
        precondition(timeS.count == currentA.count, "columns of different lengths")
        guard !timeS.isEmpty else { return [] }
        var soc = [Double](repeating: 1.0, count: timeS.count)
        var dischargedAs = 0.0
        for k in 1..<timeS.count {
            dischargedAs += 0.5 * (-currentA[k] - currentA[k - 1]) * (timeS[k] - timeS[k - 1])
            soc[k] = 1.0 - dischargedAs / 3600.0 / capacityAh
        }
        return soc
    }

    /// `start` plus the trapezoid integral of the current (positive = charge) over `capacityAh`.
    public static func integrate(start: Double, timeS: [Double], currentA: [Double], capacityAh: Double) -> [Double] {
        precondition(timeS.count == currentA.count, "columns of different lengths")
        guard !timeS.isEmpty else { return [] }
        var soc = [Double](repeating: start, count: timeS.count)
        var chargedAs = 0.0
        for k in 1..<timeS.count {
            chargedAs += 0.5 * (currentA[k] + currentA[k - 1]) * (timeS[k] - timeS[k - 1])
            soc[k] = start + chargedAs / 3600.0 / capacityAh
        }
        return soc
    }

    /// Labels for every operation of `recording`, aligned with `recording.operations`.
    public static func label(_ recording: Recording) -> [[Double]?] {
        var labels: [[Double]?] = []
        labels.reserveCapacity(recording.operations.count)
        var last: Double?          // SOC at the end of the previous operation
        var lastCapacityAh: Double?
        for op in recording.operations {
            if let provided = op.providedSOC, provided.count == op.samples.count, provided.allSatisfy({ !$0.isNaN }) {
                labels.append(provided)
                last = provided.last
                continue
            }
            if op.unrecordedCycles.contains(where: \.movesCharge) { last = nil }
            var label: [Double]?
            switch op.kind {
            case .discharge:
                if let q = op.capacityAh, q > 0, q.isFinite {
                    label = discharge(timeS: op.samples.timeS, currentA: op.samples.currentA, capacityAh: q)
                    lastCapacityAh = q
                } else {
                    lastCapacityAh = nil
                }
            case .charge:
                if let s0 = last, let q = lastCapacityAh {
                    label = integrate(start: s0, timeS: op.samples.timeS, currentA: op.samples.currentA, capacityAh: q)
                }
            case .rest:
                if let s0 = last { label = [Double](repeating: s0, count: op.samples.count) }
            }
            labels.append(label)
            last = label?.last
        }
        return labels
    }
}
