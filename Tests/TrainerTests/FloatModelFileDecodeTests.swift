import FloatModel
import Foundation
import Testing
import TestSupport
@testable import Trainer

/// `FloatModelFile.decode` on bad bytes: every failure is a typed `FloatModelFileError`,
/// never a trap or an attempt to allocate what the architecture claims before the weights
/// are there (inputs of the kind the reader fuzzer, Tests/Fuzz/FuzzReaders.swift, mutates).
@Suite struct FloatModelFileDecodeTests {
    /// The demo model as a JSON object.
    func demo() throws -> [String: Any] {
        let data = try Data(contentsOf: SharedData.fixtures.appendingPathComponent("models/lstm-demo.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The demo model with its architecture's layers replaced.
    func withLayers(_ layers: [[String: Any]], inputSize: Int? = nil) throws -> Data {
        var object = try demo()
        var architecture = try #require(object["architecture"] as? [String: Any])
        architecture["layers"] = layers
        if let inputSize { architecture["inputSize"] = inputSize }
        object["architecture"] = architecture
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test func theDemoModelDecodes() throws {
        let file = try FloatModelFile.decode(try JSONSerialization.data(withJSONObject: demo()), path: "demo.json")
        #expect(file.architecture.layers == [.lstm(units: 32), .dense(units: 1, activation: .linear)])
    }

    @Test func notJSONOrWrongFormat() throws {
        #expect(throws: FloatModelFileError.self) { try FloatModelFile.decode(Data("{".utf8), path: "x.json") }
        var object = try demo()
        object["format"] = "keras"
        #expect(throws: FloatModelFileError.unsupportedFormat(path: "x.json", expected: "bmsim-float-lstm v1", found: "keras v1")) {
            try FloatModelFile.decode(try JSONSerialization.data(withJSONObject: object), path: "x.json")
        }
    }

    @Test("units and input sizes that are not positive, or too large to be real, are rejected by name",
          arguments: [0, -1, -32, Int.max / 4, 1 << 40])
    func badSizes(_ units: Int) throws {
        let dense: [String: Any] = ["dense": ["activation": "linear", "units": 1]]
        #expect(throws: FloatModelFileError.self) {
            try FloatModelFile.decode(try withLayers([["lstm": ["units": units]], dense]), path: "x.json")
        }
        #expect(throws: FloatModelFileError.self) {
            try FloatModelFile.decode(try withLayers([["lstm": ["units": 32]], ["dense": ["activation": "relu", "units": units]], dense]),
                                      path: "x.json")
        }
        #expect(throws: FloatModelFileError.self) {
            try FloatModelFile.decode(try withLayers([["lstm": ["units": 32]], dense], inputSize: units), path: "x.json")
        }
    }

    @Test("a dropout rate outside [0, 1) is rejected", arguments: [-0.5, 1.0, 7.0])
    func badDropout(_ rate: Double) throws {
        let layers: [[String: Any]] = [["lstm": ["units": 32]], ["dropout": ["rate": rate]],
                                       ["dense": ["activation": "linear", "units": 1]]]
        #expect(throws: FloatModelFileError.self) { try FloatModelFile.decode(try withLayers(layers), path: "x.json") }
    }
}
