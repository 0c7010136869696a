// libFuzzer harnesses for every reader of outside bytes other than the blob readers
// (swiftc -sanitize=fuzzer,address). Scripts/fuzz-readers.sh builds the package's library
// modules with the same sanitizers and links this file once per target, selecting the
// target with -D:
//
//   FUZZ_MAT          MATReader.parse, then NASAMatRecording.recording (the NASA builder)
//   FUZZ_NASA_CSV     NASASampleFile.parse (charge/ and discharge/ sample CSVs)
//   FUZZ_CYCLES_INDEX CyclesIndex.parse (cycles_index.csv)
//   FUZZ_GENERIC_CSV  GenericRecordingCSV.parse, as is and with the current sign given
//   FUZZ_CELL_MODEL   CellModelFile.decode (cell.json)
//   FUZZ_SCENARIO     ReplayScenario.decode (scenario JSON)
//   FUZZ_FLOAT_MODEL  FloatModelFile.decode and the network (the loader of `evaluate`), then
//                     ReferenceLSTMModel (the loader of `quantize`)
//   FUZZ_QUANTIZE_MODEL the quantize path alone (decode, then ReferenceLSTMModel)
//   FUZZ_CHECKPOINT   TrainingCheckpoint.decode (the `train --resume` checkpoint)
//   FUZZ_OCV_CSV      OCVTableCSV.parse (the `fit --ocv` table)
//
// Every reader must return a value or throw its typed error; a trap, an ASan report or a
// broken invariant checked below is a finding. Invariants checked on accepted inputs: a
// recording's sample columns have equal length and strictly increasing time; a scenario
// that decodes re-encodes and decodes again to itself and gives a firmware configuration
// and tick counts a replay can use; a float model that decodes builds its network; a
// recording's plausibility findings can be computed; a checkpoint that decodes re-encodes
// and decodes to itself.

import Foundation
#if FUZZ_MAT || FUZZ_NASA_CSV || FUZZ_CYCLES_INDEX || FUZZ_GENERIC_CSV || FUZZ_OCV_CSV
import CellData
#endif
#if FUZZ_CELL_MODEL
import CellModel
#endif
#if FUZZ_SCENARIO
import Replay
#endif
#if FUZZ_FLOAT_MODEL || FUZZ_QUANTIZE_MODEL || FUZZ_CHECKPOINT
import FloatModel
#endif
#if FUZZ_FLOAT_MODEL || FUZZ_CHECKPOINT
import Trainer
#endif
#if FUZZ_FLOAT_MODEL || FUZZ_QUANTIZE_MODEL
import QuantizedLSTM
import Quantizer
#endif

#if FUZZ_MAT || FUZZ_GENERIC_CSV
/// Recording invariants every reader promises.
func checkRecording(_ recording: Recording) {
    for op in recording.operations {
        let s = op.samples
        guard s.voltageV.count == s.timeS.count, s.currentA.count == s.timeS.count,
              s.temperatureC.count == s.timeS.count else {
            fatalError("operation columns of unequal length")
        }
        for k in s.timeS.indices.dropFirst() where !(s.timeS[k] > s.timeS[k - 1]) {
            fatalError("operation time not strictly increasing at sample \(k)")
        }
    }
    // The units and sign checks run on anything a reader accepts, refusing or not.
    _ = Plausibility.findings(recording)
    _ = try? Plausibility.enforce(recording, policy: QualityPolicy())
}
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    #if FUZZ_MAT
    // A smaller inflate limit than the default 256 MiB keeps the fuzzer within its memory budget.
    if let file = try? MATReader.parse(bytes, name: "fuzz.mat", limits: .init(maxInflatedBytes: 16 << 20, maxDepth: 32)),
       let recording = try? NASAMatRecording.recording(from: file, source: "fuzz.mat") {
        checkRecording(recording)
    }
    #elseif FUZZ_NASA_CSV
    _ = try? NASASampleFile.parse(bytes, name: "fuzz.csv")
    #elseif FUZZ_CYCLES_INDEX
    _ = try? CyclesIndex.parse(bytes, name: "cycles_index.csv")
    #elseif FUZZ_GENERIC_CSV
    if let recording = try? GenericRecordingCSV.parse(bytes, name: "fuzz.csv") { checkRecording(recording) }
    if let recording = try? GenericRecordingCSV.parse(bytes, name: "fuzz.csv", options: .init(currentSign: .dischargePositive)) {
        checkRecording(recording)
    }
    #elseif FUZZ_CELL_MODEL
    _ = try? CellModelFile.decode(Data(bytes), file: "cell.json")
    #elseif FUZZ_SCENARIO
    if let scenario = try? ReplayScenario.decode(Data(bytes), file: "scenario.json") {
        guard let again = try? ReplayScenario.decode(scenario.jsonData(), file: "re-encoded"), again == scenario else {
            fatalError("a scenario that decodes must re-encode to itself")
        }
        // The tick counts a replay derives from it (a 30-year recording, the estimator
        // period, the gap wake-up) must be representable: these conversions trap otherwise.
        guard let config = try? scenario.firmwareConfig(seedOffset: 0, telemetryEveryTicks: 1, telemetryCapacity: 16) else {
            fatalError("a scenario that decodes must give a firmware configuration")
        }
        _ = Int((30 * 365.25 * 86_400 / scenario.baseTickSeconds).rounded(.down)) + 1
        _ = config.schedule.ticks(forSeconds: scenario.slowEstimatorPeriodSeconds)
        _ = scenario.startUnderLoadSeconds.map { config.schedule.ticks(forSeconds: $0) }
    }
    #elseif FUZZ_FLOAT_MODEL
    if let file = try? FloatModelFile.decode(Data(bytes), path: "model.json") {
        guard (try? file.makeNetwork()) != nil else { fatalError("a model file that decodes must build its network") }
        _ = try? ReferenceLSTMModel(file)   // quantize's loader goes on from the same decode
    }
    #elseif FUZZ_QUANTIZE_MODEL
    if let file = try? FloatModelFile.decode(Data(bytes), path: "model.json") {
        _ = try? ReferenceLSTMModel(file)
    }
    #elseif FUZZ_CHECKPOINT
    if let checkpoint = try? TrainingCheckpoint.decode(Data(bytes), path: "checkpoint.json") {
        guard let encoded = try? checkpoint.encoded(), let again = try? TrainingCheckpoint.decode(encoded),
              again == checkpoint else {
            fatalError("a checkpoint that decodes must re-encode to itself")
        }
    }
    #elseif FUZZ_OCV_CSV
    if let table = try? OCVTableCSV.parse(bytes, name: "ocv.csv") {
        // An accepted table is usable as an OCV curve: every row strictly increasing in SOC and voltage.
        let n = table.socPoints.count
        guard n >= 2, table.values.count == n * table.temperaturesC.count,
              zip(table.socPoints, table.socPoints.dropFirst()).allSatisfy({ $0 < $1 }),
              (0..<table.temperaturesC.count).allSatisfy({ t in (1..<n).allSatisfy { table.values[t * n + $0] > table.values[t * n + $0 - 1] } })
        else { fatalError("an accepted OCV table must be a grid of increasing rows") }
    }
    #else
    #error("select a target with -D FUZZ_…")
    #endif
    return 0
}
