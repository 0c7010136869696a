import BMSCore
import FixedPoint

/// A decoded, fully validated blob: the model plus the table facts `bmsim inspect` shows.
public struct DecodedBlob: Sendable, Equatable {
    /// The model.
    public var model: BlobModel
    /// The tensor table.
    public var tensors: [BlobTensorInfo]
    /// Total bytes, CRC trailer included.
    public var fileSize: Int
    /// The (verified) CRC-32.
    public var crc32: UInt32
    /// The blob's format version (1 to 6).
    public var version: Int = 1
    /// How the blob stores its LSTM kernels (`v3` from version 3 on).
    public var kernelLayout: BlobKernelLayout = .rows
}

/// Validates and decodes `.bmsq` bytes. Every field is checked before it is used, in the
/// same order as the C loader (`bms_lstm_load_blob`), and every read is bounds-checked.
public enum BlobReader {
    /// Decodes `bytes`; `source` names the input in errors (a path or `"<memory>"`).
    public static func decode(_ bytes: [UInt8], source: String = "<memory>") throws(BlobError) -> DecodedBlob {
        var reader = Reader(bytes: bytes, source: source)
        return try reader.decode()
    }

    struct Reader {
        let bytes: [UInt8]
        let source: String

        func at(_ offset: Int) -> InputLocation { InputLocation(file: source, byteOffset: offset) }

        // Callers have checked `offset + width <= bytes.count`.
        func u8(_ o: Int) -> UInt8 { bytes[o] }
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 {
            UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        func s32(_ o: Int) -> Int32 { Int32(bitPattern: u32(o)) }

        func requant(_ o: Int, field: String) throws(BlobError) -> BlobRequantization {
            let rq = BlobRequantization(multiplier: s32(o), shift: s32(o + 4))
            guard rq.isValid else {
                throw .scaleOutOfRange(at(o), field: field, multiplier: rq.multiplier, shift: rq.shift)
            }
            return rq
        }

        func zero(_ o: Int, _ count: Int, field: String) throws(BlobError) {
            for k in o..<(o + count) where bytes[k] != 0 { throw .reservedNotZero(at(k), field: field) }
        }

        mutating func decode() throws(BlobError) -> DecodedBlob {
            let header = BlobLayout.headerBytes
            guard bytes.count >= header + BlobLayout.crcBytes else {
                throw .truncated(at(bytes.count), expectedBytes: header + BlobLayout.crcBytes, foundBytes: bytes.count)
            }
            guard Array(bytes[0..<4]) == BlobLayout.magic else { throw .wrongMagic(at(0), found: Array(bytes[0..<4])) }
            let version = u16(4)
            guard BlobLayout.readableVersions.contains(version) else {
                throw .unsupportedVersion(at(4), expected: Int(BlobLayout.version), found: version)
            }
            guard u16(6) == Int(LSTMGate.orderCode) else { throw .unsupportedGateOrder(at(6), found: u16(6)) }
            let layout = BlobKernelLayout.of(version: version)
            let fileSize = Int(u32(8))
            if fileSize > bytes.count { throw .truncated(at(8), expectedBytes: fileSize, foundBytes: bytes.count) }
            if fileSize < bytes.count { throw .sizeMismatch(at(8), declaredBytes: fileSize, foundBytes: bytes.count) }
            let dataEnd = fileSize - BlobLayout.crcBytes
            let stored = u32(dataEnd)
            let computed = CRC32.checksum(bytes[0..<dataEnd])
            guard stored == computed else { throw .crcMismatch(at(dataEnd), stored: stored, computed: computed) }

            let featureCount = u16(12), lstmCount = u16(14), denseCount = u16(16), tensorCount = u16(18)
            if !(1...BlobLayout.maxFeatures).contains(featureCount) {
                throw .invalidTopology(at(12), field: "featureCount", expected: "1…\(BlobLayout.maxFeatures)",
                                       found: "\(featureCount)")
            }
            if !(1...BlobLayout.maxLSTMLayers).contains(lstmCount) {
                throw .invalidTopology(at(14), field: "lstmLayerCount", expected: "1…\(BlobLayout.maxLSTMLayers)",
                                       found: "\(lstmCount)")
            }
            if !(1...BlobLayout.maxDenseLayers).contains(denseCount) {
                throw .invalidTopology(at(16), field: "denseLayerCount", expected: "1…\(BlobLayout.maxDenseLayers)",
                                       found: "\(denseCount)")
            }
            let layerCount = lstmCount + denseCount
            let expectedTensors = BlobLayout.tensorsPerLSTM * lstmCount + BlobLayout.tensorsPerDense * denseCount
            guard tensorCount == expectedTensors else {
                throw .invalidTensor(at(18), field: "tensorCount", expected: "\(expectedTensors)", found: "\(tensorCount)")
            }
            let tableOffset = Int(u32(20))
            let expectedTable = BlobLayout.tensorTableOffset(features: featureCount, layers: layerCount)
            guard tableOffset == expectedTable else {
                throw .offsetOutOfBounds(at(20), field: "tensorTableOffset", offset: tableOffset, length: 0,
                                         limit: expectedTable)
            }
            let tableEnd = tableOffset + BlobLayout.recordBytes * tensorCount
            guard tableEnd <= dataEnd else {
                throw .offsetOutOfBounds(at(20), field: "tensor table", offset: tableOffset,
                                         length: tableEnd - tableOffset, limit: dataEnd)
            }
            let metaOffset = Int(u32(24)), metaSize = Int(u32(28))
            guard metaOffset >= tableEnd, metaOffset <= dataEnd, metaSize <= dataEnd - metaOffset else {
                throw .offsetOutOfBounds(at(24), field: "metadata", offset: metaOffset, length: metaSize, limit: dataEnd)
            }

            var inputs: [BlobInputScaling] = []
            var stepSeconds: Int?
            var capacityInput: Int?
            var priorSOCInput: Int?
            for n in 0..<featureCount {
                let o = header + BlobLayout.recordBytes * n
                guard let feature = InputFeature(rawValue: u8(o)), version >= 2 || feature != .chargeDrawn,
                      version >= 4 || feature != .priorCapacity, version >= 5 || feature != .priorSOC else {
                    throw .unknownFeature(at(o), code: Int(u8(o)))
                }
                if feature == .priorCapacity {
                    guard capacityInput == nil else {
                        throw .invalidTopology(at(o), field: "feature[\(n)]", expected: "one prior_capacity input",
                                               found: "a second one")
                    }
                    capacityInput = o
                }
                if feature == .priorSOC {
                    guard priorSOCInput == nil else {
                        throw .invalidTopology(at(o), field: "feature[\(n)]", expected: "one prior_soc input",
                                               found: "a second one")
                    }
                    priorSOCInput = o
                }
                if feature == .chargeDrawn {
                    guard stepSeconds == nil else {
                        throw .invalidTopology(at(o), field: "feature[\(n)]", expected: "one charge_drawn input",
                                               found: "a second one")
                    }
                    try zero(o + 1, 1, field: "feature[\(n)].reserved")
                    let step = u16(o + 2)
                    guard BlobChargeCounter.stepSecondsRange.contains(step) else {
                        throw .stepOutOfRange(at(o + 2), field: "feature[\(n)].stepSeconds", found: step)
                    }
                    stepSeconds = step
                } else {
                    try zero(o + 1, 3, field: "feature[\(n)].reserved")
                }
                let offsetRaw = s32(o + 4)
                let scale = try requant(o + 8, field: "feature[\(n)].scale")
                inputs.append(BlobInputScaling(feature: feature, offsetRaw: offsetRaw, scale: scale))
            }
            let outputRecord = header + BlobLayout.recordBytes * featureCount
            let outputScale = try requant(outputRecord, field: "output.scale")
            let output = BlobOutputScaling(scale: outputScale, offsetCentiPercent: s32(outputRecord + 8))
            var chargeCounter: BlobChargeCounter?
            if version >= 2 {
                let prior = Int64(s32(outputRecord + 12))
                if prior != 0 {
                    guard prior > 0, prior <= Int64(BlobChargeCounter.priorCapacityRange.upperBound) else {
                        throw .priorOutOfRange(at(outputRecord + 12), found: prior, reason: "outside 1…1000000 mAh")
                    }
                    guard stepSeconds != nil else {
                        throw .priorOutOfRange(at(outputRecord + 12), found: prior,
                                               reason: "no charge_drawn input defines the step")
                    }
                }
                if let stepSeconds {
                    chargeCounter = BlobChargeCounter(stepSeconds: stepSeconds, priorCapacityMAh: prior == 0 ? nil : Int(prior))
                }
                if let capacityInput, prior == 0 {
                    throw .invalidTopology(at(capacityInput), field: "prior_capacity input", expected: "a prior (output.prior > 0)",
                                           found: "no prior")
                }
                if let priorSOCInput, prior == 0 {
                    throw .invalidTopology(at(priorSOCInput), field: "prior_soc input", expected: "a prior (output.prior > 0)",
                                           found: "no prior")
                }
            } else {
                try zero(outputRecord + 12, 4, field: "output.reserved")
            }

            var lstmLayers: [BlobLSTMLayer] = []
            var denseLayers: [BlobDenseLayer] = []
            var tensors: [BlobTensorInfo] = []
            var width = featureCount
            var expectedFirst = 0
            var head: BlobUncertaintyHead?
            for n in 0..<layerCount {
                let o = outputRecord + BlobLayout.recordBytes * (1 + n)
                let isLSTM = n < lstmCount
                let name = isLSTM ? "lstm[\(n)]" : "dense[\(n - lstmCount)]"
                let kind = u8(o), activation = u8(o + 1)
                let input = u16(o + 2), outputSize = u16(o + 4), first = u16(o + 6)
                let expectedKind = isLSTM ? BlobLayout.lstmKind : BlobLayout.denseKind
                guard kind == expectedKind else {
                    throw .invalidTopology(at(o), field: "\(name).kind", expected: "\(expectedKind)", found: "\(kind)")
                }
                guard activation <= (isLSTM ? 0 : 1) else {
                    throw .invalidTopology(at(o + 1), field: "\(name).activation", expected: isLSTM ? "0" : "0 or 1",
                                           found: "\(activation)")
                }
                guard input == width else {
                    throw .invalidTopology(at(o + 2), field: "\(name).inputSize", expected: "\(width)", found: "\(input)")
                }
                guard (1...BlobLayout.maxWidth).contains(outputSize) else {
                    throw .invalidTopology(at(o + 4), field: "\(name).outputSize", expected: "1…\(BlobLayout.maxWidth)",
                                           found: "\(outputSize)")
                }
                let isLast = n == layerCount - 1
                let hasHead = version >= BlobLayout.uncertaintyHeadVersion
                if isLast && outputSize != (hasHead ? 2 : 1) {
                    throw .invalidTopology(at(o + 4), field: "\(name).outputSize",
                                           expected: hasHead ? "2 (last layer: SOC and log σ², version 6)" : "1 (last layer)",
                                           found: "\(outputSize)")
                }
                guard first == expectedFirst else {
                    throw .invalidTensor(at(o + 6), field: "\(name).firstTensor", expected: "\(expectedFirst)",
                                         found: "\(first)")
                }
                let cellFractionBits = Int(u8(o + 8))
                if isLSTM {
                    guard QFormat.cellFractionBitsRange.contains(cellFractionBits) else {
                        throw .scaleOutOfRange(at(o + 8), field: "\(name).cellFractionBits", multiplier: 0,
                                               shift: Int32(cellFractionBits))
                    }
                } else if isLast && hasHead {
                    head = try uncertaintyHead(record: o, name: name)
                } else {
                    try zero(o + 8, 1, field: "\(name).reserved")
                }
                try zero(o + 9, isLast && hasHead ? 3 : 7, field: "\(name).reserved")
                let roles = isLSTM ? BlobTensorRole.lstmRoles : BlobTensorRole.denseRoles
                var data: [(offset: Int, count: Int)] = []
                for (k, role) in roles.enumerated() {
                    let info = try tensor(index: first + k, layer: n, role: role, input: input, output: outputSize,
                                          tableOffset: tableOffset, tableEnd: tableEnd, dataEnd: dataEnd, name: name,
                                          layout: layout)
                    tensors.append(info)
                    data.append((info.offset, info.shape.reduce(1, *)))
                }
                func int8s(_ k: Int) -> [Int8] {
                    bytes[data[k].offset..<(data[k].offset + data[k].count)].map { Int8(bitPattern: $0) }
                }
                func int32s(_ k: Int) -> [Int32] { (0..<data[k].count).map { s32(data[k].offset + 4 * $0) } }
                func checkScales(_ mk: Int, _ sk: Int, _ field: String) throws(BlobError) {
                    for r in 0..<data[mk].count {
                        let rq = BlobRequantization(multiplier: s32(data[mk].offset + 4 * r), shift: s32(data[sk].offset + 4 * r))
                        if !rq.isValid {
                            throw .scaleOutOfRange(at(data[mk].offset + 4 * r), field: "\(name).\(field)[\(r)]",
                                                   multiplier: rq.multiplier, shift: rq.shift)
                        }
                    }
                }
                func checkBias(_ k: Int) throws(BlobError) {
                    for r in 0..<data[k].count {
                        let b = s32(data[k].offset + 4 * r)
                        if b > BlobLayout.maxAbsBias || b < -BlobLayout.maxAbsBias {
                            throw .biasOutOfRange(at(data[k].offset + 4 * r), field: "\(name).bias[\(r)]", value: b)
                        }
                    }
                }
                func kernel(_ k: Int, columns: Int) throws(BlobError) -> [Int8] {
                    guard layout == .v3 else { return int8s(k) }
                    return try interleavedKernel(offset: data[k].offset, hidden: outputSize, columns: columns,
                                                 field: "\(name).\(roles[k])")
                }
                if isLSTM {
                    let inputKernel = try kernel(0, columns: input)
                    let recurrentKernel = try kernel(1, columns: outputSize)
                    try checkBias(2)
                    try checkScales(3, 4, "input_multiplier")
                    try checkScales(5, 6, "recurrent_multiplier")
                    lstmLayers.append(BlobLSTMLayer(
                        inputSize: input, hiddenSize: outputSize, inputKernel: inputKernel, recurrentKernel: recurrentKernel,
                        bias: int32s(2), inputMultipliers: int32s(3), inputShifts: int32s(4),
                        recurrentMultipliers: int32s(5), recurrentShifts: int32s(6),
                        cellFractionBits: cellFractionBits))
                    expectedFirst += BlobLayout.tensorsPerLSTM
                } else {
                    try checkBias(1)
                    try checkScales(2, 3, "multiplier")
                    denseLayers.append(BlobDenseLayer(
                        inputSize: input, outputSize: outputSize, activation: DenseActivation(rawValue: activation)!,
                        weight: int8s(0), bias: int32s(1), multipliers: int32s(2), shifts: int32s(3)))
                    expectedFirst += BlobLayout.tensorsPerDense
                }
                width = outputSize
            }
            let metadata = try parseMetadata(offset: metaOffset, size: metaSize)
            let model = BlobModel(inputs: inputs, output: output, lstmLayers: lstmLayers, denseLayers: denseLayers,
                                  metadata: metadata, chargeCounter: chargeCounter, uncertaintyHead: head)
            return DecodedBlob(model: model, tensors: tensors, fileSize: fileSize, crc32: stored, version: version,
                               kernelLayout: layout)
        }

        /// The version-6 uncertainty head of the last dense record at `o`: byte 8 the log-variance
        /// fraction bits (11), bytes 12…15 the label span in ppm (1…10⁷); bytes 9…11 are checked
        /// as reserved by the caller.
        func uncertaintyHead(record o: Int, name: String) throws(BlobError) -> BlobUncertaintyHead {
            let bits = Int(u8(o + 8))
            guard bits == BlobUncertaintyHead.logVarianceFractionBits else {
                throw .scaleOutOfRange(at(o + 8), field: "\(name).logVarianceFractionBits", multiplier: 0, shift: Int32(bits))
            }
            let span = s32(o + 12)
            guard BlobUncertaintyHead.labelSpanPPMRange.contains(span) else {
                throw .scaleOutOfRange(at(o + 12), field: "\(name).labelSpanPPM", multiplier: span, shift: 0)
            }
            return BlobUncertaintyHead(labelSpanPPM: span)
        }

        /// A version-3 kernel back in row-major order; every padding byte must be zero.
        func interleavedKernel(offset: Int, hidden: Int, columns: Int, field: String) throws(BlobError) -> [Int8] {
            let padded = BlobKernelLayout.paddedColumns(columns)
            var out = [Int8](repeating: 0, count: 4 * hidden * columns)
            for row in 0..<(4 * hidden) {
                for column in 0..<padded {
                    let at = offset + BlobKernelLayout.interleavedOffset(row: row, column: column, hidden: hidden,
                                                                          columns: columns)
                    if column < columns {
                        out[row * columns + column] = Int8(bitPattern: bytes[at])
                    } else if bytes[at] != 0 {
                        throw .reservedNotZero(self.at(at), field: "\(field) padding (row \(row), column \(column))")
                    }
                }
            }
            return out
        }

        func tensor(index: Int, layer: Int, role: BlobTensorRole, input: Int, output: Int, tableOffset: Int,
                    tableEnd: Int, dataEnd: Int, name: String, layout: BlobKernelLayout) throws(BlobError) -> BlobTensorInfo {
            let o = tableOffset + BlobLayout.recordBytes * index
            let field = "\(name).\(role)"
            let shape = role.shape(inputSize: input, outputSize: output)
            let dims = [u16(o + 4), u16(o + 6)]
            let expectedDims = shape.count == 2 ? shape : [shape[0], 1]
            let offset = Int(u32(o + 8)), byteCount = Int(u32(o + 12))
            guard u8(o) == role.dtype.rawValue else {
                throw .invalidTensor(at(o), field: "\(field).dtype", expected: "\(role.dtype.rawValue)", found: "\(u8(o))")
            }
            guard Int(u8(o + 1)) == shape.count else {
                throw .invalidTensor(at(o + 1), field: "\(field).rank", expected: "\(shape.count)", found: "\(u8(o + 1))")
            }
            guard u16(o + 2) == Int(role.rawValue) else {
                throw .invalidTensor(at(o + 2), field: "\(field).role", expected: "\(role.rawValue)", found: "\(u16(o + 2))")
            }
            guard dims == expectedDims else {
                throw .invalidTensor(at(o + 4), field: "\(field).shape", expected: "\(expectedDims)", found: "\(dims)")
            }
            let isKernel = role == .lstmInputKernel || role == .lstmRecurrentKernel
            let expectedBytes = isKernel ? layout.kernelBytes(hidden: output, columns: shape[1])
                : shape.reduce(1, *) * role.dtype.size
            guard byteCount == expectedBytes else {
                throw .invalidTensor(at(o + 12), field: "\(field).byteCount", expected: "\(expectedBytes)",
                                     found: "\(byteCount)")
            }
            guard offset % BlobLayout.tensorAlignment == 0 else { throw .misalignedTensor(at(o + 8), field: field, offset: offset) }
            guard offset >= tableEnd, offset <= dataEnd, byteCount <= dataEnd - offset else {
                throw .offsetOutOfBounds(at(o + 8), field: field, offset: offset, length: byteCount, limit: dataEnd)
            }
            return BlobTensorInfo(index: index, layer: layer, role: role, dtype: role.dtype, shape: shape,
                                  offset: offset, byteCount: byteCount)
        }

        func parseMetadata(offset: Int, size: Int) throws(BlobError) -> [BlobMetadataEntry] {
            guard size > 0 else { return [] }
            guard let text = String(validating: bytes[offset..<(offset + size)], as: UTF8.self) else {
                throw .invalidMetadata(at(offset), reason: "not UTF-8")
            }
            var entries: [BlobMetadataEntry] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                guard let eq = line.firstIndex(of: "="), eq != line.startIndex else {
                    throw .invalidMetadata(at(offset), reason: "line \"\(line.prefix(40))\" is not key=value")
                }
                entries.append(BlobMetadataEntry(key: String(line[..<eq]), value: String(line[line.index(after: eq)...])))
            }
            return entries
        }
    }
}
