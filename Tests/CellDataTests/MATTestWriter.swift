@testable import CellData

/// Builds small MAT Level 5 files byte by byte for tests, independently of the reader
/// (following the format description, not the reader's code).
struct MATTestWriter {
    var bigEndian = false

    func u32(_ v: UInt32) -> [UInt8] {
        let b = [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
        return bigEndian ? b.reversed() : b
    }
    func u16(_ v: UInt16) -> [UInt8] {
        let b = [UInt8(v & 0xFF), UInt8(v >> 8)]
        return bigEndian ? b.reversed() : b
    }
    func padded(_ b: [UInt8]) -> [UInt8] { b + [UInt8](repeating: 0, count: (8 - b.count % 8) % 8) }

    /// A data element; ≤ 4 bytes use the small-element form when `small`.
    func element(_ type: UInt32, _ data: [UInt8], small: Bool = true) -> [UInt8] {
        if small && data.count <= 4 && data.count > 0 {
            let tag: [UInt8] = bigEndian ? u16(UInt16(data.count)) + u16(UInt16(type)) : u16(UInt16(type)) + u16(UInt16(data.count))
            return tag + data + [UInt8](repeating: 0, count: 4 - data.count)
        }
        return u32(type) + u32(UInt32(data.count)) + padded(data)
    }

    func header(_ text: String = "MATLAB 5.0 MAT-file, test") -> [UInt8] {
        var h = Array(text.utf8)
        h += [UInt8](repeating: 0x20, count: 116 - h.count)
        h += [UInt8](repeating: 0, count: 8)
        h += u16(0x0100)
        h += bigEndian ? Array("MI".utf8) : Array("IM".utf8)
        return h
    }

    func matrix(classCode: UInt8, dims: [Int32], name: String, body: [UInt8], complex: Bool = false) -> [UInt8] {
        let flags = UInt32(classCode) | (complex ? 0x800 : 0)
        var content = element(6, u32(flags) + u32(0), small: false)
        content += element(5, dims.flatMap { u32(UInt32(bitPattern: $0)) }, small: false)
        content += element(1, Array(name.utf8))
        content += body
        return element(14, content, small: false)
    }

    func doubles(_ name: String, _ values: [Double], dims: [Int32]? = nil) -> [UInt8] {
        matrix(classCode: 6, dims: dims ?? [1, Int32(values.count)], name: name,
               body: element(9, values.flatMap { bigEndian ? u32(UInt32($0.bitPattern >> 32)) + u32(UInt32($0.bitPattern & 0xFFFF_FFFF))
                                                            : u32(UInt32($0.bitPattern & 0xFFFF_FFFF)) + u32(UInt32($0.bitPattern >> 32)) },
                             small: false))
    }

    func int16s(_ name: String, _ values: [Int16]) -> [UInt8] {
        matrix(classCode: 10, dims: [1, Int32(values.count)], name: name,
               body: element(3, values.flatMap { u16(UInt16(bitPattern: $0)) }))
    }

    func singles(_ name: String, _ values: [Float]) -> [UInt8] {
        matrix(classCode: 7, dims: [1, Int32(values.count)], name: name, body: element(7, values.flatMap { u32($0.bitPattern) }))
    }

    func chars(_ name: String, _ text: String) -> [UInt8] {
        matrix(classCode: 4, dims: [1, Int32(text.utf16.count)], name: name, body: element(4, text.utf16.flatMap { u16($0) }))
    }

    func structure(_ name: String, fields: [String], elements: [[[UInt8]]]) -> [UInt8] {
        let length = 32
        var names: [UInt8] = []
        for f in fields { names += Array(f.utf8) + [UInt8](repeating: 0, count: length - f.utf8.count) }
        var body = element(5, u32(UInt32(length))) + element(1, names, small: false)
        for e in elements { for v in e { body += v } }
        return matrix(classCode: 2, dims: [1, Int32(elements.count)], name: name, body: body)
    }

    func cell(_ name: String, _ values: [[UInt8]]) -> [UInt8] {
        matrix(classCode: 1, dims: [Int32(values.count), 1], name: name, body: values.joined().map { $0 })
    }

    func compressed(_ element: [UInt8]) -> [UInt8] {
        let z = ZlibInflate.deflate(element)
        return u32(15) + u32(UInt32(z.count)) + z
    }

    /// A small NASA-like file: struct `B9999` with a 1×3 `cycle` array (impedance, charge, discharge).
    func nasaLikeFile(compress: Bool = false) -> [UInt8] {
        func op(_ type: String, _ hour: Double, _ minute: Double, _ second: Double, data: [UInt8]) -> [[UInt8]] {
            [chars("", type), doubles("", [24]), doubles("", [2010, 1, 2, hour, minute, second]), data]
        }
        let eis = structure("", fields: ["Re", "Rct"], elements: [[doubles("", [0.05]), doubles("", [0.07])]])
        let charge = structure("", fields: ["Voltage_measured", "Current_measured", "Temperature_measured", "Time"],
                               elements: [[doubles("", [3.5, 3.9, 4.2]), doubles("", [1.5, 1.5, 0.02]),
                                           doubles("", [24, 25, 25.5]), doubles("", [0, 1800, 3600])]])
        let discharge = structure("", fields: ["Voltage_measured", "Current_measured", "Temperature_measured", "Time", "Capacity"],
                                  elements: [[doubles("", [4.2, 3.7, 3.0]), doubles("", [-2, -2, -2]),
                                              doubles("", [25, 30, 35]), doubles("", [0, 1800, 3600]), doubles("", [2.0])]])
        let cycle = structure("cycle", fields: ["type", "ambient_temperature", "time", "data"],
                              elements: [op("impedance", 4, 0, 0, data: eis), op("charge", 4, 4, 10, data: charge),
                                         op("discharge", 5, 5, 0, data: discharge)])
        let cellStruct = structure("B9999", fields: ["cycle"], elements: [[cycle]])
        return header() + (compress ? compressed(cellStruct) : cellStruct)
    }
}
