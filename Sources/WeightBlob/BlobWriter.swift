import BMSCore
import FixedPoint

/// Encodes a `BlobModel` as a `.bmsq` blob (little-endian, CRC-32 trailer).
///
/// The writer checks the model's array sizes, then encodes, then decodes its own output
/// with `BlobReader` so it can never emit a blob the readers reject.
///
/// ```swift
/// let bytes = try BlobWriter.encode(model)
/// try OutputPath.write(Data(bytes), to: url)   // CellData: the checked atomic writer
/// ```
public enum BlobWriter {
    /// The blob bytes of `model`, its LSTM kernels stored in `layout` (`.rows`: format
    /// version 1 or 2 as before; `.v3`: version 3). A model with a prior-capacity input is
    /// format version 4, one with a prior-SOC input version 5, one with an uncertainty head
    /// version 6, all always interleaved (`layout` is then `.v3` whatever was asked).
    public static func encode(_ model: BlobModel, layout: BlobKernelLayout = .rows) throws(BlobError) -> [UInt8] {
        try checkShapes(model)
        let layout = model.needsInterleavedKernels ? .v3 : layout
        let layerCount = model.lstmLayers.count + model.denseLayers.count
        let tensorCount = BlobLayout.tensorsPerLSTM * model.lstmLayers.count
            + BlobLayout.tensorsPerDense * model.denseLayers.count
        let tableOffset = BlobLayout.tensorTableOffset(features: model.inputs.count, layers: layerCount)
        let tableEnd = tableOffset + BlobLayout.recordBytes * tensorCount
        let metadata = Array(model.metadata.map { "\($0.key)=\($0.value)\n" }.joined().utf8)

        // Tensor payloads in table order.
        var payloads: [(role: BlobTensorRole, shape: [Int], bytes: [UInt8])] = []
        for layer in model.lstmLayers {
            let values: [[UInt8]] = [
                layout.store(layer.inputKernel, hidden: layer.hiddenSize, columns: layer.inputSize),
                layout.store(layer.recurrentKernel, hidden: layer.hiddenSize, columns: layer.hiddenSize),
                int32Bytes(layer.bias),
                int32Bytes(layer.inputMultipliers), int32Bytes(layer.inputShifts),
                int32Bytes(layer.recurrentMultipliers), int32Bytes(layer.recurrentShifts),
            ]
            for (role, bytes) in zip(BlobTensorRole.lstmRoles, values) {
                payloads.append((role, role.shape(inputSize: layer.inputSize, outputSize: layer.hiddenSize), bytes))
            }
        }
        for layer in model.denseLayers {
            let values: [[UInt8]] = [int8Bytes(layer.weight), int32Bytes(layer.bias),
                                     int32Bytes(layer.multipliers), int32Bytes(layer.shifts)]
            for (role, bytes) in zip(BlobTensorRole.denseRoles, values) {
                payloads.append((role, role.shape(inputSize: layer.inputSize, outputSize: layer.outputSize), bytes))
            }
        }

        var offsets: [Int] = []
        var cursor = align(tableEnd + metadata.count)
        for payload in payloads {
            offsets.append(cursor)
            cursor = align(cursor + payload.bytes.count)
        }
        let fileSize = cursor + BlobLayout.crcBytes

        var out = [UInt8]()
        out.reserveCapacity(fileSize)
        out += BlobLayout.magic
        put16(&out, layout.formatVersion(for: model))
        put16(&out, LSTMGate.orderCode)
        put32(&out, UInt32(fileSize))
        put16(&out, UInt16(model.inputs.count))
        put16(&out, UInt16(model.lstmLayers.count))
        put16(&out, UInt16(model.denseLayers.count))
        put16(&out, UInt16(tensorCount))
        put32(&out, UInt32(tableOffset))
        put32(&out, UInt32(tableEnd))
        put32(&out, UInt32(metadata.count))
        for input in model.inputs {
            out += [input.feature.rawValue, 0]
            put16(&out, input.feature == .chargeDrawn ? UInt16(truncatingIfNeeded: model.chargeCounter?.stepSeconds ?? 0) : 0)
            putS32(&out, input.offsetRaw)
            putS32(&out, input.scale.multiplier)
            putS32(&out, input.scale.shift)
        }
        putS32(&out, model.output.scale.multiplier)
        putS32(&out, model.output.scale.shift)
        putS32(&out, model.output.offsetCentiPercent)
        putS32(&out, Int32(truncatingIfNeeded: model.chargeCounter?.priorCapacityMAh ?? 0))
        var firstTensor = 0
        for layer in model.lstmLayers {
            layerRecord(&out, kind: BlobLayout.lstmKind, activation: 0, input: layer.inputSize,
                        output: layer.hiddenSize, firstTensor: firstTensor,
                        cellFractionBits: UInt8(truncatingIfNeeded: layer.cellFractionBits))
            firstTensor += BlobLayout.tensorsPerLSTM
        }
        for (n, layer) in model.denseLayers.enumerated() {
            let head = n == model.denseLayers.count - 1 ? model.uncertaintyHead : nil
            layerRecord(&out, kind: BlobLayout.denseKind, activation: layer.activation.rawValue,
                        input: layer.inputSize, output: layer.outputSize, firstTensor: firstTensor,
                        cellFractionBits: head == nil ? 0 : UInt8(BlobUncertaintyHead.logVarianceFractionBits),
                        labelSpanPPM: head?.labelSpanPPM ?? 0)
            firstTensor += BlobLayout.tensorsPerDense
        }
        for (payload, offset) in zip(payloads, offsets) {
            out.append(payload.role.dtype.rawValue)
            out.append(UInt8(payload.shape.count))
            put16(&out, payload.role.rawValue)
            put16(&out, UInt16(payload.shape[0]))
            put16(&out, UInt16(payload.shape.count > 1 ? payload.shape[1] : 1))
            put32(&out, UInt32(offset))
            put32(&out, UInt32(payload.bytes.count))
        }
        out += metadata
        for (payload, offset) in zip(payloads, offsets) {
            out += [UInt8](repeating: 0, count: offset - out.count)
            out += payload.bytes
        }
        out += [UInt8](repeating: 0, count: fileSize - BlobLayout.crcBytes - out.count)
        put32(&out, CRC32.checksum(out))
        precondition(out.count == fileSize, "blob size bookkeeping")
        _ = try BlobReader.decode(out, source: "<writer>")
        return out
    }

    /// Checks every array against the declared sizes before encoding.
    static func checkShapes(_ model: BlobModel) throws(BlobError) {
        let here = InputLocation(file: "<model>")
        func expect(_ field: String, _ found: Int, _ expected: Int) throws(BlobError) {
            if found != expected {
                throw .invalidTensor(here, field: field, expected: "\(expected) elements", found: "\(found)")
            }
        }
        func expectSize(_ field: String, _ value: Int) throws(BlobError) {
            if !(1...BlobLayout.maxWidth).contains(value) {
                throw .invalidTopology(here, field: field, expected: "1…\(BlobLayout.maxWidth)", found: "\(value)")
            }
        }
        for (n, layer) in model.lstmLayers.enumerated() {
            let name = "lstm[\(n)]"
            try expectSize("\(name).inputSize", layer.inputSize)
            try expectSize("\(name).hiddenSize", layer.hiddenSize)
            let bitsRange = QFormat.cellFractionBitsRange
            if !bitsRange.contains(layer.cellFractionBits) {
                throw .invalidTopology(here, field: "\(name).cellFractionBits",
                                       expected: "\(bitsRange.lowerBound)…\(bitsRange.upperBound)",
                                       found: "\(layer.cellFractionBits)")
            }
            let rows = 4 * layer.hiddenSize
            try expect("\(name).kernel", layer.inputKernel.count, rows * layer.inputSize)
            try expect("\(name).recurrentKernel", layer.recurrentKernel.count, rows * layer.hiddenSize)
            for (field, array) in [("bias", layer.bias), ("inputMultipliers", layer.inputMultipliers),
                                   ("inputShifts", layer.inputShifts),
                                   ("recurrentMultipliers", layer.recurrentMultipliers),
                                   ("recurrentShifts", layer.recurrentShifts)] {
                try expect("\(name).\(field)", array.count, rows)
            }
        }
        for (n, layer) in model.denseLayers.enumerated() {
            let name = "dense[\(n)]"
            try expectSize("\(name).inputSize", layer.inputSize)
            try expectSize("\(name).outputSize", layer.outputSize)
            try expect("\(name).weight", layer.weight.count, layer.outputSize * layer.inputSize)
            for (field, array) in [("bias", layer.bias), ("multipliers", layer.multipliers), ("shifts", layer.shifts)] {
                try expect("\(name).\(field)", array.count, layer.outputSize)
            }
        }
        let lastOutputs = model.denseLayers.last?.outputSize ?? 0
        if lastOutputs != (model.uncertaintyHead == nil ? 1 : 2) {
            throw .invalidTopology(here, field: "dense[last].outputSize",
                                   expected: model.uncertaintyHead == nil ? "1 (no uncertainty head)" : "2 (uncertainty head)",
                                   found: "\(lastOutputs)")
        }
        if let head = model.uncertaintyHead, !BlobUncertaintyHead.labelSpanPPMRange.contains(head.labelSpanPPM) {
            throw .scaleOutOfRange(here, field: "uncertaintyHead.labelSpanPPM", multiplier: head.labelSpanPPM, shift: 0)
        }
        let chargeInputs = model.inputs.filter { $0.feature == .chargeDrawn }.count
        if chargeInputs > 1 {
            throw .invalidTopology(here, field: "inputs", expected: "at most one charge_drawn", found: "\(chargeInputs)")
        }
        if let counter = model.chargeCounter {
            if !BlobChargeCounter.stepSecondsRange.contains(counter.stepSeconds) {
                throw .stepOutOfRange(here, field: "chargeCounter.stepSeconds", found: counter.stepSeconds)
            }
            if let prior = counter.priorCapacityMAh, !BlobChargeCounter.priorCapacityRange.contains(prior) {
                throw .priorOutOfRange(here, found: Int64(prior), reason: "outside 1…1000000 mAh")
            }
            if chargeInputs == 0 {
                throw .invalidTopology(here, field: "inputs", expected: "a charge_drawn input (it carries the step)",
                                       found: "none")
            }
        } else if chargeInputs > 0 {
            throw .stepOutOfRange(here, field: "chargeCounter.stepSeconds (missing)", found: 0)
        }
        let capacityInputs = model.inputs.filter { $0.feature == .priorCapacity }.count
        if capacityInputs > 1 || (capacityInputs == 1 && model.chargeCounter?.priorCapacityMAh == nil) {
            throw .invalidTopology(here, field: "inputs", expected: "at most one prior_capacity, and only with a prior",
                                   found: "\(capacityInputs), prior \(model.chargeCounter?.priorCapacityMAh.map(String.init) ?? "none")")
        }
        let priorSOCInputs = model.inputs.filter { $0.feature == .priorSOC }.count
        if priorSOCInputs > 1 || (priorSOCInputs == 1 && model.chargeCounter?.priorCapacityMAh == nil) {
            throw .invalidTopology(here, field: "inputs", expected: "at most one prior_soc, and only with a prior",
                                   found: "\(priorSOCInputs), prior \(model.chargeCounter?.priorCapacityMAh.map(String.init) ?? "none")")
        }
        for entry in model.metadata {
            if entry.key.isEmpty || entry.key.contains("=") || entry.key.contains("\n") || entry.value.contains("\n") {
                throw .invalidMetadata(here, reason: "key \"\(entry.key)\" or its value has '=' or a newline")
            }
        }
    }

    static func align(_ offset: Int) -> Int {
        (offset + BlobLayout.tensorAlignment - 1) / BlobLayout.tensorAlignment * BlobLayout.tensorAlignment
    }

    /// A layer record; a version-6 last dense layer carries the log-variance fraction bits in
    /// byte 8 and the label span (ppm) in bytes 12…15.
    static func layerRecord(_ out: inout [UInt8], kind: UInt8, activation: UInt8, input: Int, output: Int,
                            firstTensor: Int, cellFractionBits: UInt8 = 0, labelSpanPPM: Int32 = 0) {
        out += [kind, activation]
        put16(&out, UInt16(input))
        put16(&out, UInt16(output))
        put16(&out, UInt16(firstTensor))
        out.append(cellFractionBits)
        out += [UInt8](repeating: 0, count: 3)
        putS32(&out, labelSpanPPM)
    }

    static func int8Bytes(_ values: [Int8]) -> [UInt8] { values.map { UInt8(bitPattern: $0) } }

    static func int32Bytes(_ values: [Int32]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(values.count * 4)
        for v in values { putS32(&out, v) }
        return out
    }

    static func put16(_ out: inout [UInt8], _ v: UInt16) {
        out += [UInt8(v & 0xFF), UInt8(v >> 8)]
    }

    static func put32(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    }

    static func putS32(_ out: inout [UInt8], _ v: Int32) { put32(&out, UInt32(bitPattern: v)) }
}
