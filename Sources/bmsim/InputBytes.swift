import BMSCore

/// Reads a whole input file named on the command line (blobs, model files), with the
/// reason in plain words (`InputFile`): a folder, FIFO, device, dangling link or link loop is
/// refused as a missing input (status 66) before anything blocks on it.
enum InputBytes {
    /// The bytes of the regular file at `path`.
    static func read(_ path: String) throws(CLIError) -> [UInt8] {
        do { return try InputFile.read(path: path) } catch { throw .missingInput(path: path, reason: error.reason) }
    }
}
