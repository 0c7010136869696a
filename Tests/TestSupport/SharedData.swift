import Foundation

/// Where the tests find the shared NASA recordings: `$BMSIM_DATA`, else `../shared/data`
/// relative to the package root. Tests that need them are skipped (not passed) when absent.
public enum SharedData {
    /// The package root (two levels above this file's folder).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared data folder, or `nil` when it does not exist.
    public static var root: URL? {
        let env = ProcessInfo.processInfo.environment["BMSIM_DATA"]
        let url = env.map { URL(fileURLWithPath: $0, relativeTo: packageRoot) }
            ?? packageRoot.appendingPathComponent("../shared/data")
        return FileManager.default.fileExists(atPath: url.path) ? url.standardizedFileURL : nil
    }

    /// `nasa_pcoe_battery` inside the shared data folder.
    public static var nasa: URL? { root?.appendingPathComponent("nasa_pcoe_battery") }

    /// True when the shared data are present (use with `.enabled(if:)`).
    public static var available: Bool { nasa != nil }

    /// The project's own `Fixtures` folder.
    public static var fixtures: URL { packageRoot.appendingPathComponent("Fixtures") }
}
