import CellModel
@testable import Evaluation
import Testing

/// `RecordingFit.rateExtrapolatedRows`: a generic fit with no OCV given and no slow test reads
/// one OCV row per temperature cluster, so a plant whose OCV moves with temperature is read at
/// each temperature, not at the mean of all of them.
@Suite("OCV rows per temperature cluster (rate extrapolation)")
struct OCVRowsPerTemperatureTests {
    /// The synthetic 18650 with its OCV 40 mV higher at 0 °C and 30 mV lower at 40 °C than at
    /// 24 °C below SOC 0.5, tapering to ±10 mV at full (a steep, temperature-dependent low end,
    /// like the PyBaMM NMC's 64 mV at SOC 0.15 between 0 and 45 °C).
    static func plant() -> CellModelParameters {
        var plant = CellModelParameters.synthetic18650()
        let base = plant.ocv.table
        let n = base.socPoints.count
        let row24 = Array(base.values[(base.temperaturesC.firstIndex(of: 24)! * n)..<(base.temperaturesC.firstIndex(of: 24)! * n + n)])
        func shifted(_ low: Double, _ high: Double) -> [Double] {
            zip(base.socPoints, row24).map { soc, v in v + (soc <= 0.5 ? low : low + (high - low) * (soc - 0.5) / 0.5) }
        }
        plant.ocv = OCVCurve(table: SOCTemperatureTable(socPoints: base.socPoints, temperaturesC: [0, 40],
                                                        values: shifted(0.040, 0.010) + shifted(-0.030, -0.010),
                                                        extrapolateSOC: true))
        return plant
    }

    /// At each temperature, from full: C/2 discharges of 12 % with 25-minute rests (settled
    /// readings every 12 %), 1 s samples, 0.5 mV noise.
    static func segments(temperatures: [Double]) -> [IdentificationSegment] {
        let plant = plant()
        return temperatures.enumerated().map { k, temperature in
            var sim = CellSimulator(model: plant, pairCount: 1, soc: 1)
            var profile: [ProfileSegment] = [.rest(durationS: 600)]
            for _ in 0..<7 { profile += [.constant(currentA: -1, durationS: 864), .rest(durationS: 1500)] }
            let rec = SyntheticCycleGenerator(dtSeconds: 1, temperatureC: temperature, voltageNoiseV: 0.0005)
                .run(profile, simulator: &sim, seed: UInt64(k + 31))
            return IdentificationSegment(cell: "T\(k)", timeS: rec.timeS, voltageV: rec.voltageV, currentA: rec.currentA,
                                         temperatureC: rec.temperatureC, soc: rec.soc)
        }
    }

    static func options(temperatures: [Double]) -> IdentificationOptions {
        var o = IdentificationOptions()
        o.ocvSOCPoints = stride(from: 0.1, through: 1.0001, by: 0.05).map { ($0 * 100).rounded() / 100 }
        o.resistanceTemperaturesC = temperatures
        o.ocvTemperatureRangeC = (temperatures.min()! - 0.5)...(temperatures.max()! + 0.5)
        o.ocvSignedCurrent = true
        return o
    }

    @Test("two temperatures: each row is that temperature's own rate extrapolation, and the rows differ as the plant's OCV does")
    func rowsFollowTemperature() throws {
        let temps = [0.0, 40]
        let segments = Self.segments(temperatures: temps)
        let options = Self.options(temperatures: temps)
        let rows = try #require(RecordingFit.rateExtrapolatedRows(segments, options: options))
        #expect(rows.curve.table.temperaturesC == temps)
        #expect(rows.source.contains("one row per temperature cluster"))
        let plant = Self.plant().ocv
        // Each row is what the same rate extrapolation reads from that temperature's data alone
        // (its own error, ±20–30 mV between the rests on this 1 A profile, is the same): equal at
        // the nodes with data, and between them too, where the pooled row is linear as well.
        for (k, temperature) in temps.enumerated() {
            let (alone, _) = try OCVIdentification.rateExtrapolated([segments[k]], socPoints: options.ocvSOCPoints,
                                                                    temperatureRangeC: -1...41, signedCurrent: true)
            // (Node 0.1 lies below the data, which end at SOC 0.16: there the pooled shape is
            // kept, held at the offset of node 0.15, instead of extrapolating linearly.)
            for soc in options.ocvSOCPoints.dropFirst() {
                #expect(abs(rows.curve.voltage(soc: soc, temperatureC: temperature) - alone.voltage(soc: soc, temperatureC: 25)) < 1e-6)
            }
        }
        // The rows' temperature shift is the plant's (40 to 70 mV over SOC 0.4–0.88) within 10 mV;
        // one pooled row has none, so it misses each temperature by half the shift.
        let (pooled, _) = try OCVIdentification.rateExtrapolated(segments, socPoints: options.ocvSOCPoints,
                                                                 temperatureRangeC: options.ocvTemperatureRangeC,
                                                                 signedCurrent: true)
        var worstShift = 0.0, worstPooledShift = 0.0
        for soc in stride(from: 0.4, through: 0.88, by: 0.12) {
            let truth = plant.voltage(soc: soc, temperatureC: 0) - plant.voltage(soc: soc, temperatureC: 40)
            let fitted = rows.curve.voltage(soc: soc, temperatureC: 0) - rows.curve.voltage(soc: soc, temperatureC: 40)
            let flat = pooled.voltage(soc: soc, temperatureC: 0) - pooled.voltage(soc: soc, temperatureC: 40)
            worstShift = max(worstShift, abs(fitted - truth))
            worstPooledShift = max(worstPooledShift, abs(flat - truth))
        }
        #expect(worstShift < 0.010, "rows per cluster: shift off by up to \(worstShift * 1000) mV")
        #expect(worstPooledShift > 0.035, "one pooled row: shift off by up to \(worstPooledShift * 1000) mV")
    }

    @Test("one temperature cluster: no rows (the pooled one-row fit stays)")
    func oneTemperature() {
        let segments = Self.segments(temperatures: [25])
        #expect(RecordingFit.rateExtrapolatedRows(segments, options: Self.options(temperatures: [25])) == nil)
    }

    @Test("a cluster with no data of its own keeps the pooled row; another cluster still gets its row")
    func emptyCluster() throws {
        let segments = Self.segments(temperatures: [0])
        let rows = try #require(RecordingFit.rateExtrapolatedRows(segments, options: Self.options(temperatures: [0, 40])))
        let (pooled, _) = try OCVIdentification.rateExtrapolated(segments, socPoints: Self.options(temperatures: [0, 40]).ocvSOCPoints,
                                                                 temperatureRangeC: -0.5...40.5, signedCurrent: true)
        for soc in [0.4, 0.6, 0.8] {
            #expect(abs(rows.curve.voltage(soc: soc, temperatureC: 40) - pooled.voltage(soc: soc, temperatureC: 40)) < 1e-9)
        }
        #expect(rows.source.contains("40.0 °C: 0 of"))
    }

    @Test("non-finite readings in the rests are skipped: every row stays finite and increasing")
    func nonFiniteReadings() throws {
        var segments = Self.segments(temperatures: [0, 40])
        for j in segments.indices {
            for k in stride(from: 0, to: segments[j].count, by: 97) { segments[j].voltageV[k] = .nan }
            segments[j].temperatureC[5] = .infinity
            segments[j].soc[7] = .nan
        }
        let rows = try #require(RecordingFit.rateExtrapolatedRows(segments, options: Self.options(temperatures: [0, 40])))
        let values = rows.curve.table.values, n = rows.curve.table.socPoints.count
        #expect(values.allSatisfy { $0.isFinite })
        for r in 0..<2 { for i in 1..<n { #expect(values[r * n + i] > values[r * n + i - 1]) } }
    }
}
