import ArgumentParser
import CellData
import Foundation
import Replay

/// `--follow-symlinks`, and the one way a `bmsim` command writes its output files and
/// folders: through `OutputPath` (temporary file + rename; never over a symbolic link, FIFO,
/// socket, device node or folder unless asked to follow a link to a regular file or folder).
/// A refusal or failure is `CLIError.output` (status 73).
struct OutputOptions: ParsableArguments {
    @Flag(name: .customLong("follow-symlinks"),
          help: "Write through an output path that is a symbolic link to a regular file (or, for an output folder, to a folder) instead of refusing it. FIFOs, sockets and device nodes are always refused.")
    var followSymlinks = false

    /// Writes `data` to the file `path`.
    func write(_ data: Data, to path: String) throws(CLIError) {
        do { try OutputPath.write(data, toPath: path, followSymlinks: followSymlinks) } catch { throw .output(error) }
    }

    /// Refuses `path` now if a write to it would be refused (so that a command writing
    /// several files writes none when one of them is a FIFO, folder or unfollowed link).
    func check(_ path: String) throws(CLIError) {
        do { _ = try OutputPath.checkedFile(path, followSymlinks: followSymlinks) } catch { throw .output(error) }
    }

    /// Writes `text` as UTF-8 to the file `path`.
    func write(_ text: String, to path: String) throws(CLIError) {
        try write(Data(text.utf8), to: path)
    }

    /// The output folder `path`, created (with its parents) if missing.
    func folder(_ path: String) throws(CLIError) -> URL {
        do { return try OutputPath.makeFolder(path, followSymlinks: followSymlinks) } catch { throw .output(error) }
    }

    /// The writer of a replay's files into the folder `path` (checked and created now, so a
    /// bad folder fails before the replay runs).
    func replayOutput(_ path: String) throws(CLIError) -> ReplayOutput {
        ReplayOutput(directory: try folder(path), followSymlinks: followSymlinks)
    }
}
