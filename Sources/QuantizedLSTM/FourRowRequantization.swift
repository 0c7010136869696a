#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Four rows' `RowRequantization.applyTruncating` at once (one unit's four gates), for rows
/// whose shifts are all ≥ 31, with SSE2 only: one `pmuludq` per two rows and a 64-bit
/// logical shift per row.
///
/// With `u = acc + 2^31` (unsigned), `u·m + C` where `C = 2^(s−1) − 2^31·m + 2^62` equals
/// `acc·m + 2^(s−1) + 2^62`, which lies in (0, 2^64); shifted right by s it is
/// `round(acc·m / 2^s) + 2^(62−s)` (2^(62−s) is whole for s ≤ 62), and subtracting
/// `D = 2^(62−s)` modulo 2^32 leaves the low 32 bits of the result — the whole result,
/// because it fits `Int32` when s ≥ 31 (`RowRequantization.fitsInt32`).
struct FourRowRequantization {
    /// m of rows 0 and 2 in 32-bit lanes 0 and 2 (what `pmuludq` reads).
    var multipliersEven = SIMD4<UInt32>()
    /// m of rows 1 and 3 in lanes 0 and 2.
    var multipliersOdd = SIMD4<UInt32>()
    /// C of rows 0 and 2.
    var offsetsEven = SIMD2<UInt64>()
    /// C of rows 1 and 3.
    var offsetsOdd = SIMD2<UInt64>()
    /// D of rows 0…3, as 32-bit two's complement.
    var corrections = SIMD4<Int32>()
    /// s of rows 0…3, as four scalars: each becomes one `movd` from memory (read from a
    /// `SIMD4` they were extracted with shuffles).
    var shift0: Int32 = 0, shift1: Int32 = 0, shift2: Int32 = 0, shift3: Int32 = 0

    /// Rows with shift ≥ 31 only (`RowRequantization.fitsInt32`).
    init(_ rows: [RowRequantization]) {
        precondition(rows.count == 4 && rows.allSatisfy(\.fitsInt32), "four rows with shift ≥ 31")
        for (n, row) in rows.enumerated() {
            let m = UInt64(row.multiplier), s = UInt64(row.shift)
            let offset = (UInt64(1) << (s - 1)) &- (m << 31) &+ (UInt64(1) << 62)
            if n % 2 == 0 {
                multipliersEven[n] = UInt32(m)
                offsetsEven[n / 2] = offset
            } else {
                multipliersOdd[n - 1] = UInt32(m)
                offsetsOdd[n / 2] = offset
            }
            corrections[n] = Int32(truncatingIfNeeded: UInt64(1) << (62 - s))
            switch n {
            case 0: shift0 = Int32(s)
            case 1: shift1 = Int32(s)
            case 2: shift2 = Int32(s)
            default: shift3 = Int32(s)
            }
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
        let r0 = _mm_srl_epi64(even, _mm_cvtsi32_si128(shift0))
        let r1 = _mm_srl_epi64(odd, _mm_cvtsi32_si128(shift1))
        let r2 = _mm_srl_epi64(_mm_unpackhi_epi64(even, even), _mm_cvtsi32_si128(shift2))
        let r3 = _mm_srl_epi64(_mm_unpackhi_epi64(odd, odd), _mm_cvtsi32_si128(shift3))
        let lanes = _mm_unpacklo_epi64(_mm_unpacklo_epi32(r0, r1), _mm_unpacklo_epi32(r2, r3))
        return unsafeBitCast(lanes, to: SIMD4<Int32>.self) &- corrections
        #else
        return applyPortable(accumulators)
        #endif
    }

    /// `apply` lane by lane with the same 64-bit formula (the tests' check of the
    /// intrinsics, and the path off x86-64).
    func applyPortable(_ accumulators: SIMD4<Int32>) -> SIMD4<Int32> {
        var out = SIMD4<Int32>()
        let shifts = SIMD4(shift0, shift1, shift2, shift3)
        for n in 0..<4 {
            let m = UInt64(n % 2 == 0 ? multipliersEven[n] : multipliersOdd[n - 1])
            let offset = n % 2 == 0 ? offsetsEven[n / 2] : offsetsOdd[n / 2]
            let u = UInt64(UInt32(bitPattern: accumulators[n] ^ Int32.min))
            let v = (u &* m &+ offset) >> UInt64(shifts[n])
            out[n] = Int32(truncatingIfNeeded: v) &- corrections[n]
        }
        return out
    }
}
