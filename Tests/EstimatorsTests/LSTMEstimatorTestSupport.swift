import BMSCore
import Estimators
import Foundation
import QuantizedLSTM
import TestSupport
import WeightBlob

/// Shared pieces of the LSTM estimator tests: the shipped demo blob and measurement profiles.
enum LSTMTestSupport {
    /// `Fixtures/models/lstm-demo.bmsq`, decoded and validated by `BlobReader`.
    static let demoModel: BlobModel = {
        let url = SharedData.fixtures.appendingPathComponent("models/lstm-demo.bmsq")
        let bytes = [UInt8]((try? Data(contentsOf: url)) ?? Data())
        guard let decoded = try? BlobReader.decode(bytes, source: url.path) else {
            preconditionFailure("cannot read \(url.path)")
        }
        return decoded.model
    }()

    /// The raw sample the test expects for a measurement, computed independently of
    /// `RawSensorSample.init(_:)` (in Int64, then checked to fit).
    static func raw(_ m: CellMeasurement) -> RawSensorSample {
        func r(_ x: Double) -> Int32 { Int32(Int64(x.rounded())) }
        return RawSensorSample(voltageUV: r(m.voltageV * 1_000_000), currentMA: r(m.currentA * 1000),
                               temperatureDeciC: r(m.temperatureC * 10))
    }

    /// A measurement of a simple linear-voltage cell at time `t` under `currentA`.
    static func measurement(t: Double, currentA: Double, dt: Double) -> CellMeasurement {
        CellMeasurement(voltageV: 4.1 - 0.0002 * t + 0.05 * min(currentA, 0), currentA: currentA,
                        temperatureC: 24 + 0.001 * t, dtSeconds: dt)
    }

    /// Segments of constant current as ticks of `dt` seconds: (current A, seconds).
    static func profile(_ segments: [(currentA: Double, seconds: Double)], dt: Double) -> [CellMeasurement] {
        var out: [CellMeasurement] = []
        var t = 0.0
        for segment in segments {
            let n = Int((segment.seconds / dt).rounded())
            for _ in 0..<n {
                out.append(measurement(t: t, currentA: segment.currentA, dt: dt))
                t += dt
            }
        }
        return out
    }
}
