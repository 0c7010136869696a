import BMSCore
import Foundation
import TestSupport
import Testing
@testable import CellData

/// `DriveProfileCSV`: drive-cycle traces in our header format and PyBaMM's, and their bad forms.
@Suite("Drive-cycle traces")
struct DriveProfileCSVTests {
    func parse(_ text: String, sign: GenericRecordingCSV.CurrentSign? = nil) throws(CellDataError) -> DriveProfileCSV.Trace {
        try DriveProfileCSV.parse(Array(text.utf8), name: "p.csv", currentSign: sign)
    }

    @Test("current, power and speed columns; signs turned to + = discharge; units converted")
    func formats() throws {
        let charge = try parse("# current_sign: charge_positive\ntime_s,current_a\n0,-2\n1,1.5\n")
        #expect(charge == .init(quantity: .current, timeS: [0, 1], values: [2, -1.5]))
        let discharge = try parse("time_s,power_kw,extra\n0,1.5,x\n2,-0.5,y\n", sign: .dischargePositive)
        #expect(discharge == .init(quantity: .power, timeS: [0, 2], values: [1500, -500]))
        let kmh = try parse("\u{FEFF}# a comment\ntime_s,speed_kmh\n0,0\n1,36\n")
        #expect(kmh.quantity == .speed && kmh.values == [0, 10])
        // PyBaMM's files: no header row, a comment naming the columns; discharge positive.
        let pybamm = try parse("# UDDS\n# Time [s], Current [A]\n0,0.03\n1,0.5\n", sign: .dischargePositive)
        #expect(pybamm == .init(quantity: .current, timeS: [0, 1], values: [0.03, 0.5]))
        let power = try parse("# time [s],Power [kW]\n0,0.0005\n0.1,2\n", sign: .dischargePositive)
        #expect(power.quantity == .power && power.values == [0.5, 2000])
        // FASTSim's column names.
        #expect(try parse("cycSecs,cycMps,cycGrade\n0,0,0\n1,3.5,0\n").values == [0, 3.5])
    }

    @Test("bad traces are refused with the line and a reason", arguments: [
        ("time_s,current_a\n0,1\n1,2\n", "sign"),                                                   // no sign
        ("# current_sign: charge_positive\ntime_s,current_a\n0,1\n1,2\n", "as the file states"),   // conflicting
        ("# current_sign: sideways\ntime_s,current_a\n0,1\n", "charge_positive or discharge_positive"),
        ("time_s,speed_mps\n0,1\n1,nan\n", "speed"),
        ("time_s,speed_mps\n0,1\n1,inf\n", "speed"),
        ("time_s,speed_mps\n0,1\n0,2\n", "time"),
        ("time_s,speed_mps\n0,1\n1,-3\n", "speed ≥ 0"),
        ("time_s,voltage_v\n0,1\n1,2\n", "speed_mps"),
        ("t,speed_mps\n0,1\n1,2\n", "time_s"),
        ("time_s,speed_mps\n0,1\n", "at least two rows"),
        ("", "at least two rows"),
        ("time_s,speed_mps,x\n0\n", "field"),
    ])
    func refused(text: String, mentions: String) {
        do {
            _ = try parse(text, sign: text.contains("current_sign: charge") ? .dischargePositive : nil)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains("p.csv"), "\(error)")
            #expect(error.description.contains(mentions), "\(error) should mention \(mentions)")
        }
    }

    @Test("the shipped standard cycles read as speed traces at 1 Hz")
    func shippedCycles() throws {
        for (name, rows, peak) in [("udds", 1370, 25.3), ("us06", 601, 35.9), ("hwfet", 766, 26.8), ("wltc", 1801, 36.5)] {
            let trace = try DriveProfileCSV.read(path: SharedData.fixtures.appendingPathComponent("drive_cycles/\(name).csv").path)
            #expect(trace.quantity == .speed && trace.timeS.count == rows, "\(name)")
            #expect(abs(trace.values.max()! - peak) < 0.06, "\(name)")
            #expect(zip(trace.timeS.dropFirst(), trace.timeS).allSatisfy { $0 - $1 == 1 })
        }
    }
}
