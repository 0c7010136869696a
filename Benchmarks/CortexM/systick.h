/* Benchmarks/CortexM/systick.h — what every Cortex-M4 image under QEMU (mps2-an386) shares for
 * counting and printing: the SysTick registers (instructions = ticks x 40 / 2^ICOUNT_SHIFT under
 * `qemu -icount shift=ICOUNT_SHIFT`: a 25 MHz SysTick, 2^shift ns per instruction) and decimal
 * output over semihosting. Used by main.c here and by Examples/c/cortex-m4 (harness.h). */
#ifndef CORTEX_M_SYSTICK_H
#define CORTEX_M_SYSTICK_H

#include <stdint.h>
#include "semihost.h"

#ifndef ICOUNT_SHIFT
#define ICOUNT_SHIFT 4
#endif
#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)

/* v in decimal. */
static void put_dec(uint32_t v) {
    char buf[12];
    int k = 11;
    buf[k] = 0;
    do { buf[--k] = (char)('0' + v % 10u); v /= 10u; } while (v != 0 && k > 0);
    sh_puts(&buf[k]);
}

#endif
