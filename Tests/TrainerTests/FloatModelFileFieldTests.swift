import FloatModel
import Foundation
import Testing
import TestSupport
@testable import Trainer

/// Reliability issue rows 3, 5, 16 and 19: a model file whose numbers the engine cannot use
/// is refused by `FloatModelFile.decode` with the file and the field named, before a
/// resampler, a scaler or a network sees it.
@Suite("Model file field checks")
struct FloatModelFileFieldTests {
    /// The shipped float model, decoded (it passes every check).
    func shipped() throws -> FloatModelFile {
        let url = SharedData.fixtures.appendingPathComponent("models/lstm-f.json")
        return try FloatModelFile.read(from: url)
    }

    /// Encodes `file` and decodes it back under the name `bad.json`.
    func roundTrip(_ file: FloatModelFile) throws -> FloatModelFile {
        try FloatModelFile.decode(try JSONEncoder().encode(file), path: "bad.json")
    }

    /// Expects `invalidField` naming `field` for `file`.
    func expectRefused(_ file: FloatModelFile, field: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let data = try? JSONEncoder().encode(file) else { Issue.record("cannot encode"); return }
        do throws(FloatModelFileError) {
            _ = try FloatModelFile.decode(data, path: "bad.json")
            Issue.record("accepted a bad \(field)", sourceLocation: sourceLocation)
        } catch {
            guard case let .invalidField(path, found, reason) = error else {
                Issue.record("wrong error \(error)", sourceLocation: sourceLocation); return
            }
            #expect(path == "bad.json", sourceLocation: sourceLocation)
            #expect(found == field, "\(reason)", sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("bad.json: \(field): "), sourceLocation: sourceLocation)
        }
    }

    @Test("the shipped model round-trips unchanged")
    func shippedPasses() throws {
        let file = try shipped()
        #expect(try roundTrip(file) == file)
    }

    @Test("stepSeconds 0, −10, 1e-6 and 1e9 are refused (row 3)", arguments: [0, -10, 1e-6, 1e9])
    func badStep(step: Double) throws {
        var file = try shipped()
        file.stepSeconds = step
        expectRefused(file, field: "stepSeconds")
    }

    @Test("an xMean or xStd shorter than the input is refused (row 5)")
    func shortScalers() throws {
        var file = try shipped()
        file.scalers.xMean.removeLast()
        expectRefused(file, field: "scalers.xMean")
        file = try shipped()
        file.scalers.xStd = [1]
        expectRefused(file, field: "scalers.xStd")
    }

    @Test("xStd 0, yMax < yMin, prior capacity 0 or negative are refused (row 16)")
    func degenerateScalers() throws {
        var file = try shipped()
        file.scalers.xStd[1] = 0
        expectRefused(file, field: "scalers.xStd[1]")
        file = try shipped()
        file.scalers.yMax = file.scalers.yMin
        expectRefused(file, field: "scalers.yMax")
        for prior in [0, -2.0] {
            file = try shipped()
            file.scalers.priorCapacityAh = prior
            expectRefused(file, field: "scalers.priorCapacityAh")
        }
        file = try shipped()
        file.scalers.yMax = file.scalers.yMin - 1
        expectRefused(file, field: "scalers.yMax")
    }

    @Test("an unknown gate order or feature list is refused, not ignored (row 16)")
    func unknownNames() throws {
        var file = try shipped()
        file.gateOrder = "i,g,f,o"
        expectRefused(file, field: "gateOrder")
        file = try shipped()
        file.features = ["voltage_V", "temperature_C", "d_voltage_V", "humidity"]
        expectRefused(file, field: "features")
    }

    @Test("a shape error names the file (row 19)")
    func shapeErrorNamesFile() throws {
        var file = try shipped()
        file.layers[0].kernel?.removeLast()
        #expect { _ = try roundTrip(file) } throws: { error in
            String(describing: error).hasPrefix("bad.json: ") && String(describing: error).contains("kernel")
        }
    }
}
