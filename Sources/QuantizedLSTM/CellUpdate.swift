#if arch(x86_64)
import _Builtin_intrinsics.intel

/// The LSTM cell and hidden update (`LSTMLayerKernel.updateCell`) eight units at a time
/// with SSE2, in two halves around the scalar tanh table lookups. Gate values are Q0.15,
/// one array per gate (unit j at index j); `count` is a multiple of 8.
enum CellUpdate {
    /// c' = sat16(round(f·c / 2^15) + round(i·g / 2^(30−n))) into `cell`, and the tanh
    /// input sat16(c'·2^(12−n)) into `tanhInput`. Each product comes from one `pmaddwd`
    /// lane: (f, 1)·(c, 2^14) = f·c + 2^14, (i, 0)·(g, 0) = i·g; shifts are arithmetic and
    /// `packssdw` / `paddsw` saturate exactly as `Saturating.narrowToInt16` (doubling with
    /// saturation k times equals saturating c'·2^k, since a saturated value stays put).
    @inline(__always)
    static func cells(i: UnsafePointer<Int16>, f: UnsafePointer<Int16>, g: UnsafePointer<Int16>,
                      cell: UnsafeMutablePointer<Int16>, tanhInput: UnsafeMutablePointer<Int16>,
                      count: Int, cellFractionBits: Int32) {
        let ones = _mm_set1_epi16(1), half15 = _mm_set1_epi16(1 << 14), zero = _mm_setzero_si128()
        let addShift = 30 &- cellFractionBits
        let addRounding = _mm_set1_epi32(Int32(1) &<< (addShift &- 1))
        let addCount = _mm_cvtsi32_si128(addShift)
        let doublings = 12 &- cellFractionBits
        let ri = UnsafeRawPointer(i), rf = UnsafeRawPointer(f), rg = UnsafeRawPointer(g)
        let rc = UnsafeMutableRawPointer(cell), rt = UnsafeMutableRawPointer(tanhInput)
        var j = 0
        while j < count {
            let at = 2 &* j
            let vi = ri.loadUnaligned(fromByteOffset: at, as: __m128i.self)
            let vf = rf.loadUnaligned(fromByteOffset: at, as: __m128i.self)
            let vg = rg.loadUnaligned(fromByteOffset: at, as: __m128i.self)
            let vc = UnsafeRawPointer(rc).loadUnaligned(fromByteOffset: at, as: __m128i.self)
            let keptLow = _mm_srai_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(vf, ones), _mm_unpacklo_epi16(vc, half15)), 15)
            let keptHigh = _mm_srai_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(vf, ones), _mm_unpackhi_epi16(vc, half15)), 15)
            let addedLow = _mm_sra_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(vi, zero),
                                                                      _mm_unpacklo_epi16(vg, zero)), addRounding), addCount)
            let addedHigh = _mm_sra_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(vi, zero),
                                                                       _mm_unpackhi_epi16(vg, zero)), addRounding), addCount)
            let newCell = _mm_packs_epi32(_mm_add_epi32(keptLow, addedLow), _mm_add_epi32(keptHigh, addedHigh))
            rc.storeBytes(of: newCell, toByteOffset: at, as: __m128i.self)
            var scaled = newCell
            for _ in 0..<doublings { scaled = _mm_adds_epi16(scaled, scaled) }
            rt.storeBytes(of: scaled, toByteOffset: at, as: __m128i.self)
            j &+= 8
        }
    }

    /// h' = sat16(round(o·tanh(c') / 2^15)): (o, 1)·(t, 2^14) in one `pmaddwd` lane, an
    /// arithmetic shift and `packssdw`.
    @inline(__always)
    static func hidden(o: UnsafePointer<Int16>, squashed: UnsafePointer<Int16>, hidden: UnsafeMutablePointer<Int16>,
                       count: Int) {
        let ones = _mm_set1_epi16(1), half15 = _mm_set1_epi16(1 << 14)
        let ro = UnsafeRawPointer(o), rs = UnsafeRawPointer(squashed), rh = UnsafeMutableRawPointer(hidden)
        var j = 0
        while j < count {
            let at = 2 &* j
            let vo = ro.loadUnaligned(fromByteOffset: at, as: __m128i.self)
            let vs = rs.loadUnaligned(fromByteOffset: at, as: __m128i.self)
            let low = _mm_srai_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(vo, ones), _mm_unpacklo_epi16(vs, half15)), 15)
            let high = _mm_srai_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(vo, ones), _mm_unpackhi_epi16(vs, half15)), 15)
            rh.storeBytes(of: _mm_packs_epi32(low, high), toByteOffset: at, as: __m128i.self)
            j &+= 8
        }
    }
}
#endif
