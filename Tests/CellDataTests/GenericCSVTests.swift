import BMSCore
import Foundation
import Testing
import TestSupport
@testable import CellData

/// The generic recording CSV, the synthetic fixture and their bad inputs.
@Suite struct GenericCSVTests {
    @Test func syntheticModelMatchesHandWorkedValues() {
        let r = SyntheticRecording.make()
        #expect(r.operations.map(\.kind) == [.rest, .discharge, .rest, .charge, .rest])
        let total = r.operations.reduce(0) { $0 + $1.samples.count }
        #expect(total > 300 && total < 500)
        // First discharge sample: SOC 1, U1 = 0 → V = OCV(1) − 2 A · 0.05 Ω = 4.2 − 0.1 e^−15 − 0.1.
        let d = r.operations[1]
        #expect(abs(d.samples.voltageV[0] - (4.2 - 0.1 * exp(-15) - 0.1)) < 1e-12)
        // After 3000 s at 2 A: 1.6667 Ah of 2 Ah removed.
        #expect(abs(d.providedSOC!.last! - (1 - 3000.0 * 2 / 3600 / 2)) < 1e-12)
        // The provided SOC agrees with coulomb counting of the samples (constant current: exact).
        let counted = ReferenceSOC.discharge(timeS: d.samples.timeS, currentA: d.samples.currentA, capacityAh: 2)
        #expect(zip(counted, d.providedSOC!).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func fixtureFileIsTheGeneratorsOutput() throws {
        let url = SharedData.fixtures.appendingPathComponent("recordings/synthetic_cycle.csv")
        let onDisk = [UInt8](try Data(contentsOf: url))
        #expect(onDisk == GenericRecordingCSV.text(of: SyntheticRecording.make()),
                "regenerate with: swift run bmsim data synthetic --out Fixtures/recordings/synthetic_cycle.csv")
    }

    @Test func roundTripKeepsOperationsAndSamples() throws {
        let original = SyntheticRecording.make()
        let back = try GenericRecordingCSV.parse(GenericRecordingCSV.text(of: original), name: "syn.csv")
        #expect(back.cell == "SYN001")
        #expect(back.operations.map(\.kind) == original.operations.map(\.kind))
        for (a, b) in zip(original.operations, back.operations) {
            #expect(a.samples.count == b.samples.count && abs(a.startTimeS - b.startTimeS) < 1e-3)
            #expect(zip(a.samples.voltageV, b.samples.voltageV).allSatisfy { abs($0 - $1) <= 5e-6 + 1e-12 })
            #expect(zip(a.providedSOC!, b.providedSOC!).allSatisfy { abs($0 - $1) <= 5e-7 + 1e-12 })
            #expect(b.capacityAh == 2 && b.ambientTemperatureC == 25)
        }
    }

    @Test func signConventionIsRequiredAndApplied() throws {
        let body = "time_s,voltage_v,current_a,temperature_c\n0,4.1,2,25\n10,4.0,2,25.5\n"
        #expect(throws: CellDataError.self) { try GenericRecordingCSV.parse(Array(body.utf8), name: "log.csv") }
        let r = try GenericRecordingCSV.parse(Array(("# current_sign: discharge_positive\n" + body).utf8), name: "log.csv")
        #expect(r.operations.count == 1 && r.operations[0].kind == .discharge && r.operations[0].samples.currentA == [-2, -2])
        #expect(r.cell == "log")
        let option = try GenericRecordingCSV.parse(Array(body.utf8), name: "log.csv", options: .init(currentSign: .chargePositive))
        #expect(option.operations[0].kind == .charge)
    }

    @Test func badInputsNameTheLineAndColumn() {
        let head = "# current_sign: charge_positive\ntime_s,voltage_v,current_a,temperature_c,operation\n"
        func expectError(_ text: String, _ check: (CellDataError) -> Bool) {
            do { _ = try GenericRecordingCSV.parse(Array(text.utf8), name: "log.csv"); Issue.record("no error") } catch {
                #expect(check(error), "unexpected: \(error)")
            }
        }
        expectError(head + "0,4.1,1,25,charge\n5,4.1,1,25,charge\n4,4.1,1,25,charge\n") {
            if case let .nonMonotoneTime(l, 5, 4) = $0 { return l.line == 5 && l.column == 1 } else { return false }
        }
        expectError(head + "0,4.1,1,25,charge\n5,4.1,one,25,charge\n") {
            if case let .badNumber(l, "current_a", "one") = $0 { return l.line == 4 && l.column == 3 } else { return false }
        }
        expectError(head + "0,4.1,1,25,charging\n") {
            if case let .badValue(l, "operation", _, "charging") = $0 { return l.line == 3 && l.column == 5 } else { return false }
        }
        expectError("# current_sign: charge_positive\ntime_s,voltage_v,temperature_c\n0,4,25\n") {
            if case .missingColumn(_, "current_a", _) = $0 { return true } else { return false }
        }
        expectError("# current_sign: sideways\ntime_s,voltage_v,current_a,temperature_c\n0,4,1,25\n") {
            if case .badValue(_, "# current_sign", _, "sideways") = $0 { return true } else { return false }
        }
        expectError(head) { if case .malformed = $0 { return true } else { return false } }
    }
}
