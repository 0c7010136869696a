import FixedPoint
import WeightBlob

/// Σ w[j]·x[j] over int8 weights (held widened to Int16 so the loop vectorizes to
/// multiply-add-pairs) and int16 activations. Every partial sum is below 2^31 in magnitude
/// (width ≤ 256, |w| ≤ 128, checked by the blob readers), so wrapping adds are exact and
/// the order of summation does not matter.
@inline(__always)
func dotProduct(_ weights: UnsafePointer<Int16>, _ input: UnsafePointer<Int16>, _ count: Int) -> Int32 {
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

/// An LSTM layer's parameters in contiguous buffers, and its integer step.
final class LSTMLayerKernel {
    let inputSize: Int
    let hiddenSize: Int
    let cellFractionBits: Int32
    let inputKernel: UnsafeMutablePointer<Int16>
    let recurrentKernel: UnsafeMutablePointer<Int16>
    let bias: UnsafeMutablePointer<Int32>
    let inputScale: UnsafeMutablePointer<QuantizedMultiplier>
    let recurrentScale: UnsafeMutablePointer<QuantizedMultiplier>

    init(_ layer: BlobLSTMLayer) {
        inputSize = layer.inputSize
        hiddenSize = layer.hiddenSize
        cellFractionBits = Int32(layer.cellFractionBits)
        let rows = 4 * layer.hiddenSize
        inputKernel = widened(layer.inputKernel)
        recurrentKernel = widened(layer.recurrentKernel)
        bias = .allocate(capacity: rows)
        bias.initialize(from: layer.bias, count: rows)
        inputScale = .allocate(capacity: rows)
        recurrentScale = .allocate(capacity: rows)
        for r in 0..<rows {
            (inputScale + r).initialize(to: QuantizedMultiplier(multiplier: layer.inputMultipliers[r],
                                                                shift: layer.inputShifts[r]))
            (recurrentScale + r).initialize(to: QuantizedMultiplier(multiplier: layer.recurrentMultipliers[r],
                                                                    shift: layer.recurrentShifts[r]))
        }
    }

    deinit {
        inputKernel.deallocate()
        recurrentKernel.deallocate()
        bias.deallocate()
        inputScale.deallocate()
        recurrentScale.deallocate()
    }

    /// pre[r] = sat16(sat16(rq_x(b + Wx·in)) + sat16(rq_h(Wh·h))), Q4.11; i, f, o = σ(pre),
    /// g = tanh(2·pre as Q3.12); with n = cellFractionBits:
    /// c' = sat16(round(f·c / 2^15) + round(i·g / 2^(30−n))) (Q(15−n).n),
    /// h' = sat16(round(o·tanh(c'·2^(12−n)) / 2^15)) (Q0.15).
    @inline(__always)
    func step(input: UnsafePointer<Int16>, hidden: UnsafeMutablePointer<Int16>, cell: UnsafeMutablePointer<Int16>,
              pre: UnsafeMutablePointer<Int16>, sigmoid: UnsafePointer<Int16>, tanh: UnsafePointer<Int16>) {
        let rows = 4 * hiddenSize
        for r in 0..<rows {
            let accX = bias[r] &+ dotProduct(inputKernel + r * inputSize, input, inputSize)
            let accH = dotProduct(recurrentKernel + r * hiddenSize, UnsafePointer(hidden), hiddenSize)
            let partX = Int32(inputScale[r].applySaturatingInt16(to: accX))
            let partH = Int32(recurrentScale[r].applySaturatingInt16(to: accH))
            pre[r] = Saturating.narrowToInt16(partX &+ partH)
        }
        let h = hiddenSize
        let addShift = 30 &- cellFractionBits
        let toQ3_12 = Int32(1) &<< (12 &- cellFractionBits)
        for j in 0..<h {
            let gateI = Int32(IntegerActivations.interpolate(sigmoid, pre[j]))
            let gateF = Int32(IntegerActivations.interpolate(sigmoid, pre[h + j]))
            let gateG = Int32(IntegerActivations.interpolate(tanh, Saturating.narrowToInt16(2 &* Int32(pre[2 * h + j]))))
            let gateO = Int32(IntegerActivations.interpolate(sigmoid, pre[3 * h + j]))
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
