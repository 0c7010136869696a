/* Internal helpers of the C runtime shared by its translation units (not installed). */
#ifndef BMS_INTERNAL_H
#define BMS_INTERNAL_H

#include <string.h>
#include "bms_lstm.h"

/* Little-endian loads through memcpy: no alignment or aliasing assumptions; compilers
 * turn them into single loads on little-endian targets (checked at load time). */
static inline int32_t bms_ld_s32(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Byte-wise little-endian reads for header fields (endianness-independent). */
static inline uint16_t bms_rd_u16(const uint8_t *p) {
    return (uint16_t)((uint16_t)p[0] | ((uint16_t)p[1] << 8));
}
static inline uint32_t bms_rd_u32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline int32_t bms_rd_s32(const uint8_t *p) {
    uint32_t u = bms_rd_u32(p);
    /* two's complement conversion without implementation-defined behaviour */
    return (u <= 0x7FFFFFFFu) ? (int32_t)u : (int32_t)(u - 0x80000000u) - (int32_t)0x40000000 - (int32_t)0x40000000;
}

/* floor(x / 2^n) for 0 <= n <= 63. C99 leaves >> of negative numbers implementation-
 * defined; GCC and Clang document it as arithmetic, so they use it directly, and any other
 * compiler gets the portable form (same result). */
#if defined(__GNUC__) || defined(__clang__)
static inline int64_t bms_floor_shift_s64(int64_t x, int n) { return x >> n; }
static inline int32_t bms_floor_shift_s32(int32_t x, int n) { return x >> n; }
#else
static inline int64_t bms_floor_shift_s64(int64_t x, int n) {
    return (x >= 0) ? (x >> n) : ~((~x) >> n);
}
static inline int32_t bms_floor_shift_s32(int32_t x, int n) {
    return (x >= 0) ? (x >> n) : ~((~x) >> n);
}
#endif

/* round(x / 2^n), ties toward +inf; caller guarantees x + 2^(n-1) does not overflow. The
 * 64-bit one takes 1 <= n <= 32 (every caller's case: the rounding constant then fits 32
 * bits, which is cheaper on 32-bit cores). */
static inline int64_t bms_round_shift_s64(int64_t x, int n) {
    return bms_floor_shift_s64(x + (int64_t)((uint32_t)1 << (n - 1)), n);
}
static inline int32_t bms_round_shift_s32(int32_t x, int n) {
    return (n == 0) ? x : bms_floor_shift_s32(x + ((int32_t)1 << (n - 1)), n);
}

static inline int16_t bms_sat_s16(int64_t v) {
    return (int16_t)(v > 32767 ? 32767 : (v < -32768 ? -32768 : v));
}
static inline int32_t bms_sat_s32(int64_t v) {
    return (int32_t)(v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : v));
}

/* sat32(a - b): one QSUB on cores with the DSP extension. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(BMS_PORTABLE_KERNELS)
#include <arm_acle.h>
static inline int32_t bms_sub_sat32(int32_t a, int32_t b) { return __qsub(a, b); }
#else
static inline int32_t bms_sub_sat32(int32_t a, int32_t b) { return bms_sat_s32((int64_t)a - (int64_t)b); }
#endif

/* round(value * multiplier / 2^shift), ties up, shift in 1..62 (validated at load); for
 * shift >= 33 in 32 bits (as bms_requant_sat16 below: the result then fits an int32). */
static inline int64_t bms_requant_wide(int32_t value, int32_t multiplier, int32_t shift) {
    int64_t product = (int64_t)value * (int64_t)multiplier;
    if (shift >= 33) {
        int32_t high = (int32_t)bms_floor_shift_s64(product, 32);
        return bms_floor_shift_s32(bms_floor_shift_s32(high, (int)shift - 33) + 1, 1);
    }
    return bms_round_shift_s64(product, (int)shift);
}

#if defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT && !defined(BMS_PORTABLE_KERNELS)
#include <arm_acle.h>
/* One SSAT instruction on cores that have it (Cortex-M3/M4/M7/M33): same value. */
static inline int16_t bms_sat_s16_from_s32(int32_t v) { return (int16_t)__ssat(v, 16); }
#else
static inline int16_t bms_sat_s16_from_s32(int32_t v) {
    return (int16_t)(v > 32767 ? 32767 : (v < -32768 ? -32768 : v));
}
#endif

/* sat16(round(value * multiplier / 2^shift)), the same value as bms_requant_wide, faster on
 * 32-bit cores: for shift n >= 33 the rounding constant 2^(n-1) only touches the high word
 * hi = floor(p / 2^32) of the product p, and floor((p + 2^(n-1)) / 2^n) equals
 * floor((hi + 2^(n-33)) / 2^(n-32)) because the low word contributes less than one unit
 * of the high word before a shift of at least one bit; that is floor((floor(hi / 2^(n-33)) + 1) / 2)
 * (both count the multiples of 2^(n-32) up to hi + 2^(n-33)): on a Cortex-M4 SMMUL, ASR,
 * ADD and SSAT with its own ASR #1. |hi| < 2^30, so nothing overflows. */
static inline int16_t bms_requant_sat16(int32_t value, int32_t multiplier, int32_t shift) {
    int64_t product = (int64_t)value * (int64_t)multiplier;
    if (shift >= 33) {
        int32_t high = (int32_t)bms_floor_shift_s64(product, 32);
        return bms_sat_s16_from_s32(bms_floor_shift_s32(bms_floor_shift_s32(high, (int)shift - 33) + 1, 1));
    }
    return bms_sat_s16(bms_round_shift_s64(product, (int)shift));
}

static inline int16_t bms_interpolate(const int16_t *table, int16_t x) {
    int32_t u = (int32_t)x + 32768;
    int32_t k = u >> 7;       /* u >= 0 */
    int32_t t = u & 127;
    int32_t y0 = table[k];
    int32_t y1 = table[k + 1];
    return (int16_t)(y0 + bms_floor_shift_s32((y1 - y0) * t + 64, 7));
}

#endif /* BMS_INTERNAL_H */
