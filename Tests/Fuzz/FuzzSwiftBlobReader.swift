// libFuzzer harness for the Swift blob reader (swiftc -sanitize=fuzzer,address), compiled
// together with Sources/WeightBlob by Scripts/fuzz-blob-readers.sh. Byte 0 selects the
// mode as in the C harness (even = recompute the CRC first). A blob that decodes is
// re-encoded and must round-trip exactly.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBlobReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    var bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 == 0 && bytes.count >= 8 {
        let crc = CRC32.checksum(bytes[0..<(bytes.count - 4)])
        for k in 0..<4 { bytes[bytes.count - 4 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
    }
    if let decoded = try? BlobReader.decode(bytes) {
        guard let again = try? BlobWriter.encode(decoded.model, layout: decoded.kernelLayout),
              (try? BlobReader.decode(again))?.model == decoded.model else {
            fatalError("a blob that decodes must re-encode to the same model")
        }
    }
    return 0
}
