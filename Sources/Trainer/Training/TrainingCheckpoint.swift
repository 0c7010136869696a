import BMSCore
import CellData
import FloatModel
import Foundation

/// A training checkpoint that cannot be read, written or used: which file and what went wrong.
public struct TrainingCheckpointError: Error, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Problem: Error, Equatable, Sendable {
        /// The file could not be read (the operating system's reason).
        case unreadable(String)
        /// The file could not be written (the operating system's reason).
        case cannotWrite(String)
        /// Not a complete checkpoint: truncated, not JSON, a field missing or out of range.
        case malformed(String)
        /// Another format tag or version than this build reads.
        case unsupportedFormat(expected: String, found: String)
        /// A training option differs between the checkpoint and this run (`option` is the
        /// `TrainingConfig` key, or `architecture`).
        case optionsMismatch(option: String, checkpoint: String, thisRun: String)
        /// The training data differ (`SOCDataset.dataHash`).
        case dataMismatch(checkpointHash: String, dataHash: String)
    }

    /// The checkpoint file.
    public var path: String
    /// The problem.
    public var problem: Problem

    /// Creates the error.
    public init(path: String, _ problem: Problem) {
        self.path = path
        self.problem = problem
    }

    /// One-line message naming the file.
    public var description: String {
        switch problem {
        case let .unreadable(reason): "cannot read checkpoint \(path): \(reason)"
        case let .cannotWrite(reason): "cannot write checkpoint \(path): \(reason)"
        case let .malformed(reason): "\(path): not a complete training checkpoint (\(reason))"
        case let .unsupportedFormat(expected, found): "\(path): checkpoint format \(found), this build reads \(expected)"
        case let .optionsMismatch(option, checkpoint, thisRun):
            "\(path) was made with \(option) = \(checkpoint), this run has \(option) = \(thisRun); "
                + "resume with the options of the interrupted run"
        case let .dataMismatch(checkpointHash, dataHash):
            "\(path) was trained on data with hash \(checkpointHash), this run's data hash is \(dataHash)"
        }
    }
}

/// Float32 values stored bit for bit: base64 of their little-endian bit patterns.
public struct PackedFloats: Codable, Equatable, Sendable {
    /// The values.
    public var values: [Float]

    /// Wraps `values`.
    public init(_ values: [Float]) { self.values = values }

    /// Decodes the base64 text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "not base64 of Float32 values"))
        }
        values = data.withUnsafeBytes { raw in
            (0..<data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    /// Encodes as base64 text.
    public func encode(to encoder: any Encoder) throws {
        var data = Data(capacity: values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        var container = encoder.singleValueContainer()
        try container.encode(data.base64EncodedString())
    }
}

/// Everything `SOCTrainer` needs to go on after an epoch exactly as if it had not stopped:
/// the options and data it belongs to, the history, the weights (current and best), Adam's
/// moments and step count, every random generator (shuffling, weight noise, each replica's
/// dropout masks) and the EarlyStopping / ReduceLROnPlateau counters.
///
/// `bmsim train` writes one after every epoch (`write(to:)`: temporary file, then rename)
/// and `--resume` reads it back (`read(from:)`, then `SOCTrainer.restore(from:path:)`).
/// JSON; the Float32 tensors as `PackedFloats`.
public struct TrainingCheckpoint: Codable, Equatable, Sendable {
    /// Adam's state.
    public struct OptimizerState: Codable, Equatable, Sendable {
        /// Steps taken.
        public var step: Int
        /// Learning rate for the next epoch.
        public var learningRate: Double
        /// First moments, one per parameter tensor.
        public var firstMoments: [PackedFloats]
        /// Second moments, one per parameter tensor.
        public var secondMoments: [PackedFloats]
    }

    /// Format tag written and expected.
    public static let formatTag = "bmsim-train-checkpoint"
    /// Format version written and expected.
    public static let currentVersion = 1

    /// Format tag.
    public var format = TrainingCheckpoint.formatTag
    /// Format version.
    public var version = TrainingCheckpoint.currentVersion
    /// The architecture trained (must equal the resuming run's).
    public var architecture: Architecture
    /// The options (must equal the resuming run's).
    public var config: TrainingConfig
    /// Hash of the data (must equal the resuming run's).
    public var dataHash: String
    /// One record per finished epoch; its count is the number of epochs done.
    public var history: [EpochRecord]
    /// EarlyStopping ended the run after the last recorded epoch.
    public var stoppedEarly: Bool
    /// Epoch (from 1) whose weights are kept so far.
    public var bestEpoch: Int
    /// The weights after the last finished epoch, in `Network.parameters` order.
    public var parameters: [PackedFloats]
    /// The weights of `bestEpoch`.
    public var bestParameters: [PackedFloats]
    /// Adam.
    public var optimizer: OptimizerState
    /// The stateful mode's cycle shuffle and the window mode's `--shuffle`.
    public var shuffleGenerator: SeededGeneratorState
    /// The weight-noise draws.
    public var weightNoiseGenerator: SeededGeneratorState
    /// Dropout mask generators: one list per worker replica, one state per dropout layer.
    public var dropoutGenerators: [[SeededGeneratorState]]
    /// EarlyStopping's counters.
    public var earlyStopping: EarlyStopping
    /// ReduceLROnPlateau's counters.
    public var plateau: ReduceLROnPlateau
    /// With `config.averageLastEpochs`: the sums of the averaged epochs' weights, per tensor
    /// (nil without averaging; older checkpoints lack the key).
    public var averageSums: [PackedFloats]? = nil
    /// With `config.averageLastEpochs`: epochs summed in `averageSums`.
    public var averageCount: Int? = nil

    /// Epochs done.
    public var epochsDone: Int { history.count }

    /// The JSON form written to disk (keys sorted; non-finite losses as strings).
    public func encoded() throws(TrainingCheckpointError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { return try encoder.encode(self) } catch {
            throw TrainingCheckpointError(path: "<memory>", .cannotWrite(String(describing: error)))
        }
    }

    /// Writes the checkpoint atomically: a temporary file next to `url`, then a rename, so
    /// `url` always holds a complete checkpoint (the previous one until the rename); only a
    /// regular file or nothing is replaced (`OutputPath`).
    public func write(to url: URL) throws(TrainingCheckpointError) {
        let data: Data
        do { data = try encoded() } catch { throw TrainingCheckpointError(path: url.path, error.problem) }
        do { try OutputPath.write(data, to: url) } catch {
            throw TrainingCheckpointError(path: url.path, .cannotWrite(error.description))
        }
    }

    /// Reads a checkpoint file.
    public static func read(from url: URL) throws(TrainingCheckpointError) -> TrainingCheckpoint {
        let data: Data
        do { data = Data(try InputFile.read(path: url.path)) } catch {
            throw TrainingCheckpointError(path: url.path, .unreadable(error.reason))
        }
        return try decode(data, path: url.path)
    }

    /// Decodes checkpoint JSON; checks the format tag and version before the rest.
    public static func decode(_ data: Data, path: String = "<memory>") throws(TrainingCheckpointError) -> TrainingCheckpoint {
        struct Header: Decodable { var format: String?; var version: Int? }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let header: Header
        do { header = try decoder.decode(Header.self, from: data) } catch {
            throw TrainingCheckpointError(path: path, .malformed("not JSON: \(Self.brief(error))"))
        }
        guard header.format == formatTag, header.version == currentVersion else {
            throw TrainingCheckpointError(path: path, .unsupportedFormat(
                expected: "\(formatTag) v\(currentVersion)",
                found: "\(header.format ?? "none") v\(header.version.map(String.init) ?? "none")"))
        }
        let checkpoint: TrainingCheckpoint
        do { checkpoint = try decoder.decode(TrainingCheckpoint.self, from: data) } catch {
            throw TrainingCheckpointError(path: path, .malformed(Self.brief(error)))
        }
        guard checkpoint.bestEpoch >= 0, checkpoint.bestEpoch <= checkpoint.epochsDone,
              checkpoint.epochsDone <= checkpoint.config.epochs else {
            throw TrainingCheckpointError(path: path, .malformed(
                "best epoch \(checkpoint.bestEpoch), \(checkpoint.epochsDone) epochs done of \(checkpoint.config.epochs)"))
        }
        // Weights and moments must be numbers a trainer can go on from (a NaN weight was accepted
        // and broke the decode–encode round trip: found by the fuzzer, checkpoint target).
        let o = checkpoint.optimizer
        let tensors = [("parameters", checkpoint.parameters), ("bestParameters", checkpoint.bestParameters),
                       ("optimizer.firstMoments", o.firstMoments), ("optimizer.secondMoments", o.secondMoments),
                       ("averageSums", checkpoint.averageSums ?? [])]
        for (name, list) in tensors {
            if let k = list.firstIndex(where: { !$0.values.allSatisfy(\.isFinite) }) {
                throw TrainingCheckpointError(path: path, .malformed("\(name)[\(k)] holds a value that is not finite"))
            }
        }
        if (checkpoint.averageSums == nil) != (checkpoint.averageCount == nil)
            || (checkpoint.averageSums != nil) != (checkpoint.config.averageLastEpochs != nil)
            || !(0...checkpoint.epochsDone).contains(checkpoint.averageCount ?? 0) {
            throw TrainingCheckpointError(path: path, .malformed(
                "weight average: \(checkpoint.averageCount.map { "\($0) epochs summed" } ?? "no count"), "
                + "\(checkpoint.averageSums == nil ? "no sums" : "sums"), averaging "
                + "\(checkpoint.config.averageLastEpochs.map { "the last \($0) epochs" } ?? "off"), \(checkpoint.epochsDone) epochs done"))
        }
        guard o.step >= 0, o.learningRate.isFinite, o.learningRate > 0 else {
            throw TrainingCheckpointError(path: path, .malformed("optimizer step \(o.step), learning rate \(o.learningRate)"))
        }
        return checkpoint
    }

    /// A decoding error in one line: what is wrong and at which key.
    static func brief(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        let (context, what): (DecodingError.Context, String)
        switch error {
        case let .dataCorrupted(c): (context, what) = (c, c.debugDescription)
        case let .keyNotFound(key, c): (context, what) = (c, "missing key \(key.stringValue)")
        case let .typeMismatch(_, c): (context, what) = (c, c.debugDescription)
        case let .valueNotFound(_, c): (context, what) = (c, c.debugDescription)
        @unknown default: return String(describing: error)
        }
        let at = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return at.isEmpty ? what : "\(what) at \(at)"
    }
}

extension TrainingConfig {
    /// The options that differ from `other`: (key, this value, other value), in key order.
    public func differences(from other: TrainingConfig) -> [(key: String, this: String, other: String)] {
        func fields(_ config: TrainingConfig) -> [String: String] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            guard let data = try? encoder.encode(config),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            return object.mapValues { "\($0)" }
        }
        let mine = fields(self), theirs = fields(other)
        return Set(mine.keys).union(theirs.keys).sorted().compactMap { key in
            let a = mine[key] ?? "none", b = theirs[key] ?? "none"
            return a == b ? nil : (key, a, b)
        }
    }
}
