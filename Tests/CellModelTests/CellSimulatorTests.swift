import Testing
@testable import CellModel

@Suite("Cell simulator")
struct CellSimulatorTests {
    let model = CellModelParameters.synthetic18650()

    @Test("SOC is the exact coulomb count of a constant current")
    func constantCurrent() {
        var sim = CellSimulator(model: model, pairCount: 2, soc: 1)
        for _ in 0..<1800 { _ = sim.step(currentA: -2, dtSeconds: 1, temperatureC: 24) }
        // 2 A for 1800 s = 1 Ah of 2 Ah.
        #expect(abs(sim.soc - 0.5) < 1e-12)
    }

    @Test("branch voltages follow the closed-form RC step response")
    func stepResponse() {
        // Constant parameters: hold SOC nearly fixed by a tiny capacity change? Use a huge capacity.
        var sim = CellSimulator(model: model, pairCount: 1, capacityAh: 1e9, soc: 0.5)
        let r = model.thevenin1RC.pairs[0].resistanceOhm.value(soc: 0.5, temperatureC: 24)
        let c = model.thevenin1RC.pairs[0].capacitanceF.value(soc: 0.5, temperatureC: 24)
        for _ in 0..<100 { _ = sim.step(currentA: -1, dtSeconds: 0.5, temperatureC: 24) }
        let expected = -r * (1 - Double.exp(-50 / (r * c)))
        #expect(abs(sim.branchVoltagesV[0] - expected) < 1e-9)
    }

    @Test("a CC–CV charge ends near the voltage limit with the current below cut-off")
    func cccv() {
        var sim = CellSimulator(model: model, pairCount: 2, soc: 0.1)
        let gen = SyntheticCycleGenerator(dtSeconds: 2, temperatureC: 24)
        let rec = gen.run([.cccvCharge(currentA: 1.5, voltageV: 4.2, cutoffA: 0.02, durationS: 20_000)],
                          simulator: &sim)
        // The hold current is solved with the parameters at the start of the tick; the OCV
        // moves a little within the tick, so the limit is met to within a millivolt.
        #expect(rec.voltageV.max()! <= 4.2 + 1e-3)
        // The charge stops at the first tick whose hold current is below the cut-off.
        #expect(rec.currentA.last! < 0.021)
        #expect(rec.soc.last! > 0.97)
    }

    @Test("pulses and random walks stop at the cut-off voltage; CSV has one row per sample")
    func profilesAndCSV() {
        var sim = CellSimulator(model: model, pairCount: 2, soc: 1)
        let gen = SyntheticCycleGenerator(dtSeconds: 5, temperatureC: 24)
        let rec = gen.run([.pulses(currentA: -4, onS: 10, offS: 10, durationS: 1e6, stopBelowV: 3.0),
                           .rest(durationS: 600)], simulator: &sim)
        #expect(rec.voltageV.dropLast(120).last! < 3.0)
        let csv = rec.csvText(cell: "T1", source: "test", capacityAh: 2)
        let lines = csv.split(separator: "\n")
        #expect(lines.filter { !$0.hasPrefix("#") }.count == rec.count + 1)
        #expect(lines.contains("# current_sign: charge_positive"))
        #expect(csv.contains("time_s,voltage_v,current_a,temperature_c,soc,operation,capacity_ah\n0.000,"))
        #expect(Set(rec.operation) == ["discharge", "rest"])
        #expect(rec.fixed(-0.00049, 3) == "0.000" || rec.fixed(-0.00049, 3) == "-0.000")
        #expect(rec.fixed(-1.25, 1) == "-1.3" || rec.fixed(-1.25, 1) == "-1.2")
        #expect(rec.fixed(3.14159, 3) == "3.142")
    }
}
