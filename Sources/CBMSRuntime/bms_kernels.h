/* Dot-product kernels of the C runtime: int8 weights × int16 activations → int32.
 * The portable kernel is plain C. With __ARM_FEATURE_DSP (Cortex-M4/M7/M33) each input
 * vector is packed once per step into (x0,x2),(x1,x3) halfword pairs, so each group of
 * four weights costs one load, two SXTB16 and two SMLAD; LSTM gate rows are done four at
 * a time so each packed pair is loaded once for four rows. Both give the same integer sum:
 * every partial sum is bounded by 256·127·32768 < 2^31, so the order does not matter. */
#ifndef BMS_KERNELS_H
#define BMS_KERNELS_H

#include "bms_internal.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(BMS_PORTABLE_KERNELS)
#include <arm_acle.h>
#define BMS_USE_DSP 1
#else
#define BMS_USE_DSP 0
#endif

#if BMS_USE_DSP
/* SXTB16 of the word rotated right by 8: sign-extends bytes 1 and 3 (gcc 12 has no __ror). */
static inline uint32_t bms_sxtb16_ror8(uint32_t w) {
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));
    return r;
}

/* packed[4g..4g+1] = x[4g] | x[4g+2] << 16, packed[4g+2..4g+3] = x[4g+1] | x[4g+3] << 16. */
static inline void bms_prepare_input(const int16_t *input, uint32_t count, int16_t *packed) {
    uint32_t groups = count / 4u, g;
    for (g = 0; g < groups; ++g) {
        uint32_t x01, x23, even, odd;
        memcpy(&x01, input + 4 * g, 4);
        memcpy(&x23, input + 4 * g + 2, 4);
        even = (x01 & 0xFFFFu) | (x23 << 16);
        odd = (x01 >> 16) | (x23 & 0xFFFF0000u);
        memcpy(packed + 4 * g, &even, 4);
        memcpy(packed + 4 * g + 2, &odd, 4);
    }
}

/* Σ w[j]·x[j] with `packed` prepared from `input` by bms_prepare_input. */
static inline int32_t bms_dot_s8_s16(const int8_t *weights, const int16_t *input, const int16_t *packed,
                                     uint32_t count) {
    uint32_t groups = count / 4u, g = 0, j;
    int32_t acc = 0;
    for (; g + 2u <= groups; g += 2u) {
        uint32_t w0, w1, e0, o0, e1, o1;
        memcpy(&w0, weights + 4 * g, 4);
        memcpy(&w1, weights + 4 * g + 4, 4);
        memcpy(&e0, packed + 4 * g, 4);
        memcpy(&o0, packed + 4 * g + 2, 4);
        memcpy(&e1, packed + 4 * g + 4, 4);
        memcpy(&o1, packed + 4 * g + 6, 4);
        acc = __smlad(__sxtb16(w0), e0, acc);
        acc = __smlad(bms_sxtb16_ror8(w0), o0, acc);
        acc = __smlad(__sxtb16(w1), e1, acc);
        acc = __smlad(bms_sxtb16_ror8(w1), o1, acc);
    }
    for (; g < groups; ++g) {
        uint32_t w, even, odd;
        memcpy(&w, weights + 4 * g, 4);
        memcpy(&even, packed + 4 * g, 4);
        memcpy(&odd, packed + 4 * g + 2, 4);
        acc = __smlad(__sxtb16(w), even, acc);
        acc = __smlad(bms_sxtb16_ror8(w), odd, acc);
    }
    for (j = 4u * groups; j < count; ++j) acc += (int32_t)weights[j] * input[j];
    return acc;
}

/* Four rows at once (rows r…r+3 of a row-major matrix with `count` columns): each packed
 * activation pair is loaded once for four rows. */
static inline void bms_dot4_s8_s16(const int8_t *row0, const int16_t *input, const int16_t *packed,
                                   uint32_t count, int32_t acc_out[4]) {
    const int8_t *row1 = row0 + count, *row2 = row1 + count, *row3 = row2 + count;
    uint32_t groups = count / 4u, g, j;
    int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
    for (g = 0; g < groups; ++g) {
        uint32_t even, odd, a, b, c, d;
        memcpy(&even, packed + 4 * g, 4);
        memcpy(&odd, packed + 4 * g + 2, 4);
        memcpy(&a, row0 + 4 * g, 4);
        memcpy(&b, row1 + 4 * g, 4);
        memcpy(&c, row2 + 4 * g, 4);
        memcpy(&d, row3 + 4 * g, 4);
        acc0 = __smlad(__sxtb16(a), even, acc0);
        acc1 = __smlad(__sxtb16(b), even, acc1);
        acc2 = __smlad(__sxtb16(c), even, acc2);
        acc3 = __smlad(__sxtb16(d), even, acc3);
        acc0 = __smlad(bms_sxtb16_ror8(a), odd, acc0);
        acc1 = __smlad(bms_sxtb16_ror8(b), odd, acc1);
        acc2 = __smlad(bms_sxtb16_ror8(c), odd, acc2);
        acc3 = __smlad(bms_sxtb16_ror8(d), odd, acc3);
    }
    for (j = 4u * groups; j < count; ++j) {
        int32_t x = input[j];
        acc0 += (int32_t)row0[j] * x;
        acc1 += (int32_t)row1[j] * x;
        acc2 += (int32_t)row2[j] * x;
        acc3 += (int32_t)row3[j] * x;
    }
    acc_out[0] = acc0; acc_out[1] = acc1; acc_out[2] = acc2; acc_out[3] = acc3;
}

#else
static inline void bms_prepare_input(const int16_t *input, uint32_t count, int16_t *packed) {
    (void)input; (void)count; (void)packed;
}

#if defined(__SSE2__) && !defined(BMS_PORTABLE_KERNELS)
#include <emmintrin.h>
/* Σ w[j]·x[j], SSE2: 8 weights sign-extended to halfwords, one PMADDWD per 8 columns. */
static inline int32_t bms_dot_s8_s16(const int8_t *weights, const int16_t *input, const int16_t *packed,
                                     uint32_t count) {
    __m128i sum = _mm_setzero_si128();
    int32_t lanes[4], acc;
    uint32_t j = 0;
    (void)packed;
    for (; j + 8u <= count; j += 8u) {
        __m128i bytes = _mm_loadl_epi64((const __m128i *)(const void *)(weights + j));
        __m128i w = _mm_unpacklo_epi8(bytes, _mm_cmpgt_epi8(_mm_setzero_si128(), bytes));
        sum = _mm_add_epi32(sum, _mm_madd_epi16(w, _mm_loadu_si128((const __m128i *)(const void *)(input + j))));
    }
    _mm_storeu_si128((__m128i *)(void *)lanes, sum);
    acc = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    for (; j < count; ++j) acc += (int32_t)weights[j] * input[j];
    return acc;
}
#else
/* Σ w[j]·x[j], portable C. */
static inline int32_t bms_dot_s8_s16(const int8_t *weights, const int16_t *input, const int16_t *packed,
                                     uint32_t count) {
    uint32_t j;
    int32_t acc = 0;
    (void)packed;
    for (j = 0; j < count; ++j) acc += (int32_t)weights[j] * input[j];
    return acc;
}
#endif

/* Four consecutive rows, portable C. */
static inline void bms_dot4_s8_s16(const int8_t *row0, const int16_t *input, const int16_t *packed,
                                   uint32_t count, int32_t acc_out[4]) {
    uint32_t k;
    for (k = 0; k < 4; ++k) acc_out[k] = bms_dot_s8_s16(row0 + k * count, input, packed, count);
}

#endif

/* ---- Version-3 (interleaved) LSTM kernels -------------------------------------------
 * A unit's block holds, per group of 4 columns, 16 bytes: the 4 weights of gate i, f, g,
 * o. `bms_prepare_padded` copies an activation vector into the scratch (zero-padded to a
 * multiple of 4; packed into halfword pairs for SMLAD on the DSP path), and
 * `bms_dot4_v3` returns the four gate sums of one unit from one pass over it. */
static inline void bms_prepare_padded(const int16_t *input, uint32_t count, int16_t *scratch) {
    uint32_t padded = (count + 3u) & ~3u, j;
    for (j = 0; j < count; ++j) scratch[j] = input[j];
    for (; j < padded; ++j) scratch[j] = 0;
#if BMS_USE_DSP
    bms_prepare_input(scratch, padded, scratch);   /* in place: each group is read before it is written */
#endif
}

#if defined(__GNUC__) || defined(__clang__)
#define BMS_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define BMS_ALWAYS_INLINE static inline
#endif

#if BMS_USE_DSP
/* Two words from a 4-byte aligned address, which then advances by 8 (one LDRD with
 * post-increment; written out because GCC otherwise keeps one pointer per word and
 * spills them). The blob is 4-byte aligned and a unit's block a multiple of 16 bytes. */
static inline void bms_ldrd_post(const int8_t **p, uint32_t *lo, uint32_t *hi) {
    __asm__("ldrd %0, %1, [%2], #8" : "=&r"(*lo), "=&r"(*hi), "+r"(*p));
}

/* One 4-column group of one unit: 16 weight bytes (gates i, f, g, o) times the packed
 * activation pairs (even, odd) into the four gate sums. */
BMS_ALWAYS_INLINE void bms_group_v3(const int8_t **w, uint32_t even, uint32_t odd, int32_t *acc0, int32_t *acc1,
                                int32_t *acc2, int32_t *acc3) {
    uint32_t a, b, c, d;
    bms_ldrd_post(w, &a, &b);
    bms_ldrd_post(w, &c, &d);
    *acc0 = __smlad(bms_sxtb16_ror8(a), odd, __smlad(__sxtb16(a), even, *acc0));
    *acc1 = __smlad(bms_sxtb16_ror8(b), odd, __smlad(__sxtb16(b), even, *acc1));
    *acc2 = __smlad(bms_sxtb16_ror8(c), odd, __smlad(__sxtb16(c), even, *acc2));
    *acc3 = __smlad(bms_sxtb16_ror8(d), odd, __smlad(__sxtb16(d), even, *acc3));
}

BMS_ALWAYS_INLINE void bms_dot4_v3(const int8_t *w, const int16_t *packed, uint32_t groups, int32_t acc[4]) {
    int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
    const int16_t *end = packed + 4u * groups;
    uint32_t even, odd;
    if (groups & 1u) {  /* odd count: one group first, then pairs */
        memcpy(&even, packed, 4);
        memcpy(&odd, packed + 2, 4);
        bms_group_v3(&w, even, odd, &acc0, &acc1, &acc2, &acc3);
        packed += 4;
    }
    while (packed != end) {  /* two groups per pass */
        memcpy(&even, packed, 4);
        memcpy(&odd, packed + 2, 4);
        bms_group_v3(&w, even, odd, &acc0, &acc1, &acc2, &acc3);
        memcpy(&even, packed + 4, 4);
        memcpy(&odd, packed + 6, 4);
        bms_group_v3(&w, even, odd, &acc0, &acc1, &acc2, &acc3);
        packed += 8;
    }
    acc[0] = acc0; acc[1] = acc1; acc[2] = acc2; acc[3] = acc3;
}
#elif defined(__SSE2__) && !defined(BMS_PORTABLE_KERNELS)
#include <emmintrin.h>
/* SSE2: per 4-column group, the 16 weight bytes widen to two vectors of 8 halfwords
 * (gates i,f and g,o), the 4 activations are duplicated, and two PMADDWD add pairs. */
static inline void bms_dot4_v3(const int8_t *w, const int16_t *x, uint32_t groups, int32_t acc[4]) {
    __m128i acc_if = _mm_setzero_si128(), acc_go = _mm_setzero_si128();
    uint32_t g;
    for (g = 0; g < groups; ++g) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)(w + 16u * g));
        __m128i sign = _mm_cmpgt_epi8(_mm_setzero_si128(), bytes);
        __m128i w_if = _mm_unpacklo_epi8(bytes, sign), w_go = _mm_unpackhi_epi8(bytes, sign);
        __m128i xs = _mm_loadl_epi64((const __m128i *)(const void *)(x + 4u * g));
        xs = _mm_unpacklo_epi64(xs, xs);
        acc_if = _mm_add_epi32(acc_if, _mm_madd_epi16(w_if, xs));
        acc_go = _mm_add_epi32(acc_go, _mm_madd_epi16(w_go, xs));
    }
    {
        int32_t lanes[8];
        _mm_storeu_si128((__m128i *)(void *)lanes, acc_if);
        _mm_storeu_si128((__m128i *)(void *)(lanes + 4), acc_go);
        acc[0] = lanes[0] + lanes[1]; acc[1] = lanes[2] + lanes[3];
        acc[2] = lanes[4] + lanes[5]; acc[3] = lanes[6] + lanes[7];
    }
}
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(BMS_NO_AVX2)
#include <immintrin.h>
#define BMS_HAVE_AVX2_PATH 1
/* AVX2 (host only, chosen at run time by bms_lstm_step when the CPU has it): a group's 16
 * weight bytes sign-extend to 16 halfwords (i0..i3 f0..f3 g0..g3 o0..o3), the group's four
 * activations are broadcast to every 64-bit lane, and one VPMADDWD gives the eight pair sums
 * (i01 i23 f01 f23 g01 g23 o01 o23). Same exact integer sums as the kernels above. */
__attribute__((target("avx2"))) static inline void bms_dot4_v3_avx2(const int8_t *w, const int16_t *x,
                                                                      uint32_t groups, int32_t acc[4]) {
    __m256i sum0 = _mm256_setzero_si256(), sum1 = _mm256_setzero_si256();
    uint32_t g = 0;
    int64_t xs0, xs1;
    for (; g + 2u <= groups; g += 2u) {
        __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(w + 16u * g)));
        __m256i w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(w + 16u * g + 16u)));
        memcpy(&xs0, x + 4u * g, 8);
        memcpy(&xs1, x + 4u * g + 4u, 8);
        sum0 = _mm256_add_epi32(sum0, _mm256_madd_epi16(w0, _mm256_set1_epi64x(xs0)));
        sum1 = _mm256_add_epi32(sum1, _mm256_madd_epi16(w1, _mm256_set1_epi64x(xs1)));
    }
    if (g < groups) {
        __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(w + 16u * g)));
        memcpy(&xs0, x + 4u * g, 8);
        sum0 = _mm256_add_epi32(sum0, _mm256_madd_epi16(w0, _mm256_set1_epi64x(xs0)));
    }
    {
        int32_t lanes[8];
        _mm256_storeu_si256((__m256i *)(void *)lanes, _mm256_add_epi32(sum0, sum1));
        acc[0] = lanes[0] + lanes[1]; acc[1] = lanes[2] + lanes[3];
        acc[2] = lanes[4] + lanes[5]; acc[3] = lanes[6] + lanes[7];
    }
}
#endif
#else
/* Portable C: each group's four activations are loaded once for the four gates. */
static inline void bms_dot4_v3(const int8_t *w, const int16_t *x, uint32_t groups, int32_t acc[4]) {
    int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
    uint32_t g;
    for (g = 0; g < groups; ++g, w += 16, x += 4) {
        const int32_t x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
        acc0 += w[0] * x0 + w[1] * x1 + w[2] * x2 + w[3] * x3;
        acc1 += w[4] * x0 + w[5] * x1 + w[6] * x2 + w[7] * x3;
        acc2 += w[8] * x0 + w[9] * x1 + w[10] * x2 + w[11] * x3;
        acc3 += w[12] * x0 + w[13] * x1 + w[14] * x2 + w[15] * x3;
    }
    acc[0] = acc0; acc[1] = acc1; acc[2] = acc2; acc[3] = acc3;
}
#endif

#ifndef BMS_HAVE_AVX2_PATH
#define BMS_HAVE_AVX2_PATH 0
#endif

#if BMS_HAVE_AVX2_PATH
/* AVX2 layer step, 8 units per block (bms_step_avx2.c), chosen at run time. */
void bms_lstm_layer_step_v3_avx2(const bms_lstm_layer_t *layer, const int16_t *input, int16_t *hidden,
                                 int16_t *cell);
#endif

/* AVX-512 (F, BW, VL) + VNNI layer step for x86-64 hosts (bms_step_avx512.c), chosen at run
 * time when the CPU has it; compiled out with -DBMS_NO_AVX512 or on other targets. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(BMS_NO_AVX512) \
    && !defined(BMS_PORTABLE_KERNELS) && (defined(__clang__) || __GNUC__ >= 9)
#define BMS_HAVE_AVX512_PATH 1
void bms_lstm_layer_step_v3_avx512(const bms_lstm_layer_t *layer, const int16_t *input, int16_t *hidden,
                                   int16_t *cell);
#else
#define BMS_HAVE_AVX512_PATH 0
#endif

#endif /* BMS_KERNELS_H */
