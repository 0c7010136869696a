import RealModule

/// How the rested voltage of a charged cell keeps falling with the length of the rest, and
/// the correction that maps a reading after any rest to the reading after the reference rest
/// the OCV curve's top was fitted on.
///
/// Law (log-time, per temperature group, one slope shared by the group's cells, each cell its
/// own level):
///
///     V(t) = V_cell + b · ln t,      t clamped to [minimumRestS, maximumRestS]
///     correction(t, T) = b(T) · (ln t_ref(T) − ln t)      (V + correction reads as after t_ref)
///
/// b(T) and t_ref(T) are linear in temperature between the groups' mean cell temperatures
/// and held beyond them. b < 0 for a relaxing cell: a reading after a long rest is raised, one
/// after a short rest lowered. Fitted by `RestRelaxationFit` from the rested first samples of
/// the NASA discharges (after the CC–CV charge), so it describes a **full** cell after a charge.
public struct RestRelaxation: Sendable, Equatable, Codable {
    /// One temperature group's law and its fit.
    public struct Group: Sendable, Equatable, Codable {
        /// Mean cell temperature of the group's readings, °C.
        public var temperatureC: Double
        /// b: voltage change per e-fold of rest time, V (negative: the voltage relaxes down).
        public var slopeVPerLogS: Double
        /// t_ref: the rest the group's OCV row stands for (geometric mean of the readings'
        /// clamped rests), s.
        public var referenceRestS: Double
        /// Readings fitted.
        public var readings: Int
        /// RMS of the readings about their cell's mean, mV (no relaxation model).
        public var rmsWithoutModelmV: Double
        /// RMS residual of the law (cell levels + b · ln t), mV.
        public var rmsResidualmV: Double

        /// Creates a group.
        public init(temperatureC: Double, slopeVPerLogS: Double, referenceRestS: Double, readings: Int = 0,
                    rmsWithoutModelmV: Double = 0, rmsResidualmV: Double = 0) {
            self.temperatureC = temperatureC
            self.slopeVPerLogS = slopeVPerLogS
            self.referenceRestS = referenceRestS
            self.readings = readings
            self.rmsWithoutModelmV = rmsWithoutModelmV
            self.rmsResidualmV = rmsResidualmV
        }
    }

    /// Shortest rest the law is used for (shorter rests read as this one), s.
    public var minimumRestS: Double
    /// Longest rest the law is used for (longer rests read as this one), s.
    public var maximumRestS: Double
    /// Groups by increasing `temperatureC` (at least one).
    public var groups: [Group]

    /// Creates a law; `groups` sorted by temperature, ranges checked by `CellModelFile`.
    public init(minimumRestS: Double, maximumRestS: Double, groups: [Group]) {
        self.minimumRestS = minimumRestS
        self.maximumRestS = maximumRestS
        self.groups = groups
    }

    /// (b, ln t_ref) at a cell temperature: linear between the groups, held beyond.
    @inlinable
    public func law(temperatureC: Double) -> (slopeVPerLogS: Double, logReferenceRestS: Double) {
        let first = groups[0], last = groups[groups.count - 1]
        if groups.count == 1 || !(temperatureC > first.temperatureC) {
            return (first.slopeVPerLogS, Double.log(first.referenceRestS))
        }
        if temperatureC >= last.temperatureC { return (last.slopeVPerLogS, Double.log(last.referenceRestS)) }
        var i = 0
        while temperatureC > groups[i + 1].temperatureC { i += 1 }
        let a = groups[i], b = groups[i + 1]
        let f = (temperatureC - a.temperatureC) / (b.temperatureC - a.temperatureC)
        return (a.slopeVPerLogS + f * (b.slopeVPerLogS - a.slopeVPerLogS),
                Double.log(a.referenceRestS) + f * (Double.log(b.referenceRestS) - Double.log(a.referenceRestS)))
    }

    /// Volts to add to a rested reading taken after `restSeconds` at `temperatureC` so that it
    /// reads as after the reference rest; 0 when the rest is unknown (≤ 0 or not finite).
    /// One logarithm: for the wake-up sample, not for every tick.
    @inlinable
    public func correctionV(restSeconds: Double, temperatureC: Double) -> Double {
        guard restSeconds > 0, restSeconds.isFinite, temperatureC.isFinite else { return 0 }
        let t = min(max(restSeconds, minimumRestS), maximumRestS)
        let (b, logRef) = law(temperatureC: temperatureC)
        return b * (logRef - Double.log(t))
    }
}
