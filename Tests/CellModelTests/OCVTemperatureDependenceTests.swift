import BMSCore
import CellData
import Foundation
import TestSupport
import Testing
@testable import CellModel

@Suite("OCV over temperature: rows from rested full-charge readings")
struct OCVTemperatureDependenceTests {
    /// A one-row reference curve (no temperature dependence of its own).
    let reference = OCVCurve(table: SOCTemperatureTable(socPoints: [0, 0.5, 0.9, 1], temperaturesC: [25],
                                                        values: [3.4, 3.75, 4.05, 4.19], extrapolateSOC: true))

    /// Readings around a group voltage: v + the given deviations, at temperatures around t.
    func readings(_ v: Double, _ t: Double, _ deviations: [Double]) -> [OCVTemperatureDependence.Reading] {
        deviations.enumerated().map { k, d in
            OCVTemperatureDependence.Reading(voltageV: v + d, currentA: 0, temperatureC: t + Double(k % 3) - 1,
                                             dtSeconds: 0)
        }
    }

    @Test("each row is the reference shifted by its group's median offset, at the group's mean temperature")
    func rowsFromMedians() {
        let data = readings(4.17, 5, [0, 0.004, -0.002, 0.03, -0.001])        // median 4.170
            + readings(4.19, 24, [0.001, -0.001, 0, 0.002, -0.004, 0.0])      // median 4.190
            + readings(4.20, 44, [0, 0.001, 0.002, -0.001, 0.0])              // median 4.200
        let (curve, groups) = OCVTemperatureDependence.fit(data, reference: reference, edgesC: [14, 34])
        #expect(groups.map(\.readings) == [5, 6, 5])
        #expect(curve.table.temperaturesC.count == 3)
        let medians = [4.170, 4.190, 4.200]
        for (g, group) in groups.enumerated() {
            let members = data.filter { group.contains($0.temperatureC) }
            let meanT = members.map(\.temperatureC).reduce(0, +) / Double(members.count)
            #expect(abs(group.temperatureC - meanT) < 1e-12)
            #expect(abs(curve.table.temperaturesC[g] - meanT) < 1e-12)
            #expect(abs(group.offsetmV - 1000 * (medians[g] - 4.19)) < 1e-9)
            // Exact at the knots: the row at SOC 1 is the group's median, and every other
            // node is the reference plus the same offset.
            #expect(abs(curve.voltage(soc: 1, temperatureC: meanT) - medians[g]) < 1e-12)
            for s in [0.0, 0.5, 0.9] {
                let shifted = reference.voltage(soc: s, temperatureC: 25) + medians[g] - 4.19
                #expect(abs(curve.voltage(soc: s, temperatureC: meanT) - shifted) < 1e-12)
            }
        }
        // The outlier (+30 mV) moves the median less than the mean; the RMS error is reported.
        #expect(groups[0].rmsErrormV < groups[0].rmsErrorReferencemV)
    }

    @Test("between rows linear, beyond them held; strictly increasing in SOC at every temperature")
    func interpolationAndMonotonicity() {
        let data = readings(4.16, 5, [0, 0, 0, 0, 0]) + readings(4.19, 24, [0, 0, 0, 0, 0])
            + readings(4.21, 44, [0, 0, 0, 0, 0])
        let (curve, _) = OCVTemperatureDependence.fit(data, reference: reference, edgesC: [14, 34])
        let temps = curve.table.temperaturesC
        let mid = 0.5 * (temps[0] + temps[1])
        for soc in [0.1, 0.7, 0.95, 1.0] {
            let a = curve.voltage(soc: soc, temperatureC: temps[0]), b = curve.voltage(soc: soc, temperatureC: temps[1])
            #expect(abs(curve.voltage(soc: soc, temperatureC: mid) - 0.5 * (a + b)) < 1e-12)
            #expect(curve.voltage(soc: soc, temperatureC: -30) == a)
            #expect(curve.voltage(soc: soc, temperatureC: 80) == curve.voltage(soc: soc, temperatureC: temps[2]))
        }
        for t in stride(from: -20.0, through: 70, by: 3.7) {
            var previous = -Double.infinity
            for soc in stride(from: -0.2, through: 1.2, by: 0.01) {
                let v = curve.voltage(soc: soc, temperatureC: t)
                #expect(v > previous, "not increasing at T \(t), SOC \(soc)")
                previous = v
                #expect(curve.slope(soc: soc, temperatureC: t) > 0)
                #expect(abs(curve.soc(voltageV: v, temperatureC: t) - soc) < 1e-9)
            }
        }
    }

    @Test("groups with too few readings get no row; with none the reference comes back")
    func sparseGroups() {
        let data = readings(4.16, 5, [0, 0]) + readings(4.19, 24, [0, 0, 0, 0, 0])
        let (curve, groups) = OCVTemperatureDependence.fit(data, reference: reference)
        #expect(groups.count == 1 && curve.table.temperaturesC.count == 1)
        let (same, none) = OCVTemperatureDependence.fit([], reference: reference)
        #expect(none.isEmpty && same == reference)
    }

    @Test("only rested first samples at reference SOC 1 are readings")
    func readingSelection() {
        func segment(_ i0: Double, _ soc0: Double) -> IdentificationSegment {
            IdentificationSegment(cell: "X", timeS: [0, 10], voltageV: [4.19, 4.0], currentA: [i0, -2],
                                  temperatureC: [24, 25], soc: [soc0, 0.99])
        }
        let found = OCVTemperatureDependence.fullChargeReadings([segment(0.001, 1), segment(-2, 1), segment(0, 0.8)])
        #expect(found == [OCVTemperatureDependence.Reading(voltageV: 4.19, currentA: 0.001, temperatureC: 24, dtSeconds: 0)])
    }

    @Test("on NASA train cells the rested full-charge voltage is lower at 4 °C, also within one cell (B0042)")
    func nasaTrainCells() throws {
        guard let root = SharedData.nasa else { return }
        let dataset = try NASADataset(root: root)
        // Train cells only (the benchmark split, Docs/Benchmark.md): B0042 ran at 22 °C, then at 4 °C; B0046 at 4 °C; B0005 at 24 °C.
        let cells = ["B0005", "B0042", "B0046"]
        #expect(Set(cells).isSubset(of: Set(NASADataset.Split.train.cells)))
        func segments(_ cells: [String]) throws -> [IdentificationSegment] {
            try dataset.labelledDischarges(cells: cells).map { d in
                IdentificationSegment(cell: d.cell, timeS: d.samples.timeS, voltageV: d.samples.voltageV,
                                      currentA: d.samples.currentA, temperatureC: d.samples.temperatureC, soc: d.soc)
            }
        }
        func median(_ a: [Double]) -> Double {
            let v = a.sorted()
            return v.count % 2 == 1 ? v[v.count / 2] : 0.5 * (v[v.count / 2 - 1] + v[v.count / 2])
        }
        let readings = OCVTemperatureDependence.fullChargeReadings(try segments(cells))
        let (curve, groups) = OCVTemperatureDependence.fit(readings, reference: reference)
        #expect(groups.count == 2)
        // Independent check: each row's SOC-1 value is the plain median of the raw voltages in its group.
        for g in groups {
            let v = readings.filter { g.contains($0.temperatureC) }.map(\.voltageV)
            #expect(abs(curve.voltage(soc: 1, temperatureC: g.temperatureC) - median(v)) < 1e-9)
        }
        #expect(groups[0].offsetmV < groups[1].offsetmV - 5, "\(groups.map(\.offsetmV))")
        #expect(groups[0].rmsErrormV < groups[0].rmsErrorReferencemV)
        // The same cell, same charge protocol: its cold readings sit below its warm ones.
        let b42 = OCVTemperatureDependence.fullChargeReadings(try segments(["B0042"]))
        let cold = median(b42.filter { $0.temperatureC < 14 }.map(\.voltageV))
        let warm = median(b42.filter { $0.temperatureC >= 14 }.map(\.voltageV))
        #expect(cold < warm - 0.003, "B0042: 4 °C \(cold) V, 22 °C \(warm) V")
    }
}
