import BMSCore
import Estimators
import Foundation
import WeightBlob

/// The file `bmsim fusion-noise --out` writes and `replay`, `compare` and `classical-eval
/// --fusion-noise` read: `ekf+lstm`'s measurement noise (`LSTMFusionNoise`) learned on a user's
/// own validation recordings, with the LSTM blob it was learned for.
///
/// ```json
/// { "format": "bmsim-fusion-noise", "version": 1,
///   "socBandSigma": [0.011, 0.012, 0.010, 0.013, 0.020], "decorrelationSeconds": 1484,
///   "filterVarianceRatio": 3.1,
///   "lstmModel": { "file": "lstm-phys.bmsq", "fingerprint": "crc32:5DA24725" },
///   "learnedOn": "validation of dataset.json (4 recordings)" }
/// ```
/// `lstmModel` and `learnedOn` are optional and informational: a noise learned for another
/// blob still loads, and the commands warn (`mismatch(with:)`). The numbers must pass
/// `LSTMFusionNoise.isValid`; each failing field is named.
public enum LSTMFusionNoiseFile {
    /// The `format` string.
    public static let formatName = "bmsim-fusion-noise"
    /// The version this build writes and reads.
    public static let version = 1

    /// The blob a noise was learned for.
    public struct ModelIdentity: Codable, Equatable, Sendable {
        /// The blob's file name when learned (informational).
        public var file: String
        /// `fingerprint(of:)` of the blob.
        public var fingerprint: String
        /// Creates an identity.
        public init(file: String, fingerprint: String) { self.file = file; self.fingerprint = fingerprint }
    }

    /// The file's content.
    public struct Document: Equatable, Sendable {
        /// The noise.
        public var noise: LSTMFusionNoise
        /// The blob it was learned for (nil: not recorded).
        public var lstmModel: ModelIdentity?
        /// What it was learned on (informational).
        public var learnedOn: String?
        /// Creates a document.
        public init(noise: LSTMFusionNoise, lstmModel: ModelIdentity? = nil, learnedOn: String? = nil) {
            self.noise = noise; self.lstmModel = lstmModel; self.learnedOn = learnedOn
        }

        /// A warning when `blob` is not the one the noise was learned for, nil when it is or
        /// when the file does not say.
        public func mismatch(with blob: BlobModel?, name: String) -> String? {
            guard let lstmModel, let blob else { return nil }
            let fingerprint = LSTMFusionNoiseFile.fingerprint(of: blob)
            guard fingerprint != lstmModel.fingerprint else { return nil }
            return "the fusion noise was learned for the LSTM blob \(lstmModel.file) (\(lstmModel.fingerprint)), "
                + "but ekf+lstm runs \(name) (\(fingerprint)): its σ describes another network's errors"
        }
    }

    struct Wire: Codable {
        var format: String?
        var version: Int?
        var socBandSigma: [Double]
        var decorrelationSeconds: Double
        var filterVarianceRatio: Double
        var lstmModel: ModelIdentity?
        var learnedOn: String?
    }

    /// A blob's identity: its CRC-32 (`CRC32`, the checksum the blob format stores) in the
    /// default kernel layout, as `crc32:` and 8 hex digits — what `bmsim inspect` prints for a
    /// file in that layout; the same network written in another layout has the same one.
    public static func fingerprint(of blob: BlobModel) -> String {
        let bytes = (try? BlobWriter.encode(blob)) ?? []
        return "crc32:" + String(format: "%08X", CRC32.checksum(bytes.dropLast(4)))
    }

    /// Reads and validates a file.
    public static func load(path: String) throws(LSTMFusionNoiseFileError) -> Document {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path: path) } catch { throw .unreadable(file: path, reason: error.reason) }
        return try decode(Data(bytes), file: path)
    }

    /// Parses and validates file content; `file` names it in errors.
    public static func decode(_ data: Data, file: String = "<memory>") throws(LSTMFusionNoiseFileError) -> Document {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
        let wire: Wire
        do {
            wire = try decoder.decode(Wire.self, from: data)
        } catch let error as DecodingError {
            throw malformed(error, file: file)
        } catch {
            throw .malformed(file: file, field: "(root)", detail: "\(error)")
        }
        guard wire.format == formatName, wire.version == version else {
            throw .unsupportedFormat(file: file, expected: "\(formatName) version \(version)",
                                     found: "\(wire.format ?? "no format") version \(wire.version.map(String.init) ?? "none")")
        }
        guard !wire.socBandSigma.isEmpty else { throw .invalidValue(file: file, field: "socBandSigma", detail: "needs at least one band") }
        for (k, sigma) in wire.socBandSigma.enumerated() where !(sigma.isFinite && sigma > 0 && sigma <= 1) {
            throw .invalidValue(file: file, field: "socBandSigma[\(k)]", detail: "a σ of the SOC fraction in (0, 1], found \(sigma)")
        }
        guard wire.decorrelationSeconds.isFinite && wire.decorrelationSeconds >= 0 else {
            throw .invalidValue(file: file, field: "decorrelationSeconds", detail: "must be finite and ≥ 0 s, found \(wire.decorrelationSeconds)")
        }
        guard wire.filterVarianceRatio.isFinite && wire.filterVarianceRatio > 0 else {
            throw .invalidValue(file: file, field: "filterVarianceRatio", detail: "must be finite and > 0, found \(wire.filterVarianceRatio)")
        }
        let noise = LSTMFusionNoise(socBandSigma: wire.socBandSigma, decorrelationSeconds: wire.decorrelationSeconds,
                                    filterVarianceRatio: wire.filterVarianceRatio)
        return Document(noise: noise, lstmModel: wire.lstmModel, learnedOn: wire.learnedOn)
    }

    /// The document as pretty-printed JSON with sorted keys.
    public static func encode(_ document: Document) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let noise = document.noise
        return try encoder.encode(Wire(format: formatName, version: version, socBandSigma: noise.socBandSigma,
                                       decorrelationSeconds: noise.decorrelationSeconds,
                                       filterVarianceRatio: noise.filterVarianceRatio,
                                       lstmModel: document.lstmModel, learnedOn: document.learnedOn))
    }

    static func malformed(_ error: DecodingError, file: String) -> LSTMFusionNoiseFileError {
        func path(_ keys: [any CodingKey]) -> String {
            let s = keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return s.isEmpty ? "(root)" : String(s.drop { $0 == "." })
        }
        switch error {
        case let .keyNotFound(key, context): return .malformed(file: file, field: path(context.codingPath + [key]), detail: "missing")
        case let .valueNotFound(_, context): return .malformed(file: file, field: path(context.codingPath), detail: "missing")
        case let .typeMismatch(type, context): return .malformed(file: file, field: path(context.codingPath), detail: "expected \(type)")
        case let .dataCorrupted(context):
            let detail = context.codingPath.isEmpty ? "not valid JSON" : context.debugDescription
            return .malformed(file: file, field: path(context.codingPath), detail: detail)
        @unknown default: return .malformed(file: file, field: "(root)", detail: "\(error)")
        }
    }
}
