/* Examples/c/cortex-m4/measurement_path.c — the firmware's measurement path in C on a Cortex-M4F
 * under QEMU (mps2-an386), as its own image: per tick of the compiled-in recording
 * (input_rows.h) the plausibility checks (bms_plausibility.h), the current auto-zero
 * (bms_current_offset.h), the protection state machine (bms_protection.h) and the estimator
 * bank's gating (bms_bank.h) with two estimators' slots (every tick and every 6 ticks; the
 * estimators themselves are main.c's). Faults are injected
 * on fixed rows (a NaN voltage, a missing current, a temperature spike, a timestamp jump) so
 * that the rejecting branches run too; a gap of more than an hour is a sleep. Prints the
 * instructions per tick of each stage (SysTick under `qemu -icount`, harness.h), how many ticks
 * were flagged and the state bytes. Built and run by run.sh. */
#include <math.h>
#include <stdint.h>
#include "bms_plausibility.h"
#include "bms_current_offset.h"
#include "bms_bank.h"
#include "bms_protection.h"
#include "input_rows.h"
#include "semihost.h"
#include "harness.h"

#define SLEEP_AFTER_S 3600.0
#define BASE_TICK_S 10.0

static bms_plausibility_t checks;
static bms_current_offset_t zero;
static bms_bank_t bank;
static bms_bank_slot_t slots[2];
static bms_protection_t protection;
static bms_protection_event_t events[16];
/* The inputs handed to the estimators, summed so that nothing is optimized away. */
static volatile float sink;

int main(void) {
    bms_plausibility_limits_t limits;
    bms_current_offset_settings_t zs;
    bms_protection_limits_t pl;
    uint64_t ticks_checks = 0, ticks_zero = 0, ticks_protection = 0, ticks_bank = 0;
    uint32_t n, flagged = 0, updates = 0;
    double previous_time = 0.0;
    bms_plausibility_limits_default(&limits);
    bms_current_offset_settings_default(&zs);
    bms_current_offset_settings_scale_to_cell(&zs, 2.0);
    bms_protection_limits_default(&pl);
    pl.over_voltage_V = 4.15;              /* tighter than the defaults, so that the charges trip it */
    pl.over_voltage_release_V = 4.1;
    if (bms_plausibility_init(&checks, &limits, BASE_TICK_S) != BMS_SOC_OK || bms_current_offset_init(&zero, &zs) != BMS_SOC_OK
        || bms_bank_init(&bank) != BMS_SOC_OK || bms_bank_slot_init(&slots[0], 1) != BMS_SOC_OK
        || bms_bank_slot_init(&slots[1], 6) != BMS_SOC_OK || bms_protection_init(&protection, &pl, events, 16) != BMS_SOC_OK) {
        sh_puts("cannot set up the measurement path\n");
        return 1;
    }
    SYST_RVR = 0xFFFFFFu; SYST_CVR = 0; SYST_CSR = 5u;
    for (n = 0; n < INPUT_ROWS; ++n) {
        const double time_s = input_time_s[n];
        bms_plausibility_reading_t raw, used;
        bms_bank_step_t steps[2];
        uint16_t flags;
        uint32_t t0;
        int count, k, s;
        if (n > 0 && time_s - previous_time > SLEEP_AFTER_S) {
            bms_plausibility_wake(&checks);
            bms_current_offset_wake(&zero);
            bms_bank_wake(&bank);
            bms_bank_slot_restart(&slots[0]);
            bms_bank_slot_restart(&slots[1]);
        }
        raw.voltage_V = input_vit[n][0];
        raw.current_A = input_vit[n][1];
        raw.temperature_C = input_vit[n][2];
        raw.dt_s = n == 0 ? (float)BASE_TICK_S : (float)(time_s - previous_time);
        raw.missing_mask = 0;
        if (n % 97 == 50) raw.voltage_V = NAN;
        if (n % 113 == 20) raw.missing_mask = BMS_MISSING_CURRENT;
        if (n % 151 == 7) raw.temperature_C += 40.0f;
        if (n % 173 == 90) raw.dt_s = 25.0f;
        t0 = SYST_CVR;
        flags = bms_plausibility_check(&checks, &raw, &used);
        ticks_checks += elapsed(t0);
        t0 = SYST_CVR;
        used.current_A = bms_current_offset_correct(&zero, used.voltage_V, used.current_A, used.dt_s,
                                                    (flags & BMS_FAULT_ANY) != 0);
        ticks_zero += elapsed(t0);
        t0 = SYST_CVR;
        bms_protection_update(&protection, used.voltage_V, used.current_A, used.temperature_C, n);
        ticks_protection += elapsed(t0);
        t0 = SYST_CVR;
        count = bms_bank_feed(&bank, &used, flags, n, steps);
        for (s = 0; s < count; s++) {
            for (k = 0; k < 2; k++) {
                bms_bank_input_t in;
                if (bms_bank_slot_step(&slots[k], &steps[s], &in)) {
                    sink += in.current_A * in.dt_s;
                    updates++;
                }
            }
        }
        ticks_bank += elapsed(t0);
        if (flags & BMS_FAULT_ANY) flagged++;
        previous_time = time_s;
    }
    sh_puts("# measurement path, instructions per tick (mean): checks "); put_dec(mean_instructions(ticks_checks));
    sh_puts(", auto-zero "); put_dec(mean_instructions(ticks_zero));
    sh_puts(", protection "); put_dec(mean_instructions(ticks_protection));
    sh_puts(", bank (feed and 2 slots) "); put_dec(mean_instructions(ticks_bank));
    sh_puts("\n# measurement path: "); put_dec(flagged); sh_puts(" of "); put_dec(INPUT_ROWS);
    sh_puts(" ticks flagged, "); put_dec(updates); sh_puts(" estimator updates, ");
    put_dec(bms_current_offset_calibrations(&zero)); sh_puts(" auto-zero calibrations, ");
    put_dec(protection.event_count); sh_puts(" protection events");
    sh_puts("\n# measurement path state bytes: checks "); put_dec((uint32_t)sizeof checks);
    sh_puts(", auto-zero "); put_dec((uint32_t)sizeof zero); sh_puts(", protection "); put_dec((uint32_t)sizeof protection);
    sh_puts(" + "); put_dec((uint32_t)sizeof events[0]); sh_puts(" per event, bank "); put_dec((uint32_t)sizeof bank);
    sh_puts(" + "); put_dec((uint32_t)sizeof slots[0]); sh_puts(" per estimator\n");
    return 0;
}
