import Testing
@testable import CellModel

/// Reliability issue row 1: `bmsim fit` on cells with no data in the OCV's temperature range
/// (the 4 °C NASA cells, or `--every` larger than a cell's discharge count) trapped on a
/// precondition. The identification now throws a typed error that says what is missing.
@Suite("Identification with too little data")
struct IdentificationErrorTests {
    /// A constant-current discharge of the synthetic cell at `temperatureC`, from full to 3.0 V.
    func discharge(temperatureC: Double, currentA: Double = -2) -> IdentificationSegment {
        var sim = CellSimulator(model: .synthetic18650(), pairCount: 2, soc: 1)
        let gen = SyntheticCycleGenerator(dtSeconds: 10, temperatureC: temperatureC, voltageNoiseV: 0.001)
        let rec = gen.run([.rest(durationS: 60), .constant(currentA: currentA, durationS: 1e5, stopBelowV: 3.0)],
                          simulator: &sim, seed: 7)
        return IdentificationSegment(cell: "C\(Int(temperatureC))", timeS: rec.timeS, voltageV: rec.voltageV,
                                     currentA: rec.currentA, temperatureC: rec.temperatureC, soc: rec.soc)
    }

    @Test("no segments at all: tooLittleOCVData, no trap")
    func noSegments() {
        #expect(throws: IdentificationError.tooLittleOCVData(nodesWithData: 0, nodes: 11, samples: 0,
                                                              temperatureRangeC: 22...40)) {
            try OCVIdentification.rateExtrapolated([], socPoints: (0...10).map { Double($0) / 10 },
                                                   temperatureRangeC: 22...40)
        }
    }

    @Test("only cold data outside the OCV's temperature range: the fit throws and names the range")
    func coldOnly() {
        let cold = discharge(temperatureC: 4)
        do {
            _ = try TheveninIdentification.fit([cold])
            Issue.record("expected an error")
        } catch {
            guard case let .tooLittleOCVData(withData, _, samples, range) = error else {
                Issue.record("wrong error \(error)"); return
            }
            #expect(withData < 2)
            #expect(samples < 10)
            #expect(range == IdentificationOptions().ocvTemperatureRangeC)
            #expect(error.description.contains("too little data for an OCV curve"))
        }
    }

    @Test("discharges at two rates at 24 °C are enough for the OCV stage")
    func warmIsEnough() throws {
        let (curve, nodes) = try OCVIdentification.rateExtrapolated(
            [discharge(temperatureC: 24, currentA: -1), discharge(temperatureC: 24, currentA: -3)], socPoints: (0...10).map { Double($0) / 10 }, temperatureRangeC: 22...40)
        #expect(nodes.count == 11)
        #expect(curve.table.values.allSatisfy { $0.isFinite })
    }
}
