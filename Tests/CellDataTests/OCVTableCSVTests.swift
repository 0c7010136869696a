import BMSCore
import Testing
@testable import CellData

/// The `--ocv` table reader and its bad inputs: each names the file, line and column.
@Suite struct OCVTableCSVTests {
    func parse(_ text: String) throws(CellDataError) -> OCVTableCSV.Table {
        try OCVTableCSV.parse(Array(text.utf8), name: "ocv.csv")
    }

    @Test func oneRowAnyOrder() throws {
        let t = try parse("# measured at C/25\nsoc,ocv_v\n1,4.2\n0,3.3\n0.5,3.8\n")
        #expect(t.socPoints == [0, 0.5, 1])
        #expect(t.temperaturesC == [25])
        #expect(t.values == [3.3, 3.8, 4.2])
    }

    @Test func temperatureRowsOnTheUnionOfTheirCommonRange() throws {
        let t = try parse("temperature_c,soc,ocv_v\n0,0,3.2\n0,1,4.2\n25,0,3.3\n25,0.5,3.8\n25,1,4.3\n")
        #expect(t.temperaturesC == [0, 25])
        #expect(t.socPoints == [0, 0.5, 1])
        #expect(t.values == [3.2, 3.7, 4.2, 3.3, 3.8, 4.3])
    }

    /// Every bad input throws the expected case; the message names the file.
    @Test(arguments: [
        ("soc,voltage\n0,3.3\n1,4.2\n", "missing column ocv_v"),
        ("soc,ocv_v\n0,3.3\n0.5,NaN\n1,4.2\n", "NaN"),
        ("soc,ocv_v\n0,3.3\n0.5,3.2\n1,4.2\n", "non-increasing"),
        ("soc,ocv_v\n0,3.3\n0.5,3.3\n1,4.2\n", "flat"),
        ("soc,ocv_v\n0,3300\n1,4200\n", "millivolts"),
        ("soc,ocv_v\n0,3.3\n100,4.2\n", "percent"),
        ("soc,ocv_v,temperature_c\n0,3.3,298\n1,4.2,298\n", "kelvin"),
        ("soc,ocv_v\n0.5,3.3\n0.5,3.4\n", "duplicate SOC"),
        ("soc,ocv_v\n0.5,3.3\n", "one point"),
        ("soc,ocv_v\n", "no rows"),
        ("soc,ocv_v\n0,abc\n1,4.2\n", "not a number"),
        ("soc,ocv_v,temperature_c\n0,3.3,0\n0.4,3.7,0\n0.6,3.9,25\n1,4.2,25\n", "rows without common SOC range"),
    ])
    func badInput(_ text: String, _ what: String) {
        do {
            _ = try parse(text)
            Issue.record("\(what): accepted")
        } catch {
            #expect(error.description.contains("ocv.csv"), "\(what): \(error)")
        }
    }

    @Test func messagesSayWhatIsWrong() {
        #expect(throws: CellDataError.missingColumn(InputLocation(file: "ocv.csv", line: 1), column: "ocv_v",
                                                    header: ["soc", "voltage"])) { try parse("soc,voltage\n0,3.3\n") }
        do { _ = try parse("soc,ocv_v\n0,3300\n1,4200\n"); Issue.record("accepted") } catch {
            #expect(error.description.contains("millivolts") && error.description.contains("ocv.csv:2:2"), "\(error)")
        }
        do { _ = try parse("soc,ocv_v\n0,3.3\n0.5,3.2\n1,4.2\n"); Issue.record("accepted") } catch {
            #expect(error.description.contains("rising strictly"), "\(error)")
        }
    }

    /// Found by the fuzzer (`Scripts/fuzz-readers.sh`, target ocv-csv, 9.5 million runs): one
    /// temperature row had a point 1e-118 above SOC 0, so the other rows, interpolated onto the
    /// common grid, got two equal values there and the accepted table was not increasing.
    @Test func gridPointsCloserThanAMicroSOCAreOnePoint() throws {
        let tiny = "." + String(repeating: "0", count: 117) + "2"
        let t = try parse("soc,ocv_v,temperature_c\n0,.5,1\n1,4,0\n0,1,0\n0,1.05,2\n1,4.,3\n0,3.0,3\n1,05,2\n1,5.,1\n\(tiny),3,2\n")
        #expect(t.socPoints == [0, 1])
        let n = t.socPoints.count
        for row in 0..<t.temperaturesC.count {
            #expect((1..<n).allSatisfy { t.values[row * n + $0] > t.values[row * n + $0 - 1] })
        }
    }

    /// Rows that rise on their own points but not on the common grid are refused by name.
    @Test func rowsMustRiseOnTheCommonGrid() {
        // At 25 °C the OCV rises by one ulp (3.0 → 3.0000000000000004) from SOC 0 to 1; at the
        // 10 °C row's point 0.5 the interpolated value rounds back to 3.0.
        do {
            _ = try parse("soc,ocv_v,temperature_c\n0,3.0,25\n1,3.0000000000000004,25\n0,3.0,10\n0.5,3.5,10\n1,4.0,10\n")
            Issue.record("accepted a table that does not rise on the common grid")
        } catch {
            #expect(error.description.contains("common SOC grid"), "\(error)")
        }
    }
}
