import BMSCore
import Foundation
import Testing
import TestSupport
@testable import CellData

/// Hand-built files (MATTestWriter) and corrupted real files: every defect gives a typed
/// `CellDataError` naming the place; nothing crashes, hangs or allocates absurdly.
@Suite struct MATBadInputTests {
    let writer = MATTestWriter()

    @Test func handBuiltNASALikeFileReadsAsExpected() throws {
        for compress in [false, true] {
            for bigEndian in [false, true] {
                let w = MATTestWriter(bigEndian: bigEndian)
                let file = try MATReader.parse(w.nasaLikeFile(compress: compress), name: "nasa-like")
                #expect(file.isBigEndian == bigEndian)
                let r = try NASAMatRecording.recording(from: file, source: "nasa-like")
                #expect(r.cell == "B9999")
                #expect(r.recordedOperations.map(\.kind) == [.charge, .discharge])
                // Hand-worked timeline: charge at 04:04:10 lasts 3600 s; discharge at 05:05:00 → 50 s gap.
                #expect(r.operations.map(\.isGap) == [false, true, false])
                #expect(r.operations[1].samples.timeS == [0, 50])
                #expect(r.operations[2].startTimeS == 3650)
                #expect(r.operations[2].capacityAh == 2.0)
                #expect(r.operations[2].samples.voltageV == [4.2, 3.7, 3.0])
                // The EIS run before the first record is outside the recording.
                #expect(r.operations.flatMap(\.unrecordedCycles).isEmpty)
            }
        }
    }

    @Test func otherClassesAndSmallElements() throws {
        let w = writer
        let bytes = w.header() + w.int16s("ab", [-3, 7, 32767]) + w.singles("s", [1.5, -0.25])
            + w.cell("c", [w.chars("", "hi"), w.doubles("", [])])
            + w.matrix(classCode: 6, dims: [1, 2], name: "z", body: w.element(9, (0..<2).flatMap { _ in w.u32(0) + w.u32(0x3FF0_0000) }, small: false)
                       + w.element(2, [1, 2]), complex: true)
        let file = try MATReader.parse(bytes, name: "classes")
        #expect(file.variables.map(\.name) == ["ab", "s", "c", "z"])
        #expect(file.variable("ab")?.numeric?.real == [-3, 7, 32767])
        #expect(file.variable("ab")?.numeric?.matClass == .int16)
        #expect(file.variable("s")?.numeric?.real == [1.5, -0.25])
        guard case let .cell(dims, values)? = file.variable("c") else { Issue.record("not a cell"); return }
        #expect(dims == [2, 1] && values.first?.text == "hi")
        // Complex double stored with a uint8 imaginary part (MATLAB packs small integers).
        #expect(file.variable("z")?.numeric?.real == [1, 1])
        #expect(file.variable("z")?.numeric?.imaginary == [1, 2])
    }

    func expectError(_ bytes: [UInt8], limits: MATReader.Limits = .init(),
                     _ check: (CellDataError) -> Bool = { _ in true }) {
        do {
            let file = try MATReader.parse(bytes, name: "bad.mat", limits: limits)
            _ = try NASAMatRecording.recording(from: file, source: "bad.mat")
            Issue.record("no error")
        } catch {
            #expect(check(error), "unexpected error: \(error)")
        }
    }

    @Test func wrongMagicAndEndianness() {
        var bytes = writer.nasaLikeFile()
        bytes[0] = UInt8(ascii: "X")
        expectError(bytes) { if case .badHeader(let l, _, _) = $0 { return l.byteOffset == 0 } else { return false } }
        bytes = writer.nasaLikeFile()
        bytes[126] = 0
        expectError(bytes) { if case .badHeader(let l, _, _) = $0 { return l.byteOffset == 126 } else { return false } }
        expectError(Array("MATLAB".utf8)) { if case .truncated = $0 { return true } else { return false } }
    }

    @Test func unsupportedClassAndDataType() {
        let sparse = writer.header() + writer.matrix(classCode: 5, dims: [2, 2], name: "sp", body: [])
        expectError(sparse) { if case .unsupportedClass(_, 5, "sparse") = $0 { return true } else { return false } }
        let badType = writer.header() + writer.matrix(classCode: 6, dims: [1, 1], name: "x", body: writer.element(11, [0, 0, 0, 0, 0, 0, 0, 0]))
        expectError(badType) { if case .unsupportedDataType(_, 11) = $0 { return true } else { return false } }
    }

    @Test func absurdSizesAreRejectedBeforeAllocating() {
        // A tag declaring 4 GiB of data.
        let huge = writer.header() + writer.u32(14) + writer.u32(0xFFFF_FFF0) + [UInt8](repeating: 0, count: 64)
        expectError(huge) { if case .truncated(let l, _, let needed, _) = $0 { return l.byteOffset == 128 && needed == 0xFFFF_FFF0 } else { return false } }
        // A 40000 × 40000 struct array with a few bytes behind it.
        let bigStruct = writer.header() + writer.matrix(classCode: 2, dims: [40000, 40000], name: "s",
                                                        body: writer.element(5, writer.u32(32)) + writer.element(1, Array("f".utf8) + [UInt8](repeating: 0, count: 31), small: false))
        expectError(bigStruct) { if case .truncated = $0 { return true } else { return false } }
        // A decompression bomb: 8 MiB of zeros compress to a few KiB; the cap is 1 MiB.
        let zeros = writer.matrix(classCode: 9, dims: [1, 8 << 20], name: "z", body: writer.element(2, [UInt8](repeating: 0, count: 8 << 20)))
        let bomb = writer.header() + writer.compressed(zeros)
        #expect(bomb.count < 100_000)
        expectError(bomb, limits: .init(maxInflatedBytes: 1 << 20)) {
            if case .sizeLimitExceeded(_, _, let limit, _) = $0 { return limit == 1 << 20 } else { return false }
        }
        // Arrays nested deeper than the limit.
        var nested = writer.doubles("", [1])
        for _ in 0..<40 { nested = writer.cell("", [nested]) }
        expectError(writer.header() + nested) { if case .sizeLimitExceeded = $0 { return true } else { return false } }
    }

    @Test func everyTruncationOfASmallFileFails() {
        for compress in [false, true] {
            let bytes = writer.nasaLikeFile(compress: compress)
            for cut in 0..<bytes.count {
                expectError(Array(bytes[0..<cut]))
            }
        }
    }

    @Test func randomByteFlipsNeverCrash() {
        var rng = SeededGenerator(seed: 2025)
        for compress in [false, true] {
            let original = writer.nasaLikeFile(compress: compress)
            for _ in 0..<3000 {
                var bytes = original
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let k = Int(rng.next() % UInt64(bytes.count))
                    bytes[k] ^= UInt8(1 << (rng.next() % 8))
                }
                do {
                    let file = try MATReader.parse(bytes, name: "flipped.mat", limits: .init(maxInflatedBytes: 1 << 20))
                    _ = try? NASAMatRecording.recording(from: file, source: "flipped.mat")
                } catch {
                    #expect(!error.description.isEmpty)
                }
            }
        }
    }
}

/// Truncations and bit flips of the real B0025 files.
@Suite(.enabled(if: SharedData.available)) struct MATRealCorruptionTests {
    let folder = SharedData.nasa!.appendingPathComponent("mat")

    @Test func truncatedUncompressedB0025AlwaysFailsWithTheOffset() throws {
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent("B0025_uncompressed.mat")))
        var rng = SeededGenerator(seed: 7)
        var cuts = Array(0..<200) + [bytes.count - 1, bytes.count - 8, bytes.count - 100]
        for _ in 0..<25 { cuts.append(Int(rng.next() % UInt64(bytes.count))) }
        for cut in cuts {
            do {
                let file = try MATReader.parse(Array(bytes[0..<cut]), name: "B0025_uncompressed.mat")
                _ = try NASAMatRecording.recording(from: file, source: "B0025_uncompressed.mat")
                Issue.record("cut at \(cut): no error")
            } catch {
                if let offset = error.location?.byteOffset { #expect(offset <= cut) }
            }
        }
    }

    @Test func truncatedAndFlippedCompressedB0025Fail() throws {
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent("B0025.mat")))
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<12 {
            let cut = 128 + Int(rng.next() % UInt64(bytes.count - 128))
            #expect(throws: CellDataError.self) { try MATReader.parse(Array(bytes[0..<cut]), name: "B0025.mat") }
        }
        for _ in 0..<12 {
            var flipped = bytes
            let k = 136 + Int(rng.next() % UInt64(bytes.count - 136))   // inside the zlib stream
            flipped[k] ^= 0x10
            do { _ = try NASAMatRecording.recording(from: try MATReader.parse(flipped, name: "B0025.mat"), source: "B0025.mat") } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
