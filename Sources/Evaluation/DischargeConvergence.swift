import BMSCore

/// How one discharge's estimate converged, for the discharge-only protocol: the run from the
/// requested start against the reference SOC (convergence: the time from which it stays within
/// ±2 % to the end, `ConvergenceTracker`) and against a run of the same method from the
/// correct (rested-OCV) start over the same samples. "Forgotten" means the two runs agree:
/// whatever error remains is then the model's or the label's, not the initial error's.
public struct DischargeConvergence: Sendable, Equatable, Codable {
    /// Cell name.
    public var cell: String
    /// NASA operation number.
    public var cycle: Int
    /// Chamber setpoint, °C.
    public var ambientC: Double
    /// Estimate − reference at the check time, requested start (fraction; nil: discharge shorter).
    public var errorAtCheck: Double?
    /// Estimate − reference at the check time, correct (rested-OCV) start.
    public var correctStartErrorAtCheck: Double?
    /// Estimate(requested start) − estimate(correct start) at the check time.
    public var gapAtCheck: Double?
    /// Time (s into the discharge) from which |estimate − reference| stays within the band to
    /// the end of the discharge (the one meaning of convergence); nil = never.
    public var convergenceS: Double?
    /// First time (s into the discharge) from which |estimate(requested) − estimate(correct)|
    /// stays within the band to the end of the discharge; nil when it never does.
    public var forgetTimeS: Double?
    /// Rest before the discharge from the NASA index, s (what a BMS knows as its sleep time;
    /// the estimators are not given it).
    public var restBeforeS: Double?
    /// Estimate − reference after the first (wake-up) sample, correct start (fraction).
    public var wakeUpError: Double?
    /// (capacity the estimator counted against − the cycle's NASA capacity_Ah) / capacity_Ah
    /// (fraction); nil for a method without a capacity.
    public var capacityError: Double?

    /// Measures one discharge. `timeS` are the sample times (s from the discharge start), the
    /// other arrays are per sample; `band` is the tolerance (fraction), `checkS` the check time.
    public init(cell: String, cycle: Int, ambientC: Double, timeS: [Double], reference: [Double],
         estimates: [Double], correctStartEstimates: [Double], band: Double = 0.02, checkS: Double = 600) {
        precondition(timeS.count == reference.count && timeS.count == estimates.count
                     && timeS.count == correctStartEstimates.count, "per-sample arrays differ in length")
        self.cell = cell
        self.cycle = cycle
        self.ambientC = ambientC
        if let k = timeS.firstIndex(where: { $0 >= checkS }) {
            errorAtCheck = estimates[k] - reference[k]
            correctStartErrorAtCheck = correctStartEstimates[k] - reference[k]
            gapAtCheck = estimates[k] - correctStartEstimates[k]
        }
        var tracker = ConvergenceTracker(band: band)
        for k in timeS.indices { tracker.add(error: estimates[k] - reference[k], timeS: timeS[k]) }
        convergenceS = tracker.convergedAtS
        var firstInside = timeS.count
        while firstInside > 0, abs(estimates[firstInside - 1] - correctStartEstimates[firstInside - 1]) <= band {
            firstInside -= 1
        }
        forgetTimeS = firstInside < timeS.count ? timeS[firstInside] : nil
    }

    /// |error| ≤ band at the check time from the requested start (a discharge shorter than the
    /// check time counts as a miss).
    public func withinAtCheck(band: Double = 0.02) -> Bool { errorAtCheck.map { abs($0) <= band } ?? false }

    /// The initial error is forgotten by the check time: the two runs agree within `band`
    /// at the check time.
    public func forgottenAtCheck(band: Double = 0.02) -> Bool { gapAtCheck.map { abs($0) <= band } ?? false }
}

/// Summary of many discharges' convergence.
public struct ConvergenceSummary: Sendable, Equatable, Codable {
    /// Discharges.
    public var count: Int
    /// Within the band at the check time (requested start).
    public var withinAtCheck: Int
    /// Within the band at the check time from the correct start.
    public var correctStartWithinAtCheck: Int
    /// Initial error forgotten at the check time.
    public var forgottenAtCheck: Int
    /// Median forget time, s (nil when more than half never forget).
    public var medianForgetS: Double?
    /// Largest forget time among those that forget, s.
    public var maxForgetS: Double?
    /// Discharges that never forget.
    public var neverForgotten: Int
    /// Median convergence time over all discharges ("never" counted as +∞; nil when more than
    /// half never converge), s.
    public var medianConvergenceS: Double?
    /// Discharges that never converge (end outside ±band).
    public var neverConverged: Int
    /// Median and largest |estimate(requested) − estimate(correct)| at the check time over the
    /// discharges that reach it (fraction; nil when none do).
    public var medianGapAtCheck: Double?
    public var maxGapAtCheck: Double?

    public init(_ items: [DischargeConvergence], band: Double = 0.02) {
        count = items.count
        withinAtCheck = items.filter { $0.withinAtCheck(band: band) }.count
        correctStartWithinAtCheck = items.filter { $0.correctStartErrorAtCheck.map { abs($0) <= band } ?? false }.count
        forgottenAtCheck = items.filter { $0.forgottenAtCheck(band: band) }.count
        let times = items.compactMap(\.forgetTimeS).sorted()
        neverForgotten = items.count - times.count
        maxForgetS = times.last
        // Median over all discharges with "never" as +∞ (the middle one, lower for even counts).
        let middle = (items.count - 1) / 2
        medianForgetS = items.isEmpty || middle >= times.count ? nil : times[middle]
        let converged = items.compactMap(\.convergenceS).sorted()
        neverConverged = items.count - converged.count
        medianConvergenceS = items.isEmpty || middle >= converged.count ? nil : converged[middle]
        let gaps = items.compactMap { $0.gapAtCheck.map(abs) }.sorted()
        medianGapAtCheck = gaps.isEmpty ? nil : gaps[(gaps.count - 1) / 2]
        maxGapAtCheck = gaps.last
    }
}
