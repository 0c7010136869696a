import Foundation
import Synchronization

/// The results a command prints on stdout, checked: a write that fails (a full disk, a closed
/// pipe) ends the command with `bmsim: error: cannot write standard output: REASON` and
/// status 73 instead of exit 0 with a short or empty file. `print` shares the C `stdout`
/// buffer, so `BMSimMain` calls `finish()` (flush, then the stream's error flag) before
/// every exit 0, which also catches what plain `print`s lost.
enum StandardOutput {
    /// The first `errno` of a failed flush, for `finish()` when the failure happened earlier.
    private static let firstFailure = Mutex<Int32>(0)

    /// Writes `text` (no newline added) and flushes; throws if the write failed.
    static func write(_ text: String) throws(CLIError) {
        print(text, terminator: "")
        if let code = flush() { throw failure(code) }
    }

    /// Writes `line` and a newline and flushes, from code that cannot throw (a training
    /// callback); a failure is reported by `finish()`.
    static func say(_ line: String) {
        print(line)
        flush()
    }

    /// Flushes stdout and checks its error flag; throws if any write to it failed.
    static func finish() throws(CLIError) {
        if let code = flush() { throw failure(code) }
        if let stream = stream(), ferror(stream) != 0 { throw failure(firstFailure.withLock { $0 }) }
    }

    static func failure(_ code: Int32) -> CLIError {
        .cannotWrite(path: "standard output", reason: code == 0 ? "a write failed" : String(cString: strerror(code)))
    }

    /// Flushes stdout; the `errno` of a failure (remembered as the first), else nil.
    @discardableResult
    private static func flush() -> Int32? {
        errno = 0
        guard fflush(stream()) != 0 else { return nil }
        let code = errno
        firstFailure.withLock { if $0 == 0 { $0 = code } }
        return code
    }

    /// The C `stdout` stream. Swift 6 refuses to read the C global `stdout` (shared mutable
    /// state), so it is looked up by name; nil (then `fflush(nil)` flushes every stream) if
    /// that fails.
    private static func stream() -> UnsafeMutablePointer<FILE>? {
        #if os(Linux)
        let (handle, name) = (UnsafeMutableRawPointer(bitPattern: 0), "stdout")    // RTLD_DEFAULT
        #else
        let (handle, name) = (UnsafeMutableRawPointer(bitPattern: -2), "__stdoutp")  // RTLD_DEFAULT
        #endif
        return dlsym(handle, name)?.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
    }
}

/// A line of results on stdout, flushed at once (see `StandardOutput.say`).
func say(_ line: String) { StandardOutput.say(line) }
