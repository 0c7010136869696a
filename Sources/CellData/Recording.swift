import BMSCore

/// What a cell was doing during one operation of its recorded life.
public enum OperationKind: String, Sendable, Codable, CaseIterable {
    /// Current flowing into the cell (NASA: CC 1.5 A to 4.2 V, then CV to 20 mA).
    case charge
    /// Current drawn from the cell.
    case discharge
    /// No current: either recorded, or a gap between two records made explicit
    /// (see `CellOperation.isGap`).
    case rest
}

/// The samples of one operation, column-wise; `timeS` is relative to the operation's start
/// and strictly increasing. Current sign: positive = charge, negative = discharge.
public struct OperationSamples: Sendable, Equatable {
    /// Seconds since the start of the operation.
    public var timeS: [Double]
    /// Terminal voltage, V.
    public var voltageV: [Double]
    /// Cell current, A (positive = charge).
    public var currentA: [Double]
    /// Cell temperature, °C.
    public var temperatureC: [Double]

    /// Creates samples from equally long columns.
    public init(timeS: [Double], voltageV: [Double], currentA: [Double], temperatureC: [Double]) {
        precondition(timeS.count == voltageV.count && timeS.count == currentA.count
                     && timeS.count == temperatureC.count, "columns of different lengths")
        self.timeS = timeS
        self.voltageV = voltageV
        self.currentA = currentA
        self.temperatureC = temperatureC
    }

    /// Number of samples.
    public var count: Int { timeS.count }
    /// Seconds from the first to the last sample (0 when fewer than two).
    public var durationS: Double { count < 2 ? 0 : timeS[count - 1] - timeS[0] }
}

/// One charge, discharge or rest of a cell, placed on the cell's life timeline.
public struct CellOperation: Sendable, Equatable {
    /// Charge, discharge or rest.
    public var kind: OperationKind
    /// NASA's operation number (0-based index into the `.mat` file's `cycle` array);
    /// `nil` for gaps made explicit and for generic logs.
    public var nasaCycle: Int?
    /// Start of the operation, seconds since the start of the recording's first operation.
    public var startTimeS: Double
    /// Chamber setpoint during the operation, °C, when known.
    public var ambientTemperatureC: Double?
    /// NASA's measured capacity of this discharge, Ah (`Capacity` field), when known.
    public var capacityAh: Double?
    /// The samples.
    public var samples: OperationSamples
    /// True for a rest that was not recorded but stands for the time between two records.
    public var isGap: Bool
    /// Data-quality findings for this operation, with what was done about each.
    public var quality: [QualityFinding]
    /// For a gap: the NASA operations that happened in it but whose samples are not in the
    /// source (impedance runs, charges left out of the CSV subset). Empty otherwise.
    public var unrecordedCycles: [UnrecordedCycle]
    /// SOC supplied with the samples (generic CSV `soc` column), one per sample, when present.
    /// `ReferenceSOC` uses it instead of coulomb counting.
    public var providedSOC: [Double]?

    /// Creates an operation.
    public init(kind: OperationKind, nasaCycle: Int?, startTimeS: Double,
                ambientTemperatureC: Double?, capacityAh: Double?, samples: OperationSamples,
                isGap: Bool = false, quality: [QualityFinding] = [],
                unrecordedCycles: [UnrecordedCycle] = [], providedSOC: [Double]? = nil) {
        self.kind = kind
        self.nasaCycle = nasaCycle
        self.startTimeS = startTimeS
        self.ambientTemperatureC = ambientTemperatureC
        self.capacityAh = capacityAh
        self.samples = samples
        self.isGap = isGap
        self.quality = quality
        self.unrecordedCycles = unrecordedCycles
        self.providedSOC = providedSOC
    }

    /// Seconds since the start of the recording of the last sample.
    public var endTimeS: Double { startTimeS + (samples.timeS.last ?? 0) }
}

/// A data-quality finding: what was seen, where, and the rule applied
/// (the rules are documented in `Docs/DataQuality.md`).
public struct QualityFinding: Sendable, Equatable, Codable {
    /// Kinds of findings.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A NaN in a sample column.
        case nanSample
        /// The single −3…−4.5 A reading near the start of a NASA charge.
        case chargeStartArtefact
        /// A voltage outside the plausible range (e.g. 8.4 V sensing glitches).
        case voltageSpike
        /// Flags carried by NASA's index (`capacity_below_1Ah`, `v_above_4.3`, …).
        case indexFlag
        /// Time not strictly increasing, or an operation starting before the previous one ended.
        case nonMonotoneTime
        /// A NASA operation whose samples are not in the source (inside a gap).
        case unrecordedOperation
        /// A discharge that never falls below the reference voltage (2.7 V) under load: the
        /// logger stopped before the label's zero point, so the label is unreliable and the
        /// discharge has no reference SOC (`ReferenceSOC`).
        case referenceVoltageNotReached
        /// Units or current sign that are probably wrong (`Plausibility`): milliamperes,
        /// kelvin, ±∞, a percentage in the `soc` column, a sign that contradicts the
        /// operation or the voltage's response, an index that disagrees with its sample files.
        case implausible
    }
    /// What was done.
    public enum Action: String, Sendable, Codable {
        /// Kept as recorded (reported only).
        case kept
        /// Sample(s) replaced by linear interpolation between neighbours.
        case repaired
        /// Sample(s) removed.
        case droppedSamples
        /// The whole operation left out of the recording.
        case droppedOperation
    }
    /// Kind of finding.
    public var kind: Kind
    /// Index of the first sample concerned within the operation, when relevant.
    public var sampleIndex: Int?
    /// Number of samples concerned.
    public var sampleCount: Int
    /// Rule applied.
    public var action: Action
    /// Human-readable detail, e.g. `"V = 8.412 at t = 1523.4 s"` or the NASA flag text.
    public var detail: String

    /// Creates a finding.
    public init(kind: Kind, sampleIndex: Int?, sampleCount: Int, action: Action, detail: String) {
        self.kind = kind
        self.sampleIndex = sampleIndex
        self.sampleCount = sampleCount
        self.action = action
        self.detail = detail
    }
}

/// A NASA operation known from the index or the `.mat` file but without samples in the
/// source (EIS impedance runs; charges outside the CSV charge subset).
public struct UnrecordedCycle: Sendable, Equatable, Codable {
    /// NASA operation number.
    public var nasaCycle: Int
    /// NASA's type: `charge`, `discharge` or `impedance`.
    public var type: String
    /// Creates the record.
    public init(nasaCycle: Int, type: String) {
        self.nasaCycle = nasaCycle
        self.type = type
    }
    /// True when the operation moved charge (a charge or discharge, not an EIS run).
    public var movesCharge: Bool { type == "charge" || type == "discharge" }
}

/// The recorded life of one cell: every operation in time order, gaps made explicit.
///
/// Gaps: between two recorded operations the time from the end of the first record to the
/// start of the next is an explicit `.rest` operation with `isGap == true`, zero current and
/// two samples (voltage and temperature go linearly from the last sample before the gap to
/// the first after it). `unrecordedCycles` lists what happened inside the gap. Gaps keep
/// their real length; `withGapsCapped(atS:)` shortens them for a tick loop.
public struct Recording: Sendable, Equatable {
    /// Cell name, e.g. `"B0005"`.
    public var cell: String
    /// Where the data came from (path or description).
    public var source: String
    /// Operations in time order; consecutive operations do not overlap.
    public var operations: [CellOperation]

    /// Creates a recording.
    public init(cell: String, source: String, operations: [CellOperation]) {
        self.cell = cell
        self.source = source
        self.operations = operations
    }

    /// The discharges, in order.
    public var discharges: [CellOperation] { operations.filter { $0.kind == .discharge } }
    /// Every finding of every operation.
    public var qualityFindings: [QualityFinding] { operations.flatMap(\.quality) }
    /// The operations that are not gaps.
    public var recordedOperations: [CellOperation] { operations.filter { !$0.isGap } }

    /// A copy in which every gap lasts at most `maxGapS` seconds (its last sample moved
    /// to `maxGapS`) and every later operation is moved earlier by the time removed.
    /// Use it to replay a life of many days through a tick loop without idling for days.
    public func withGapsCapped(atS maxGapS: Double) -> Recording {
        precondition(maxGapS > 0, "maxGapS must be positive")
        var copy = self
        var shift = 0.0
        for k in copy.operations.indices {
            copy.operations[k].startTimeS -= shift
            guard copy.operations[k].isGap, let last = copy.operations[k].samples.timeS.last, last > maxGapS else { continue }
            copy.operations[k].samples.timeS[copy.operations[k].samples.count - 1] = maxGapS
            shift += last - maxGapS
        }
        return copy
    }
}
