import Testing
import TestSupport
@testable import CellModel

/// The slow test of a cell with hysteresis (`TestSupport.HysteresisPlant`: M + M0 = 24 mV,
/// R0 + R1 = 12 mΩ, C/20 = 0.25 A): the gap reading of `HysteresisFit` and the OCV row of
/// `SlowTestOCV.rowWithHysteresis` against the plant's own numbers.
@Suite("Slow test with hysteresis: gap and OCV")
struct SlowTestGapTests {
    /// The plant's C/20 discharge and charge as identification segments (noise-free).
    static let branches: (charge: [IdentificationSegment], discharge: [IdentificationSegment]) = {
        var plant = HysteresisPlant(soc: 0.98, h: 1, sign: 1)
        let trace = plant.run(HysteresisPlant.slowTest(), dtSeconds: 10)
        func segment(_ operation: String) -> IdentificationSegment {
            let k = trace.operation.indices.filter { trace.operation[$0] == operation }
            return IdentificationSegment(cell: "plant", timeS: k.map { trace.timeS[$0] }, voltageV: k.map { trace.voltageV[$0] },
                                         currentA: k.map { trace.currentA[$0] }, temperatureC: k.map { _ in 25 },
                                         soc: k.map { trace.soc[$0] })
        }
        return ([segment("charge")], [segment("discharge")])
    }()

    static let nodes = SlowTestOCV.refinedAtEnds(stride(from: 0.05, through: 1.0, by: 0.05).map { ($0 * 100).rounded() / 100 })

    static func circuit(r0: Double, r1: Double) -> TheveninParameters {
        func table(_ v: Double) -> SOCTemperatureTable {
            SOCTemperatureTable(socPoints: [0, 1], temperaturesC: [25], values: [v, v], extrapolateSOC: false)
        }
        return TheveninParameters(r0Ohm: table(r0), pairs: [RCPair(resistanceOhm: table(r1), capacitanceF: table(60 / r1))])
    }

    @Test("M + M0 from the gap: within 1 mV of 24 mV with the plant's resistances; the ohmic drop is R_dc · C/20")
    func gapReading() throws {
        let gap = try #require(HysteresisFit.gap(charge: Self.branches.charge, discharge: Self.branches.discharge,
                                                 socPoints: Self.nodes, temperatureC: 25))
        #expect(gap.chargeCurrentA == 0.25 && gap.dischargeCurrentA == 0.25)
        let reading = try #require(HysteresisFit.reading(gap, circuit: Self.circuit(r0: 0.008, r1: 0.004)))
        print("SlowTestGap: half gap \(reading.halfGapV * 1000) mV, drop \(reading.resistiveDropV * 1000) mV, "
              + "M + M0 \(reading.hysteresisV * 1000) mV over \(reading.nodes) nodes")
        #expect(abs(reading.resistiveDropV - 0.003) < 1e-12)
        #expect(abs(reading.hysteresisV - 0.024) < 0.001)
        #expect(reading.nodes == 17)
        // Inflated resistances (a fit without hysteresis takes some of it into R) read less.
        let inflated = try #require(HysteresisFit.reading(gap, circuit: Self.circuit(r0: 0.012, r1: 0.008)))
        #expect(abs(inflated.hysteresisV - (reading.hysteresisV - 0.002)) < 1e-12)
        // No node inside the SOC range: nil.
        #expect(HysteresisFit.reading(gap, circuit: Self.circuit(r0: 0.008, r1: 0.004), socRange: 1.5...2) == nil)
    }

    @Test("the OCV read for hysteresis is within 2.5 mV of the plant at every node 0.05–0.98; the plain mean is 10+ mV off at the ends")
    func ocvWithHysteresis() throws {
        let (charge, discharge) = Self.branches
        let row = try #require(SlowTestOCV.rowWithHysteresis(charge: charge, discharge: discharge, socPoints: Self.nodes))
        let plain = try #require(SlowTestOCV.row(charge: charge, discharge: discharge, socPoints: Self.nodes))
        var worst = 0.0, worstPlain = 0.0
        for (i, z) in Self.nodes.enumerated() where z <= 0.98 {
            worst = max(worst, abs(row[i] - HysteresisPlant.ocv(z)))
            worstPlain = max(worstPlain, abs(plain[i] - HysteresisPlant.ocv(z)))
        }
        print("SlowTestGap OCV: worst node error \(worst * 1000) mV read for hysteresis, \(worstPlain * 1000) mV plain mean")
        #expect(worst < 0.0025)
        #expect(worstPlain > 0.010)
        // Without hysteresis (a plain gap) it reads as the plain mean in the middle.
        #expect(abs(row[Self.nodes.firstIndex(of: 0.5)!] - plain[Self.nodes.firstIndex(of: 0.5)!]) < 1e-12)
    }
}
