import Foundation

extension GenericRecordingCSV {
    /// The generic CSV text of `recording` (current positive = charge), with the reference
    /// SOC of `ReferenceSOC.label` in the `soc` column (empty where undefined). Time is
    /// seconds since the start of the recording; numbers are rounded to 1 ms, 10 µV, 10 µA,
    /// 1 m°C and 1e-6 SOC.
    public static func text(of recording: Recording) -> [UInt8] {
        let labels = ReferenceSOC.label(recording)
        var out: [UInt8] = []
        out.reserveCapacity(recording.operations.reduce(0) { $0 + $1.samples.count } * 64 + 512)
        func append(_ s: String) { out.append(contentsOf: Array(s.utf8)) }
        append("# bmsim recording v1\n# cell: \(recording.cell)\n# current_sign: charge_positive\n")
        append("# source: \(recording.source)\n")
        append("# soc: reference SOC (fraction), see Docs/DataFormats.md\n")
        append("time_s,voltage_v,current_a,temperature_c,soc,operation,capacity_ah,nasa_cycle,ambient_temperature_c\n")
        for (op, label) in zip(recording.operations, labels) {
            let name = op.isGap ? "gap" : op.kind.rawValue
            let capacity = Array((op.capacityAh.map { "\($0)" } ?? "").utf8)
            let cycle = Array((op.nasaCycle.map { "\($0)" } ?? "").utf8)
            let ambient = Array((op.ambientTemperatureC.map { "\($0)" } ?? "").utf8)
            for k in 0..<op.samples.count {
                appendFixed(op.startTimeS + op.samples.timeS[k], decimals: 3, &out); out.append(0x2C)
                appendFixed(op.samples.voltageV[k], decimals: 5, &out); out.append(0x2C)
                appendFixed(op.samples.currentA[k], decimals: 5, &out); out.append(0x2C)
                appendFixed(op.samples.temperatureC[k], decimals: 3, &out); out.append(0x2C)
                if let label { appendFixed(label[k], decimals: 6, &out) }
                out.append(0x2C)
                append(name); out.append(0x2C)
                out.append(contentsOf: capacity); out.append(0x2C)
                out.append(contentsOf: cycle); out.append(0x2C)
                out.append(contentsOf: ambient); out.append(0x0A)
            }
        }
        return out
    }

    /// Writes `recording` to `url` atomically (temporary file, then rename) through
    /// `OutputPath.write`: only over a regular file or nothing.
    public static func write(_ recording: Recording, to url: URL, followSymlinks: Bool = false) throws(OutputPathError) {
        try OutputPath.write(Data(text(of: recording)), to: url, followSymlinks: followSymlinks)
    }

    /// Appends `x` rounded to `decimals` places (`NaN` for NaN) without going through `String(format:)`.
    static func appendFixed(_ x: Double, decimals: Int, _ out: inout [UInt8]) {
        guard x.isFinite else { out.append(contentsOf: Array((x.isNaN ? "NaN" : x > 0 ? "inf" : "-inf").utf8)); return }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9e15 else { out.append(contentsOf: Array("\(x)".utf8)); return }
        var units = UInt64(scaled)
        if x < 0 && units != 0 { out.append(UInt8(ascii: "-")) }
        var p: UInt64 = 1
        for _ in 0..<decimals { p *= 10 }
        let whole = units / p
        units %= p
        out.append(contentsOf: Array(String(whole).utf8))
        guard decimals > 0 else { return }
        out.append(UInt8(ascii: "."))
        var digits = [UInt8](repeating: 0x30, count: decimals)
        var k = decimals - 1
        while units > 0 && k >= 0 { digits[k] = 0x30 + UInt8(units % 10); units /= 10; k -= 1 }
        out.append(contentsOf: digits)
    }
}
