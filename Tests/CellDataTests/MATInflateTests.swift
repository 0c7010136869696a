import BMSCore
import Foundation
import Testing
import TestSupport
@testable import CellData

/// The two inflaters of `miCOMPRESSED` elements: libdeflate into a buffer of the size the
/// inner tag announces, and the capped, growing zlib path it falls back to. Both must give
/// the same bytes; a wrong announcement must end in the zlib path or a typed error.
@Suite struct MATInflateTests {
    let here = InputLocation(file: "inflate-test", byteOffset: 128)

    /// The zlib stream of a `compressed(…)` element (after its 8-byte tag).
    func stream(_ element: [UInt8]) -> [UInt8] { ZlibInflate.deflate(element) }

    func bothPaths(_ z: [UInt8], limit: Int = 1 << 20, bigEndian: Bool = false) throws
        -> (fast: (bytes: [UInt8], path: ZlibInflate.Path), slow: [UInt8]) {
        let fast = try ZlibInflate.inflateReportingPath(z, range: 0..<z.count, limitBytes: limit, isBigEndian: bigEndian,
                                                        location: here)
        let slow = try z.withUnsafeBufferPointer {
            try ZlibInflate.inflateGrowing($0.baseAddress!, count: z.count, limitBytes: limit, location: here).get()
        }
        return (fast, slow)
    }

    @Test func libdeflateAndZlibGiveTheOriginalBytesInAnExactBuffer() throws {
        for bigEndian in [false, true] {
            let w = MATTestWriter(bigEndian: bigEndian)
            let inner = w.doubles("x", (0..<5000).map { Double($0) * 0.25 - 7 })
            let (fast, slow) = try bothPaths(stream(inner), bigEndian: bigEndian)
            #expect(fast.path == .announcedSize)
            #expect(fast.bytes == inner)
            #expect(slow == inner)
            // The buffer is exactly the announced size: 8-byte tag + padded byte count.
            let z = stream(inner)
            let announced = z.withUnsafeBufferPointer {
                ZlibInflate.announcedSize($0.baseAddress!, count: z.count, isBigEndian: bigEndian)
            }
            #expect(announced == inner.count)
        }
    }

    @Test func aSmallElementAnnouncesEightBytes() throws {
        let small = MATTestWriter().element(5, [1, 0, 0, 0])
        #expect(small.count == 8)
        let (fast, slow) = try bothPaths(stream(small))
        #expect(fast.path == .announcedSize && fast.bytes == small && slow == small)
    }

    /// Rewrites the byte count of the element's own tag, then compresses it.
    func withAnnouncedCount(_ element: [UInt8], _ count: UInt32) -> [UInt8] {
        var e = element
        let w = MATTestWriter()
        e.replaceSubrange(4..<8, with: w.u32(count))
        return e
    }

    @Test func announcingTooFewBytesFallsBackToZlib() throws {
        let inner = MATTestWriter().doubles("x", [1, 2, 3, 4])
        let forged = withAnnouncedCount(inner, UInt32(inner.count - 8 - 16))
        let (fast, slow) = try bothPaths(stream(forged))
        #expect(fast.path == .growingBuffer)   // libdeflate ran out of room
        #expect(fast.bytes == forged && slow == forged)
        // The reader then finds a malformed or truncated array and says so.
        let w = MATTestWriter()
        #expect(throws: CellDataError.self) { try MATReader.parse(w.header() + w.compressed(forged), name: "forged.mat") }
    }

    @Test func announcingTooManyBytesGivesTheStreamAndThenATypedError() throws {
        let inner = MATTestWriter().doubles("x", [1, 2, 3, 4])
        let forged = withAnnouncedCount(inner, UInt32(inner.count - 8 + 4096))
        let (fast, slow) = try bothPaths(stream(forged))
        #expect(fast.path == .announcedSize)
        #expect(fast.bytes == forged && slow == forged)   // only the bytes the stream holds
        let w = MATTestWriter()
        do {
            _ = try MATReader.parse(w.header() + w.compressed(forged), name: "forged.mat")
            Issue.record("no error")
        } catch {
            guard case let .truncated(_, _, needed, available) = error else { Issue.record("\(error)"); return }
            #expect(needed == inner.count - 8 + 4096 && available == inner.count - 8)
        }
    }

    @Test func anAbsurdAnnouncementIsNotAllocated() throws {
        let inner = MATTestWriter().doubles("x", [1, 2, 3, 4])
        let forged = withAnnouncedCount(inner, 0xFFFF_FFF0)
        let (fast, slow) = try bothPaths(stream(forged), limit: 1 << 20)
        #expect(fast.path == .growingBuffer)
        #expect(fast.bytes == forged && slow == forged)
        let w = MATTestWriter()
        #expect(throws: CellDataError.self) {
            try MATReader.parse(w.header() + w.compressed(forged), name: "forged.mat", limits: .init(maxInflatedBytes: 1 << 20))
        }
    }

    @Test func aStreamHoldingTwoElementsIsReadWhole() throws {
        let w = MATTestWriter()
        let two = w.doubles("a", [1, 2]) + w.doubles("b", [3])
        let (fast, _) = try bothPaths(stream(two))
        #expect(fast.path == .growingBuffer && fast.bytes == two)
        let file = try MATReader.parse(w.header() + w.compressed(two), name: "two.mat")
        #expect(file.variables.map(\.name) == ["a", "b"])
        #expect(file.variable("b")?.numeric?.real == [3])
    }

    @Test func corruptAndTruncatedStreamsGiveZlibErrors() {
        let inner = MATTestWriter().doubles("x", (0..<300).map(Double.init))
        let z = stream(inner)
        var flipped = z
        flipped[z.count / 2] ^= 0x40
        var adler = z
        adler[z.count - 1] ^= 0x01   // checksum only: the data inflate, the check fails
        for bad in [flipped, adler, Array(z[0..<(z.count - 6)]), Array(z[0..<5])] {
            do {
                _ = try ZlibInflate.inflate(bad, range: 0..<bad.count, limitBytes: 1 << 20, location: here)
                Issue.record("no error for \(bad.count) bytes")
            } catch {
                if case .decompressionFailed(let l, _) = error { #expect(l == here) } else { Issue.record("\(error)") }
            }
        }
    }

    @Test func aBombAnnouncingItsTrueSizeStopsAtTheCap() {
        let w = MATTestWriter()
        let zeros = w.matrix(classCode: 9, dims: [1, 4 << 20], name: "z", body: w.element(2, [UInt8](repeating: 0, count: 4 << 20)))
        let z = stream(zeros)
        do {
            _ = try ZlibInflate.inflate(z, range: 0..<z.count, limitBytes: 1 << 20, location: here)
            Issue.record("no error")
        } catch {
            if case .sizeLimitExceeded(_, _, let limit, _) = error { #expect(limit == 1 << 20) } else { Issue.record("\(error)") }
            // The message names the size the inner tag announced.
            #expect(error.description.contains("announces \(zeros.count) bytes"), "\(error)")
        }
    }
}

/// The real compressed B0025.mat through both inflaters.
@Suite(.enabled(if: SharedData.available)) struct MATInflateRealFileTests {
    @Test func b0025InflatesIdenticallyOnBothPaths() throws {
        let path = SharedData.nasa!.appendingPathComponent("mat/B0025.mat")
        let bytes = [UInt8](try Data(contentsOf: path))
        // One miCOMPRESSED element right after the 128-byte header.
        #expect(bytes[128] == 15 && bytes[129...131].allSatisfy { $0 == 0 })
        let count = Int(bytes[132]) | Int(bytes[133]) << 8 | Int(bytes[134]) << 16 | Int(bytes[135]) << 24
        let z = Array(bytes[136..<(136 + count)])
        let here = InputLocation(file: "B0025.mat", byteOffset: 128)
        let fast = try ZlibInflate.inflateReportingPath(z, range: 0..<z.count, limitBytes: 256 << 20, location: here)
        let slow = try z.withUnsafeBufferPointer {
            try ZlibInflate.inflateGrowing($0.baseAddress!, count: z.count, limitBytes: 256 << 20, location: here).get()
        }
        #expect(fast.path == .announcedSize)
        #expect(fast.bytes == slow)
        // One buffer of exactly the announced size: the inner miMATRIX tag plus its byte count.
        let inner = Int(fast.bytes[4]) | Int(fast.bytes[5]) << 8 | Int(fast.bytes[6]) << 16 | Int(fast.bytes[7]) << 24
        #expect(fast.bytes[0] == 14 && fast.bytes.count == 8 + inner)
    }
}
