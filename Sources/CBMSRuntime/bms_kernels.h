/* Dot-product kernels of the C runtime: int8 weights × int16 activations → int32.
 * The portable kernel is plain C; with __ARM_FEATURE_DSP (Cortex-M4/M7/M33) the input
 * vector is packed once into (x0,x2),(x1,x3) halfword pairs so each group of four
 * weights costs one load, two SXTB16 and two SMLAD. Both give the same integer sum:
 * every partial sum is bounded by 256·127·32768 < 2^31, so order does not matter. */
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
/* packed[2k] = x[4k] | x[4k+2] << 16, packed[2k+1] = x[4k+1] | x[4k+3] << 16 (as uint32). */
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

/* Σ w[j]·x[j]. `packed` is the prepared input or NULL (then pairs are packed on the fly). */
static inline int32_t bms_dot_s8_s16(const int8_t *weights, const int16_t *input, const int16_t *packed,
                                     uint32_t count) {
    uint32_t groups = count / 4u, g, j;
    int32_t acc = 0;
    for (g = 0; g < groups; ++g) {
        uint32_t w, even, odd;
        memcpy(&w, weights + 4 * g, 4);
        if (packed != NULL) {
            memcpy(&even, packed + 4 * g, 4);
            memcpy(&odd, packed + 4 * g + 2, 4);
        } else {
            uint32_t x01, x23;
            memcpy(&x01, input + 4 * g, 4);
            memcpy(&x23, input + 4 * g + 2, 4);
            even = (x01 & 0xFFFFu) | (x23 << 16);
            odd = (x01 >> 16) | (x23 & 0xFFFF0000u);
        }
        acc = __smlad(__sxtb16(w), even, acc);
        acc = __smlad(__sxtb16((w >> 8) | (w << 24)), odd, acc);
    }
    for (j = 4u * groups; j < count; ++j) acc += (int32_t)weights[j] * input[j];
    return acc;
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
#endif

#endif /* BMS_KERNELS_H */
