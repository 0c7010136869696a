import BMSCore
import CellData

/// A coulomb-count prior whose capacity is the one the BMS has learned before each
/// discharge, instead of one fixed capacity (`bmsim train --prior-capacity learned`).
///
/// Per discharge the prior capacity is NASA's capacity of the same cell's previous usable
/// discharge in the same `CapacityBand` (what `CapacityLearner` would hold after it), and for
/// a cell's first discharge in a band the design capacity at its start temperature
/// (`firstCapacityAh(temperatureC:)`, the cell model's `designCapacityByTemperature`). While
/// training each discharge's prior is multiplied by `1 + u`, u uniform in ±`trainingNoise`,
/// drawn afresh every epoch (`noiseFactor`), so the network is right when the firmware's
/// capacity is off; evaluation uses none.
///
/// ```swift
/// let prior = LearnedPriorCapacity(temperaturesC: [4, 24, 43], designCapacityAh: [1.48, 1.80, 1.80])
/// prior.priors(for: [DischargeCapacityRecord(cell: "B0005", temperatureC: 24, currentA: -2, capacityAh: 1.86),
///                    DischargeCapacityRecord(cell: "B0005", temperatureC: 24, currentA: -2, capacityAh: 1.84)])
/// // [1.80, 1.86]
/// ```
public struct LearnedPriorCapacity: Codable, Equatable, Sendable {
    /// Temperatures of the design-capacity table, °C, ascending.
    public var temperaturesC: [Double]
    /// Design capacity at each temperature, Ah (linear between points, held beyond).
    public var designCapacityAh: [Double]
    /// Half-width of the multiplicative training noise (0.1: the prior is off by up to ±10 %).
    public var trainingNoise: Double

    /// The default training noise, ±10 %.
    public static let defaultTrainingNoise = 0.1

    /// Creates the rule from a design-capacity table.
    public init(temperaturesC: [Double], designCapacityAh: [Double], trainingNoise: Double = Self.defaultTrainingNoise) {
        self.temperaturesC = temperaturesC
        self.designCapacityAh = designCapacityAh
        self.trainingNoise = trainingNoise
    }

    /// The first problem of the rule (table sizes, order, values, noise), or nil.
    public var problem: String? {
        guard !temperaturesC.isEmpty, temperaturesC.count == designCapacityAh.count else {
            return "the design-capacity table needs as many capacities as temperatures, at least one"
        }
        guard temperaturesC.allSatisfy(\.isFinite), zip(temperaturesC, temperaturesC.dropFirst()).allSatisfy({ $0 < $1 }) else {
            return "temperatures must be finite and ascending"
        }
        if let bad = designCapacityAh.first(where: { !($0.isFinite && $0 > 0 && $0 <= 10_000) }) {
            return "design capacity \(bad) Ah must be in (0, 10000]"
        }
        guard trainingNoise.isFinite, trainingNoise >= 0, trainingNoise < 1 else {
            return "training noise \(trainingNoise) must be in [0, 1)"
        }
        return nil
    }

    /// The design capacity at a temperature (linear between points, held beyond), Ah.
    public func firstCapacityAh(temperatureC: Double) -> Double {
        let t = temperaturesC, c = designCapacityAh
        guard t.count > 1, temperatureC > t[0] else { return c[0] }
        guard temperatureC < t[t.count - 1] else { return c[c.count - 1] }
        let i = t.lastIndex { $0 <= temperatureC }!
        let f = (temperatureC - t[i]) / (t[i + 1] - t[i])
        return c[i] + f * (c[i + 1] - c[i])
    }

    /// The prior capacity of each discharge, Ah: per cell (records in time order), the
    /// capacity of the previous discharge in the same band, else the design capacity.
    public func priors(for records: [DischargeCapacityRecord]) -> [Double] {
        var learned: [String: [Int: Double]] = [:]
        return records.map { r in
            let band = CapacityBand.index(temperatureC: r.temperatureC, currentA: r.currentA)
            let prior = learned[r.cell]?[band] ?? firstCapacityAh(temperatureC: r.temperatureC)
            learned[r.cell, default: [:]][band] = r.capacityAh
            return prior
        }
    }

    /// The training factor `1 + u` of discharge `index` in epoch `epoch` (u uniform in
    /// ±`trainingNoise`), a pure function of (seed, epoch, index): a resumed run draws the same.
    public func noiseFactor(seed: UInt64, epoch: Int, index: Int) -> Double {
        guard trainingNoise > 0 else { return 1 }
        var generator = SeededGenerator(seed: seed ^ 0x5052_494F_525F_4E5A
                                        ^ (UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15)
                                        ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
        return 1 + trainingNoise * (2 * generator.nextUnitDouble() - 1)
    }
}

/// What the prior rule needs to know of one discharge: its cell, where it starts
/// (`CapacityBand.start`) and NASA's capacity of it.
public struct DischargeCapacityRecord: Sendable, Equatable {
    /// Cell name.
    public var cell: String
    /// Cell temperature at the first loaded sample, °C.
    public var temperatureC: Double
    /// Current once the load has settled, A (negative = discharge).
    public var currentA: Double
    /// NASA's capacity of this discharge, Ah.
    public var capacityAh: Double

    /// Creates a record.
    public init(cell: String, temperatureC: Double, currentA: Double, capacityAh: Double) {
        self.cell = cell; self.temperatureC = temperatureC; self.currentA = currentA; self.capacityAh = capacityAh
    }

    /// The record of a labelled discharge (start read from its native samples; a discharge
    /// without a loaded sample reads as its first sample at 0 A).
    public init(_ discharge: LabelledDischarge) {
        let s = discharge.samples
        let start = CapacityBand.start(timeS: s.timeS, currentA: s.currentA, temperatureC: s.temperatureC)
        self.init(cell: discharge.cell, temperatureC: start?.temperatureC ?? s.temperatureC.first ?? 25,
                  currentA: start?.currentA ?? 0, capacityAh: discharge.capacityAh)
    }
}
