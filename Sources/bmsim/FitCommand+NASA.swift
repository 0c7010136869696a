import CellData
import BMSCore
import CellModel
import Evaluation
import Foundation

/// The NASA fit: discharges of the train and validation cells, OCV by rate extrapolation with
/// rows per temperature group, the rest-relaxation law (unchanged by generic fits).
extension FitCommand {
    /// Loads the cells, converts their discharges into identification segments, fits.
    static func fitModel(root: URL, cells: [String], every: Int, options: IdentificationOptions = IdentificationOptions(),
                         policy: QualityPolicy = QualityPolicy(), log: (String) -> Void) throws -> CellModelParameters {
        var segments: [IdentificationSegment] = []
        var capacitiesByGroup: [Double: [Double]] = [:]
        var cellCapacitiesByGroup: [Double: [String: [Double]]] = [:]
        var readings: [OCVTemperatureDependence.Reading] = []
        var relaxationReadings: [RestRelaxationFit.Reading] = []
        let cycles = try EvaluationDischarge.load(root: root, cells: cells, policy: policy)
        for cell in cells {
            let mine = cycles.filter { $0.cell == cell }
            for (k, c) in mine.enumerated() {
                capacitiesByGroup[Self.group(c.ambientC), default: []].append(c.capacityAh)
                cellCapacitiesByGroup[Self.group(c.ambientC), default: [:]][cell, default: []].append(c.capacityAh)
                guard !c.voltageGlitch else { continue }   // skip v_above_4.3 glitches
                // The OCV's temperature rows read the rested first sample of every usable discharge.
                if abs(c.samples.currentA[0]) <= 0.05 {
                    readings.append(OCVTemperatureDependence.Reading(voltageV: c.samples.voltageV[0],
                                                                     currentA: c.samples.currentA[0],
                                                                     temperatureC: c.samples.temperatureC[0], dtSeconds: 0))
                    if let rest = c.restBeforeS {
                        relaxationReadings.append(RestRelaxationFit.Reading(
                            cell: "\(cell)@\(Int(c.ambientC.rounded()))", restS: rest,
                            temperatureC: c.samples.temperatureC[0], voltageV: c.samples.voltageV[0]))
                    }
                }
                guard k % every == 0 else { continue }
                segments.append(IdentificationSegment(cell: cell, timeS: c.samples.timeS, voltageV: c.samples.voltageV,
                                                      currentA: c.samples.currentA,
                                                      temperatureC: c.samples.temperatureC, soc: c.soc))
            }
            log("\(cell): \(mine.count) usable discharges")
        }
        let result = try TheveninIdentification.fit(segments, options: options, ocvReadings: readings)
        log(EndOfDischargeRests.report(cycles))
        let groups = capacitiesByGroup.keys.sorted()
        let medians = groups.map { median(capacitiesByGroup[$0]!) }
        let design = groups.map { DesignCapacity.estimate(cellCapacitiesByGroup[$0]!.values.map { $0 }) }
        let all = capacitiesByGroup.values.flatMap { $0 }
        var report = result.report
        report.method = [
            "data: NASA PCoE discharges of \(cells.joined(separator: " ")), every \(every)th usable discharge "
                + "(\(segments.count) discharges, \(segments.reduce(0) { $0 + $1.count }) samples), v_above_4.3 left out",
            "reference SOC: 1 − trapezoid Ah / capacity_Ah (the benchmark task's label, Docs/Benchmark.md), SOC 0 = 2.7 V loaded",
            "OCV: rate extrapolation (intercept of V over |I| per SOC node, samples at 22–40 °C cell temperature) "
                + "plus settled rests (≥ 20 min after load, and the rested first sample) as direct readings; "
                + (options.ocvTemperatureDependence
                    ? "made increasing (PAV); reference row from rests at 22–40 °C too; "
                        + "temperature rows: reference row + median offset of the rested full-charge readings "
                        + "(first sample, SOC 1, of every usable discharge) per cell-temperature group split at "
                        + "\(options.ocvTemperatureGroupEdgesC) °C, at the group's mean temperature, the same offset "
                        + "at every SOC (no rested readings elsewhere)"
                    : "made increasing (PAV); one row, no temperature dependence"),
            "R0, R_j: linear least squares with the OCV held, bilinear tables over SOC × cell temperature, "
                + "second-difference smoothness, R ≥ 1 mΩ by active set, loaded samples < 3.0 V left out; "
                + "τ by grid search; C_j = τ_j / R_j",
            "capacity: median capacity_Ah of the fitted cells' discharges per ambient group \(groups)",
            "design capacity: per ambient group, the median over the fitted cells of each cell's "
                + "\(Int(DesignCapacity.cellQuantile * 100))th-percentile capacity_Ah (a new cell's capacity)",
            "rest relaxation: rested first sample of every usable discharge with a known rest (index rest_before_s) "
                + "per cell-temperature group split at \(options.ocvTemperatureGroupEdgesC) °C: V = V_cell,chamber + b ln t "
                + "(least squares, one level per cell and chamber), t_ref = geometric mean rest of the group",
        ]
        report.method.append("rested OCV trusted from SOC: the highest table SOC that the end-of-discharge rests "
                             + "(≥ 60 s after the load, label ≤ 0) map to, plus \(RestedOCVFloor.defaultMargin)")
        let tails = cycles.filter { !$0.voltageGlitch }.compactMap { EndOfDischargeRests.tail($0, restCurrentA: 0.05, minimumRestS: 60) }
            .filter { $0.socEnd <= 0.01 }
        let floor = RestedOCVFloor.fit(tails.map { RestedOCVFloor.Reading(voltageV: $0.voltageV, temperatureC: $0.temperatureC) },
                                       ocv: result.ocv)
        if let floor { log(String(format: "rested OCV trusted from SOC %.3f (%d end-of-discharge rests)", floor, tails.count)) }
        return CellModelParameters(cellName: "NASA PCoE 18650 (fitted on \(cells.count) cells)",
                                   capacityAh: median(all),
                                   capacityByTemperature: (groups, medians),
                                   designCapacityByTemperature: (groups, design), coulombicEfficiency: 1,
                                   ocv: result.ocv, thevenin1RC: result.thevenin1RC,
                                   thevenin2RC: result.thevenin2RC,
                                   restRelaxation: RestRelaxationFit.fit(relaxationReadings,
                                                                         edgesC: options.ocvTemperatureGroupEdgesC),
                                   restedOCVTrustedFromSOC: floor,
                                   socZeroLoadedVoltageV: ReferenceSOC.Rules().referenceVoltageV, fitReport: report)
    }

    /// Ambient group (4, 24, 43 °C) of a chamber setpoint.
    static func group(_ ambientC: Double) -> Double { ambientC < 15 ? 4 : (ambientC < 35 ? 24 : 43) }

    static func median(_ a: [Double]) -> Double { OrderStatistics.median(a) }
}
