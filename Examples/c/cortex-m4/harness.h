/* Examples/c/cortex-m4/harness.h — what the Cortex-M4 examples (main.c, measurement_path.c,
 * firmware_image.c) share beyond Benchmarks/CortexM/systick.h (the SysTick registers, put_dec):
 * the mean instructions per tick, errno's storage for newlib's libm without its runtime, and
 * five-decimal output over semihosting (put_fixed5). Include it after input_rows.h. */
#ifndef CORTEX_M4_HARNESS_H
#define CORTEX_M4_HARNESS_H

#include <stdint.h>
#include "semihost.h"
#include "systick.h"   /* Benchmarks/CortexM: ICOUNT_SHIFT, the SysTick registers, put_dec */

/* newlib's libm (expf, logf, sqrtf) reports domain errors through errno; without its C
 * library runtime (-nostdlib) this is errno's storage. */
int *__errno(void);
int *__errno(void) {
    static int errno_value;
    return &errno_value;
}

/* Mean instructions per tick: (ticks · 40 >> shift) / INPUT_ROWS (input_rows.h, included first) by shift-and-subtract, so the harness
 * links no 64-bit division from libgcc (__aeabi_uldivmod, 700 B of flash); saturated to 32 bits. */
static uint32_t mean_instructions(uint64_t ticks) {
    uint64_t total = ticks * 40u >> ICOUNT_SHIFT, quotient = 0, remainder = 0;
    int bit;
    for (bit = 63; bit >= 0; bit--) {
        remainder = (remainder << 1) | ((total >> bit) & 1u);
        if (remainder >= (uint64_t)INPUT_ROWS) { remainder -= (uint64_t)INPUT_ROWS; quotient |= (uint64_t)1 << bit; }
    }
    return quotient > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)quotient;
}

/* x with five decimals (|x| < 40,000), as the host example's %.5f. */
__attribute__((unused)) static void put_fixed5(double x) {
    char buf[24];
    int k = 23;
    uint32_t scaled, whole, frac, d;
    int negative = x < 0;
    if (negative) x = -x;
    scaled = (uint32_t)(x * 100000.0 + 0.5);
    whole = scaled / 100000u;
    frac = scaled % 100000u;
    buf[k] = 0;
    for (d = 0; d < 5; d++) { buf[--k] = (char)('0' + frac % 10u); frac /= 10u; }
    buf[--k] = '.';
    do { buf[--k] = (char)('0' + whole % 10u); whole /= 10u; } while (whole != 0);
    if (negative && scaled != 0) buf[--k] = '-';
    sh_puts(&buf[k]);
}

static uint32_t elapsed(uint32_t t0) { return (t0 - SYST_CVR) & 0xFFFFFFu; }

#endif
