import FixedPoint

/// A `QuantizedMultiplier` unpacked once at init into the three 64-bit operands of its
/// rounding shift, so the per-tick requantization is a multiply, an add and a shift:
/// `(acc · multiplier + 2^(shift−1)) >> shift` — the same integer as
/// `QuantizedMultiplier.applyWide` for every accumulator and every valid pair (shift 0
/// gives rounding 0, as `RoundingShift.right` leaves the value alone there).
struct RowRequantization {
    let multiplier: Int64
    let rounding: Int64
    let shift: Int64

    init(_ scale: QuantizedMultiplier) {
        multiplier = Int64(scale.multiplier)
        shift = Int64(scale.shift)
        rounding = scale.shift > 0 ? Int64(1) << Int64(scale.shift - 1) : 0
    }

    /// `round(acc · scale)`, saturated to the int16 range (kept in `Int32`).
    @inline(__always)
    func applySaturating16(_ accumulator: Int32) -> Int32 {
        let wide = (Int64(accumulator) &* multiplier &+ rounding) &>> shift
        return Int32(truncatingIfNeeded: Swift.min(Swift.max(wide, Int64(Int16.min)), Int64(Int16.max)))
    }

    /// `round(acc · scale)` as `Int32` without saturation; exact when shift ≥ 31, where
    /// |acc · multiplier| < 2^62 rounds to a value that fits (|round(acc · m / 2^31)| ≤
    /// 2^31 − 1).
    @inline(__always)
    func applyTruncating(_ accumulator: Int32) -> Int32 {
        Int32(truncatingIfNeeded: (Int64(accumulator) &* multiplier &+ rounding) &>> shift)
    }
}

#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// `out[r] = sat16(sat16(a[r]) + sat16(b[r]))` for r in 0..<count (count a multiple of 8):
/// eight rows per `packssdw` + `paddsw` pair on x86-64 (saturating narrow and add).
@inline(__always)
func saturatingPairSums(_ a: UnsafePointer<Int32>, _ b: UnsafePointer<Int32>, into out: UnsafeMutablePointer<Int16>,
                        count: Int) {
    #if arch(x86_64)
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), ro = UnsafeMutableRawPointer(out)
    var r = 0
    while r < count {
        let a16 = _mm_packs_epi32(ra.loadUnaligned(fromByteOffset: 4 &* r, as: __m128i.self),
                                  ra.loadUnaligned(fromByteOffset: 4 &* r &+ 16, as: __m128i.self))
        let b16 = _mm_packs_epi32(rb.loadUnaligned(fromByteOffset: 4 &* r, as: __m128i.self),
                                  rb.loadUnaligned(fromByteOffset: 4 &* r &+ 16, as: __m128i.self))
        ro.storeBytes(of: _mm_adds_epi16(a16, b16), toByteOffset: 2 &* r, as: __m128i.self)
        r &+= 8
    }
    #else
    saturatingPairSumsPortable(a, b, into: out, count: count)
    #endif
}

/// `saturatingPairSums`, one row at a time (the reference for the intrinsics in the tests).
func saturatingPairSumsPortable(_ a: UnsafePointer<Int32>, _ b: UnsafePointer<Int32>,
                                into out: UnsafeMutablePointer<Int16>, count: Int) {
    for r in 0..<count {
        out[r] = Saturating.add(Saturating.narrowToInt16(a[r]), Saturating.narrowToInt16(b[r]))
    }
}
