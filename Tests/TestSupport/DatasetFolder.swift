import Foundation

/// A throw-away dataset folder with small generic recordings written by the test.
public struct DatasetFolder {
    /// The folder.
    public let url: URL

    /// Makes a new empty folder under the temporary directory.
    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-dataset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Deletes the folder.
    public func remove() { try? FileManager.default.removeItem(at: url) }

    /// The folder's path.
    public var path: String { url.path }

    /// Writes `text` at `name` (sub-folders made as needed).
    public func write(_ name: String, _ text: String) throws {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    /// A 2 Ah cell: 60 s rest at full, then a 2 A discharge for 1,800 s (10 s samples), the
    /// exact SOC in the `soc` column when `soc`; the rest and the discharge share the sample at
    /// 60 s (an operation boundary).
    public static func recording(cell: String, soc: Bool = true, sign: Bool = true, capacity: Bool = true) -> String {
        var lines = ["# bmsim recording v1", "# cell: \(cell)"]
        if sign { lines.append("# current_sign: charge_positive") }
        lines.append("time_s,voltage_v,current_a,temperature_c,soc,operation,capacity_ah")
        let q = capacity ? "2.0" : ""
        for t in stride(from: 0, through: 60, by: 10) {
            lines.append("\(t),4.15,0,25,\(soc ? "1" : ""),rest,\(q)")
        }
        for t in stride(from: 60, through: 1860, by: 10) {
            let s = 1 - Double(t - 60) * 2 / 3600 / 2
            lines.append("\(t),\(4.1 - 0.6 * (1 - s)),-2,26,\(soc ? "\(s)" : ""),discharge,\(q)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
