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

/// Σ w[j]·x[j], eight lanes at a time (compiles to `pmaddwd` on x86-64).
@inline(__always)
func dotProductSIMD(_ weights: UnsafePointer<Int16>, _ input: UnsafePointer<Int16>, _ count: Int) -> Int32 {
    var lanes = SIMD8<Int32>()
    var j = 0
    let rawWeights = UnsafeRawPointer(weights), rawInput = UnsafeRawPointer(input)
    while j &+ 8 <= count {
        let w = rawWeights.loadUnaligned(fromByteOffset: 2 &* j, as: SIMD8<Int16>.self)
        let x = rawInput.loadUnaligned(fromByteOffset: 2 &* j, as: SIMD8<Int16>.self)
        lanes &+= SIMD8<Int32>(truncatingIfNeeded: w) &* SIMD8<Int32>(truncatingIfNeeded: x)
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

/// Σ over `groups` groups of 8 columns of the four gate rows of one unit, stored as
/// `UnitInterleavedKernel` lays them out; the four exact int32 sums (see `dotProduct`).
@inline(__always)
func dotProduct4(_ weights: UnsafePointer<Int16>, _ input: UnsafePointer<Int16>, _ groups: Int) -> SIMD4<Int32> {
    #if DEBUG
    return dotProduct4Scalar(weights, input, groups)
    #else
    return dotProduct4SIMD(weights, input, groups)
    #endif
}

/// The four gate sums of one unit, one element at a time.
@inline(__always)
func dotProduct4Scalar(_ weights: UnsafePointer<Int16>, _ input: UnsafePointer<Int16>, _ groups: Int) -> SIMD4<Int32> {
    var acc = SIMD4<Int32>()
    for g in 0..<groups {
        for gate in 0..<4 {
            for t in 0..<8 {
                acc[gate] = acc[gate] &+ Int32(weights[32 &* g &+ 8 &* gate &+ t]) &* Int32(input[8 &* g &+ t])
            }
        }
    }
    return acc
}

/// The four gate sums of one unit, eight lanes per gate: each 8-column group of the input
/// is loaded once for all four gates (compiles to `pmaddwd` on x86-64).
@inline(__always)
func dotProduct4SIMD(_ weights: UnsafePointer<Int16>, _ input: UnsafePointer<Int16>, _ groups: Int) -> SIMD4<Int32> {
    var a0 = SIMD8<Int32>(), a1 = SIMD8<Int32>(), a2 = SIMD8<Int32>(), a3 = SIMD8<Int32>()
    let rw = UnsafeRawPointer(weights), rx = UnsafeRawPointer(input)
    var g = 0
    while g < groups {
        let x = SIMD8<Int32>(truncatingIfNeeded: rx.loadUnaligned(fromByteOffset: 16 &* g, as: SIMD8<Int16>.self))
        let base = 64 &* g
        a0 &+= SIMD8<Int32>(truncatingIfNeeded: rw.loadUnaligned(fromByteOffset: base, as: SIMD8<Int16>.self)) &* x
        a1 &+= SIMD8<Int32>(truncatingIfNeeded: rw.loadUnaligned(fromByteOffset: base &+ 16, as: SIMD8<Int16>.self)) &* x
        a2 &+= SIMD8<Int32>(truncatingIfNeeded: rw.loadUnaligned(fromByteOffset: base &+ 32, as: SIMD8<Int16>.self)) &* x
        a3 &+= SIMD8<Int32>(truncatingIfNeeded: rw.loadUnaligned(fromByteOffset: base &+ 48, as: SIMD8<Int16>.self)) &* x
        g &+= 1
    }
    return SIMD4(a0.wrappedSum(), a1.wrappedSum(), a2.wrappedSum(), a3.wrappedSum())
}

/// A `[4H × C]` gate-major kernel rearranged for `dotProduct4`: per unit j a block of
/// `4 · P` Int16 (P = C rounded up to 8, padding zero); inside it, per group of 8 columns,
/// the 8 weights of gate i, then f, g, o. The host counterpart of blob format version 3's
/// layout (which groups 4 columns for the Cortex-M4); built once at init from either layout.
struct UnitInterleavedKernel {
    /// Groups of 8 columns per unit.
    let groups: Int
    /// Int16 per unit block (32 · groups).
    let unitStride: Int
    let weights: UnsafeMutablePointer<Int16>

    init(_ kernel: [Int8], hidden: Int, columns: Int) {
        groups = (columns + 7) / 8
        unitStride = 32 * groups
        weights = .allocate(capacity: max(hidden * unitStride, 1))
        weights.initialize(repeating: 0, count: max(hidden * unitStride, 1))
        for gate in 0..<4 {
            for unit in 0..<hidden {
                for column in 0..<columns {
                    let at = unit * unitStride + (column / 8) * 32 + gate * 8 + column % 8
                    weights[at] = Int16(kernel[(gate * hidden + unit) * columns + column])
                }
            }
        }
    }

    func deallocate() { weights.deallocate() }
}

/// An LSTM layer's parameters, interleaved per unit (gate order i, f, g, o inside each
/// unit), and its integer step.
final class LSTMLayerKernel {
    let inputSize: Int
    let hiddenSize: Int
    let cellFractionBits: Int32
    let inputKernel: UnitInterleavedKernel
    let recurrentKernel: UnitInterleavedKernel
    /// Per unit j, index 4j + gate.
    let bias: UnsafeMutablePointer<Int32>
    let inputScale: UnsafeMutablePointer<QuantizedMultiplier>
    let recurrentScale: UnsafeMutablePointer<QuantizedMultiplier>
    /// The layer input and the previous h, zero-padded to whole groups of 8.
    let inputCopy: UnsafeMutablePointer<Int16>
    let hiddenCopy: UnsafeMutablePointer<Int16>

    init(_ layer: BlobLSTMLayer) {
        inputSize = layer.inputSize
        hiddenSize = layer.hiddenSize
        cellFractionBits = Int32(layer.cellFractionBits)
        let rows = 4 * layer.hiddenSize
        inputKernel = UnitInterleavedKernel(layer.inputKernel, hidden: hiddenSize, columns: inputSize)
        recurrentKernel = UnitInterleavedKernel(layer.recurrentKernel, hidden: hiddenSize, columns: hiddenSize)
        bias = .allocate(capacity: rows)
        inputScale = .allocate(capacity: rows)
        recurrentScale = .allocate(capacity: rows)
        for unit in 0..<hiddenSize {
            for gate in 0..<4 {
                let r = gate * hiddenSize + unit, at = 4 * unit + gate
                (bias + at).initialize(to: layer.bias[r])
                (inputScale + at).initialize(to: QuantizedMultiplier(multiplier: layer.inputMultipliers[r],
                                                                     shift: layer.inputShifts[r]))
                (recurrentScale + at).initialize(to: QuantizedMultiplier(multiplier: layer.recurrentMultipliers[r],
                                                                         shift: layer.recurrentShifts[r]))
            }
        }
        inputCopy = .allocate(capacity: 8 * inputKernel.groups)
        inputCopy.initialize(repeating: 0, count: 8 * inputKernel.groups)
        hiddenCopy = .allocate(capacity: 8 * recurrentKernel.groups)
        hiddenCopy.initialize(repeating: 0, count: 8 * recurrentKernel.groups)
    }

    deinit {
        inputKernel.deallocate()
        recurrentKernel.deallocate()
        bias.deallocate()
        inputScale.deallocate()
        recurrentScale.deallocate()
        inputCopy.deallocate()
        hiddenCopy.deallocate()
    }

    /// Gate pre-activation (Q4.11) of interleaved row `at` from its two exact sums.
    @inline(__always)
    func preActivation(_ at: Int, _ accX: Int32, _ accH: Int32) -> Int16 {
        let partX = Int32(inputScale[at].applySaturatingInt16(to: bias[at] &+ accX))
        let partH = Int32(recurrentScale[at].applySaturatingInt16(to: accH))
        return Saturating.narrowToInt16(partX &+ partH)
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
        inputCopy.update(from: input, count: inputSize)
        hiddenCopy.update(from: hidden, count: hiddenSize)
        let addShift = 30 &- cellFractionBits
        let toQ3_12 = Int32(1) &<< (12 &- cellFractionBits)
        let xGroups = inputKernel.groups, hGroups = recurrentKernel.groups
        var wx = UnsafePointer(inputKernel.weights), wh = UnsafePointer(recurrentKernel.weights)
        for j in 0..<hiddenSize {
            let accX = dotProduct4(wx, inputCopy, xGroups)
            let accH = dotProduct4(wh, hiddenCopy, hGroups)
            wx += inputKernel.unitStride
            wh += recurrentKernel.unitStride
            // Constant lane indices: a loop writing a SIMD4 by a variable index went through
            // the stack and stalled on store forwarding (a third of the step's time).
            let at = 4 &* j
            let preI = preActivation(at, accX[0], accH[0])
            let preF = preActivation(at &+ 1, accX[1], accH[1])
            let preG = preActivation(at &+ 2, accX[2], accH[2])
            let preO = preActivation(at &+ 3, accX[3], accH[3])
            let gateI = Int32(IntegerActivations.interpolate(sigmoid, preI))
            let gateF = Int32(IntegerActivations.interpolate(sigmoid, preF))
            let gateG = Int32(IntegerActivations.interpolate(tanh, Saturating.narrowToInt16(2 &* Int32(preG))))
            let gateO = Int32(IntegerActivations.interpolate(sigmoid, preO))
            let kept = RoundingShift.right(gateF &* Int32(cell[j]), by: 15)
            let added = RoundingShift.right(gateI &* gateG, by: addShift)
            let newCell = Saturating.narrowToInt16(kept &+ added)
            let squashed = Int32(IntegerActivations.interpolate(tanh, Saturating.narrowToInt16(Int32(newCell) &* toQ3_12)))
            cell[j] = newCell
            hidden[j] = Saturating.narrowToInt16(RoundingShift.right(gateO &* squashed, by: 15))
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
