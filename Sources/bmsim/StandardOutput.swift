import Foundation
import Synchronization

/// The results a command prints on stdout, checked: a write that fails (a full disk, a closed
/// pipe) ends the command with `bmsim: error: cannot write standard output: REASON` and
/// status 73 instead of exit 0 with a short or empty file. Everything goes through the C
/// `stdout` buffer (as Swift's `print` does); the first failed write's `errno` is kept, and
/// `BMSimMain` calls `finish()` (flush, then the stream's error flag) before every exit 0.
enum StandardOutput {
    /// The first `errno` of a failed write or flush (0: none seen).
    private static let firstFailure = Mutex<Int32>(0)

    /// Writes `text` (no newline added) and flushes; throws if any write so far failed.
    static func write(_ text: String) throws(CLIError) {
        print(text, terminator: "")
        try finish()
    }

    /// Writes `line` and a newline and flushes, from code that cannot throw (a training
    /// callback); a failure is reported by `finish()`.
    static func say(_ line: String) {
        print(line, terminator: "\n")
        flush()
    }

    /// Swift's `print` of `text`, keeping the `errno` of a failed write.
    static func print(_ text: String, terminator: String) {
        errno = 0
        Swift.print(text, terminator: terminator)
        if let stream = stream(), ferror(stream) != 0 { remember(errno) }
    }

    /// Flushes stdout and checks its error flag; throws if any write to it failed.
    static func finish() throws(CLIError) {
        let flushed = flush()
        guard !flushed || stream().map({ ferror($0) != 0 }) == true else { return }
        let code = firstFailure.withLock { $0 }
        throw .cannotWrite(path: "standard output",
                           reason: code == 0 ? "a write failed (output incomplete)" : String(cString: strerror(code)))
    }

    /// Flushes stdout; false (the `errno` remembered) if that failed.
    @discardableResult
    private static func flush() -> Bool {
        errno = 0
        guard fflush(stream()) != 0 else { return true }
        remember(errno)
        return false
    }

    private static func remember(_ code: Int32) {
        firstFailure.withLock { if $0 == 0 { $0 = code } }
    }

    /// The address of the C `stdout` stream. Swift 6 refuses to read the C global `stdout`
    /// (shared mutable state), so it is looked up once by name; 0 if that fails (then
    /// `fflush(nil)` flushes every stream and the error flag is not read).
    private static let streamAddress: Int = {
        #if os(Linux)
        let (handle, name) = (UnsafeMutableRawPointer(bitPattern: 0), "stdout")    // RTLD_DEFAULT
        #else
        let (handle, name) = (UnsafeMutableRawPointer(bitPattern: -2), "__stdoutp")  // RTLD_DEFAULT
        #endif
        let stream = dlsym(handle, name)?.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
        return stream.map { Int(bitPattern: $0) } ?? 0
    }()

    private static func stream() -> UnsafeMutablePointer<FILE>? { UnsafeMutablePointer(bitPattern: streamAddress) }
}

/// `print` inside `bmsim`: Swift's `print` through `StandardOutput`, so that a failed write
/// of any command's output is remembered and reported at exit (status 73), never lost.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    StandardOutput.print(items.map { "\($0)" }.joined(separator: separator), terminator: terminator)
}

/// A line of results on stdout, flushed at once (see `StandardOutput.say`).
func say(_ line: String) { StandardOutput.say(line) }
