import CellData
import CellModel
import Foundation
import TestSupport
import Testing
@testable import Replay

/// `CellModelMismatch`: a replay warns when the cell model is another cell's (size or OCV), and
/// stays quiet on the NASA cells with the bundled model and on a cell with its own model.
@Suite("Cell-model mismatch warnings")
struct CellModelMismatchTests {
    static let model = CellModelParameters.synthetic18650()

    /// A 10-minute labelled rest at `soc` whose voltage is the model's OCV plus `offsetV`, then
    /// a C/2 discharge, in a recording whose `capacity_ah` is `capacityAh`.
    static func recording(capacityAh: Double?, soc: Double = 0.6, offsetV: Double = 0, voltage: Double? = nil) -> Recording {
        let t = (0...60).map { Double($0) * 10 }
        let v = voltage ?? (model.ocv.voltage(soc: soc, temperatureC: 25) + offsetV)
        let rest = CellOperation(kind: .rest, nasaCycle: nil, startTimeS: 0, ambientTemperatureC: 25, capacityAh: capacityAh,
                                 samples: OperationSamples(timeS: t, voltageV: t.map { _ in v }, currentA: t.map { _ in 0 },
                                                           temperatureC: t.map { _ in 25 }),
                                 providedSOC: t.map { _ in soc })
        let load = CellOperation(kind: .discharge, nasaCycle: nil, startTimeS: 610, ambientTemperatureC: 25, capacityAh: capacityAh,
                                 samples: OperationSamples(timeS: [0, 10], voltageV: [v - 0.1, v - 0.11], currentA: [-1, -1],
                                                           temperatureC: [25, 25]),
                                 providedSOC: [soc, soc - 0.0014])
        return Recording(cell: "user-cell", source: "test", operations: [rest, load])
    }

    @Test("a cell twice the model's size or more, either way, is named with both capacities")
    func size() {
        for ah in [4.0, 5.2, 1.0, 0.17] {
            let warnings = CellModelMismatch.warnings(model: Self.model, recordings: [Self.recording(capacityAh: ah)])
            #expect(warnings.count == 1, "\(ah) Ah")
            #expect(warnings.first?.contains("its capacity is \(String(format: "%.3g", ah)) Ah") == true, "\(warnings)")
            #expect(warnings.first?.contains("bmsim fit") == true)
        }
        for ah in [2.0, 1.2, 3.5] {
            #expect(CellModelMismatch.warnings(model: Self.model, recordings: [Self.recording(capacityAh: ah)]).isEmpty, "\(ah) Ah")
        }
    }

    @Test("rested voltages 200 mV off the model's OCV at the recorded SOC warn; 20 mV do not")
    func ocv() {
        let off = CellModelMismatch.warnings(model: Self.model, recordings: [Self.recording(capacityAh: 2, offsetV: 0.2)])
        #expect(off.count == 1)
        #expect(off.first?.contains("200 mV from the model's OCV") == true, "\(off)")
        #expect(off.first?.contains("1 rest)") == true, "\(off)")
        #expect(CellModelMismatch.warnings(model: Self.model, recordings: [Self.recording(capacityAh: 2, offsetV: 0.02)]).isEmpty)
        // Without a soc column there is nothing to compare.
        var unlabelled = Self.recording(capacityAh: nil, offsetV: 0.5)
        for i in unlabelled.operations.indices { unlabelled.operations[i].providedSOC = nil }
        #expect(CellModelMismatch.warnings(model: Self.model, recordings: [unlabelled]).isEmpty)
    }

    @Test("non-finite or non-positive capacities and voltages are ignored, without a crash")
    func badValues() {
        for ah in [Double.nan, .infinity, 0, -5] {
            #expect(CellModelMismatch.warnings(model: Self.model, recordings: [Self.recording(capacityAh: ah)]).isEmpty, "\(ah)")
        }
        #expect(CellModelMismatch.warnings(model: Self.model, recordings: [Self.recording(capacityAh: 2, voltage: .nan)]).isEmpty)
    }

    @Test("the NASA cells on the bundled NASA model: no warning (aged and 4 °C cells included)",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func nasa() throws {
        let nasa = try #require(SharedData.nasa)
        let model = try CellModelFile.load(from: SharedData.fixtures.appendingPathComponent("models/cell-default.json"))
        let source = try RecordingSource.open(path: nasa.path)
        let recordings = try ["B0007", "B0053", "B0049"].flatMap { try source.recordings(cell: $0) }
        #expect(CellModelMismatch.warnings(model: model, recordings: recordings).isEmpty)
    }
}
