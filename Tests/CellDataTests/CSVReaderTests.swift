import BMSCore
import Foundation
import Testing
@testable import CellData

/// NASA sample files, the index and generic CSV: good and bad inputs held in memory.
@Suite struct CSVReaderTests {
    let header = "cycle,Time,Voltage_measured,Current_measured,Temperature_measured,Current_load,Voltage_load\n"

    func samples(_ text: String) throws(CellDataError) -> [NASACycleSamples] {
        try NASASampleFile.parse(Array(text.utf8), name: "B9_discharge.csv")
    }

    @Test func groupsRowsByCycle() throws {
        let text = header + "3,0,4.19,0.0003,26.5,0.0004,0\n3,9.36,4.0,-2.0,26.6,2,3.9\n\n5,0,4.2,0,24,0,0\r\n5,10,NaN,-2,24.1,2,3.9\n"
        let cycles = try samples(text)
        #expect(cycles.map(\.cycle) == [3, 5])
        #expect(cycles[0].samples.timeS == [0, 9.36] && cycles[0].samples.currentA == [0.0003, -2.0])
        #expect(cycles[1].firstLine == 5 && cycles[1].nanRows == 1)
    }

    @Test func badInputsNameLineAndColumn() {
        func expectError(_ text: String, _ check: (CellDataError) -> Bool) {
            do { _ = try samples(text); Issue.record("no error for \(text.debugDescription)") } catch {
                #expect(check(error), "unexpected: \(error)")
            }
        }
        expectError("cycle,Time,Voltage_measured\n1,0,4\n") {
            if case let .missingColumn(l, column, _) = $0 { return column == "Current_measured" && l.line == 1 } else { return false }
        }
        expectError(header + "1,0,4.1,-2,25,2,4\n1,10,4.0x,-2,25,2,4\n") {
            if case let .badNumber(l, column, text) = $0 { return l.line == 3 && l.column == 3 && column == "Voltage_measured" && text == "4.0x" } else { return false }
        }
        expectError(header + "1,0,4.1,-2,25,2\n") {
            if case let .wrongFieldCount(l, 7, 6) = $0 { return l.line == 2 } else { return false }
        }
        expectError(header + "1,0,4.1,-2,25,2,4\n1,10,4.1,-2,25,2,4\n1,10,4.1,-2,25,2,4\n") {
            if case let .nonMonotoneTime(l, 10, 10) = $0 { return l.line == 4 && l.column == 2 } else { return false }
        }
        expectError(header + "1,0,4.1,-2,25,2,4\n2,0,4.1,-2,25,2,4\n1,5,4.1,-2,25,2,4\n") {
            if case let .malformed(l, _, _) = $0 { return l.line == 4 } else { return false }
        }
        expectError("") { if case .badHeader = $0 { return true } else { return false } }
    }

    @Test func indexRowsAreTyped() throws {
        let text = "cell,cycle,type,start_time,ambient_temperature_C,n_samples,duration_s,dt_median_s,dt_max_s,v_min_V,v_max_V,t_min_C,t_max_C,rest_before_s,nonmonotonic_time_steps,nan_samples,capacity_Ah,ah_out_to_2p7V_Ah,t_2p7V_s,ah_out_trapz_Ah,i_mean_when_loaded_A,preceding_charge_cycle,ah_in_trapz_Ah,Re_ohm,Rct_ohm,flags,samples_included\n"
            + "B0005,1,discharge,2008-04-02T15:25:41.593,24,197,3690.234,18.687,20.5,2.6125,4.1915,24.33,38.98,645.8,0,0,1.8564874208181574,1.85649,3346.937,1.86219,2.013,0,,,,v_above_4.3;capacity_below_1Ah,yes\n"
        let rows = try CyclesIndex.parse(Array(text.utf8), name: "idx")
        #expect(rows.count == 1)
        let r = rows[0]
        #expect(r.cycle == 1 && r.type == "discharge" && r.sampleCount == 197 && r.capacityAh == 1.8564874208181574)
        #expect(r.precedingChargeCycle == 0 && r.ahInTrapzAh == nil && r.flags == ["v_above_4.3", "capacity_below_1Ah"])
        #expect(!NASADataset.isUsableDischarge(r))
        // 15:25:41.593 − 13:08:17.921 on the same day = 8243.672 s (hand-worked).
        let earlier = CivilTime.seconds(iso: "2008-04-02T13:08:17.921")!
        #expect(abs(r.startSeconds! - earlier - 8243.672) < 1e-6)
        let badType = text.replacingOccurrences(of: ",discharge,", with: ",dis,")
        #expect(throws: CellDataError.self) { try CyclesIndex.parse(Array(badType.utf8), name: "idx") }
    }

    @Test func truncatedAndFlippedCSVsNeverCrash() {
        let nasa = Array((header + "1,0,4.1,-2,25,2,4\n1,9.5,4.0,-2,25.5,2,4\n2,0,4.2,0,24,0,0\n2,10,4.1,-2,24.1,2,3.9\n").utf8)
        let generic = Array(("# current_sign: charge_positive\ntime_s,voltage_v,current_a,temperature_c,soc,operation\n"
            + "0,4.1,-1,25,1,discharge\n10,4.0,-1,25,0.99,discharge\n10,4.0,0,25,,rest\n20,4.05,0,25,,rest\n").utf8)
        var rng = SeededGenerator(seed: 5)
        for original in [nasa, generic] {
            var variants = (0..<original.count).map { Array(original[0..<$0]) }
            for _ in 0..<2000 {
                var b = original
                b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next())
                variants.append(b)
            }
            for bytes in variants {
                do {
                    if original == nasa {
                        _ = try NASASampleFile.parse(bytes, name: "f.csv")
                    } else {
                        let r = try GenericRecordingCSV.parse(bytes, name: "g.csv")
                        #expect(r.operations.allSatisfy { $0.samples.count > 0 })
                    }
                } catch {
                    #expect(error.location != nil || !error.description.isEmpty)
                }
            }
        }
    }
}
