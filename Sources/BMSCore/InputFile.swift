#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an input path cannot be read as a file, in words a user can act on.
public struct InputFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path as given.
    public var path: String
    /// "no such file", "is a folder, not a file", "symbolic link loop", …
    public var reason: String

    /// Creates the error.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `path: reason`.
    public var description: String { "\(path.isEmpty ? "''" : path): \(reason)" }
}

/// Opens and reads whole input files for the host-side readers (recordings, cell models,
/// scenarios, model files, blobs), with one clear reason for every way a path can fail: an
/// empty path, a missing file, a dangling symbolic link or a loop of them, a folder, a FIFO,
/// a socket or a device node (refused before anything blocks on it), a permission.
/// The firmware never reads files; only the readers and the command line call this.
public enum InputFile {
    /// Opens the regular file at `path` for reading; returns the descriptor (the caller
    /// closes it) and the size in bytes.
    public static func openRegular(path: String) throws(InputFileError) -> (descriptor: Int32, size: Int) {
        guard !path.isEmpty else { throw InputFileError(path: path, reason: "empty path") }
        var info = stat()
        guard stat(path, &info) == 0 else { throw InputFileError(path: path, reason: reasonForFailedStat(path: path, errno)) }
        if let kind = nonRegularKind(info.st_mode) { throw InputFileError(path: path, reason: kind) }
        // O_NONBLOCK: a path swapped for a FIFO after the check cannot block the open.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw InputFileError(path: path, reason: reasonForErrno(errno)) }
        guard fstat(fd, &info) == 0 else {
            let reason = reasonForErrno(errno)
            close(fd)
            throw InputFileError(path: path, reason: reason)
        }
        if let kind = nonRegularKind(info.st_mode) {
            close(fd)
            throw InputFileError(path: path, reason: kind)
        }
        return (fd, Int(info.st_size))
    }

    /// The bytes of the regular file at `path`.
    public static func read(path: String) throws(InputFileError) -> [UInt8] {
        let (fd, size) = try openRegular(path: path)
        defer { close(fd) }
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let n = posixRead(fd, buffer.baseAddress! + done, size - done)
                if n <= 0 { failure = n == 0 ? "file shrank while reading" : reasonForErrno(errno); break }
                done += n
            }
            initialized = done
        }
        if let failure { throw InputFileError(path: path, reason: failure) }
        return bytes
    }

    /// Why `path` does not name anything that can be opened (missing, dangling link, link
    /// loop, permission, empty path), or nil when it does (a file or a folder).
    public static func statProblem(path: String) -> String? {
        guard !path.isEmpty else { return "empty path" }
        var info = stat()
        return stat(path, &info) == 0 ? nil : reasonForFailedStat(path: path, errno)
    }

    /// "is a folder, not a file" and the like for anything but a regular file; nil for one.
    static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "is a folder, not a file"
        case S_IFIFO: "is a FIFO (named pipe), not a regular file"
        case S_IFSOCK: "is a socket, not a regular file"
        case S_IFCHR, S_IFBLK: "is a device node, not a regular file"
        default: "is not a regular file"
        }
    }

    /// The reason `stat(path)` failed with `code`, telling a dangling link from a missing file.
    static func reasonForFailedStat(path: String, _ code: Int32) -> String {
        if code == ENOENT {
            var link = stat()
            if lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK {
                return "dangling symbolic link (its target does not exist)"
            }
        }
        return reasonForErrno(code)
    }

    /// Plain words for the `errno` values a path can fail with.
    static func reasonForErrno(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case ELOOP: "symbolic link loop (too many levels of symbolic links)"
        case EACCES, EPERM: "permission denied"
        case ENOTDIR: "a part of the path is a file, not a folder"
        case ENAMETOOLONG: "path too long"
        case EISDIR: "is a folder, not a file"
        default: String(cString: strerror(code))
        }
    }
}

/// POSIX `read`, named apart from `InputFile.read`.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
