import CellData
import CellModel
import Foundation
import Testing
@testable import Evaluation

/// A generic fit at 0, 10, 25 and 45 °C of a plant whose resistances fall with temperature as
/// a cold cell's do (Arrhenius, ×3.4 at 0 °C against 25 °C): every temperature node has its own
/// recording, so the fit has no smoothness rows along temperature, and each node's R0 comes
/// from its own data. With the rows (as before), the 0 and 10 °C nodes were pulled towards
/// their neighbours (Ecker2015 at 0 °C: Docs/Results.md, "Temperature smoothness").
@Suite("Fit of a cold plant: no temperature smoothness across nodes that have their own data")
struct ColdResistanceFitTests {
    static let temperatures = [0.0, 10, 25, 45]

    /// Arrhenius factor against 25 °C (activation 4000 K): 3.41 at 0 °C, 2.04 at 10, 0.43 at 45.
    static func thermal(_ t: Double) -> Double { Foundation.exp(4000 * (1 / (t + 273.15) - 1 / 298.15)) }

    /// The synthetic 18650's OCV with Arrhenius R0 (50 mΩ at 25 °C) and R1 (25 mΩ), τ = 60 s.
    static let truth: CellModelParameters = {
        var model = CellModelParameters.synthetic18650()
        let soc: [Double] = [0, 0.2, 0.4, 0.6, 0.8, 1.0]
        func table(_ base: Double) -> SOCTemperatureTable {
            var values: [Double] = []
            for t in temperatures { for s in soc { values.append(base * thermal(t) * (1 + 0.3 * (1 - s) * (1 - s))) } }
            return SOCTemperatureTable(socPoints: soc, temperaturesC: temperatures, values: values)
        }
        let r1 = table(0.025)
        let c1 = SOCTemperatureTable(socPoints: soc, temperaturesC: temperatures, values: r1.values.map { 60 / $0 })
        model.thevenin1RC = TheveninParameters(r0Ohm: table(0.05), pairs: [RCPair(resistanceOhm: r1, capacitanceF: c1)])
        return model
    }()

    /// `RecordingFitTests`' HPPC-like test on this plant, 1 s ticks, no noise.
    static func recordings() throws -> [Recording] {
        try temperatures.map { t in
            try GenericRecordingCSV.parse(Array(RecordingFitTests.hppcCSV(t, model: truth).utf8), name: "hppc\(Int(t)).csv")
        }
    }

    /// Worst |R0 fitted / true − 1| at SOC 0.3–0.9 on the node temperatures.
    static func worstR0Error(_ model: TheveninParameters, at temps: [Double]) -> Double {
        var worst = 0.0
        for t in temps {
            for soc in [0.3, 0.5, 0.7, 0.9] {
                let fitted = model.r0Ohm.value(soc: soc, temperatureC: t)
                let real = truth.thevenin1RC.r0Ohm.value(soc: soc, temperatureC: t)
                worst = max(worst, abs(fitted / real - 1))
            }
        }
        return worst
    }

    @Test("R0 within 2 % at every node; the temperature rows, put back, cost the cold nodes more")
    func coldNodes() throws {
        let recs = try Self.recordings()
        let ocv = RecordingFit.ocvCurve(try OCVTableCSV.parse(Array(RecordingFitTests.ocvCSV().utf8), name: "ocv.csv"))
        let (model, summary) = try RecordingFit.fit(recs, capacityAh: nil, ocv: (ocv, "OCV: test"))
        #expect(summary.options.resistanceTemperaturesC == Self.temperatures)
        #expect(summary.options.resistanceTemperatureSmoothness == 0)
        let without = Self.worstR0Error(model.thevenin1RC, at: Self.temperatures)
        #expect(without < 0.02, "worst R0 error \(100 * without) %")

        // The same identification with the rows along temperature (the fit before).
        let labelled = RecordingFit.label(recs, names: RecordingFit.names(recs), capacityOption: nil,
                                          cellCapacityAh: Self.truth.capacityAh)
        var options = summary.options
        options.resistanceTemperatureSmoothness = 1
        options.fixedOCV = ocv
        let with = try TheveninIdentification.fit(labelled.flatMap(\.segments), options: options)
        let withError = Self.worstR0Error(with.thevenin1RC, at: [0, 10])
        print("cold plant: worst R0 error at 0/10 °C \(100 * withError) % with the temperature rows, "
              + "\(100 * Self.worstR0Error(model.thevenin1RC, at: [0, 10])) % without")
        #expect(withError > 2 * Self.worstR0Error(model.thevenin1RC, at: [0, 10]),
                "with rows \(100 * withError) %, without \(100 * without) %")
    }

    @Test("more than six temperature clusters: six even nodes, and the rows along temperature stay")
    func manyClusters() throws {
        let segments = (0..<8).map { k -> IdentificationSegment in
            let t = Double(10 * k)
            return IdentificationSegment(cell: "c\(k)", timeS: [0, 1, 2], voltageV: [3.7, 3.6, 3.7],
                                         currentA: [0, -1, 0], temperatureC: [t, t, t], soc: [0.5, 0.5, 0.5])
        }
        let options = RecordingFit.options([RecordingFit.LabelledRecording(name: "all", segments: segments, operations: [],
                                                                             excluded: [:], operationCount: 1)])
        #expect(options.resistanceTemperaturesC.count == 6)
        #expect(options.resistanceTemperatureSmoothness == 1)
    }
}
