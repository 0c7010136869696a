/// The reference (ground-truth) state of charge of a recorded life: the one implementation
/// that every consumer uses (replay scoring, `bmsim data export`, resampling, the trainer's
/// NASA discharges). It is right where the truth is known, or absent.
///
/// Anchors (README §1.5 and `Docs/DataQuality.md`, "Reference SOC"):
///
/// * **Discharge**: SOC 1 at its first sample (NASA discharges start from a CC-CV charge),
///   down by the trapezoid integral of the current over Q_ref = the discharge's own capacity
///   (NASA `capacity_Ah`, the charge drawn to the first loaded sample below 2.7 V):
///   `SOC_k = 1 + Σ_{j≤k} ½(I_j + I_{j−1})(t_j − t_{j−1}) / 3600 / Q_ref`. Absent when there is
///   no usable capacity (none, or an index flag in `ReferenceRules.unusableCapacityFlags`), or
///   when the discharge never reaches the reference voltage under load (then NASA's capacity
///   is the charge drawn until the logger stopped, and the label's zero is not the 2.7 V point),
///   or when its rested first sample reads below a full cell's voltage (it did not start full).
/// * **Charge**: counted *backwards* from its full end. The full end is the sample `f` where
///   the cumulative charge peaks, accepted when the cell is there at the CV voltage
///   (V ≥ `fullChargeVoltageV`) with the current tapered to `fullChargeCurrentA` or less at
///   its last charging sample:
///   `SOC_k = 1 − (Q_f − Q_k) / 3600 / Q_ref`, Q_ref = the capacity of the next labelled
///   discharge (else of the previous one; else the charge's own `capacityAh`). Because Q_f is
///   the maximum of Q, a charge label never exceeds 1. Absent when the charge does not end
///   full (the record stops in CC, or before the taper).
/// * **Rest** (recorded): holds the SOC at the end of the operation before it, when that is
///   known and no gap that hides a charge or discharge lies between.
/// * **Gap** (time not recorded): holds the SOC before it when the gap hides no charge or
///   discharge; absent otherwise. Gaps are never scored (the BMS sleeps through them).
/// * An operation with `providedSOC` (generic CSV `soc` column) uses it as given.
///
/// Bound: charges ≤ 1 exactly; a discharge exceeds 1 only by the charge counted *into* the
/// cell before its load starts (current-sensor offset), so labels stay ≤ 1 + that noise
/// (≤ 1.0001 on every shared NASA cell, tested). Computed only from the recording as loaded
/// (the clean data, before any sensor model).
public enum ReferenceSOC {
    /// The labelling rules (defaults: the NASA protocol on 2 Ah 18650 cells).
    public struct Rules: Sendable, Equatable {
        /// A charge ends full only at or above this voltage (CV at 4.2 V, minus 50 mV), V.
        public var fullChargeVoltageV: Double
        /// … and with the current tapered to this or less, A (C/20 of the 2 Ah nameplate;
        /// NASA terminates at 20 mA, its 4 °C charges were stopped by time at 50–100 mA).
        public var fullChargeCurrentA: Double
        /// A current at or above this is charging (above the sensor's offset noise), A.
        public var chargingCurrentA: Double
        /// A discharge label is reliable only if a loaded sample falls below this voltage
        /// (the label's zero point: NASA's capacity is the charge drawn to 2.7 V), V.
        public var referenceVoltageV: Double
        /// |I| above which a discharge sample counts as loaded, A.
        public var loadedCurrentA: Double
        /// A discharge whose first sample is rested (|I| ≤ `loadedCurrentA`) below this voltage
        /// did not start from a full charge, so its "SOC 1 at the start" label is wrong, V.
        public var fullStartVoltageV: Double
        /// Index flags that make a discharge's capacity unusable as the SOC normaliser: none, below
        /// 1 Ah (a stopped or failed run), or above 2.05 Ah (beyond the 2.0 Ah rating: NASA's four
        /// such capacities, 2.33–2.64 Ah, all come with a `v_above_4.3` voltage glitch).
        public var unusableCapacityFlags: Set<String>

        /// The NASA rules.
        public init(fullChargeVoltageV: Double = 4.15, fullChargeCurrentA: Double = 0.1, chargingCurrentA: Double = 0.01,
                    referenceVoltageV: Double = 2.7,
                    loadedCurrentA: Double = 0.1, fullStartVoltageV: Double = 4.05,
                    unusableCapacityFlags: Set<String> = ["capacity_below_1Ah", "capacity_missing", "capacity_above_2.05Ah", "v_above_4.3"]) {
            self.fullChargeVoltageV = fullChargeVoltageV
            self.fullChargeCurrentA = fullChargeCurrentA
            self.chargingCurrentA = chargingCurrentA
            self.referenceVoltageV = referenceVoltageV
            self.loadedCurrentA = loadedCurrentA
            self.fullStartVoltageV = fullStartVoltageV
            self.unusableCapacityFlags = unusableCapacityFlags
        }
    }

    /// Why an operation has no reference SOC.
    public enum Exclusion: String, Sendable, Codable, CaseIterable, Comparable {
        /// A charge whose record does not end full (stops in CC, or before the taper).
        case chargeNotEndingFull = "charge-not-ending-full"
        /// A charge on a cell without any labelled discharge or capacity to normalise by.
        case chargeWithoutCapacity = "charge-without-capacity"
        /// A discharge without a usable capacity (none, or flagged `capacity_below_1Ah` /
        /// `capacity_missing` by the index).
        case dischargeWithoutCapacity = "discharge-without-capacity"
        /// A discharge that never reaches the reference voltage under load (the logger
        /// stopped early): its capacity is not the label's zero point.
        case dischargeNeverReachesReference = "discharge-never-reaches-reference-voltage"
        /// A discharge whose rested first sample reads below a full cell's voltage: it did not
        /// start full (e.g. a life that starts with a discharge), so "SOC 1 at the start" is wrong.
        case dischargeNotStartingFull = "discharge-not-starting-full"
        /// A rest after an operation without a reference, or after a gap hiding charge.
        case restAfterUnknown = "rest-after-unknown-soc"
        /// A gap (time not recorded) that hides a charge or discharge.
        case gapHidingCharge = "gap-hiding-charge"

        /// Orders reasons by name (for stable reports).
        public static func < (a: Exclusion, b: Exclusion) -> Bool { a.rawValue < b.rawValue }
    }

    /// The reference of one operation.
    public enum Label: Sendable, Equatable {
        /// SOC (fraction) at every sample of the operation.
        case labelled([Double])
        /// No reference, and why.
        case excluded(Exclusion)

        /// The labels, or nil.
        public var values: [Double]? {
            if case .labelled(let v) = self { return v }
            return nil
        }
    }

    /// SOC (fraction) at every sample of a discharge with capacity `capacityAh`, from 1 at
    /// the first sample. Same operations in the same order as the peer benchmark's
    /// `soc_data.py` (`1 − cumsum(½(−I_k − I_{k−1})·Δt) / 3600 / Q`), so the labels are
    /// bit-identical.
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

    /// Cumulative trapezoid integral of the current (positive = charge), A·s, from 0.
    public static func cumulativeChargeAs(timeS: [Double], currentA: [Double]) -> [Double] {
        precondition(timeS.count == currentA.count, "columns of different lengths")
        var q = [Double](repeating: 0, count: timeS.count)
        for k in 1..<max(1, timeS.count) {
            q[k] = q[k - 1] + 0.5 * (currentA[k] + currentA[k - 1]) * (timeS[k] - timeS[k - 1])
        }
        return q
    }

    /// The index of a charge's full end (where its cumulative charge peaks), when the charge
    /// ends full under `rules` (judged at the last sample up to the peak that is still
    /// charging, I ≥ `chargingCurrentA`: at CV voltage with the current tapered); nil otherwise.
    public static func fullEndIndex(_ s: OperationSamples, rules: Rules = Rules()) -> Int? {
        guard s.count >= 2 else { return nil }
        let q = cumulativeChargeAs(timeS: s.timeS, currentA: s.currentA)
        var peak = 0
        for k in 1..<s.count where q[k] >= q[peak] { peak = k }
        // The cell is judged at the last charging sample up to the peak (the charger may have
        // stopped just before the peak sample, whose voltage has then begun to relax).
        var last = peak
        while last > 0 && !(s.currentA[last] >= rules.chargingCurrentA) { last -= 1 }
        guard q[peak] > 0, s.currentA[last] >= rules.chargingCurrentA, s.voltageV[last] >= rules.fullChargeVoltageV,
              s.currentA[last] <= rules.fullChargeCurrentA else { return nil }
        return peak
    }

    /// A charge labelled backwards from its full end `fullEnd` with capacity `capacityAh`:
    /// `1 − (Q_f − Q_k) / 3600 / Q_ref`.
    public static func chargeBackwards(_ s: OperationSamples, fullEnd: Int, capacityAh: Double) -> [Double] {
        let q = cumulativeChargeAs(timeS: s.timeS, currentA: s.currentA)
        return q.map { 1 - (q[fullEnd] - $0) / 3600 / capacityAh }
    }

    /// True when some loaded sample (I < −`loadedCurrentA`) of a discharge is below the
    /// reference voltage, i.e. the discharge reaches the label's zero point.
    public static func reachesReferenceVoltage(_ s: OperationSamples, rules: Rules = Rules()) -> Bool {
        for k in 0..<s.count where s.currentA[k] < -rules.loadedCurrentA && s.voltageV[k] < rules.referenceVoltageV {
            return true
        }
        return false
    }

    /// False when the discharge's first sample is rested and below `fullStartVoltageV`.
    public static func startsFull(_ s: OperationSamples, rules: Rules = Rules()) -> Bool {
        guard s.count > 0, abs(s.currentA[0]) <= rules.loadedCurrentA else { return true }
        return s.voltageV[0] >= rules.fullStartVoltageV
    }

    /// The usable capacity of a discharge (its own, positive and finite, not flagged), Ah.
    static func usableCapacity(_ op: CellOperation, rules: Rules) -> Double? {
        guard op.kind == .discharge, let q = op.capacityAh, q > 0, q.isFinite else { return nil }
        let flagged = op.quality.contains { $0.kind == .indexFlag && rules.unusableCapacityFlags.contains($0.detail) }
        return flagged ? nil : q
    }

    /// The reference of every operation of `recording`, aligned with `recording.operations`.
    public static func references(_ recording: Recording, rules: Rules = Rules()) -> [Label] {
        let ops = recording.operations
        // Capacity of each labelled discharge, for the charges around it.
        var dischargeCapacity = [Double?](repeating: nil, count: ops.count)
        for k in ops.indices where ops[k].providedSOC == nil {
            if let q = usableCapacity(ops[k], rules: rules), reachesReferenceVoltage(ops[k].samples, rules: rules),
               startsFull(ops[k].samples, rules: rules) {
                dischargeCapacity[k] = q
            }
        }
        func chargeCapacity(_ k: Int) -> Double? {
            if let next = ops.indices.dropFirst(k + 1).first(where: { dischargeCapacity[$0] != nil }) {
                return dischargeCapacity[next]
            }
            if let previous = ops.indices.prefix(k).last(where: { dischargeCapacity[$0] != nil }) {
                return dischargeCapacity[previous]
            }
            return ops[k].capacityAh.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        }
        var labels: [Label] = []
        labels.reserveCapacity(ops.count)
        var last: Double?            // SOC at the end of the previous operation, when known
        for (k, op) in ops.enumerated() {
            let s = op.samples
            let label: Label
            if let provided = op.providedSOC, provided.count == s.count, provided.allSatisfy({ !$0.isNaN }) {
                label = .labelled(provided)
            } else {
                switch op.kind {
                case .discharge:
                    if let q = dischargeCapacity[k] {
                        label = .labelled(discharge(timeS: s.timeS, currentA: s.currentA, capacityAh: q))
                    } else if usableCapacity(op, rules: rules) != nil {
                        label = .excluded(startsFull(s, rules: rules) ? .dischargeNeverReachesReference : .dischargeNotStartingFull)
                    } else {
                        label = .excluded(.dischargeWithoutCapacity)
                    }
                case .charge:
                    if let f = fullEndIndex(s, rules: rules) {
                        if let q = chargeCapacity(k) {
                            label = .labelled(chargeBackwards(s, fullEnd: f, capacityAh: q))
                        } else {
                            label = .excluded(.chargeWithoutCapacity)
                        }
                    } else {
                        label = .excluded(.chargeNotEndingFull)
                    }
                case .rest:
                    let hides = op.isGap && op.unrecordedCycles.contains(where: \.movesCharge)
                    if let s0 = last, !hides {
                        label = .labelled([Double](repeating: s0, count: s.count))
                    } else {
                        label = .excluded(hides ? .gapHidingCharge : .restAfterUnknown)
                    }
                }
            }
            labels.append(label)
            last = label.values?.last
        }
        return labels
    }

    /// Labels for every operation of `recording` (nil where there is no reference), aligned
    /// with `recording.operations`.
    public static func label(_ recording: Recording, rules: Rules = Rules()) -> [[Double]?] {
        references(recording, rules: rules).map(\.values)
    }
}
