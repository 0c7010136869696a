import WeightBlob
#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// A `[4H × C]` gate-major LSTM kernel laid out for `gateSumsSIMD`: units in blocks of
/// `unitsPerBlock`, and inside a block, per pair of columns (2p, 2p+1), the rows of the
/// block's units (unit-major, gates i, f, g, o inside each unit), each row as its two
/// weights. One broadcast input pair then multiplies a whole block with one `pmaddwd`
/// per unit, and the sums come out as four gates per unit, ready for the pointwise phase;
/// no horizontal sums. Units and columns are padded with zero weights (H up to a whole
/// block, C up to even); built once at init from either blob layout (row-major order
/// after `BlobReader`).
struct GateMatrix {
    /// Units per block: eight accumulators of four gates each (`Accumulators8`).
    static let unitsPerBlock = 8
    /// Rows (4 gates × units) per block.
    static let rowsPerBlock = 4 * unitsPerBlock

    /// Column pairs (C rounded up to even, halved).
    let pairs: Int
    /// Unit blocks (H rounded up to `unitsPerBlock`).
    let blocks: Int
    /// Int16 per block: `rowsPerBlock · 2 · pairs`.
    let blockStride: Int
    /// 64-byte aligned, so every 8-weight row pair is one aligned 16-byte load.
    let weights: UnsafeMutablePointer<Int16>

    /// Rows of padded output (`rowsPerBlock · blocks`, unit u's gates at 4u…4u+3).
    var paddedRows: Int { Self.rowsPerBlock * blocks }
    /// Input words the kernel reads (C rounded up to even; the padding must be zero).
    var paddedColumns: Int { 2 * pairs }

    init(_ kernel: [Int8], hidden: Int, columns: Int) {
        pairs = (columns + 1) / 2
        blocks = (hidden + Self.unitsPerBlock - 1) / Self.unitsPerBlock
        blockStride = Self.rowsPerBlock * 2 * pairs
        let count = max(blocks * blockStride, 8)
        weights = UnsafeMutableRawPointer.allocate(byteCount: 2 * count, alignment: 64)
            .bindMemory(to: Int16.self, capacity: count)
        weights.initialize(repeating: 0, count: count)
        for gate in 0..<4 {
            for unit in 0..<hidden {
                let block = unit / Self.unitsPerBlock
                let rowInBlock = 4 * (unit % Self.unitsPerBlock) + gate
                for column in 0..<columns {
                    let at = block * blockStride + ((column / 2) * Self.rowsPerBlock + rowInBlock) * 2 + column % 2
                    weights[at] = Int16(kernel[(gate * hidden + unit) * columns + column])
                }
            }
        }
    }

    func deallocate() { weights.deallocate() }
}

/// Σ over pairs of the products of two int16 pairs, lane by lane:
/// `r[k] = a[2k]·b[2k] + a[2k+1]·b[2k+1]` (`pmaddwd` on x86-64). Exact while no pair is
/// (−32768)·(−32768) twice, which int8 weights rule out. On x86-64 the SSE2 intrinsic is
/// called directly: from the portable form LLVM saw through a broadcast operand and split
/// the weight loads into 16-bit inserts (the step took 60 % longer).
@inline(__always)
func multiplyAddPairs(_ a: SIMD8<Int16>, _ b: SIMD8<Int16>) -> SIMD4<Int32> {
    #if arch(x86_64)
    unsafeBitCast(_mm_madd_epi16(unsafeBitCast(a, to: __m128i.self), unsafeBitCast(b, to: __m128i.self)),
                  to: SIMD4<Int32>.self)
    #else
    multiplyAddPairsPortable(a, b)
    #endif
}

/// `multiplyAddPairs` in portable Swift (the reference for the intrinsic in the tests).
@inline(__always)
func multiplyAddPairsPortable(_ a: SIMD8<Int16>, _ b: SIMD8<Int16>) -> SIMD4<Int32> {
    SIMD4<Int32>(truncatingIfNeeded: a.evenHalf) &* SIMD4<Int32>(truncatingIfNeeded: b.evenHalf)
        &+ SIMD4<Int32>(truncatingIfNeeded: a.oddHalf) &* SIMD4<Int32>(truncatingIfNeeded: b.oddHalf)
}

/// `out[r] = start[r] + Σ_c W[r][c]·x[c]` for every padded row of `matrix` (wrapping int32,
/// exact as in `dotProduct`), one product at a time; `start` nil means 0. `input` holds
/// `matrix.paddedColumns` words (padding zero); `out` and `start` hold `matrix.paddedRows`.
/// `gateSumsSIMD` computes the same integers; debug builds use this one (`KernelPath`).
func gateSumsScalar(_ matrix: GateMatrix, _ input: UnsafePointer<Int16>, start: UnsafePointer<Int32>?,
                    into out: UnsafeMutablePointer<Int32>) {
    let rows = GateMatrix.rowsPerBlock
    for block in 0..<matrix.blocks {
        let w = matrix.weights + block * matrix.blockStride
        for row in 0..<rows {
            var acc = start?[block * rows + row] ?? 0
            for pair in 0..<matrix.pairs {
                let at = (pair * rows + row) * 2
                acc = acc &+ Int32(w[at]) &* Int32(input[2 * pair]) &+ Int32(w[at + 1]) &* Int32(input[2 * pair + 1])
            }
            out[block * rows + row] = acc
        }
    }
}

/// `gateSumsScalar`, one broadcast input pair against eight units (32 rows, eight
/// accumulators) per step, two pairs per loop pass.
@inline(__always)
func gateSumsSIMD(_ matrix: GateMatrix, _ input: UnsafePointer<Int16>, start: UnsafePointer<Int32>?,
                  into out: UnsafeMutablePointer<Int32>) {
    let rawInput = UnsafeRawPointer(input)
    let rawOut = UnsafeMutableRawPointer(out)
    let pairs = matrix.pairs
    for block in 0..<matrix.blocks {
        var a = Accumulators8()
        if let start { a.load(UnsafeRawPointer(start + GateMatrix.rowsPerBlock &* block)) }
        var w = UnsafeRawPointer(matrix.weights + block &* matrix.blockStride)
        var pair = 0
        while pair &+ 2 <= pairs {
            let x = rawInput.loadUnaligned(fromByteOffset: 4 &* pair, as: SIMD2<Int32>.self)
            a.add(w, unsafeBitCast(SIMD4<Int32>(repeating: x[0]), to: SIMD8<Int16>.self))
            a.add(w + 128, unsafeBitCast(SIMD4<Int32>(repeating: x[1]), to: SIMD8<Int16>.self))
            w += 256
            pair &+= 2
        }
        if pair < pairs {
            let x = rawInput.loadUnaligned(fromByteOffset: 4 &* pair, as: Int32.self)
            a.add(w, unsafeBitCast(SIMD4<Int32>(repeating: x), to: SIMD8<Int16>.self))
        }
        a.store(rawOut + 4 &* GateMatrix.rowsPerBlock &* block)
    }
}

/// The gate sums of one block of eight units (four gates each) while `gateSumsSIMD` runs.
struct Accumulators8 {
    var a0 = SIMD4<Int32>(), a1 = SIMD4<Int32>(), a2 = SIMD4<Int32>(), a3 = SIMD4<Int32>()
    var a4 = SIMD4<Int32>(), a5 = SIMD4<Int32>(), a6 = SIMD4<Int32>(), a7 = SIMD4<Int32>()

    /// Adds the block's 32 rows (weights at `w`, 16-byte aligned) times one broadcast pair.
    @inline(__always)
    mutating func add(_ w: UnsafeRawPointer, _ xx: SIMD8<Int16>) {
        a0 &+= multiplyAddPairs(w.load(as: SIMD8<Int16>.self), xx)
        a1 &+= multiplyAddPairs(w.load(fromByteOffset: 16, as: SIMD8<Int16>.self), xx)
        a2 &+= multiplyAddPairs(w.load(fromByteOffset: 32, as: SIMD8<Int16>.self), xx)
        a3 &+= multiplyAddPairs(w.load(fromByteOffset: 48, as: SIMD8<Int16>.self), xx)
        a4 &+= multiplyAddPairs(w.load(fromByteOffset: 64, as: SIMD8<Int16>.self), xx)
        a5 &+= multiplyAddPairs(w.load(fromByteOffset: 80, as: SIMD8<Int16>.self), xx)
        a6 &+= multiplyAddPairs(w.load(fromByteOffset: 96, as: SIMD8<Int16>.self), xx)
        a7 &+= multiplyAddPairs(w.load(fromByteOffset: 112, as: SIMD8<Int16>.self), xx)
    }

    @inline(__always)
    mutating func load(_ p: UnsafeRawPointer) {
        a0 = p.loadUnaligned(as: SIMD4<Int32>.self)
        a1 = p.loadUnaligned(fromByteOffset: 16, as: SIMD4<Int32>.self)
        a2 = p.loadUnaligned(fromByteOffset: 32, as: SIMD4<Int32>.self)
        a3 = p.loadUnaligned(fromByteOffset: 48, as: SIMD4<Int32>.self)
        a4 = p.loadUnaligned(fromByteOffset: 64, as: SIMD4<Int32>.self)
        a5 = p.loadUnaligned(fromByteOffset: 80, as: SIMD4<Int32>.self)
        a6 = p.loadUnaligned(fromByteOffset: 96, as: SIMD4<Int32>.self)
        a7 = p.loadUnaligned(fromByteOffset: 112, as: SIMD4<Int32>.self)
    }

    @inline(__always)
    func store(_ p: UnsafeMutableRawPointer) {
        p.storeBytes(of: a0, as: SIMD4<Int32>.self)
        p.storeBytes(of: a1, toByteOffset: 16, as: SIMD4<Int32>.self)
        p.storeBytes(of: a2, toByteOffset: 32, as: SIMD4<Int32>.self)
        p.storeBytes(of: a3, toByteOffset: 48, as: SIMD4<Int32>.self)
        p.storeBytes(of: a4, toByteOffset: 64, as: SIMD4<Int32>.self)
        p.storeBytes(of: a5, toByteOffset: 80, as: SIMD4<Int32>.self)
        p.storeBytes(of: a6, toByteOffset: 96, as: SIMD4<Int32>.self)
        p.storeBytes(of: a7, toByteOffset: 112, as: SIMD4<Int32>.self)
    }
}
