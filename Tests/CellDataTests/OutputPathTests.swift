import Foundation
import Testing
@testable import CellData

/// `OutputPath`: the one checked writer. Only symbolic links and FIFOs made in a scratch
/// folder are used (never a device node).
@Suite("Output paths and CSV fields")
struct OutputPathTests {
    /// A scratch folder with `target.txt` ("keep"), `link` → it, a FIFO `pipe` and a folder `dir`.
    func scratch() throws -> URL {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-outputpath-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp.appendingPathComponent("dir"), withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: tmp.appendingPathComponent("target.txt"))
        try FileManager.default.createSymbolicLink(atPath: tmp.appendingPathComponent("link").path, withDestinationPath: "target.txt")
        #expect(mkfifo(tmp.appendingPathComponent("pipe").path, 0o600) == 0)
        return tmp
    }

    func contents(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test("a new file and a regular file are written; nothing else is left in the folder")
    func regular() throws {
        let tmp = try scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        try OutputPath.write(Data("new".utf8), to: tmp.appendingPathComponent("new.txt"))
        try OutputPath.write(Data("over".utf8), to: tmp.appendingPathComponent("target.txt"))
        #expect(try contents(tmp.appendingPathComponent("new.txt")) == "new")
        #expect(try contents(tmp.appendingPathComponent("target.txt")) == "over")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).sorted() == ["dir", "link", "new.txt", "pipe", "target.txt"])
    }

    @Test("a file in a folder that does not exist: refused naming the folder, nothing made")
    func missingParents() throws {
        let tmp = try scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let nested = tmp.appendingPathComponent("a/b/cell.json")
        #expect(throws: OutputPathError.system(path: nested.path, reason: "its folder \(tmp.path)/a/b does not exist")) {
            try OutputPath.write(Data("{}".utf8), to: nested)
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("a").path))
    }

    @Test("a symbolic link is refused unless followed; followed, the link stays and its target changes")
    func symbolicLink() throws {
        let tmp = try scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let link = tmp.appendingPathComponent("link")
        #expect(throws: OutputPathError.symbolicLink(path: link.path, target: "target.txt")) {
            try OutputPath.write(Data("x".utf8), to: link)
        }
        #expect(try contents(tmp.appendingPathComponent("target.txt")) == "keep")
        try OutputPath.write(Data("through".utf8), to: link, followSymlinks: true)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "target.txt")
        #expect(try contents(tmp.appendingPathComponent("target.txt")) == "through")
    }

    @Test("FIFOs, folders, links to them and dangling links are refused; the empty path too")
    func refused() throws {
        let tmp = try scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let pipe = tmp.appendingPathComponent("pipe"), dir = tmp.appendingPathComponent("dir")
        try FileManager.default.createSymbolicLink(atPath: tmp.appendingPathComponent("pipe-link").path, withDestinationPath: "pipe")
        try FileManager.default.createSymbolicLink(atPath: tmp.appendingPathComponent("dangling").path, withDestinationPath: "none")
        for follow in [false, true] {
            #expect(throws: OutputPathError.notRegular(path: pipe.path, kind: .fifo)) {
                try OutputPath.write(Data(), to: pipe, followSymlinks: follow)
            }
            #expect(throws: OutputPathError.notRegular(path: dir.path, kind: .folder)) {
                try OutputPath.write(Data(), to: dir, followSymlinks: follow)
            }
            #expect(throws: OutputPathError.emptyPath) { try OutputPath.write(Data(), toPath: "", followSymlinks: follow) }
            #expect(throws: OutputPathError.emptyPath) { try OutputPath.makeFolder("", followSymlinks: follow) }
        }
        let pipeLink = tmp.appendingPathComponent("pipe-link").path, dangling = tmp.appendingPathComponent("dangling").path
        #expect(throws: OutputPathError.linkToUnwritable(path: pipeLink, target: "pipe", kind: .fifo, wanted: .regularFile)) {
            try OutputPath.write(Data(), toPath: pipeLink, followSymlinks: true)
        }
        #expect(throws: OutputPathError.linkToUnwritable(path: dangling, target: "none", kind: nil, wanted: .regularFile)) {
            try OutputPath.write(Data(), toPath: dangling, followSymlinks: true)
        }
        var st = stat()
        #expect(lstat(pipe.path, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
        #expect(OutputPathError.emptyPath.description == "cannot write '': empty path (give a file or folder name)")
        #expect(OutputPathError.notRegular(path: "p", kind: .fifo).description.hasPrefix("cannot write p: it is a FIFO"))
    }

    @Test("output folders: made with parents, an existing one used, a link only when followed, a FIFO never")
    func folders() throws {
        let tmp = try scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let nested = tmp.appendingPathComponent("a/b").path
        #expect(try OutputPath.makeFolder(nested).path == nested)
        try OutputPath.makeFolder(nested)
        try FileManager.default.createSymbolicLink(atPath: tmp.appendingPathComponent("dir-link").path, withDestinationPath: "dir")
        let dirLink = tmp.appendingPathComponent("dir-link").path
        #expect(throws: OutputPathError.symbolicLink(path: dirLink, target: "dir")) { try OutputPath.makeFolder(dirLink) }
        try OutputPath.makeFolder(dirLink, followSymlinks: true)
        let link = tmp.appendingPathComponent("link").path, pipe = tmp.appendingPathComponent("pipe").path
        #expect(throws: OutputPathError.linkToUnwritable(path: link, target: "target.txt", kind: .regularFile, wanted: .folder)) {
            try OutputPath.makeFolder(link, followSymlinks: true)
        }
        #expect(throws: OutputPathError.notAFolder(path: pipe, kind: .fifo)) { try OutputPath.makeFolder(pipe, followSymlinks: true) }
        let under = tmp.appendingPathComponent("target.txt/x").path
        #expect(throws: OutputPathError.self) { try OutputPath.makeFolder(under) }
    }

    @Test("the generic recording writer goes through the same check")
    func recordingWriter() throws {
        let tmp = try scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        #expect(throws: OutputPathError.notRegular(path: tmp.appendingPathComponent("pipe").path, kind: .fifo)) {
            try GenericRecordingCSV.write(SyntheticRecording.make(), to: tmp.appendingPathComponent("pipe"))
        }
    }

    @Test("CSV fields are quoted per RFC 4180 only when they need it")
    func csvFields() {
        #expect(CSVField.quoted("B0005") == "B0005")
        #expect(CSVField.quoted("1.25") == "1.25")
        #expect(CSVField.quoted("a,b") == "\"a,b\"")
        #expect(CSVField.quoted("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVField.quoted("two\nlines") == "\"two\nlines\"")
        #expect(CSVField.quoted("cr\r\nlf") == "\"cr\r\nlf\"")
        #expect(CSVField.line(["a,b", "c", ""]) == "\"a,b\",c,\n")
    }
}
