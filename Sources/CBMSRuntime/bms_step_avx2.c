/* The version-3 LSTM layer step for x86-64 hosts with AVX2 but without AVX-512 + VNNI,
 * chosen at run time by bms_lstm_step_s8. Same integers as bms_lstm_layer_v3_body in
 * bms_step.c and as bms_step_avx512.c, whose structure it follows with 8 lanes:
 * per unit the four gate sums over the input and over the previous h (bms_dot4_v3_avx2,
 * one VPMADDWD per 4-column group), then per block of 8 units the requantization in 64-bit
 * lanes, the table interpolations (32-bit gathers: table[k] and table[k+1] in one load)
 * and the cell and hidden update. AVX2 has no 64-bit arithmetic shift or 64-bit min/max:
 * floor(p / 2^s) is computed as s ^ ((s ^ p) >>> s) with s the sign mask (logical shift),
 * and the int16 clamp with 64-bit compares and blends. No floating point. */
#include "bms_internal.h"
#include "bms_kernels.h"

#if BMS_HAVE_AVX2_PATH
#include <immintrin.h>

#define BMS_AVX2 __attribute__((target("avx2")))

enum { BMS_BLOCK8 = 8 };

/* sat16(floor((v·m + 2^(s-1)) / 2^s)) in 8 lanes (s in 1..62, m > 0). */
BMS_AVX2 static inline __m256i bms_requant8(__m256i v, __m256i m, __m256i s) {
    const __m256i one = _mm256_set1_epi64x(1), lo = _mm256_set1_epi64x(-32768), hi = _mm256_set1_epi64x(32767);
    const __m256i zero = _mm256_setzero_si256();
    __m256i shift[2], product[2];
    int half;
    shift[0] = _mm256_and_si256(s, _mm256_set1_epi64x(0xFFFFFFFF));
    shift[1] = _mm256_srli_epi64(s, 32);
    product[0] = _mm256_mul_epi32(v, m);
    product[1] = _mm256_mul_epi32(_mm256_srli_epi64(v, 32), _mm256_srli_epi64(m, 32));
    for (half = 0; half < 2; ++half) {
        __m256i p = _mm256_add_epi64(product[half], _mm256_sllv_epi64(one, _mm256_sub_epi64(shift[half], one)));
        __m256i sign = _mm256_cmpgt_epi64(zero, p);
        p = _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(p, sign), shift[half]), sign);
        p = _mm256_blendv_epi8(p, hi, _mm256_cmpgt_epi64(p, hi));
        product[half] = _mm256_blendv_epi8(p, lo, _mm256_cmpgt_epi64(lo, p));
    }
    return _mm256_blend_epi32(product[0], _mm256_slli_epi64(product[1], 32), 0xAA);
}

BMS_AVX2 static inline __m256i bms_sat16_lanes8(__m256i v) {
    return _mm256_max_epi32(_mm256_min_epi32(v, _mm256_set1_epi32(32767)), _mm256_set1_epi32(-32768));
}

/* bms_interpolate in 8 lanes; x already in int16 range. */
BMS_AVX2 static inline __m256i bms_interpolate8(const int16_t *table, __m256i x) {
    __m256i u = _mm256_add_epi32(x, _mm256_set1_epi32(32768));
    __m256i k = _mm256_srli_epi32(u, 7), t = _mm256_and_si256(u, _mm256_set1_epi32(127));
    __m256i pair = _mm256_i32gather_epi32((const int *)(const void *)table, k, 2);  /* table[k] | table[k+1] << 16 */
    __m256i y0 = _mm256_srai_epi32(_mm256_slli_epi32(pair, 16), 16), y1 = _mm256_srai_epi32(pair, 16);
    __m256i step = _mm256_add_epi32(_mm256_mullo_epi32(_mm256_sub_epi32(y1, y0), t), _mm256_set1_epi32(64));
    return _mm256_add_epi32(y0, _mm256_srai_epi32(step, 7));
}

/* round(x / 2^n) (ties up) in 8 lanes, n >= 1, no overflow (callers' products < 2^30). */
BMS_AVX2 static inline __m256i bms_round_shift8(__m256i x, int n) {
    return _mm256_sra_epi32(_mm256_add_epi32(x, _mm256_set1_epi32(1 << (n - 1))), _mm_cvtsi32_si128(n));
}

/* 8 int32 lanes from a (possibly unaligned) tensor; lanes at or past `count` read as `fill`. */
BMS_AVX2 static inline __m256i bms_load8(const uint8_t *p, uint32_t count, int32_t fill) {
    if (count == BMS_BLOCK8) return _mm256_loadu_si256((const __m256i *)(const void *)p);
    {
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), lanes);
        return _mm256_blendv_epi8(_mm256_set1_epi32(fill), _mm256_maskload_epi32((const int *)(const void *)p, mask),
                                  mask);
    }
}

/* Gates, cell and hidden update of units j0 .. j0+count-1 (count <= 8) from their sums
 * (per unit: input-side i, f, g, o then h-side i, f, g, o). */
BMS_AVX2 static void bms_block_update8(const bms_lstm_layer_t *layer, uint32_t j0, uint32_t count,
                                       const int32_t *sums, int16_t *hidden, int16_t *cell) {
    const uint32_t hid = layer->hidden_size;
    const int cell_bits = layer->cell_fraction_bits;
    const __m256i lane = _mm256_setr_epi32(0, 8, 16, 24, 32, 40, 48, 56);
    __m256i pre[4], gate_i, gate_f, gate_g, gate_o, c_old, kept, added, c_new, squashed, h_new;
    int16_t cells[BMS_BLOCK8] = {0, 0, 0, 0, 0, 0, 0, 0}, out[BMS_BLOCK8];
    uint32_t k, u;
    for (k = 0; k < 4u; ++k) {
        size_t at = 4u * (k * hid + j0);
        __m256i acc_x = _mm256_i32gather_epi32((const int *)(const void *)sums,
                                               _mm256_add_epi32(lane, _mm256_set1_epi32((int)k)), 4);
        __m256i acc_h = _mm256_i32gather_epi32((const int *)(const void *)sums,
                                               _mm256_add_epi32(lane, _mm256_set1_epi32((int)k + 4)), 4);
        __m256i part_x = bms_requant8(_mm256_add_epi32(bms_load8(layer->bias + at, count, 0), acc_x),
                                      bms_load8(layer->input_multiplier + at, count, 0x40000000),
                                      bms_load8(layer->input_shift + at, count, 1));
        __m256i part_h = bms_requant8(acc_h, bms_load8(layer->recurrent_multiplier + at, count, 0x40000000),
                                      bms_load8(layer->recurrent_shift + at, count, 1));
        pre[k] = bms_sat16_lanes8(_mm256_add_epi32(part_x, part_h));
    }
    gate_i = bms_interpolate8(bms_sigmoid_table_q15, pre[0]);
    gate_f = bms_interpolate8(bms_sigmoid_table_q15, pre[1]);
    gate_g = bms_interpolate8(bms_tanh_table_q15, bms_sat16_lanes8(_mm256_slli_epi32(pre[2], 1)));
    gate_o = bms_interpolate8(bms_sigmoid_table_q15, pre[3]);
    for (u = 0; u < count; ++u) cells[u] = cell[j0 + u];
    c_old = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(const void *)cells));
    kept = bms_round_shift8(_mm256_mullo_epi32(gate_f, c_old), 15);
    added = bms_round_shift8(_mm256_mullo_epi32(gate_i, gate_g), 30 - cell_bits);
    c_new = bms_sat16_lanes8(_mm256_add_epi32(kept, added));
    squashed = bms_interpolate8(bms_tanh_table_q15, bms_sat16_lanes8(_mm256_slli_epi32(c_new, 12 - cell_bits)));
    h_new = bms_sat16_lanes8(bms_round_shift8(_mm256_mullo_epi32(gate_o, squashed), 15));
    /* values are in int16 range, so the saturating pack is exact */
    _mm_storeu_si128((__m128i *)(void *)out,
                     _mm_packs_epi32(_mm256_castsi256_si128(c_new), _mm256_extracti128_si256(c_new, 1)));
    for (u = 0; u < count; ++u) cell[j0 + u] = out[u];
    _mm_storeu_si128((__m128i *)(void *)out,
                     _mm_packs_epi32(_mm256_castsi256_si128(h_new), _mm256_extracti128_si256(h_new, 1)));
    for (u = 0; u < count; ++u) hidden[j0 + u] = out[u];
}

BMS_AVX2 void bms_lstm_layer_step_v3_avx2(const bms_lstm_layer_t *layer, const int16_t *input, int16_t *hidden,
                                          int16_t *cell) {
    const uint32_t in = layer->input_size, hid = layer->hidden_size;
    const uint32_t in_groups = (in + 3u) / 4u, hid_groups = (hid + 3u) / 4u;
    int16_t input_copy[BMS_MAX_WIDTH], hidden_copy[BMS_MAX_WIDTH];   /* zero-padded to whole groups */
    int32_t sums[8u * BMS_BLOCK8];
    uint32_t j0, u;
    for (u = 0; u < 4u * in_groups; ++u) input_copy[u] = u < in ? input[u] : 0;
    for (u = 0; u < 4u * hid_groups; ++u) hidden_copy[u] = u < hid ? hidden[u] : 0;   /* the previous h */
    for (j0 = 0; j0 < hid; j0 += BMS_BLOCK8) {
        uint32_t count = hid - j0 < BMS_BLOCK8 ? hid - j0 : BMS_BLOCK8;
        for (u = 0; u < BMS_BLOCK8; ++u) {
            if (u < count) {
                uint32_t j = j0 + u;
                bms_dot4_v3_avx2(layer->input_kernel + (size_t)16u * in_groups * j, input_copy, in_groups, sums + 8u * u);
                bms_dot4_v3_avx2(layer->recurrent_kernel + (size_t)16u * hid_groups * j, hidden_copy, hid_groups,
                                 sums + 8u * u + 4u);
            } else {
                memset(sums + 8u * u, 0, 8u * sizeof(int32_t));
            }
        }
        bms_block_update8(layer, j0, count, sums, hidden, cell);
    }
}
#else
typedef int bms_step_avx2_unused_t;  /* ISO C forbids an empty translation unit */
#endif
