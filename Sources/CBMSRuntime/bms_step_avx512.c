/* The version-3 LSTM layer step for x86-64 hosts with AVX-512 (F, BW, VL) and VNNI, chosen
 * at run time by bms_lstm_step_s8. Same integers as bms_lstm_layer_v3_body in bms_step.c;
 * only the order of independent operations differs:
 *
 * 1. the layer input and the previous h are laid out once per step as "replicated groups":
 *    per group of 4 columns, the 4 halfwords repeated 4 times (32 bytes), so that one
 *    VPDPWSSD multiplies a unit's 16 weight bytes of two groups (gates i, f, g, o × 4
 *    columns, sign-extended) by the matching activations and adds the pair sums;
 * 2. per unit the two accumulators reduce to its four gate sums over the input and over h;
 * 3. per block of 16 units, all 16 × 4 × 2 sums are requantized with 64-bit lanes
 *    (floor((p + 2^(s-1)) / 2^s) = the scalar bms_requant_sat16, see bms_internal.h),
 *    saturated, and the gates, cell and hidden state updated in 16 lanes; the sigmoid and
 *    tanh tables are read with 32-bit gathers (table[k] and table[k+1] in one load).
 *
 * Exact: every sum is an exact int32 (see bms_kernels.h), every rounding and saturation is
 * the scalar one lane by lane. No floating point. Host only; compiled to nothing elsewhere. */
#include "bms_internal.h"
#include "bms_kernels.h"

#if BMS_HAVE_AVX512_PATH
#include <immintrin.h>

#define BMS_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2")))

/* Unit-local sums: per unit 8 int32 — input-side i, f, g, o then h-side i, f, g, o. */
enum { BMS_BLOCK = 16 };

/* dst[16g .. 16g+15] = src[4g .. 4g+3] four times; `count` columns, zero past the end. */
BMS_AVX512 static void bms_replicate_groups(const int16_t *src, uint32_t count, int16_t *dst) {
    uint32_t full = count / 4u, g, j;
    int64_t packed;
    for (g = 0; g < full; ++g) {
        memcpy(&packed, src + 4u * g, 8);
        _mm256_store_si256((__m256i *)(void *)(dst + 16u * g), _mm256_set1_epi64x(packed));
    }
    if (4u * full < count) {
        int16_t four[4] = {0, 0, 0, 0};
        for (j = 0; 4u * full + j < count; ++j) four[j] = src[4u * full + j];
        memcpy(&packed, four, 8);
        _mm256_store_si256((__m256i *)(void *)(dst + 16u * full), _mm256_set1_epi64x(packed));
    }
}

/* Σ over `groups` groups of one unit's interleaved block times the replicated activations;
 * returns 8 lanes (i01 i23 f01 f23 g01 g23 o01 o23), whose pair sums are the gate sums. */
BMS_AVX512 static inline __m256i bms_unit_sums(const int8_t *w, const int16_t *rep, uint32_t groups) {
    __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
    __m256i half;
    uint32_t g = 0;
    for (; g + 4u <= groups; g += 4u) {   /* two independent chains: VPDPWSSD latency */
        __m512i w0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(w + 16u * g)));
        __m512i w1 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(w + 16u * g + 32u)));
        acc0 = _mm512_dpwssd_epi32(acc0, w0, _mm512_load_si512((const void *)(rep + 16u * g)));
        acc1 = _mm512_dpwssd_epi32(acc1, w1, _mm512_load_si512((const void *)(rep + 16u * g + 32u)));
    }
    if (g + 2u <= groups) {
        __m512i w0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(w + 16u * g)));
        acc0 = _mm512_dpwssd_epi32(acc0, w0, _mm512_load_si512((const void *)(rep + 16u * g)));
        g += 2u;
    }
    acc0 = _mm512_add_epi32(acc0, acc1);
    half = _mm256_add_epi32(_mm512_castsi512_si256(acc0), _mm512_extracti64x4_epi64(acc0, 1));
    if (g < groups) {
        __m256i weights = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(w + 16u * g)));
        half = _mm256_dpwssd_epi32(half, weights, _mm256_load_si256((const __m256i *)(const void *)(rep + 16u * g)));
    }
    return half;
}

/* sat16(floor((v·m + 2^(s-1)) / 2^s)) in 16 lanes (s in 1..62, m > 0, as the loader checks). */
BMS_AVX512 static inline __m512i bms_requant16(__m512i v, __m512i m, __m512i s) {
    const __m512i one = _mm512_set1_epi64(1), lo = _mm512_set1_epi64(-32768), hi = _mm512_set1_epi64(32767);
    const __m512i low32 = _mm512_set1_epi64(0xFFFFFFFF);
    __m512i s_even = _mm512_and_si512(s, low32), s_odd = _mm512_srli_epi64(s, 32);
    __m512i p_even = _mm512_mul_epi32(v, m);
    __m512i p_odd = _mm512_mul_epi32(_mm512_srli_epi64(v, 32), _mm512_srli_epi64(m, 32));
    p_even = _mm512_add_epi64(p_even, _mm512_sllv_epi64(one, _mm512_sub_epi64(s_even, one)));
    p_odd = _mm512_add_epi64(p_odd, _mm512_sllv_epi64(one, _mm512_sub_epi64(s_odd, one)));
    p_even = _mm512_max_epi64(_mm512_min_epi64(_mm512_srav_epi64(p_even, s_even), hi), lo);
    p_odd = _mm512_max_epi64(_mm512_min_epi64(_mm512_srav_epi64(p_odd, s_odd), hi), lo);
    return _mm512_mask_blend_epi32((__mmask16)0xAAAA, p_even, _mm512_slli_epi64(p_odd, 32));
}

BMS_AVX512 static inline __m512i bms_sat16_lanes(__m512i v) {
    return _mm512_max_epi32(_mm512_min_epi32(v, _mm512_set1_epi32(32767)), _mm512_set1_epi32(-32768));
}

/* bms_interpolate in 16 lanes; x already in int16 range. */
BMS_AVX512 static inline __m512i bms_interpolate16(const int16_t *table, __m512i x) {
    __m512i u = _mm512_add_epi32(x, _mm512_set1_epi32(32768));
    __m512i k = _mm512_srli_epi32(u, 7), t = _mm512_and_si512(u, _mm512_set1_epi32(127));
    __m512i pair = _mm512_i32gather_epi32(k, (const void *)table, 2);   /* table[k] | table[k+1] << 16 */
    __m512i y0 = _mm512_srai_epi32(_mm512_slli_epi32(pair, 16), 16), y1 = _mm512_srai_epi32(pair, 16);
    __m512i step = _mm512_add_epi32(_mm512_mullo_epi32(_mm512_sub_epi32(y1, y0), t), _mm512_set1_epi32(64));
    return _mm512_add_epi32(y0, _mm512_srai_epi32(step, 7));
}

/* round(x / 2^n) (ties up) in 16 lanes, n >= 1, no overflow (callers' products < 2^30). */
BMS_AVX512 static inline __m512i bms_round_shift16(__m512i x, int n) {
    return _mm512_sra_epi32(_mm512_add_epi32(x, _mm512_set1_epi32(1 << (n - 1))), _mm_cvtsi32_si128(n));
}

/* Gates, cell and hidden update of units j0 .. j0+count-1 (count <= 16) from their sums. */
BMS_AVX512 static void bms_block_update(const bms_lstm_layer_t *layer, uint32_t j0, uint32_t count,
                                        const int32_t *sums, int16_t *hidden, int16_t *cell) {
    const uint32_t hid = layer->hidden_size;
    const int cell_bits = layer->cell_fraction_bits;
    const __mmask16 mask = (__mmask16)((1u << count) - 1u);
    const __m512i lane = _mm512_setr_epi32(0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120);
    __m512i pre[4], gate_i, gate_f, gate_g, gate_o, c_old, kept, added, c_new, squashed, h_new;
    uint32_t k;
    for (k = 0; k < 4u; ++k) {
        size_t at = 4u * (k * hid + j0);
        __m512i acc_x = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), mask,
                                                    _mm512_add_epi32(lane, _mm512_set1_epi32((int)k)), sums, 4);
        __m512i acc_h = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), mask,
                                                    _mm512_add_epi32(lane, _mm512_set1_epi32((int)k + 4)), sums, 4);
        __m512i bias = _mm512_maskz_loadu_epi32(mask, layer->bias + at);
        __m512i part_x = bms_requant16(_mm512_add_epi32(bias, acc_x),
                                       _mm512_mask_loadu_epi32(_mm512_set1_epi32(0x40000000), mask, layer->input_multiplier + at),
                                       _mm512_mask_loadu_epi32(_mm512_set1_epi32(1), mask, layer->input_shift + at));
        __m512i part_h = bms_requant16(acc_h,
                                       _mm512_mask_loadu_epi32(_mm512_set1_epi32(0x40000000), mask, layer->recurrent_multiplier + at),
                                       _mm512_mask_loadu_epi32(_mm512_set1_epi32(1), mask, layer->recurrent_shift + at));
        pre[k] = bms_sat16_lanes(_mm512_add_epi32(part_x, part_h));
    }
    gate_i = bms_interpolate16(bms_sigmoid_table_q15, pre[0]);
    gate_f = bms_interpolate16(bms_sigmoid_table_q15, pre[1]);
    gate_g = bms_interpolate16(bms_tanh_table_q15, bms_sat16_lanes(_mm512_slli_epi32(pre[2], 1)));
    gate_o = bms_interpolate16(bms_sigmoid_table_q15, pre[3]);
    c_old = _mm512_cvtepi16_epi32(_mm256_maskz_loadu_epi16(mask, cell + j0));
    kept = bms_round_shift16(_mm512_mullo_epi32(gate_f, c_old), 15);
    added = bms_round_shift16(_mm512_mullo_epi32(gate_i, gate_g), 30 - cell_bits);
    c_new = bms_sat16_lanes(_mm512_add_epi32(kept, added));
    squashed = bms_interpolate16(bms_tanh_table_q15, bms_sat16_lanes(_mm512_slli_epi32(c_new, 12 - cell_bits)));
    h_new = bms_sat16_lanes(bms_round_shift16(_mm512_mullo_epi32(gate_o, squashed), 15));
    _mm256_mask_storeu_epi16(cell + j0, mask, _mm512_cvtepi32_epi16(c_new));
    _mm256_mask_storeu_epi16(hidden + j0, mask, _mm512_cvtepi32_epi16(h_new));
}

BMS_AVX512 void bms_lstm_layer_step_v3_avx512(const bms_lstm_layer_t *layer, const int16_t *input,
                                              int16_t *hidden, int16_t *cell) {
    const uint32_t in = layer->input_size, hid = layer->hidden_size;
    const uint32_t in_groups = (in + 3u) / 4u, hid_groups = (hid + 3u) / 4u;
    int16_t input_rep[16u * (BMS_MAX_WIDTH / 4u)] __attribute__((aligned(64)));
    int16_t hidden_rep[16u * (BMS_MAX_WIDTH / 4u)] __attribute__((aligned(64)));
    int32_t sums[8u * BMS_BLOCK] __attribute__((aligned(64)));
    uint32_t j0, u;
    bms_replicate_groups(input, in, input_rep);
    bms_replicate_groups(hidden, hid, hidden_rep);   /* the previous h: hidden is written below */
    for (j0 = 0; j0 < hid; j0 += BMS_BLOCK) {
        uint32_t count = hid - j0 < BMS_BLOCK ? hid - j0 : BMS_BLOCK;
        for (u = 0; u < count; ++u) {
            uint32_t j = j0 + u;
            __m256i x = bms_unit_sums(layer->input_kernel + (size_t)16u * in_groups * j, input_rep, in_groups);
            __m256i h = bms_unit_sums(layer->recurrent_kernel + (size_t)16u * hid_groups * j, hidden_rep, hid_groups);
            /* hadd: (x.i x.f h.i h.f | x.g x.o h.g h.o) → store as x.i x.f x.g x.o h.i h.f h.g h.o */
            __m256i both = _mm256_hadd_epi32(x, h);
            both = _mm256_permutevar8x32_epi32(both, _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7));
            _mm256_store_si256((__m256i *)(void *)(sums + 8u * u), both);
        }
        bms_block_update(layer, j0, count, sums, hidden, cell);
    }
}
#else
typedef int bms_step_avx512_unused_t;  /* ISO C forbids an empty translation unit */
#endif
