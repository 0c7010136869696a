/* Dot-product kernels of the C runtime: int8 weights × int16 activations → int32.
 * The portable kernel is plain C. With __ARM_FEATURE_DSP (Cortex-M4/M7/M33) each input
 * vector is packed once per step into (x0,x2),(x1,x3) halfword pairs, so each group of
 * four weights costs one load, two SXTB16 and two SMLAD. Both give the same integer sum:
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

/* Two rows at once (rows r and r+1 of a row-major matrix with `count` columns): each
 * packed activation pair is loaded once for both rows. */
static inline void bms_dot2_s8_s16(const int8_t *row0, const int16_t *input, const int16_t *packed,
                                   uint32_t count, int32_t *acc0_out, int32_t *acc1_out) {
    const int8_t *row1 = row0 + count;
    uint32_t groups = count / 4u, g = 0, j;
    int32_t acc0 = 0, acc1 = 0;
    for (; g + 2u <= groups; g += 2u) {
        uint32_t a0, a1, b0, b1, e0, o0, e1, o1;
        memcpy(&e0, packed + 4 * g, 4);
        memcpy(&o0, packed + 4 * g + 2, 4);
        memcpy(&e1, packed + 4 * g + 4, 4);
        memcpy(&o1, packed + 4 * g + 6, 4);
        memcpy(&a0, row0 + 4 * g, 4);
        memcpy(&a1, row0 + 4 * g + 4, 4);
        memcpy(&b0, row1 + 4 * g, 4);
        memcpy(&b1, row1 + 4 * g + 4, 4);
        acc0 = __smlad(__sxtb16(a0), e0, acc0);
        acc1 = __smlad(__sxtb16(b0), e0, acc1);
        acc0 = __smlad(bms_sxtb16_ror8(a0), o0, acc0);
        acc1 = __smlad(bms_sxtb16_ror8(b0), o0, acc1);
        acc0 = __smlad(__sxtb16(a1), e1, acc0);
        acc1 = __smlad(__sxtb16(b1), e1, acc1);
        acc0 = __smlad(bms_sxtb16_ror8(a1), o1, acc0);
        acc1 = __smlad(bms_sxtb16_ror8(b1), o1, acc1);
    }
    for (; g < groups; ++g) {
        uint32_t a, b, even, odd;
        memcpy(&even, packed + 4 * g, 4);
        memcpy(&odd, packed + 4 * g + 2, 4);
        memcpy(&a, row0 + 4 * g, 4);
        memcpy(&b, row1 + 4 * g, 4);
        acc0 = __smlad(__sxtb16(a), even, acc0);
        acc1 = __smlad(__sxtb16(b), even, acc1);
        acc0 = __smlad(bms_sxtb16_ror8(a), odd, acc0);
        acc1 = __smlad(bms_sxtb16_ror8(b), odd, acc1);
    }
    for (j = 4u * groups; j < count; ++j) {
        acc0 += (int32_t)row0[j] * input[j];
        acc1 += (int32_t)row1[j] * input[j];
    }
    *acc0_out = acc0;
    *acc1_out = acc1;
}
#else
static inline void bms_prepare_input(const int16_t *input, uint32_t count, int16_t *packed) {
    (void)input; (void)count; (void)packed;
}

/* Σ w[j]·x[j], portable C. */
static inline int32_t bms_dot_s8_s16(const int8_t *weights, const int16_t *input, const int16_t *packed,
                                     uint32_t count) {
    uint32_t j;
    int32_t acc = 0;
    (void)packed;
    for (j = 0; j < count; ++j) acc += (int32_t)weights[j] * input[j];
    return acc;
}

/* Two consecutive rows, portable C. */
static inline void bms_dot2_s8_s16(const int8_t *row0, const int16_t *input, const int16_t *packed,
                                   uint32_t count, int32_t *acc0_out, int32_t *acc1_out) {
    *acc0_out = bms_dot_s8_s16(row0, input, packed, count);
    *acc1_out = bms_dot_s8_s16(row0 + count, input, packed, count);
}
#endif

#endif /* BMS_KERNELS_H */
