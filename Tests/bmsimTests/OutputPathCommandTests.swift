import Foundation
import Testing
import TestSupport

/// `bmsim` never replaces something that is not a regular file: a symbolic link, a FIFO or
/// a folder given as an output (or found inside an output folder) is refused with status 73
/// and left as it was; `--follow-symlinks` writes through a link to a regular file or folder.
/// Only symbolic links and FIFOs made in a scratch folder are used (never a device node).
@Suite("bmsim output paths", .serialized)
struct OutputPathCommandTests {
    static let models = SharedData.fixtures.appendingPathComponent("models").path

    /// A scratch folder holding `target.txt` ("keep"), `link.csv` → it, a FIFO `pipe`,
    /// `pipe-link` → the FIFO, a folder `real/` and `folder-link` → it.
    static func scratch() throws -> URL {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-outpath-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: tmp.appendingPathComponent("real"), withIntermediateDirectories: true)
        try Data("keep\n".utf8).write(to: tmp.appendingPathComponent("target.txt"))
        try fm.createSymbolicLink(atPath: tmp.appendingPathComponent("link.csv").path, withDestinationPath: tmp.appendingPathComponent("target.txt").path)
        #expect(mkfifo(tmp.appendingPathComponent("pipe").path, 0o600) == 0)
        try fm.createSymbolicLink(atPath: tmp.appendingPathComponent("pipe-link").path, withDestinationPath: tmp.appendingPathComponent("pipe").path)
        try fm.createSymbolicLink(atPath: tmp.appendingPathComponent("folder-link").path, withDestinationPath: tmp.appendingPathComponent("real").path)
        return tmp
    }

    /// The file type bits of `path` itself (not following a link).
    static func kind(_ path: URL) -> mode_t {
        var st = stat()
        return lstat(path.path, &st) == 0 ? st.st_mode & S_IFMT : 0
    }

    /// Commands that write one file, with `@OUT@` for the output path.
    static let fileWriters: [[String]] = [
        ["data", "synthetic", "--out", "@OUT@"],
        ["export", "\(models)/lstm-demo.bmsq", "--c-header", "@OUT@"],
        ["simulate", "--dt", "60", "--out", "@OUT@"],
    ]

    static func run(_ command: [String], out: String, extra: [String] = [], in tmp: URL) throws -> BMSimProcess.Outcome {
        try BMSimProcess.run(command.map { $0 == "@OUT@" ? out : $0 } + extra, workingDirectory: tmp)
    }

    @Test("a symbolic link as --out is refused and kept; --follow-symlinks writes its target", arguments: fileWriters)
    func symbolicLinkFile(_ command: [String]) throws {
        let tmp = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let link = tmp.appendingPathComponent("link.csv"), target = tmp.appendingPathComponent("target.txt")
        let refused = try Self.run(command, out: link.path, in: tmp)
        #expect(refused.status == 73, "stderr: \(refused.stderr)")
        #expect(refused.stderr.hasPrefix("bmsim: error: cannot write \(link.path): "), "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("symbolic link") && refused.stderr.contains("--follow-symlinks"), "stderr: \(refused.stderr)")
        #expect(Self.kind(link) == S_IFLNK)
        #expect(try String(contentsOf: target, encoding: .utf8) == "keep\n")

        let followed = try Self.run(command, out: link.path, extra: ["--follow-symlinks"], in: tmp)
        #expect(followed.status == 0, "stderr: \(followed.stderr)")
        #expect(Self.kind(link) == S_IFLNK)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path)
        #expect(try String(contentsOf: target, encoding: .utf8) != "keep\n")
    }

    @Test("a FIFO as --out, or a link to one, is refused even with --follow-symlinks", arguments: fileWriters)
    func fifoFile(_ command: [String]) throws {
        let tmp = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        for (out, extra) in [("pipe", []), ("pipe", ["--follow-symlinks"]), ("pipe-link", ["--follow-symlinks"])] {
            let path = tmp.appendingPathComponent(out).path
            let outcome = try Self.run(command, out: path, extra: extra, in: tmp)
            #expect(outcome.status == 73, "\(out) \(extra): stderr \(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix("bmsim: error: cannot write \(path): "), "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("FIFO"), "stderr: \(outcome.stderr)")
        }
        #expect(Self.kind(tmp.appendingPathComponent("pipe")) == S_IFIFO)
        #expect(Self.kind(tmp.appendingPathComponent("pipe-link")) == S_IFLNK)
    }

    @Test("an empty --out says so", arguments: fileWriters + [["replay", "--estimators", "ah", "--quiet", "--out", "@OUT@"]])
    func emptyPath(_ command: [String]) throws {
        let tmp = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let outcome = try Self.run(command, out: "", in: tmp)
        #expect(outcome.status == 73, "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("cannot write '': empty path"), "stderr: \(outcome.stderr)")
        // Nothing was written into the working folder instead.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).sorted()
                == ["folder-link", "link.csv", "pipe", "pipe-link", "real", "target.txt"])
    }

    @Test("a symbolic link as the output folder is refused unless followed", arguments: [
        (["compare", "--estimators", "ah", "--scenarios", "nominal", "--quiet", "--out"], "comparison.md"),
        (["golden", "--steps", "20", "--out"], "golden-steps.bin"),
    ])
    func symbolicLinkFolder(_ command: [String], writes file: String) throws {
        let tmp = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let link = tmp.appendingPathComponent("folder-link")
        let command = command + [link.path]
        let refused = try BMSimProcess.run(command, workingDirectory: tmp)
        #expect(refused.status == 73, "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("cannot write \(link.path): ") && refused.stderr.contains("symbolic link"), "stderr: \(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.appendingPathComponent("real").path).isEmpty)

        let followed = try BMSimProcess.run(command + ["--follow-symlinks"], workingDirectory: tmp)
        #expect(followed.status == 0, "stderr: \(followed.stderr)")
        #expect(Self.kind(link) == S_IFLNK)
        #expect(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("real").appendingPathComponent(file).path))
    }

    @Test("replay: a link or a FIFO inside the output folder is refused and kept")
    func specialFileInsideFolder() throws {
        let tmp = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("real")
        let inner = out.appendingPathComponent("comparison.csv")
        try FileManager.default.createSymbolicLink(atPath: inner.path, withDestinationPath: tmp.appendingPathComponent("target.txt").path)
        let command = ["compare", "--estimators", "ah", "--scenarios", "nominal", "--quiet", "--out", out.path]
        let refused = try BMSimProcess.run(command, workingDirectory: tmp)
        #expect(refused.status == 73, "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("cannot write \(inner.path): ") && refused.stderr.contains("symbolic link"), "stderr: \(refused.stderr)")
        #expect(Self.kind(inner) == S_IFLNK)
        #expect(try String(contentsOf: tmp.appendingPathComponent("target.txt"), encoding: .utf8) == "keep\n")

        try FileManager.default.removeItem(at: inner)
        #expect(mkfifo(inner.path, 0o600) == 0)
        let fifo = try BMSimProcess.run(command + ["--follow-symlinks"], workingDirectory: tmp)
        #expect(fifo.status == 73, "stderr: \(fifo.stderr)")
        #expect(fifo.stderr.contains("cannot write \(inner.path): ") && fifo.stderr.contains("FIFO"), "stderr: \(fifo.stderr)")
        #expect(Self.kind(inner) == S_IFIFO)
    }
}
