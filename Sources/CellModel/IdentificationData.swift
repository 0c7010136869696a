/// One recorded operation prepared for identification: plain columns plus the reference
/// SOC (fraction) at every sample. CellModel does not know file formats; the caller
/// (`bmsim fit`) converts recordings into these.
public struct IdentificationSegment: Sendable {
    /// Cell name, for the per-cell residual report.
    public var cell: String
    /// Seconds, strictly increasing.
    public var timeS: [Double]
    /// Terminal voltage, V.
    public var voltageV: [Double]
    /// Current, A (+ = charge).
    public var currentA: [Double]
    /// Cell temperature, °C.
    public var temperatureC: [Double]
    /// Reference SOC, fraction.
    public var soc: [Double]

    /// Creates a segment from equally long columns.
    public init(cell: String, timeS: [Double], voltageV: [Double], currentA: [Double],
                temperatureC: [Double], soc: [Double]) {
        precondition(timeS.count == voltageV.count && timeS.count == currentA.count
                     && timeS.count == temperatureC.count && timeS.count == soc.count,
                     "columns of different lengths")
        self.cell = cell
        self.timeS = timeS
        self.voltageV = voltageV
        self.currentA = currentA
        self.temperatureC = temperatureC
        self.soc = soc
    }

    /// Number of samples.
    public var count: Int { timeS.count }
}

/// Grids and search ranges for `TheveninIdentification`.
public struct IdentificationOptions: Sendable {
    /// SOC points of the OCV table.
    public var ocvSOCPoints: [Double]
    /// Cell temperatures whose samples are used for the OCV (rate extrapolation), °C.
    public var ocvTemperatureRangeC: ClosedRange<Double> = 22...40
    /// SOC points of the resistance tables.
    public var resistanceSOCPoints: [Double]
    /// Temperature points of the resistance tables, °C.
    public var resistanceTemperaturesC: [Double]
    /// Give the OCV one row per temperature group (`OCVTemperatureDependence`, from the
    /// rested full-charge readings); false: one row, rests at any temperature.
    public var ocvTemperatureDependence: Bool = true
    /// Cell temperatures that split the OCV temperature groups, °C: the 4 °C chamber vs the
    /// rest. (A 43 °C row, `[14, 34]`, is supported by no cell seen at both 24 and 43 °C and
    /// changed no validation figure: `Docs/Estimators.md`.)
    public var ocvTemperatureGroupEdgesC: [Double] = [14]
    /// Loaded samples below this voltage are left out of the fit (end-of-discharge knee), V.
    public var minimumLoadedVoltageV: Double = 3.0
    /// Weight of zero-current samples (relaxations, the rested first sample, square-wave
    /// off-phases) relative to loaded ones.
    public var restSampleWeight: Double = 1
    /// Rate extrapolation over the signed current instead of |I| (data with charges as well
    /// as discharges; the NASA fit uses discharges only and |I|).
    public var ocvSignedCurrent: Bool = false
    /// An OCV curve to hold as it is (a measured table or a slow test): the OCV stage, its
    /// temperature rows and the refinements are skipped. Nil: identified from the segments.
    public var fixedOCV: OCVCurve?
    /// Rounds of OCV refinement after the rate-extrapolated start (see `refineOCV`); off by
    /// default: on the NASA data it pulled the top of the curve away from the rested readings.
    public var ocvRefinements: Int = 0
    /// Candidate time constants of the 1RC model, s.
    public var tau1RCCandidatesS: [Double]
    /// Refine the 1RC time constant after the candidate search: a golden-section search on
    /// log τ between the best candidate's neighbours (`tau1RCRefinementSteps` residual
    /// evaluations; 0 = the best candidate as it is). Off by default, so that the NASA fit keeps
    /// its figures; `bmsim fit` of generic recordings turns it on.
    public var tau1RCRefinementSteps: Int = 0
    /// Candidate (fast, slow) time constants of the 2RC model, s.
    public var tau2RCCandidatesS: [(Double, Double)]
    /// Smoothness weight of the resistance tables.
    public var resistanceSmoothness: Double
    /// Factor on `resistanceSmoothness` along temperature (1 = the same as along SOC; 0 = no
    /// temperature rows). Those rows fill temperature nodes that have little data (the NASA
    /// grid's 14, 34 and 54 °C between its chambers), but they also pull a node that has its own
    /// data towards its neighbours, against a resistance's convex (Arrhenius) fall with
    /// temperature; a generic fit whose nodes are its recordings' temperatures turns them off
    /// (`RecordingFit.options`).
    public var resistanceTemperatureSmoothness: Double = 1
    /// Smallest resistance written to a table, Ω (the fit is unconstrained; see docs).
    public var minimumResistanceOhm: Double

    /// Defaults for 18650 cells sampled every ~10 s, SOC −0.4…1, 4…54 °C.
    public init() {
        ocvSOCPoints = stride(from: -0.4, through: 1.0001, by: 0.05).map { ($0 * 100).rounded() / 100 }
        resistanceSOCPoints = stride(from: -0.4, through: 1.0001, by: 0.1).map { ($0 * 100).rounded() / 100 }
        resistanceTemperaturesC = [4, 14, 24, 34, 44, 54]
        tau1RCCandidatesS = [15, 25, 40, 60, 90, 140, 200, 300, 450, 700, 1000]
        var pairs: [(Double, Double)] = []
        for fast in [10.0, 20, 40, 80] {
            for slow in [150.0, 300, 600, 1200, 2400] where slow > 3 * fast { pairs.append((fast, slow)) }
        }
        tau2RCCandidatesS = pairs
        resistanceSmoothness = 0.02
        minimumResistanceOhm = 1e-3
    }
}
