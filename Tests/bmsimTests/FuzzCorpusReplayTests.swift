import CellData
import CellModel
import FloatModel
import Foundation
import QuantizedLSTM
import Quantizer
import Replay
import Testing
import TestSupport
import Trainer

/// Replays the committed libFuzzer corpora (`Tests/Fuzz/corpus/TARGET/`, minimized with
/// `-merge=1` after the runs in `Docs/Reliability.md`) through the same reader calls as
/// `Tests/Fuzz/FuzzReaders.swift`, without sanitizers, on every CI run: each input must be
/// read or refused with a typed error, and what is accepted must keep the harness's
/// invariants. A regression that crashes on an input the fuzzer once reached fails here.
@Suite("Fuzz corpora replayed")
struct FuzzCorpusReplayTests {
    static let root = SharedData.packageRoot.appendingPathComponent("Tests/Fuzz/corpus")

    /// The inputs of one target (sorted; none when the folder is missing).
    static func inputs(_ target: String) -> [(String, [UInt8])] {
        let folder = root.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().compactMap { name in
            (try? Data(contentsOf: folder.appendingPathComponent(name))).map { (name, [UInt8]($0)) }
        }
    }

    /// A recording's columns have equal length and strictly increasing time.
    static func checkRecording(_ recording: Recording, _ name: String) {
        for op in recording.operations {
            let s = op.samples
            #expect(s.voltageV.count == s.count && s.currentA.count == s.count && s.temperatureC.count == s.count, "\(name)")
            #expect(zip(s.timeS, s.timeS.dropFirst()).allSatisfy { $0 < $1 }, "\(name): time not increasing")
        }
        _ = Plausibility.findings(recording)
    }

    @Test("every corpus folder the harness has is present and not empty", arguments: [
        "mat", "nasa-csv", "cycles-index", "generic-csv", "cell-model", "scenario", "float-model", "checkpoint", "ocv-csv",
    ])
    func present(_ target: String) {
        #expect(!Self.inputs(target).isEmpty, "no corpus for \(target) under \(Self.root.path)")
    }

    @Test("recording readers: .mat, NASA sample CSV, cycles index, generic CSV")
    func recordingReaders() {
        for (name, bytes) in Self.inputs("mat") {
            if let file = try? MATReader.parse(bytes, name: name, limits: .init(maxInflatedBytes: 16 << 20, maxDepth: 32)),
               let recording = try? NASAMatRecording.recording(from: file, source: name) {
                Self.checkRecording(recording, name)
            }
        }
        for (name, bytes) in Self.inputs("nasa-csv") { _ = try? NASASampleFile.parse(bytes, name: name) }
        for (name, bytes) in Self.inputs("cycles-index") { _ = try? CyclesIndex.parse(bytes, name: name) }
        for (name, bytes) in Self.inputs("ocv-csv") {
            guard let table = try? OCVTableCSV.parse(bytes, name: name) else { continue }
            #expect(table.values.count == table.socPoints.count * table.temperaturesC.count, "\(name)")
        }
        for (name, bytes) in Self.inputs("generic-csv") {
            for sign in [nil, GenericRecordingCSV.CurrentSign.dischargePositive] {
                if let recording = try? GenericRecordingCSV.parse(bytes, name: name, options: .init(currentSign: sign)) {
                    Self.checkRecording(recording, name)
                }
            }
        }
    }

    @Test("JSON readers: cell model, scenario, float model (evaluate's and quantize's loaders), checkpoint")
    func jsonReaders() {
        for (name, bytes) in Self.inputs("cell-model") { _ = try? CellModelFile.decode(Data(bytes), file: name) }
        for (name, bytes) in Self.inputs("scenario") {
            guard let scenario = try? ReplayScenario.decode(Data(bytes), file: name) else { continue }
            #expect((try? ReplayScenario.decode(scenario.jsonData(), file: "again")) == scenario, "\(name)")
            #expect((try? scenario.firmwareConfig(seedOffset: 0, telemetryEveryTicks: 1, telemetryCapacity: 16)) != nil, "\(name)")
        }
        // The float-model target runs evaluate's loader and then quantize's on each input.
        for (name, bytes) in Self.inputs("float-model") {
            guard let file = try? FloatModelFile.decode(Data(bytes), path: name) else { continue }
            #expect((try? file.makeNetwork()) != nil, "\(name)")
            _ = try? ReferenceLSTMModel(file)
        }
        for (name, bytes) in Self.inputs("checkpoint") {
            guard let checkpoint = try? TrainingCheckpoint.decode(Data(bytes), path: name) else { continue }
            let again = (try? checkpoint.encoded()).flatMap { try? TrainingCheckpoint.decode($0) }
            #expect(again == checkpoint, "\(name)")
        }
    }
}
