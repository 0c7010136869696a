import Testing
@testable import CellData

/// Times that increase strictly but collapse when made relative to the operation's start
/// (found by the `.mat` fuzz target, Tests/Fuzz/FuzzReaders.swift: a discharge whose first
/// `Time` was mutated to −5.48545961e303, so that 1800 and 3600 both became 5.48545961e303).
@Suite struct RelativeTimeTests {
    static let hugeNegative = -5.48545961e303

    /// MATTestWriter's NASA-like file with the discharge's `Time` replaced.
    func nasaLikeFile(dischargeTime: [Double]) -> [UInt8] {
        let w = MATTestWriter()
        func op(_ type: String, _ hour: Double, data: [UInt8]) -> [[UInt8]] {
            [w.chars("", type), w.doubles("", [24]), w.doubles("", [2010, 1, 2, hour, 0, 0]), data]
        }
        let discharge = w.structure("", fields: ["Voltage_measured", "Current_measured", "Temperature_measured", "Time", "Capacity"],
                                    elements: [[w.doubles("", [4.2, 3.7, 3.0]), w.doubles("", [-2, -2, -2]),
                                                w.doubles("", [25, 30, 35]), w.doubles("", dischargeTime), w.doubles("", [2.0])]])
        let cycle = w.structure("cycle", fields: ["type", "ambient_temperature", "time", "data"],
                                elements: [op("discharge", 5, data: discharge)])
        return w.header() + w.structure("B9999", fields: ["cycle"], elements: [[cycle]])
    }

    func assertStrictlyIncreasing(_ recording: Recording) {
        for op in recording.operations {
            let t = op.samples.timeS
            #expect(zip(t, t.dropFirst()).allSatisfy { $0 < $1 }, "times \(t)")
            #expect(op.samples.voltageV.count == t.count && op.samples.currentA.count == t.count)
        }
    }

    @Test("a .mat discharge whose times collapse: the collapsed sample is dropped and reported")
    func matFile() throws {
        let bytes = nasaLikeFile(dischargeTime: [Self.hugeNegative, 1800, 3600])
        let recording = try NASAMatRecording.recording(from: MATReader.parse(bytes, name: "t.mat"), source: "t.mat")
        assertStrictlyIncreasing(recording)
        let discharge = try #require(recording.operations.first { $0.kind == .discharge })
        #expect(discharge.samples.count == 2)
        #expect(discharge.quality.contains { $0.kind == .nonMonotoneTime && $0.action == .droppedSamples && $0.sampleCount == 1 })
    }

    @Test("ordinary times are kept as they are")
    func ordinaryTimes() throws {
        let bytes = nasaLikeFile(dischargeTime: [0, 1800, 3600])
        let recording = try NASAMatRecording.recording(from: MATReader.parse(bytes, name: "t.mat"), source: "t.mat")
        let discharge = try #require(recording.operations.first { $0.kind == .discharge })
        #expect(discharge.samples.timeS == [0, 1800, 3600])
        #expect(!discharge.quality.contains { $0.kind == .nonMonotoneTime })
    }

    @Test("the same in a generic CSV")
    func genericCSV() throws {
        let csv = """
            # current_sign: charge_positive
            time_s,voltage_v,current_a,temperature_c
            \(Self.hugeNegative),4.2,-2,25
            1800,3.7,-2,30
            3600,3.0,-2,35

            """
        let recording = try GenericRecordingCSV.parse(Array(csv.utf8), name: "t.csv")
        assertStrictlyIncreasing(recording)
        #expect(recording.operations.flatMap(\.quality).contains { $0.kind == .nonMonotoneTime && $0.action == .droppedSamples })
    }
}
