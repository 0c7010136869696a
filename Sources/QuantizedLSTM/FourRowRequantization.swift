#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Four rows' `RowRequantization.applyTruncating` at once (one unit's four gates), for rows
/// whose shifts are all ≥ 33, with SSE2 only and no per-lane shift: two `pmuludq` per two
/// rows, every shift by the constant 32.
///
/// With `u = acc + 2^31` (unsigned), `V = u·m + C` where `C = 2^(s−1) − 2^31·m + 2^62`
/// equals `acc·m + 2^(s−1) + 2^62`, which lies in (0, 2^64). Then
/// `⌊V / 2^s⌋ = ⌊⌊V / 2^32⌋ · 2^(64−s) / 2^32⌋` (floor of a floor; `2^(64−s)` ≤ 2^31 for
/// s ≥ 33, and `⌊V / 2^32⌋ < 2^32`, so the second product fits 64 bits), which is
/// `round(acc·m / 2^s) + 2^(62−s)`; subtracting `D = 2^(62−s)` in 32 bits leaves the
/// result, which fits `Int32` (`RowRequantization.applyTruncating`).
struct FourRowRequantization {
    /// The smallest shift this form takes.
    static let minimumShift: Int64 = 33

    /// m of rows 0 and 2 in 32-bit lanes 0 and 2 (what `pmuludq` reads).
    var multipliersEven = SIMD4<UInt32>()
    /// m of rows 1 and 3 in lanes 0 and 2.
    var multipliersOdd = SIMD4<UInt32>()
    /// C of rows 0 and 2.
    var offsetsEven = SIMD2<UInt64>()
    /// C of rows 1 and 3.
    var offsetsOdd = SIMD2<UInt64>()
    /// 2^(64−s) of rows 0 and 2 in lanes 0 and 2.
    var scalesEven = SIMD4<UInt32>()
    /// 2^(64−s) of rows 1 and 3 in lanes 0 and 2.
    var scalesOdd = SIMD4<UInt32>()
    /// D of rows 0…3, as 32-bit two's complement.
    var corrections = SIMD4<Int32>()

    /// Rows with shift ≥ `minimumShift` only.
    init(_ rows: [RowRequantization]) {
        precondition(rows.count == 4 && rows.allSatisfy { $0.shift >= Self.minimumShift }, "four rows with shift ≥ 33")
        for (n, row) in rows.enumerated() {
            let m = UInt64(row.multiplier), s = UInt64(row.shift)
            let offset = (UInt64(1) << (s - 1)) &- (m << 31) &+ (UInt64(1) << 62)
            let scale = UInt32(UInt64(1) << (64 - s))
            if n % 2 == 0 {
                multipliersEven[n] = UInt32(m)
                offsetsEven[n / 2] = offset
                scalesEven[n] = scale
            } else {
                multipliersOdd[n - 1] = UInt32(m)
                offsetsOdd[n / 2] = offset
                scalesOdd[n - 1] = scale
            }
            corrections[n] = Int32(truncatingIfNeeded: UInt64(1) << (62 - s))
        }
    }

    /// `applyTruncating` of each row on its lane of `accumulators`.
    @inline(__always)
    func apply(_ accumulators: SIMD4<Int32>) -> SIMD4<Int32> {
        #if arch(x86_64)
        let u = _mm_xor_si128(unsafeBitCast(accumulators, to: __m128i.self), _mm_set1_epi32(Int32.min))
        let even = _mm_add_epi64(_mm_mul_epu32(u, unsafeBitCast(multipliersEven, to: __m128i.self)),
                                 unsafeBitCast(offsetsEven, to: __m128i.self))
        let odd = _mm_add_epi64(_mm_mul_epu32(_mm_srli_epi64(u, 32), unsafeBitCast(multipliersOdd, to: __m128i.self)),
                                unsafeBitCast(offsetsOdd, to: __m128i.self))
        // Results of rows 0 and 2 land in the low halves, of rows 1 and 3 in the high halves.
        let resultsEven = _mm_srli_epi64(_mm_mul_epu32(_mm_srli_epi64(even, 32),
                                                       unsafeBitCast(scalesEven, to: __m128i.self)), 32)
        let resultsOdd = _mm_and_si128(_mm_mul_epu32(_mm_srli_epi64(odd, 32), unsafeBitCast(scalesOdd, to: __m128i.self)),
                                       _mm_set_epi32(-1, 0, -1, 0))
        return unsafeBitCast(_mm_or_si128(resultsEven, resultsOdd), to: SIMD4<Int32>.self) &- corrections
        #else
        return applyPortable(accumulators)
        #endif
    }

    /// `apply` lane by lane with the same 64-bit formula (the tests' check of the
    /// intrinsics, and the path off x86-64).
    func applyPortable(_ accumulators: SIMD4<Int32>) -> SIMD4<Int32> {
        var out = SIMD4<Int32>()
        for n in 0..<4 {
            let even = n % 2 == 0
            let m = UInt64(even ? multipliersEven[n] : multipliersOdd[n - 1])
            let offset = even ? offsetsEven[n / 2] : offsetsOdd[n / 2]
            let scale = UInt64(even ? scalesEven[n] : scalesOdd[n - 1])
            let u = UInt64(UInt32(bitPattern: accumulators[n] ^ Int32.min))
            let v = (((u &* m &+ offset) >> 32) &* scale) >> 32
            out[n] = Int32(truncatingIfNeeded: v) &- corrections[n]
        }
        return out
    }
}
