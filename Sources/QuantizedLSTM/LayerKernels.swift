import FixedPoint
import WeightBlob

/// Σ w[j]·x[j] over int8 weights (held widened to Int16 so the loop vectorizes to
/// multiply-add-pairs) and int16 activations. Every partial sum is below 2^31 in magnitude
/// (width ≤ 256, |w| ≤ 128, checked by the blob readers), so wrapping adds are exact and
/// the order of summation does not matter.
@inline(__always)
func dotProduct(_ weights: UnsafePointer<Int16>, _ input: UnsafePointer<Int16>, _ count: Int) -> Int32 {
    #if DEBUG
    // SIMD types are very slow in unoptimized builds; the sums are identical (exact
    // int32 arithmetic), which `DotProductTests` checks for both kernels.
    return dotProductScalar(weights, input, count)
    #else
    return dotProductSIMD(weights, input, count)
    #endif
}

/// Σ w[j]·x[j], one element at a time.
@inline(__always)
func dotProductScalar(_ weights: UnsafePointer<Int16>, _ input: UnsafePointer<Int16>, _ count: Int) -> Int32 {
    var acc: Int32 = 0
    for j in 0..<count { acc = acc &+ Int32(weights[j]) &* Int32(input[j]) }
    return acc
}

/// Σ w[j]·x[j], eight lanes at a time (`pmaddwd` on x86-64, see `multiplyAddPairs`).
@inline(__always)
func dotProductSIMD(_ weights: UnsafePointer<Int16>, _ input: UnsafePointer<Int16>, _ count: Int) -> Int32 {
    var lanes = SIMD4<Int32>()
    var j = 0
    let rawWeights = UnsafeRawPointer(weights), rawInput = UnsafeRawPointer(input)
    while j &+ 8 <= count {
        let w = rawWeights.loadUnaligned(fromByteOffset: 2 &* j, as: SIMD8<Int16>.self)
        let x = rawInput.loadUnaligned(fromByteOffset: 2 &* j, as: SIMD8<Int16>.self)
        lanes &+= multiplyAddPairs(w, x)
        j &+= 8
    }
    var acc = lanes.wrappedSum()
    while j < count {
        acc = acc &+ Int32(weights[j]) &* Int32(input[j])
        j &+= 1
    }
    return acc
}

/// int8 weights widened to Int16 in a new buffer (done once, at init).
func widened(_ weights: [Int8]) -> UnsafeMutablePointer<Int16> {
    let buffer = UnsafeMutablePointer<Int16>.allocate(capacity: max(weights.count, 1))
    for (n, w) in weights.enumerated() { (buffer + n).initialize(to: Int16(w)) }
    return buffer
}

/// How an engine computes its LSTM layers; every path gives the same integers.
enum KernelPath: Sendable, CaseIterable {
    /// Row by row from the blob's row-major arrays, one product at a time, with
    /// `FixedPoint`'s scalar requantization: the reference the others are tested against.
    case reference
    /// `GateMatrix` layout, scalar gate sums (the default of debug builds).
    case portable
    /// `GateMatrix` layout, SIMD gate sums (the default of release builds).
    case vector

    /// The build's default.
    static var automatic: KernelPath {
        #if DEBUG
        return .portable
        #else
        return .vector
        #endif
    }
}

/// An LSTM layer's parameters in `GateMatrix` layout (gate order i, f, g, o inside each
/// unit), and its integer step in two phases: all gate sums (`gateSumsSIMD` or `gateSumsScalar`), then per unit the
/// requantizations, activations and the cell and hidden update.
final class LSTMLayerKernel {
    let layer: BlobLSTMLayer
    let path: KernelPath
    let inputSize: Int
    let hiddenSize: Int
    let cellFractionBits: Int32
    let inputMatrix: GateMatrix
    let recurrentMatrix: GateMatrix
    /// Per unit j, index 4j + gate (padded rows; the gate sums start from it).
    let bias: UnsafeMutablePointer<Int32>
    let inputScale: UnsafeMutablePointer<RowRequantization>
    let recurrentScale: UnsafeMutablePointer<RowRequantization>
    /// The layer input and the previous h, zero-padded to the matrices' even widths.
    let inputCopy: UnsafeMutablePointer<Int16>
    let hiddenCopy: UnsafeMutablePointer<Int16>
    /// This step's gate sums (b + Wx·in, and Wh·h), per unit j at 4j + gate.
    let inputSums: UnsafeMutablePointer<Int32>
    let recurrentSums: UnsafeMutablePointer<Int32>
    /// This step's gate pre-activations (Q4.11), per unit j at 4j + gate.
    let preActivations: UnsafeMutablePointer<Int16>
    /// Every row's two shifts are ≥ 33 (`FourRowRequantization.minimumShift`; ≥ 31 would
    /// do for the next point): requantized sums fit `Int32`, are computed four rows at a
    /// time and saturated eight at a time (`saturatingPairSums`); otherwise row by row.
    let packedSaturation: Bool
    /// When `packedSaturation`: per unit j, its input rows' scales at 2j and its recurrent
    /// rows' at 2j + 1, for the SIMD requantization of the vector path.
    let fourRowScales: UnsafeMutablePointer<FourRowRequantization>
    /// Units rounded up to whole gate blocks (the stride of `gateValues`).
    let unitStride: Int
    /// This step's gate values (Q0.15), gate k of unit j at k · unitStride + j.
    let gateValues: UnsafeMutablePointer<Int16>
    /// The tanh inputs, then outputs, of the vector cell update (`CellUpdate`).
    let tanhScratch: UnsafeMutablePointer<Int16>

    init(_ layer: BlobLSTMLayer, path: KernelPath = .automatic) {
        self.layer = layer
        self.path = path
        inputSize = layer.inputSize
        hiddenSize = layer.hiddenSize
        cellFractionBits = Int32(layer.cellFractionBits)
        inputMatrix = GateMatrix(layer.inputKernel, hidden: hiddenSize, columns: inputSize)
        recurrentMatrix = GateMatrix(layer.recurrentKernel, hidden: hiddenSize, columns: hiddenSize)
        let padded = inputMatrix.paddedRows
        bias = .allocate(capacity: padded)
        bias.initialize(repeating: 0, count: padded)
        inputScale = .allocate(capacity: 4 * hiddenSize)
        recurrentScale = .allocate(capacity: 4 * hiddenSize)
        for unit in 0..<hiddenSize {
            for gate in 0..<4 {
                let r = gate * hiddenSize + unit, at = 4 * unit + gate
                bias[at] = layer.bias[r]
                (inputScale + at).initialize(to: RowRequantization(QuantizedMultiplier(
                    multiplier: layer.inputMultipliers[r], shift: layer.inputShifts[r])))
                (recurrentScale + at).initialize(to: RowRequantization(QuantizedMultiplier(
                    multiplier: layer.recurrentMultipliers[r], shift: layer.recurrentShifts[r])))
            }
        }
        inputCopy = .allocate(capacity: inputMatrix.paddedColumns + 8)
        inputCopy.initialize(repeating: 0, count: inputMatrix.paddedColumns + 8)
        hiddenCopy = .allocate(capacity: recurrentMatrix.paddedColumns + 8)
        hiddenCopy.initialize(repeating: 0, count: recurrentMatrix.paddedColumns + 8)
        inputSums = UnsafeMutableRawPointer.allocate(byteCount: 4 * padded, alignment: 64)
            .bindMemory(to: Int32.self, capacity: padded)
        inputSums.initialize(repeating: 0, count: padded)
        recurrentSums = UnsafeMutableRawPointer.allocate(byteCount: 4 * padded, alignment: 64)
            .bindMemory(to: Int32.self, capacity: padded)
        recurrentSums.initialize(repeating: 0, count: padded)
        preActivations = .allocate(capacity: padded)
        preActivations.initialize(repeating: 0, count: padded)
        unitStride = padded / 4
        gateValues = .allocate(capacity: padded)
        gateValues.initialize(repeating: 0, count: padded)
        tanhScratch = .allocate(capacity: padded / 4)
        tanhScratch.initialize(repeating: 0, count: padded / 4)
        packedSaturation = (0..<(4 * hiddenSize)).allSatisfy { [inputScale, recurrentScale] r in
            inputScale[r].shift >= FourRowRequantization.minimumShift
                && recurrentScale[r].shift >= FourRowRequantization.minimumShift
        }
        let packed = packedSaturation
        fourRowScales = .allocate(capacity: packed ? 2 * hiddenSize : 0)
        if packed {
            for unit in 0..<hiddenSize {
                let x = (0..<4).map { [inputScale] in inputScale[4 * unit + $0] }
                let h = (0..<4).map { [recurrentScale] in recurrentScale[4 * unit + $0] }
                (fourRowScales + 2 * unit).initialize(to: FourRowRequantization(x))
                (fourRowScales + 2 * unit + 1).initialize(to: FourRowRequantization(h))
            }
        }
    }

    deinit {
        inputMatrix.deallocate()
        recurrentMatrix.deallocate()
        bias.deallocate()
        inputScale.deallocate()
        recurrentScale.deallocate()
        inputCopy.deallocate()
        hiddenCopy.deallocate()
        inputSums.deallocate()
        recurrentSums.deallocate()
        preActivations.deallocate()
        gateValues.deallocate()
        tanhScratch.deallocate()
        fourRowScales.deallocate()
    }

    /// Per unit j (gates k = i, f, g, o; row r = k·H + j):
    /// pre_k = sat16(sat16(rq_x[r](b[r] + Wx[r]·in)) + sat16(rq_h[r](Wh[r]·h))), Q4.11;
    /// i, f, o = σ(pre), g = tanh(2·pre as Q3.12); with n = cellFractionBits:
    /// c' = sat16(round(f·c / 2^15) + round(i·g / 2^(30−n))) (Q(15−n).n),
    /// h' = sat16(round(o·tanh(c'·2^(12−n)) / 2^15)) (Q0.15). All units read the previous h
    /// (a copy), so writing h' at once changes nothing.
    @inline(__always)
    func step(input: UnsafePointer<Int16>, hidden: UnsafeMutablePointer<Int16>, cell: UnsafeMutablePointer<Int16>,
              sigmoid: UnsafePointer<Int16>, tanh: UnsafePointer<Int16>) {
        switch path {
        case .reference:
            stepReference(input: input, hidden: hidden, cell: cell, sigmoid: sigmoid, tanh: tanh)
            return
        case .portable:
            inputCopy.update(from: input, count: inputSize)
            hiddenCopy.update(from: hidden, count: hiddenSize)
            gateSumsScalar(inputMatrix, inputCopy, start: bias, into: inputSums)
            gateSumsScalar(recurrentMatrix, hiddenCopy, start: nil, into: recurrentSums)
        case .vector:
            // All gate sums are taken before any h is written, so even-width inputs are
            // read in place; odd widths go through the zero-padded copies.
            var x = input, h = UnsafePointer(hidden)
            if inputSize & 1 != 0 {
                inputCopy.update(from: input, count: inputSize)
                x = UnsafePointer(inputCopy)
            }
            if hiddenSize & 1 != 0 {
                hiddenCopy.update(from: hidden, count: hiddenSize)
                h = UnsafePointer(hiddenCopy)
            }
            gateSumsSIMD(inputMatrix, x, start: bias, into: inputSums)
            gateSumsSIMD(recurrentMatrix, h, start: nil, into: recurrentSums)
        }
        let rows = 4 &* hiddenSize
        if packedSaturation {
            if path == .vector {
                let rawX = UnsafeMutableRawPointer(inputSums), rawH = UnsafeMutableRawPointer(recurrentSums)
                for j in 0..<hiddenSize {
                    let offset = 16 &* j
                    let x = fourRowScales[2 &* j].apply(rawX.load(fromByteOffset: offset, as: SIMD4<Int32>.self))
                    let h = fourRowScales[2 &* j &+ 1].apply(rawH.load(fromByteOffset: offset, as: SIMD4<Int32>.self))
                    rawX.storeBytes(of: x, toByteOffset: offset, as: SIMD4<Int32>.self)
                    rawH.storeBytes(of: h, toByteOffset: offset, as: SIMD4<Int32>.self)
                }
                saturatingPairSums(inputSums, recurrentSums, into: preActivations, count: inputMatrix.paddedRows)
            } else {
                for r in 0..<rows {
                    inputSums[r] = inputScale[r].applyTruncating(inputSums[r])
                    recurrentSums[r] = recurrentScale[r].applyTruncating(recurrentSums[r])
                }
                saturatingPairSumsPortable(inputSums, recurrentSums, into: preActivations, count: rows)
            }
        } else {
            for r in 0..<rows { preActivations[r] = preActivation(r) }
        }
        // Short passes rather than one long one: every unit's chain (activation → cell →
        // tanh → h) is independent, and short loop bodies let the core overlap more units'
        // chains. The gate values go to one array per gate (gate k of unit j at k·U + j).
        let u = unitStride
        for j in 0..<hiddenSize {
            let at = 4 &* j
            gateValues[j] = IntegerActivations.interpolate(sigmoid, preActivations[at])
            gateValues[u &+ j] = IntegerActivations.interpolate(sigmoid, preActivations[at &+ 1])
            gateValues[2 &* u &+ j] = IntegerActivations.interpolate(
                tanh, Saturating.narrowToInt16(2 &* Int32(preActivations[at &+ 2])))
            gateValues[3 &* u &+ j] = IntegerActivations.interpolate(sigmoid, preActivations[at &+ 3])
        }
        #if arch(x86_64)
        // The vector path updates whole groups of eight units with SSE2, the rest one by one.
        let scalarFrom = path == .vector ? hiddenSize & ~7 : 0
        if scalarFrom > 0 {
            CellUpdate.cells(i: gateValues, f: gateValues + u, g: gateValues + 2 &* u, cell: cell,
                             tanhInput: tanhScratch, count: scalarFrom, cellFractionBits: cellFractionBits)
            for j in 0..<scalarFrom { tanhScratch[j] = IntegerActivations.interpolate(tanh, tanhScratch[j]) }
            CellUpdate.hidden(o: gateValues + 3 &* u, squashed: tanhScratch, hidden: hidden, count: scalarFrom)
        }
        #else
        let scalarFrom = 0
        #endif
        for j in scalarFrom..<hiddenSize {
            updateCell(j, Int32(gateValues[j]), Int32(gateValues[u &+ j]), Int32(gateValues[2 &* u &+ j]),
                       Int32(gateValues[3 &* u &+ j]), hidden: hidden, cell: cell, tanh: tanh)
        }
    }

    /// Gate pre-activation (Q4.11) of interleaved row `at` from this step's two sums.
    @inline(__always)
    func preActivation(_ at: Int) -> Int16 {
        let partX = inputScale[at].applySaturating16(inputSums[at])
        let partH = recurrentScale[at].applySaturating16(recurrentSums[at])
        return Saturating.narrowToInt16(partX &+ partH)
    }

    /// The activations and the cell and hidden update of unit j from its four
    /// pre-activations (formulas at `step`).
    @inline(__always)
    func updateUnit(_ j: Int, _ preI: Int16, _ preF: Int16, _ preG: Int16, _ preO: Int16,
                    hidden: UnsafeMutablePointer<Int16>, cell: UnsafeMutablePointer<Int16>,
                    sigmoid: UnsafePointer<Int16>, tanh: UnsafePointer<Int16>) {
        let gateI = Int32(IntegerActivations.interpolate(sigmoid, preI))
        let gateF = Int32(IntegerActivations.interpolate(sigmoid, preF))
        let gateG = Int32(IntegerActivations.interpolate(tanh, Saturating.narrowToInt16(2 &* Int32(preG))))
        let gateO = Int32(IntegerActivations.interpolate(sigmoid, preO))
        updateCell(j, gateI, gateF, gateG, gateO, hidden: hidden, cell: cell, tanh: tanh)
    }

    /// The cell and hidden update of unit j from its four gate values (Q0.15).
    @inline(__always)
    func updateCell(_ j: Int, _ gateI: Int32, _ gateF: Int32, _ gateG: Int32, _ gateO: Int32,
                    hidden: UnsafeMutablePointer<Int16>, cell: UnsafeMutablePointer<Int16>, tanh: UnsafePointer<Int16>) {
        let kept = RoundingShift.right(gateF &* Int32(cell[j]), by: 15)
        let added = RoundingShift.right(gateI &* gateG, by: 30 &- cellFractionBits)
        let newCell = Saturating.narrowToInt16(kept &+ added)
        let toQ3_12 = Int32(1) &<< (12 &- cellFractionBits)
        let squashed = Int32(IntegerActivations.interpolate(tanh, Saturating.narrowToInt16(Int32(newCell) &* toQ3_12)))
        cell[j] = newCell
        hidden[j] = Saturating.narrowToInt16(RoundingShift.right(gateO &* squashed, by: 15))
    }

    /// The step straight from the blob's row-major arrays, one product at a time, with
    /// `QuantizedMultiplier.applySaturatingInt16` (`KernelPath.reference`).
    func stepReference(input: UnsafePointer<Int16>, hidden: UnsafeMutablePointer<Int16>,
                       cell: UnsafeMutablePointer<Int16>, sigmoid: UnsafePointer<Int16>, tanh: UnsafePointer<Int16>) {
        hiddenCopy.update(from: hidden, count: hiddenSize)
        func pre(_ gate: Int, _ j: Int) -> Int16 {
            let r = gate * hiddenSize + j
            var accX: Int32 = 0, accH: Int32 = 0
            for c in 0..<inputSize { accX = accX &+ Int32(layer.inputKernel[r * inputSize + c]) &* Int32(input[c]) }
            for c in 0..<hiddenSize { accH = accH &+ Int32(layer.recurrentKernel[r * hiddenSize + c]) &* Int32(hiddenCopy[c]) }
            let x = QuantizedMultiplier(multiplier: layer.inputMultipliers[r], shift: layer.inputShifts[r])
            let h = QuantizedMultiplier(multiplier: layer.recurrentMultipliers[r], shift: layer.recurrentShifts[r])
            return Saturating.add(x.applySaturatingInt16(to: layer.bias[r] &+ accX), h.applySaturatingInt16(to: accH))
        }
        for j in 0..<hiddenSize {
            updateUnit(j, pre(0, j), pre(1, j), pre(2, j), pre(3, j), hidden: hidden, cell: cell, sigmoid: sigmoid, tanh: tanh)
        }
    }
}

/// A dense layer's parameters in contiguous buffers, and its integer step.
final class DenseLayerKernel {
    let inputSize: Int
    let outputSize: Int
    let relu: Bool
    let weight: UnsafeMutablePointer<Int16>
    let bias: UnsafeMutablePointer<Int32>
    let scale: UnsafeMutablePointer<QuantizedMultiplier>

    init(_ layer: BlobDenseLayer) {
        inputSize = layer.inputSize
        outputSize = layer.outputSize
        relu = layer.activation == .relu
        weight = widened(layer.weight)
        bias = .allocate(capacity: outputSize)
        bias.initialize(from: layer.bias, count: outputSize)
        scale = .allocate(capacity: outputSize)
        for r in 0..<outputSize {
            (scale + r).initialize(to: QuantizedMultiplier(multiplier: layer.multipliers[r], shift: layer.shifts[r]))
        }
    }

    deinit {
        weight.deallocate()
        bias.deallocate()
        scale.deallocate()
    }

    /// out[r] = act(sat16(rq(b + W·in))).
    @inline(__always)
    func step(input: UnsafePointer<Int16>, output: UnsafeMutablePointer<Int16>) {
        for r in 0..<outputSize {
            let acc = bias[r] &+ dotProduct(weight + r * inputSize, input, inputSize)
            let value = scale[r].applySaturatingInt16(to: acc)
            output[r] = relu && value < 0 ? 0 : value
        }
    }
}
