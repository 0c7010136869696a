import Foundation
import Testing
@testable import CellData

/// Reliability issue rows 13 and 15: a NASA-shaped folder whose sample files disagree with
/// `cycles_index.csv` (a discharge CSV cut at a line boundary, a header-only CSV, a missing
/// `discharge/` folder) or whose current is negated gave partial or wrong results with
/// exit 0. Both paths (whole life and the discharge-only fast path) now refuse it unless
/// the policy accepts implausible data. The folder is generated: one cell, one discharge.
@Suite("NASA folder checked against its index")
struct NASAIndexCheckTests {
    static let header = "cell,cycle,type,start_time,ambient_temperature_C,n_samples,duration_s,dt_median_s,dt_max_s,v_min_V,"
        + "v_max_V,t_min_C,t_max_C,rest_before_s,nonmonotonic_time_steps,nan_samples,capacity_Ah,ah_out_to_2p7V_Ah,"
        + "t_2p7V_s,ah_out_trapz_Ah,i_mean_when_loaded_A,preceding_charge_cycle,ah_in_trapz_Ah,Re_ohm,Rct_ohm,flags,samples_included\n"

    /// Writes the folder: index row says `rows` samples; the file holds `written` of them
    /// (nil: no discharge folder); `currentSign` −1 = as NASA, +1 = negated.
    static func folder(rows: Int = 40, written: Int? = 40, currentSign: Double = -1) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-nasa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data((header + "T0001,1,discharge,2008-04-02T15:25:41.593,24,\(rows),3900,10,10,2.6,4.19,24,38,600,0,0,"
                  + "1.9,1.9,3800,1.9,2.0,,,,,,yes\n").utf8).write(to: root.appendingPathComponent("cycles_index.csv"))
        guard let written else { return root }
        let folder = root.appendingPathComponent("discharge")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var text = "cycle,Time,Voltage_measured,Current_measured,Temperature_measured,Current_load,Voltage_load\n"
        for k in 0..<written {
            let loaded = k > 0 && k < rows - 2
            let current = loaded ? 2.0 * currentSign : 0
            let voltage = k == 0 ? 4.19 : loaded ? 4.0 - 1.3 * Double(k) / Double(rows) : 3.3
            text += "1,\(Double(k) * 100),\(voltage),\(current),25,\(-current),\(voltage)\n"
        }
        try Data(text.utf8).write(to: folder.appendingPathComponent("T0001_discharge.csv"))
        return root
    }

    /// Both paths refuse with an `.implausible` error mentioning `text`.
    func expectRefused(_ root: URL, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try NASADataset(root: root)
        for load in [{ _ = try data.recording(cell: "T0001") }, { _ = try data.labelledDischarges(cell: "T0001") }] {
            #expect(sourceLocation: sourceLocation) { try load() } throws: { error in
                guard case let .implausible(_, cell, findings)? = error as? CellDataError else { return false }
                return cell == "T0001" && findings.contains { $0.contains(text) }
            }
        }
    }

    @Test("the consistent folder loads on both paths")
    func consistent() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try NASADataset(root: root)
        #expect(try data.labelledDischarges(cell: "T0001").count == 1)
        #expect(try data.recording(cell: "T0001").discharges.count == 1)
    }

    @Test("a discharge CSV cut at a line boundary is refused (row 15)")
    func cut() throws {
        try expectRefused(try Self.folder(written: 25), mentioning: "cycle 1: 25 rows, index says 40")
    }

    @Test("a header-only discharge CSV is refused (row 15)")
    func headerOnly() throws {
        try expectRefused(try Self.folder(written: 0), mentioning: "cycle 1: 0 rows, index says 40")
    }

    @Test("a missing discharge folder is refused (row 15)")
    func missingFolder() throws {
        try expectRefused(try Self.folder(written: nil), mentioning: "index says 40")
    }

    @Test("a copy with Current_measured negated is refused (row 13)")
    func negatedCurrent() throws {
        try expectRefused(try Self.folder(currentSign: 1), mentioning: "contradicts the operation")
    }

    @Test("accepted explicitly, the cut file loads and carries the finding")
    func accepted() throws {
        let root = try Self.folder(written: 25)
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try NASADataset(root: root, policy: QualityPolicy(acceptImplausible: true))
        let recording = try data.recording(cell: "T0001")
        #expect(recording.qualityFindings.contains { $0.kind == .implausible && $0.detail.contains("25 rows") })
        #expect(try data.labelledDischarges(cell: "T0001").count == 1)
    }
}
