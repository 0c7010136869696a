import Foundation

/// Why an output file or folder was not written. Every case names the path as given.
public enum OutputPathError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path is the empty string.
    case emptyPath
    /// A file's path is a FIFO, socket, device node or folder: never replaced.
    case notRegular(path: String, kind: OutputPath.Kind)
    /// An output folder's path is something else (a file, a FIFO…).
    case notAFolder(path: String, kind: OutputPath.Kind)
    /// The path is a symbolic link and following links was not asked for.
    case symbolicLink(path: String, target: String)
    /// The path is a symbolic link to something other than `wanted` (a regular file, or a
    /// folder for an output folder); `kind` is what it points to, `nil` when nothing is there.
    case linkToUnwritable(path: String, target: String, kind: OutputPath.Kind?, wanted: OutputPath.Kind)
    /// The operating system refused (`reason` is its message, e.g. "Permission denied").
    case system(path: String, reason: String)

    /// The path as given (empty for `.emptyPath`).
    public var path: String {
        switch self {
        case .emptyPath: ""
        case let .notRegular(path, _), let .notAFolder(path, _), let .symbolicLink(path, _),
             let .linkToUnwritable(path, _, _, _), let .system(path, _): path
        }
    }

    /// Why, without the path.
    public var reason: String {
        switch self {
        case .emptyPath: "empty path (give a file or folder name)"
        case .notRegular(_, .folder): "it is a folder, not a file"
        case let .notRegular(_, kind): "it is \(kind.rawValue); only a regular file is replaced"
        case let .notAFolder(_, kind): "it is \(kind.rawValue), not a folder"
        case let .symbolicLink(_, target):
            "it is a symbolic link (to \(target)); it is not replaced (--follow-symlinks writes to its target)"
        case let .linkToUnwritable(_, target, kind, wanted):
            "it is a symbolic link to \(kind.map(\.rawValue) ?? "nothing that exists") (\(target)); "
                + "only a link to \(wanted.rawValue) is followed"
        case let .system(_, reason): reason
        }
    }

    /// `cannot write PATH: reason`.
    public var description: String { "cannot write \(path.isEmpty ? "''" : path): \(reason)" }
}

/// The one checked way BMSim writes output files and creates output folders. A file is
/// written to a temporary file and renamed over the final name (so an interrupted run never
/// leaves a partial file), but only over a regular file or nothing: a FIFO, socket, device
/// node or folder is refused, and so is a symbolic link unless `followSymlinks` is set, in
/// which case a link to a regular file is written through (the link stays, its target gets
/// the new content). Links to anything else are never followed. The final path component is
/// checked; folders above it are the user's choice.
public enum OutputPath {
    /// What a path names, as said in messages.
    public enum Kind: String, Sendable, Equatable {
        case regularFile = "a regular file"
        case folder = "a folder"
        case symbolicLink = "a symbolic link"
        case fifo = "a FIFO (named pipe)"
        case socket = "a socket"
        case characterDevice = "a character device"
        case blockDevice = "a block device"
        case unknown = "not a regular file"

        init(mode: mode_t) {
            switch mode & S_IFMT {
            case S_IFREG: self = .regularFile
            case S_IFDIR: self = .folder
            case S_IFLNK: self = .symbolicLink
            case S_IFIFO: self = .fifo
            case S_IFSOCK: self = .socket
            case S_IFCHR: self = .characterDevice
            case S_IFBLK: self = .blockDevice
            default: self = .unknown
            }
        }

        /// What `path` names: itself (`lstat`) or, `following` a link, its target (`stat`);
        /// `nil` when nothing is there (or it cannot be told, which the write then reports).
        static func of(_ path: String, following: Bool) -> Kind? {
            var st = stat()
            return (following ? stat(path, &st) : lstat(path, &st)) == 0 ? Kind(mode: st.st_mode) : nil
        }
    }

    /// Writes `data` to the file `path` through a temporary file and a rename, after
    /// `checkedFile` (so an empty path is refused, not taken for the current folder).
    public static func write(_ data: Data, toPath path: String, followSymlinks: Bool = false) throws(OutputPathError) {
        let destination = try checkedFile(path, followSymlinks: followSymlinks)
        // A missing folder is named (Foundation's own message says only "The file doesn't exist").
        let parent = destination.deletingLastPathComponent().path
        if !parent.isEmpty && Kind.of(parent, following: true) == nil {
            throw .system(path: path, reason: "its folder \(parent) does not exist")
        }
        do { try data.write(to: destination, options: .atomic) } catch {
            throw .system(path: path, reason: reason(error))
        }
    }

    /// Writes `data` to the file `url` (see `write(_:toPath:followSymlinks:)`).
    public static func write(_ data: Data, to url: URL, followSymlinks: Bool = false) throws(OutputPathError) {
        try write(data, toPath: url.path, followSymlinks: followSymlinks)
    }

    /// Where a file given as `path` may be written: `path` itself when it is a regular file
    /// or does not exist, the target of a link to a regular file when `followSymlinks`.
    public static func checkedFile(_ path: String, followSymlinks: Bool) throws(OutputPathError) -> URL {
        guard !path.isEmpty else { throw .emptyPath }
        switch Kind.of(path, following: false) {
        case nil, .regularFile?: return URL(fileURLWithPath: path)
        case .symbolicLink?:
            let target = linkTarget(path)
            guard followSymlinks else { throw .symbolicLink(path: path, target: target) }
            let kind = Kind.of(path, following: true)
            guard kind == .regularFile else { throw .linkToUnwritable(path: path, target: target, kind: kind, wanted: .regularFile) }
            return URL(fileURLWithPath: path).resolvingSymlinksInPath()
        case let kind?: throw .notRegular(path: path, kind: kind)
        }
    }

    /// Creates the output folder `path` (and its parents) unless it is there; returns it. An
    /// existing folder is used; a symbolic link to a folder only with `followSymlinks`.
    @discardableResult
    public static func makeFolder(_ path: String, followSymlinks: Bool = false) throws(OutputPathError) -> URL {
        guard !path.isEmpty else { throw .emptyPath }
        let url = URL(fileURLWithPath: path)
        switch Kind.of(path, following: false) {
        case .folder?: return url
        case .symbolicLink?:
            let target = linkTarget(path)
            guard followSymlinks else { throw .symbolicLink(path: path, target: target) }
            let kind = Kind.of(path, following: true)
            guard kind == .folder else { throw .linkToUnwritable(path: path, target: target, kind: kind, wanted: .folder) }
            return url
        case let kind?: throw .notAFolder(path: path, kind: kind)
        case nil:
            do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
                throw .system(path: path, reason: reason(error))
            }
            return url
        }
    }

    /// The target a link names, as written in the link.
    static func linkTarget(_ path: String) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
    }

    /// The POSIX reason under a Foundation file error ("No such file or directory", "Not a
    /// directory", "Permission denied"), else the error's own description.
    public static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError { return underlying.localizedDescription }
        return ns.localizedDescription
    }
}
