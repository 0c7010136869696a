import ArgumentParser
import WeightBlob

extension BlobKernelLayout: ExpressibleByArgument {}

/// `--layout rows|v3`, shared by `golden`, `quantize` and `export`: how the written blob
/// stores its LSTM kernels (`rows`: format version 1/2, row-major; `v3`: format version 3,
/// interleaved per unit, rows padded to 4 bytes — Docs/WeightBlobFormat.md). Both compute
/// the same integers.
struct KernelLayoutArgument: ParsableArguments {
    @Option(name: .customLong("layout"),
            help: "LSTM kernel layout of the written blob: rows (format v1/v2) or v3 (interleaved per unit).")
    var layout: BlobKernelLayout?

    /// The chosen layout, `rows` when the option is absent.
    var chosen: BlobKernelLayout { layout ?? .rows }

    /// `model` encoded in the chosen layout.
    func encode(_ model: BlobModel) throws -> [UInt8] {
        try BlobWriter.encode(model, layout: chosen)
    }

    /// `bytes` (a valid blob) re-encoded when `--layout` asks for a different layout than
    /// `decoded` has; unchanged otherwise.
    func reencode(_ decoded: DecodedBlob, bytes: [UInt8]) throws -> (decoded: DecodedBlob, bytes: [UInt8]) {
        guard let layout, layout != decoded.kernelLayout else { return (decoded, bytes) }
        let out = try BlobWriter.encode(decoded.model, layout: layout)
        return (try BlobReader.decode(out), out)
    }
}
