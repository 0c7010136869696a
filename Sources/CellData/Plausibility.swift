/// Checks that catch recordings whose units or current sign are probably wrong, before any
/// estimator or trainer sees them (reliability issue rows 13–15: a NASA copy with its
/// current negated scored 131 % RMSE with exit 0; current in mA, temperature in kelvin,
/// ±∞ values and `soc` in percent passed without a word).
///
/// Each check gives a `QualityFinding` of kind `.implausible`. The readers refuse a
/// recording with such a finding (`CellDataError.implausible`) unless the policy accepts
/// it (`QualityPolicy.acceptImplausible`, `--accept-implausible`); then the findings are
/// kept in the recording and reported like every other finding.
public enum Plausibility {
    /// Thresholds; the defaults fit every cell of the shared data with a wide margin.
    public struct Limits: Sendable, Equatable {
        /// Largest plausible 90th percentile of |current| as a C-rate of the recording's
        /// capacity (a 2 Ah cell logged in mA reads 2,000 "A" = 1,000 C).
        public var maximumCRate = 50.0
        /// Largest plausible |current| when no capacity is known, A.
        public var maximumCurrentA = 1000.0
        /// Plausible cell and ambient temperatures, °C (kelvin reads 250–330).
        public var temperatureC: ClosedRange<Double> = -60...150
        /// Plausible terminal voltages, V (any single cell chemistry).
        public var voltageV: ClosedRange<Double> = 0...6
        /// Plausible values of a provided `soc` column (a fraction, not a percentage).
        public var providedSOC: ClosedRange<Double> = -0.05...1.05
        /// A current step this large (A) between two samples ≤ `stepSeconds` apart is
        /// used to check the sign against the voltage's response.
        public var stepCurrentA = 0.2
        /// Longest time between the two samples of a step, s.
        public var stepSeconds = 60.0
        /// At least this many steps are needed to judge the sign.
        public var minimumSteps = 5
        /// Share of steps on which the voltage moved against the current that calls the
        /// sign reversed.
        public var reversedShare = 0.7
        /// Under steady current Σ I·ΔV / Σ |I·ΔV| is 0.67–1.0 on every shared NASA cell; at or
        /// below −`reversedTrend` the sign is called reversed.
        public var reversedTrend = 0.5
        /// At least this many steady loaded samples are needed for that balance.
        public var minimumTrendSamples = 20
        /// Mean |current| (A) over an operation's loaded samples above which its sign must
        /// agree with its label (charge > 0, discharge < 0).
        public var labelledCurrentA = 0.05

        /// The defaults.
        public init() {}
    }

    /// The findings for `recording` (empty when plausible).
    public static func findings(_ recording: Recording, limits: Limits = Limits()) -> [QualityFinding] {
        var out: [String] = []
        let operations = recording.operations.filter { !$0.isGap }
        let capacity = operations.compactMap(\.capacityAh).filter { $0.isFinite && $0 > 0 }.max()
        var nonFinite: [String: Int] = [:]
        var currents: [Double] = [], temperatureOut = 0, temperatureCount = 0, voltageOut = 0, voltageCount = 0
        var kelvinLike = 0
        for op in operations {
            let s = op.samples
            for k in 0..<s.count {
                for (name, value) in [("voltage", s.voltageV[k]), ("current", s.currentA[k]), ("temperature", s.temperatureC[k])]
                where !value.isFinite { nonFinite[name, default: 0] += 1 }
                if s.currentA[k].isFinite { currents.append(abs(s.currentA[k])) }
                if s.temperatureC[k].isFinite {
                    temperatureCount += 1
                    if !limits.temperatureC.contains(s.temperatureC[k]) { temperatureOut += 1 }
                    if (200...400).contains(s.temperatureC[k]) { kelvinLike += 1 }
                }
                if s.voltageV[k].isFinite {
                    voltageCount += 1
                    if !limits.voltageV.contains(s.voltageV[k]) { voltageOut += 1 }
                }
            }
        }
        // Units are judged on most samples (a single sensing spike is a voltage-spike
        // finding of `DataQuality`, not a unit error): the 90th percentile of |I|, and more
        // than half of the voltages or temperatures outside their range.
        currents.sort()
        let typicalHighCurrent = currents.isEmpty ? 0 : currents[min(currents.count - 1, currents.count * 9 / 10)]
        for (name, count) in nonFinite.sorted(by: { $0.key < $1.key }) {
            out.append("\(count) \(name) value(s) are ±infinity")
        }
        let currentLimit = capacity.map { $0 * limits.maximumCRate } ?? limits.maximumCurrentA
        if typicalHighCurrent > currentLimit {
            let rate = capacity.map { "\(format1(typicalHighCurrent / $0)) C of \(format1($0)) Ah" } ?? "no capacity given"
            out.append("|current| is \(format1(typicalHighCurrent)) A or more on 10 % of the samples (\(rate)), above the "
                       + "plausible \(format1(currentLimit)) A: probably milliamperes, not amperes")
        }
        if temperatureOut * 2 > temperatureCount {
            let kelvin = kelvinLike * 2 > temperatureCount ? ": probably kelvin, not °C" : ""
            out.append("\(temperatureOut) of \(temperatureCount) temperatures outside "
                       + "\(format1(limits.temperatureC.lowerBound))…\(format1(limits.temperatureC.upperBound)) °C\(kelvin)")
        }
        if voltageOut * 2 > voltageCount {
            out.append("\(voltageOut) voltage(s) outside \(format1(limits.voltageV.lowerBound))…\(format1(limits.voltageV.upperBound)) V: "
                       + "probably millivolts, not volts")
        }
        if let ambient = operations.compactMap(\.ambientTemperatureC).first(where: { !limits.temperatureC.contains($0) }) {
            out.append("ambient temperature \(format1(ambient)) °C is outside the plausible range")
        }
        if let soc = operations.compactMap(\.providedSOC).joined().first(where: { !limits.providedSOC.contains($0) }) {
            out.append("the soc column holds \(format1(soc)); it must be a fraction (0…1), not a percentage")
        }
        out += signFindings(operations, limits: limits)
        return out.map { QualityFinding(kind: .implausible, sampleIndex: nil, sampleCount: 0, action: .kept, detail: $0) }
    }

    /// The current sign against the operation labels and against the voltage's response.
    static func signFindings(_ operations: [CellOperation], limits: Limits) -> [String] {
        var out: [String] = []
        var contradicted: [String] = []
        var agree = 0, against = 0
        var trend = 0.0, trendMagnitude = 0.0, trendSamples = 0
        for op in operations {
            let s = op.samples
            var sum = 0.0, loaded = 0
            for k in 0..<s.count where s.currentA[k].isFinite && abs(s.currentA[k]) > limits.labelledCurrentA {
                sum += s.currentA[k]
                loaded += 1
            }
            if loaded > 0 {
                let mean = sum / Double(loaded)
                if (op.kind == .charge && mean < -limits.labelledCurrentA) || (op.kind == .discharge && mean > limits.labelledCurrentA) {
                    contradicted.append("\(op.kind.rawValue)\(op.nasaCycle.map { " \($0)" } ?? "") (mean \(format1(mean)) A)")
                }
            }
            for k in 1..<max(s.count, 1) {
                let di = s.currentA[k] - s.currentA[k - 1], dv = s.voltageV[k] - s.voltageV[k - 1]
                guard s.timeS[k] - s.timeS[k - 1] <= limits.stepSeconds, di.isFinite, dv.isFinite else { continue }
                if abs(di) >= limits.stepCurrentA {
                    // A step: with charge positive the voltage jumps the way the current does.
                    if dv != 0 { if di * dv > 0 { agree += 1 } else { against += 1 } }
                } else if abs(di) < limits.labelledCurrentA && abs(s.currentA[k]) > limits.labelledCurrentA {
                    // A steady current: a charge raises the voltage, a discharge lowers it.
                    trend += s.currentA[k] * dv
                    trendMagnitude += abs(s.currentA[k] * dv)
                    trendSamples += 1
                }
            }
        }
        if !contradicted.isEmpty {
            out.append("current sign contradicts the operation on \(contradicted.count) operation(s) "
                       + "(a charge must have current > 0, a discharge < 0 with charge positive), first: \(contradicted[0])")
        }
        let steps = agree + against
        if steps >= limits.minimumSteps && Double(against) >= limits.reversedShare * Double(steps) {
            out.append("on \(against) of \(steps) current steps the voltage moved against the current "
                       + "(with charge positive it rises when the current rises): the current sign is probably reversed")
        }
        if trendSamples >= limits.minimumTrendSamples && trendMagnitude > 0
            && trend / trendMagnitude <= -limits.reversedTrend {
            out.append("under steady current the voltage moves against the current (\(trendSamples) samples, "
                       + "balance \(format1(trend / trendMagnitude)); with charge positive a charge raises it): "
                       + "the current sign is probably reversed")
        }
        return out
    }

    /// Throws `CellDataError.implausible` for findings the policy does not accept, else
    /// returns `recording` with the findings added to its first recorded operation.
    public static func enforce(_ recording: Recording, policy: QualityPolicy) throws(CellDataError) -> Recording {
        let found = findings(recording)
        guard !found.isEmpty else { return recording }
        guard policy.acceptImplausible else {
            throw .implausible(source: recording.source, cell: recording.cell, findings: found.map(\.detail))
        }
        var copy = recording
        if let k = copy.operations.firstIndex(where: { !$0.isGap }) { copy.operations[k].quality += found }
        return copy
    }

    /// One decimal unless the value is large.
    static func format1(_ x: Double) -> String {
        abs(x) >= 1e5 || !x.isFinite ? "\(x)" : "\((x * 10).rounded() / 10)"
    }
}
