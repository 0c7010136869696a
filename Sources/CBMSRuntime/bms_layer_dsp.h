/* The version-3 LSTM layer step for Cortex-M cores with the DSP extension and unaligned
 * access (Cortex-M4/M7/M33: SXTB16, SMLAD, SMMUL, PKHBT, QADD16, SSAT), included by
 * bms_step.c. The unit loop is the Thumb-2 assembly of bms_units_cm4.h; this file packs x
 * and h, fills its frame, and holds the DSP helpers the rest of the step uses. Same integers
 * as bms_lstm_layer_v3_body (FixedPoint.md). */
#ifndef BMS_LAYER_DSP_H
#define BMS_LAYER_DSP_H

#include <stddef.h>
#include "bms_kernels.h"

#if BMS_USE_DSP

/* floor(a * b / 2^32): the high word of the 64-bit product (SMMUL). */
static inline int32_t bms_smmul(int32_t a, int32_t b) {
    int32_t r;
    __asm__("smmul %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

/* low halfword of lo | low halfword of hi << 16 (PKHBT). */
static inline uint32_t bms_pkhbt(uint32_t lo, uint32_t hi) {
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
    return r;
}

/* high halfword of hi | high halfword of lo >> 16 (PKHTB). */
static inline uint32_t bms_pkhtb(uint32_t hi, uint32_t lo) {
    uint32_t r;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));
    return r;
}

/* packed = x zero-padded to a multiple of 4, each group of four as the pairs (x0, x2),
 * (x1, x3) (what SXTB16 and SXTB16 ROR 8 of a weight word multiply). */
static inline void bms_pack_pairs(const int16_t *x, uint32_t count, int16_t *packed) {
    uint32_t groups = count / 4u, g;
    for (g = 0; g < groups; ++g) {
        uint32_t x01, x23, even, odd;
        memcpy(&x01, x + 4u * g, 4);
        memcpy(&x23, x + 4u * g + 2u, 4);
        even = bms_pkhbt(x01, x23);
        odd = bms_pkhtb(x23, x01);
        memcpy(packed + 4u * g, &even, 4);
        memcpy(packed + 4u * g + 2u, &odd, 4);
    }
    if (count % 4u != 0u) {  /* (x0, x2), (x1, x3) with the missing ones 0 */
        const int16_t *tail = x + 4u * groups;
        int16_t *out = packed + 4u * groups;
        out[0] = tail[0];
        out[1] = (count % 4u == 3u) ? tail[2] : (int16_t)0;
        out[2] = (count % 4u >= 2u) ? tail[1] : (int16_t)0;
        out[3] = 0;
    }
}

/* Σ w[j]·x[j] over one row-major row, x unpacked: SXTB16 and SXTB16 ROR 8 of four weights
 * give (w0, w2) and (w1, w3), PKHBT/PKHTB turn them into (w0, w1) and (w2, w3), which pair
 * with x's own halfword pairs (cheaper than packing x for a single row). */
static inline int32_t bms_dot_row_dsp(const int8_t *w, const int16_t *x, uint32_t count) {
    uint32_t groups = count / 4u, g, j;
    int32_t acc = 0;
    for (g = 0; g < groups; ++g) {
        uint32_t word, even, odd, x01, x23;
        memcpy(&word, w + 4u * g, 4);
        memcpy(&x01, x + 4u * g, 4);
        memcpy(&x23, x + 4u * g + 2u, 4);
        even = __sxtb16(word);
        odd = bms_sxtb16_ror8(word);
        acc = __smlad(bms_pkhbt(even, odd), x01, acc);
        acc = __smlad(bms_pkhtb(odd, even), x23, acc);
    }
    for (j = 4u * groups; j < count; ++j) acc += (int32_t)w[j] * x[j];
    return acc;
}

/* The assembly reads its tables through absolute addresses: not with position-independent code. */
#if defined(__ARM_FEATURE_UNALIGNED) && defined(__thumb2__) && (defined(__GNUC__) || defined(__clang__)) \
    && !defined(__PIC__) && !defined(__ARM_ROPI)
#define BMS_HAVE_CM4_UNITS 1
#include "bms_units_cm4.h"

/* The assembly reads these bms_lstm_layer_t fields at these offsets (the AAPCS layout). */
#define BMS_CM4_CHECK(name, expr) typedef char bms_cm4_check_##name[(expr) ? 1 : -1]
BMS_CM4_CHECK(input_size, offsetof(bms_lstm_layer_t, input_size) == 0);
BMS_CM4_CHECK(hidden_size, offsetof(bms_lstm_layer_t, hidden_size) == 2);
BMS_CM4_CHECK(cell_bits, offsetof(bms_lstm_layer_t, cell_fraction_bits) == 4);
BMS_CM4_CHECK(input_kernel, offsetof(bms_lstm_layer_t, input_kernel) == 8);
BMS_CM4_CHECK(recurrent_kernel, offsetof(bms_lstm_layer_t, recurrent_kernel) == 12);
BMS_CM4_CHECK(bias, offsetof(bms_lstm_layer_t, bias) == 16);
BMS_CM4_CHECK(input_multiplier, offsetof(bms_lstm_layer_t, input_multiplier) == 20);
BMS_CM4_CHECK(input_shift, offsetof(bms_lstm_layer_t, input_shift) == 24);
BMS_CM4_CHECK(recurrent_multiplier, offsetof(bms_lstm_layer_t, recurrent_multiplier) == 28);
BMS_CM4_CHECK(recurrent_shift, offsetof(bms_lstm_layer_t, recurrent_shift) == 32);

void bms_lstm_units_cm4(const bms_lstm_layer_t *layer, const int16_t *packed_x, int16_t *hidden, int16_t *cell,
                        const int16_t *packed_h);

/* Whether bms_lstm_layer_step_cm4 can run `layer` in `scratch_words` of scratch: every shift
 * >= 33 (the loader's shifts_high, the usual case) and both packed vectors fit after
 * aligning the scratch to a word. */
static inline int bms_cm4_step_fits(const bms_lstm_layer_t *layer, uint32_t scratch_words) {
    uint32_t need = 1u + ((layer->input_size + 3u) & ~3u) + ((layer->hidden_size + 3u) & ~3u);
    return layer->shifts_high && need <= scratch_words;
}

/* One version-3 layer: x and the previous h packed into the word-aligned scratch (so LDRD
 * reads them and h[j] may be written at once), then the assembly unit loop. */
static void bms_lstm_layer_step_cm4(const bms_lstm_layer_t *layer, const int16_t *input, int16_t *hidden,
                                    int16_t *cell, int16_t *scratch) {
    int16_t *packed = scratch + (((uintptr_t)scratch & 2u) != 0u);
    int16_t *packed_hidden = packed + ((layer->input_size + 3u) & ~3u);
    bms_pack_pairs(input, layer->input_size, packed);
    bms_pack_pairs(hidden, layer->hidden_size, packed_hidden);
    bms_lstm_units_cm4(layer, packed, hidden, cell, packed_hidden);
}
#endif

#endif /* BMS_USE_DSP */
#endif /* BMS_LAYER_DSP_H */
