/// The explicit rules by which the readers detect, report and repair glitches in recorded
/// samples (documented in `Docs/DataQuality.md`). Nothing is changed silently: every
/// detection becomes a `QualityFinding` on the operation, saying what was done.
public struct QualityPolicy: Sendable, Equatable {
    /// Voltages outside this range are physically implausible for the cells here and are
    /// treated as sensing spikes (NASA: isolated 8.4 V readings, 0.3 V dropouts).
    public var plausibleVoltageV: ClosedRange<Double>
    /// Runs of at most this many implausible samples, with plausible neighbours on both
    /// sides, are repaired by linear interpolation in time; longer runs are kept and flagged.
    public var maxRepairedSpikeRun: Int
    /// Replace the −3…−4.5 A reading near the start of a NASA charge by linear interpolation
    /// (`true`), or keep it as recorded (`false`, the default: it is in NASA's data and a BMS
    /// must cope with it).
    public var repairChargeStartArtefact: Bool
    /// Keep a recording with `Plausibility` findings (units or sign probably wrong; an index
    /// that disagrees with its sample files) instead of refusing it. The findings are kept
    /// in the recording and reported.
    public var acceptImplausible: Bool

    /// Default rules: 1.5…4.5 V plausible, repair runs of up to 3 samples, keep the artefact,
    /// refuse implausible data.
    public init(plausibleVoltageV: ClosedRange<Double> = 1.5...4.5, maxRepairedSpikeRun: Int = 3,
                repairChargeStartArtefact: Bool = false, acceptImplausible: Bool = false) {
        self.plausibleVoltageV = plausibleVoltageV
        self.maxRepairedSpikeRun = maxRepairedSpikeRun
        self.repairChargeStartArtefact = repairChargeStartArtefact
        self.acceptImplausible = acceptImplausible
    }
}

/// Applies `QualityPolicy` to the samples of one operation.
public enum DataQuality {
    /// Rule 1: rows with NaN or ±∞ in time, voltage, current or temperature are dropped
    /// (neither can be fed to a BMS tick). Rule 2: implausible voltages are repaired (short runs)
    /// or flagged (long runs). Rule 3: a charge-start artefact (sample 1…3 of a charge with
    /// current below −2 A) is flagged and, if the policy says so, repaired.
    /// Time must already be strictly increasing among the non-NaN rows.
    public static func clean(_ samples: OperationSamples, kind: OperationKind,
                             policy: QualityPolicy = QualityPolicy()) -> (OperationSamples, [QualityFinding]) {
        var s = samples
        var findings: [QualityFinding] = []
        dropNaNRows(&s, &findings)
        repairVoltageSpikes(&s, policy: policy, &findings)
        if kind == .charge { handleChargeStartArtefact(&s, policy: policy, &findings) }
        return (s, findings)
    }

    static func dropNaNRows(_ s: inout OperationSamples, _ findings: inout [QualityFinding]) {
        // NaN and ±∞ alike: neither can be fed to a BMS tick or written as a number.
        func isBad(_ k: Int) -> Bool {
            !s.timeS[k].isFinite || !s.voltageV[k].isFinite || !s.currentA[k].isFinite || !s.temperatureC[k].isFinite
        }
        guard let first = (0..<s.count).first(where: isBad) else { return }
        let keep = (0..<s.count).filter { !isBad($0) }
        let dropped = s.count - keep.count
        s = OperationSamples(timeS: keep.map { s.timeS[$0] }, voltageV: keep.map { s.voltageV[$0] },
                             currentA: keep.map { s.currentA[$0] }, temperatureC: keep.map { s.temperatureC[$0] })
        findings.append(QualityFinding(kind: .nanSample, sampleIndex: first, sampleCount: dropped, action: .droppedSamples,
                                       detail: "\(dropped) sample(s) with NaN or ±infinity dropped, first at original index \(first)"))
    }

    /// Makes times relative to the first sample and drops any sample whose relative time
    /// does not exceed the one before it. Times that increase strictly can collapse when
    /// shifted: 1800 and 3600 both become 5.5e303 after subtracting −5.5e303 (a mutated
    /// `.mat` found by Tests/Fuzz/FuzzReaders.swift), and every consumer assumes strictly
    /// increasing time within an operation.
    static func makeTimesRelative(_ s: inout OperationSamples, _ findings: inout [QualityFinding]) {
        guard s.count > 0 else { return }
        let t0 = s.timeS[0]
        if t0 != 0 { s.timeS = s.timeS.map { $0 - t0 } }
        dropNonIncreasingTimes(&s, origin: t0, &findings)
    }

    /// Drops every sample whose (already relative) time does not exceed the previous kept
    /// one; `origin` is the absolute time the samples were shifted by, for the message.
    static func dropNonIncreasingTimes(_ s: inout OperationSamples, origin t0: Double, _ findings: inout [QualityFinding]) {
        guard s.count > 1 else { return }
        var keep = [0]
        for k in 1..<s.count where s.timeS[k] > s.timeS[keep[keep.count - 1]] { keep.append(k) }
        guard keep.count < s.count else { return }
        let dropped = s.count - keep.count
        s = OperationSamples(timeS: keep.map { s.timeS[$0] }, voltageV: keep.map { s.voltageV[$0] },
                             currentA: keep.map { s.currentA[$0] }, temperatureC: keep.map { s.temperatureC[$0] })
        findings.append(QualityFinding(kind: .nonMonotoneTime, sampleIndex: nil, sampleCount: dropped, action: .droppedSamples,
                                       detail: "\(dropped) sample(s) dropped: time not after the previous sample's once made "
                                       + "relative to the operation's start \(formatted(t0)) s"))
    }

    static func repairVoltageSpikes(_ s: inout OperationSamples, policy: QualityPolicy, _ findings: inout [QualityFinding]) {
        var k = 0
        let n = s.count
        while k < n {
            guard !policy.plausibleVoltageV.contains(s.voltageV[k]) else { k += 1; continue }
            var end = k
            while end + 1 < n && !policy.plausibleVoltageV.contains(s.voltageV[end + 1]) { end += 1 }
            let run = end - k + 1
            let worst = s.voltageV[k...end].max { abs($0 - 3.5) < abs($1 - 3.5) } ?? s.voltageV[k]
            let detail = "V = \(formatted(worst)) at t = \(formatted(s.timeS[k])) s (\(run) sample(s) outside "
                + "\(policy.plausibleVoltageV.lowerBound)…\(policy.plausibleVoltageV.upperBound) V)"
            if run <= policy.maxRepairedSpikeRun && k > 0 && end + 1 < n {
                let t0 = s.timeS[k - 1], v0 = s.voltageV[k - 1], t1 = s.timeS[end + 1], v1 = s.voltageV[end + 1]
                for j in k...end { s.voltageV[j] = v0 + (v1 - v0) * (s.timeS[j] - t0) / (t1 - t0) }
                findings.append(QualityFinding(kind: .voltageSpike, sampleIndex: k, sampleCount: run, action: .repaired,
                                               detail: detail + ", interpolated between neighbours"))
            } else {
                findings.append(QualityFinding(kind: .voltageSpike, sampleIndex: k, sampleCount: run, action: .kept,
                                               detail: detail + ", kept (run too long or at an end)"))
            }
            k = end + 1
        }
    }

    static func handleChargeStartArtefact(_ s: inout OperationSamples, policy: QualityPolicy, _ findings: inout [QualityFinding]) {
        guard s.count >= 3 else { return }
        for k in 1..<min(4, s.count - 1) where s.currentA[k] < -2.0 {
            let detail = "I = \(formatted(s.currentA[k])) A, V = \(formatted(s.voltageV[k])) V at t = \(formatted(s.timeS[k])) s"
            if policy.repairChargeStartArtefact {
                let t0 = s.timeS[k - 1], t1 = s.timeS[k + 1]
                let w = (s.timeS[k] - t0) / (t1 - t0)
                s.currentA[k] = s.currentA[k - 1] + (s.currentA[k + 1] - s.currentA[k - 1]) * w
                s.voltageV[k] = s.voltageV[k - 1] + (s.voltageV[k + 1] - s.voltageV[k - 1]) * w
                findings.append(QualityFinding(kind: .chargeStartArtefact, sampleIndex: k, sampleCount: 1, action: .repaired,
                                               detail: detail + ", current and voltage interpolated"))
            } else {
                findings.append(QualityFinding(kind: .chargeStartArtefact, sampleIndex: k, sampleCount: 1, action: .kept,
                                               detail: detail + ", kept as recorded"))
            }
        }
    }

    static func formatted(_ x: Double) -> String {
        let scaled = (x * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
