import ArgumentParser
import FixedPoint
import Foundation
import WeightBlob

/// `bmsim inspect model.bmsq [--format table|json|csv]`: layer table (shapes, parameters,
/// bytes, scales), CRC and metadata of a weight blob, after full validation.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Validate a .bmsq weight blob and print its layers, scales, CRC and metadata.")

    @Argument(help: "The .bmsq blob.")
    var blob: String

    @OptionGroup var format: FormatOption

    func run() throws {
        let decoded = try BlobFile.load(blob)
        try format.print(BlobInspection(decoded))
    }
}

/// Reads and validates a blob file, turning failures into messages with the path.
enum BlobFile {
    /// The decoded blob at `path`.
    static func load(_ path: String) throws -> DecodedBlob {
        try decode(try InputBytes.read(path), path: path)
    }

    /// `bytes`, read from `path`, decoded and validated.
    static func decode(_ bytes: [UInt8], path: String) throws(CLIError) -> DecodedBlob {
        do {
            return try BlobReader.decode(bytes, source: path)
        } catch {
            throw .badInput(path: path, reason: "\(error)")
        }
    }
}

/// What `inspect` reports, JSON-encodable.
struct BlobInspection: Codable, TabularReport {
    /// One row of the layer table.
    struct Layer: Codable {
        var index: Int
        var kind: String
        var inputSize: Int
        var outputSize: Int
        var activation: String
        var parameters: Int
        var bytes: Int
        var multiplyAccumulates: Int
        var cellFormat: String?
        /// Smallest and largest effective requantization scale of the rows.
        var scaleMin: Double
        var scaleMax: Double
    }
    /// One input feature's integer standardisation.
    struct Feature: Codable {
        var name: String
        var offsetRaw: Int32
        var scale: Double
    }
    var fileBytes: Int
    var crc32: String
    var version: Int
    var kernelLayout: String
    var gateOrder: String
    var features: [Feature]
    var outputScaleCentiPercentPerLSB: Double
    var outputOffsetCentiPercent: Int32
    /// Version 6: SOC (ppm of full) per unit of the scaled label, for σ from the log-variance row.
    var uncertaintyLabelSpanPPM: Int32?
    var layers: [Layer]
    var totalParameters: Int
    var totalMultiplyAccumulates: Int
    var metadata: [String: String]

    init(_ blob: DecodedBlob) {
        let model = blob.model
        func scale(_ m: Int32, _ s: Int32) -> Double { QuantizedMultiplier(multiplier: m, shift: s).scale }
        func bytes(_ layer: Int) -> Int { blob.tensors.filter { $0.layer == layer }.reduce(0) { $0 + $1.byteCount } }
        var layers: [Layer] = []
        for (n, l) in model.lstmLayers.enumerated() {
            let scales = zip(l.inputMultipliers, l.inputShifts).map { scale($0, $1) }
                + zip(l.recurrentMultipliers, l.recurrentShifts).map { scale($0, $1) }
            layers.append(Layer(index: n, kind: "lstm", inputSize: l.inputSize, outputSize: l.hiddenSize,
                                activation: "sigmoid/tanh", parameters: l.inputKernel.count + l.recurrentKernel.count + l.bias.count,
                                bytes: bytes(n), multiplyAccumulates: l.multiplyAccumulates,
                                cellFormat: "Q\(15 - l.cellFractionBits).\(l.cellFractionBits)",
                                scaleMin: scales.min() ?? 0, scaleMax: scales.max() ?? 0))
        }
        for (n, l) in model.denseLayers.enumerated() {
            let scales = zip(l.multipliers, l.shifts).map { scale($0, $1) }
            let index = model.lstmLayers.count + n
            layers.append(Layer(index: index, kind: "dense", inputSize: l.inputSize, outputSize: l.outputSize,
                                activation: l.activation.description, parameters: l.weight.count + l.bias.count,
                                bytes: bytes(index), multiplyAccumulates: l.multiplyAccumulates, cellFormat: nil,
                                scaleMin: scales.min() ?? 0, scaleMax: scales.max() ?? 0))
        }
        fileBytes = blob.fileSize
        crc32 = String(format: "0x%08X", blob.crc32)
        version = blob.version
        kernelLayout = blob.kernelLayout == .v3 ? "v3 (interleaved per unit)" : "rows"
        gateOrder = LSTMGate.order.map { "\($0)" }.joined(separator: ",")
        features = model.inputs.map { Feature(name: $0.feature.description, offsetRaw: $0.offsetRaw,
                                              scale: scale($0.scale.multiplier, $0.scale.shift)) }
        outputScaleCentiPercentPerLSB = scale(model.output.scale.multiplier, model.output.scale.shift)
        outputOffsetCentiPercent = model.output.offsetCentiPercent
        uncertaintyLabelSpanPPM = model.uncertaintyHead?.labelSpanPPM
        self.layers = layers
        totalParameters = layers.reduce(0) { $0 + $1.parameters }
        totalMultiplyAccumulates = model.multiplyAccumulates
        metadata = Dictionary(model.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Human-readable table.
    var table: String {
        var lines = ["BMSQ v\(version), \(fileBytes) bytes, CRC-32 \(crc32) (verified), gate order \(gateOrder), "
                     + "LSTM kernels \(kernelLayout)", ""]
        lines.append("features (raw → int16: (raw − offset) × scale):")
        for f in features {
            lines.append("  \(f.name.padding(toLength: 12, withPad: " ", startingAt: 0)) offset \(f.offsetRaw)  scale \(String(format: "%.6g", f.scale))")
        }
        lines.append("")
        lines.append("layer  kind   in → out  activation     params   bytes   MACs/step  cell  rescale min…max")
        func pad(_ s: String, _ width: Int) -> String { s.padding(toLength: max(width, s.count), withPad: " ", startingAt: 0) }
        for l in layers {
            let numbers = String(format: "%8d %7d %10d", l.parameters, l.bytes, l.multiplyAccumulates)
            let scales = String(format: "%.3g…%.3g", l.scaleMin, l.scaleMax)
            lines.append(String(format: "%5d  ", l.index) + pad(l.kind, 6) + String(format: "%3d → %-4d ", l.inputSize, l.outputSize)
                         + pad(l.activation, 13) + numbers + "  " + pad(l.cellFormat ?? "-", 6) + scales)
        }
        lines.append("total: \(totalParameters) parameters, \(totalMultiplyAccumulates) multiply-accumulates per step")
        lines.append("output: SOC[0.01 %] = y × \(String(format: "%.6g", outputScaleCentiPercentPerLSB)) + \(outputOffsetCentiPercent)")
        if let span = uncertaintyLabelSpanPPM {
            lines.append("uncertainty head: row 1 = log σ² (Q4.11, clamped to [−16, 4]); σ_SOC = e^(s/4096) × \(span) ppm")
        }
        if !metadata.isEmpty {
            lines.append("")
            lines.append("metadata:")
            for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { lines.append("  \(key) = \(value)") }
        }
        return lines.joined(separator: "\n")
    }

    /// One row per layer.
    var csvHeader: [String] {
        ["layer", "kind", "input_size", "output_size", "activation", "parameters", "bytes", "multiply_accumulates", "cell_format",
         "scale_min", "scale_max"]
    }

    var csvRows: [[String]] {
        layers.map { l in
            ["\(l.index)", l.kind, "\(l.inputSize)", "\(l.outputSize)", l.activation, "\(l.parameters)", "\(l.bytes)",
             "\(l.multiplyAccumulates)", l.cellFormat ?? "", "\(l.scaleMin)", "\(l.scaleMax)"]
        }
    }
}
