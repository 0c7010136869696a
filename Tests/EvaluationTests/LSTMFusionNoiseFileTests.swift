import BMSCore
import Estimators
import Evaluation
import Foundation
import Testing
import TestSupport
import WeightBlob

/// The fusion-noise file `bmsim fusion-noise --out` writes: a round trip, the blob identity, and
/// every bad input refused with the file and the field named.
struct LSTMFusionNoiseFileTests {
    static let noise = LSTMFusionNoise(socBandSigma: [0.011, 0.0055, 0.0146], decorrelationSeconds: 1484, filterVarianceRatio: 34.9)

    static func blob(seed: UInt64) -> BlobModel {
        var rng = SeededGenerator(seed: seed)
        return BlobModel.random(using: &rng)
    }

    @Test func aDocumentRoundTripsExactly() throws {
        let identity = LSTMFusionNoiseFile.ModelIdentity(file: "lstm-phys.bmsq", fingerprint: LSTMFusionNoiseFile.fingerprint(of: Self.blob(seed: 1)))
        let document = LSTMFusionNoiseFile.Document(noise: Self.noise, lstmModel: identity, learnedOn: "validation of dataset.json")
        let data = try LSTMFusionNoiseFile.encode(document)
        #expect(try LSTMFusionNoiseFile.decode(data) == document)
        // Identity and provenance are optional.
        let bare = LSTMFusionNoiseFile.Document(noise: Self.noise)
        #expect(try LSTMFusionNoiseFile.decode(try LSTMFusionNoiseFile.encode(bare)) == bare)
    }

    @Test func theFingerprintNamesTheNetworkNotTheFileLayout() throws {
        let a = Self.blob(seed: 1), b = Self.blob(seed: 2)
        #expect(LSTMFusionNoiseFile.fingerprint(of: a) == LSTMFusionNoiseFile.fingerprint(of: a))
        #expect(LSTMFusionNoiseFile.fingerprint(of: a) != LSTMFusionNoiseFile.fingerprint(of: b))
        #expect(LSTMFusionNoiseFile.fingerprint(of: a).hasPrefix("crc32:") && LSTMFusionNoiseFile.fingerprint(of: a).count == 14)
        // The blob format's own checksum: what a file in the default layout stores.
        let stored = try BlobReader.decode(try BlobWriter.encode(a)).crc32
        #expect(LSTMFusionNoiseFile.fingerprint(of: a) == "crc32:" + String(format: "%08X", stored))
        // The same network written in another kernel layout and read back is the same network.
        let interleaved = try BlobReader.decode(try BlobWriter.encode(a, layout: .v3)).model
        #expect(LSTMFusionNoiseFile.fingerprint(of: interleaved) == LSTMFusionNoiseFile.fingerprint(of: a))
        let document = LSTMFusionNoiseFile.Document(noise: Self.noise, lstmModel: .init(file: "a.bmsq", fingerprint: LSTMFusionNoiseFile.fingerprint(of: a)))
        #expect(document.mismatch(with: a, name: "a.bmsq") == nil)
        let warning = try #require(document.mismatch(with: b, name: "b.bmsq"))
        #expect(warning.contains("a.bmsq") && warning.contains("b.bmsq"))
        #expect(LSTMFusionNoiseFile.Document(noise: Self.noise).mismatch(with: b, name: "b.bmsq") == nil)
    }

    /// The error for `json`, nil when it loads.
    static func error(_ json: String) -> LSTMFusionNoiseFileError? {
        do { _ = try LSTMFusionNoiseFile.decode(Data(json.utf8), file: "noise.json"); return nil } catch { return error }
    }

    static let good = #"{"format": "bmsim-fusion-noise", "version": 1, "socBandSigma": [0.01, 0.02], "decorrelationSeconds": 100, "filterVarianceRatio": 2}"#

    @Test func badFilesAreRefusedWithTheFieldNamed() throws {
        #expect(Self.error(Self.good) == nil)
        func replacing(_ old: String, _ new: String) -> String { Self.good.replacingOccurrences(of: old, with: new) }
        let cases: [(String, (LSTMFusionNoiseFileError) -> Bool)] = [
            (String(Self.good.prefix(40)), { if case .malformed = $0 { true } else { false } }),          // truncated
            ("", { if case .malformed = $0 { true } else { false } }),
            (replacing("\"version\": 1", "\"version\": 2"), { if case .unsupportedFormat = $0 { true } else { false } }),
            (replacing("bmsim-fusion-noise", "bmsim-cell-model"), { if case .unsupportedFormat = $0 { true } else { false } }),
            (replacing("\"format\": \"bmsim-fusion-noise\", ", ""), { if case .unsupportedFormat = $0 { true } else { false } }),
            (replacing("[0.01, 0.02]", "[0.01, \"NaN\"]"), { if case .invalidValue(_, "socBandSigma[1]", _) = $0 { true } else { false } }),
            (replacing("[0.01, 0.02]", "[0.01, -0.02]"), { if case .invalidValue(_, "socBandSigma[1]", _) = $0 { true } else { false } }),
            (replacing("[0.01, 0.02]", "[0.01, 20]"), { if case .invalidValue(_, "socBandSigma[1]", _) = $0 { true } else { false } }),
            (replacing("[0.01, 0.02]", "[]"), { if case .invalidValue(_, "socBandSigma", _) = $0 { true } else { false } }),
            (replacing("[0.01, 0.02]", "\"wide\""), { if case .malformed(_, "socBandSigma", _) = $0 { true } else { false } }),
            (replacing("\"decorrelationSeconds\": 100", "\"decorrelationSeconds\": -5"),
             { if case .invalidValue(_, "decorrelationSeconds", _) = $0 { true } else { false } }),
            (replacing("\"decorrelationSeconds\": 100", "\"decorrelationSeconds\": \"inf\""),
             { if case .invalidValue(_, "decorrelationSeconds", _) = $0 { true } else { false } }),
            (replacing("\"filterVarianceRatio\": 2", "\"filterVarianceRatio\": 0"),
             { if case .invalidValue(_, "filterVarianceRatio", _) = $0 { true } else { false } }),
            (replacing(", \"filterVarianceRatio\": 2", ""), { if case .malformed(_, "filterVarianceRatio", _) = $0 { true } else { false } }),
        ]
        for (json, expected) in cases {
            guard let error = Self.error(json) else { Issue.record("accepted: \(json)"); continue }
            #expect(expected(error), "\(json): \(error)")
            #expect(error.description.hasPrefix("noise.json: "), "\(error)")
        }
    }

    @Test func aMissingFileIsUnreadable() {
        #expect { _ = try LSTMFusionNoiseFile.load(path: "/nonexistent/noise.json") } throws: { error in
            guard case let .unreadable(file, _) = error as? LSTMFusionNoiseFileError else { return false }
            return file == "/nonexistent/noise.json"
        }
    }
}
