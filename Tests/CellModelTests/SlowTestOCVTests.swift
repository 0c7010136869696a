import Testing
@testable import CellModel

/// `SlowTestOCV`: the OCV from a C/20 charge and discharge, at the steep ends of the curve too.
@Suite("OCV from a slow test")
struct SlowTestOCVTests {
    @Test("end nodes every 0.01 in the first and last interval")
    func refinedGrid() {
        #expect(SlowTestOCV.refinedAtEnds([0, 0.05, 0.1, 0.15]) == [0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15])
        #expect(SlowTestOCV.refinedAtEnds([0, 0.01, 0.02]) == [0, 0.01, 0.02])
        #expect(SlowTestOCV.refinedAtEnds([0.5]) == [0.5])
    }

    /// A C/20 discharge from full to below SOC 0.003 and the C/20 charge back (1 s ticks), each
    /// labelled with the simulator's exact SOC.
    func branches(_ model: CellModelParameters) -> (charge: IdentificationSegment, discharge: IdentificationSegment) {
        func segment(_ current: Double, from soc: Double, until stop: (Double) -> Bool) -> IdentificationSegment {
            var sim = CellSimulator(model: model, pairCount: 1, soc: soc)
            var t: [Double] = [], v: [Double] = [], i: [Double] = [], temp: [Double] = [], s: [Double] = []
            var time = 0.0
            while !stop(sim.soc) {
                let voltage = sim.step(currentA: current, dtSeconds: 5, temperatureC: 25)
                time += 5
                t.append(time); v.append(voltage); i.append(current); temp.append(25); s.append(sim.soc)
            }
            return IdentificationSegment(cell: "slow", timeS: t, voltageV: v, currentA: i, temperatureC: temp, soc: s)
        }
        let discharge = segment(-0.1, from: 1, until: { $0 <= 0.003 })
        let charge = segment(0.1, from: 0.003, until: { $0 >= 0.998 })
        return (charge, discharge)
    }

    @Test("recovers the OCV within 10 mV at every node, the steep ends included")
    func steepEnds() throws {
        let model = CellModelParameters.synthetic18650()
        let (charge, discharge) = branches(model)
        let grid = SlowTestOCV.refinedAtEnds(stride(from: 0.0, through: 1.0001, by: 0.05).map { ($0 * 100).rounded() / 100 })
        let row = try #require(SlowTestOCV.row(charge: [charge], discharge: [discharge], socPoints: grid))
        for (soc, v) in zip(grid, row) {
            let truth = model.ocv.voltage(soc: soc, temperatureC: 25)
            #expect(abs(v - truth) < 0.010, "OCV at SOC \(soc): \(v) vs \(truth)")
        }
    }
}
