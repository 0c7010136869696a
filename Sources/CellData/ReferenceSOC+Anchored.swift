/// Reference SOC for a recording that is not a NASA life (`bmsim fit` on generic recordings):
/// pulses, partial discharges and rests follow each other, so "SOC 1 at the start of every
/// discharge" does not hold. Here the only anchor is a full charge.
extension ReferenceSOC {
    /// Rules for a cell of unknown chemistry, from its own charges: full means within 50 mV of
    /// the highest voltage seen while charging, with the current tapered to a tenth of the
    /// highest charge current (NASA: 4.2 V CV, 1.5 A CC, 0.1 A rule). Nil without any charging
    /// sample.
    public static func genericRules(_ recordings: [Recording]) -> Rules? {
        var vMax = -Double.infinity, iMax = 0.0
        for r in recordings {
            for op in r.operations where !op.isGap {
                for k in 0..<op.samples.count where op.samples.currentA[k] > 0.01 {
                    vMax = max(vMax, op.samples.voltageV[k])
                    iMax = max(iMax, op.samples.currentA[k])
                }
            }
        }
        guard vMax.isFinite, iMax > 0 else { return nil }
        return Rules(fullChargeVoltageV: vMax - 0.05, fullChargeCurrentA: 0.1 * iMax, chargingCurrentA: min(0.01, 0.01 * iMax))
    }

    /// Labels of every operation of `recording`: an operation with a provided SOC (`soc`
    /// column) uses it; a charge that ends full (`fullEndIndex`) is SOC 1 at its full end,
    /// counted backwards and forwards from there; every later operation continues the count
    /// (trapezoid Ah over `capacityAh`) from the end of the one before, until the next anchor.
    /// Operations before the first anchor, or after a gap that hides a charge or discharge,
    /// have no reference.
    public static func anchoredReferences(_ recording: Recording, capacityAh: Double, rules: Rules) -> [Label] {
        var labels: [Label] = []
        var last: Double?
        for op in recording.operations {
            let s = op.samples
            let label: Label
            if let provided = op.providedSOC, provided.count == s.count, provided.allSatisfy({ !$0.isNaN }) {
                label = .labelled(provided)
            } else if op.kind == .charge, let f = fullEndIndex(s, rules: rules) {
                label = .labelled(chargeBackwards(s, fullEnd: f, capacityAh: capacityAh))
            } else if let s0 = last, !(op.isGap && op.unrecordedCycles.contains(where: \.movesCharge)) {
                label = .labelled(cumulativeChargeAs(timeS: s.timeS, currentA: s.currentA).map { s0 + $0 / 3600 / capacityAh })
            } else {
                switch op.kind {
                case .charge: label = .excluded(.chargeNotEndingFull)
                case .discharge: label = .excluded(.dischargeNotStartingFull)
                case .rest: label = .excluded(op.isGap ? .gapHidingCharge : .restAfterUnknown)
                }
            }
            labels.append(label)
            last = label.values?.last
        }
        return labels
    }

    /// One discharge from a full-charge anchor: the charge drawn from the anchor to the
    /// lowest voltage before the next anchor, and that voltage.
    public struct AnchoredDischarge: Sendable, Equatable {
        /// Ah drawn from the full end of the charge to the lowest-voltage sample.
        public var drawnAh: Double
        /// The lowest voltage, V.
        public var lowestVoltageV: Double
    }

    /// Every stretch from a full-charge anchor (`fullEndIndex` under `rules`) to the next one
    /// (or the end, or a gap hiding charge): Ah drawn to its lowest-voltage sample.
    public static func anchoredDischarges(_ recording: Recording, rules: Rules) -> [AnchoredDischarge] {
        var out: [AnchoredDischarge] = []
        var open: (q: Double, vMin: Double, qAtMin: Double)?   // charge counted since the anchor, A·s
        func close() {
            if let o = open, o.qAtMin < 0 { out.append(AnchoredDischarge(drawnAh: -o.qAtMin / 3600, lowestVoltageV: o.vMin)) }
            open = nil
        }
        for op in recording.operations {
            let s = op.samples
            if op.isGap && op.unrecordedCycles.contains(where: \.movesCharge) { close(); continue }
            let q = cumulativeChargeAs(timeS: s.timeS, currentA: s.currentA)
            var start = 0
            if op.kind == .charge, let f = fullEndIndex(s, rules: rules) {
                close()
                open = (-q[f], .infinity, 0)
                start = f
            }
            guard var o = open else { continue }
            for k in start..<s.count where s.voltageV[k] < o.vMin {
                o.vMin = s.voltageV[k]
                o.qAtMin = o.q + q[k]
            }
            o.q += q[s.count - 1]
            open = o
        }
        close()
        return out
    }
}
