/* Examples/c/cortex-m4/firmware_image.c — the whole C firmware on a Cortex-M4F under QEMU
 * (mps2-an386): ../host/firmware_tick.h, the same code as the host example firmware_host — the
 * plausibility checks, the current auto-zero, protection, the estimator bank, the Ah counter, the
 * 1RC EKF, the LSTM wrapper with the shipped blob (../model/firmware_lstm) and its training
 * envelope, and ekf+lstm (../model/firmware_fusion_lstm) — over the compiled-in recording (input_rows.h), one row a 10 s base tick, from an
 * unknown history; a gap of more than an hour is a sleep. Prints per tick the same columns as
 * `firmware_host --base-tick 10` (flags in decimal; run.sh checks every tick against the host
 * build), then the instructions per tick of the whole firmware tick (mean and worst: the worst is
 * a tick with an LSTM step) and the firmware's state bytes. Built and run by run.sh. */
#include <math.h>
#include <stdint.h>
#include "input_rows.h"
#include "semihost.h"
#include "harness.h"
#include "firmware_tick.h"

#define BASE_TICK_S 10.0
#define SLEEP_AFTER_S 3600.0

static firmware_t fw;
static bms_soc_config_t config;
static const char *const envelope_names[4] = {"current", "temperature", "start", "soc"};

/* An estimate with five decimals, or nothing before the estimator's first update. */
static void put_estimate(int k) {
    if (fw.updated[k]) put_fixed5(fw.estimates[k].soc);
    sh_puts(",");
}

int main(void) {
    uint64_t ticks_total = 0;
    uint32_t n, tick = 0, worst = 0;
    double previous_time = 0.0;
    if (!firmware_setup(&fw, &config, BASE_TICK_S, 1, NAN)) {
        sh_puts("cannot set up the firmware\n");
        return 1;
    }
    SYST_RVR = 0xFFFFFFu; SYST_CVR = 0; SYST_CSR = 5u;
    sh_puts("row,flags,protection,soc_ah,soc_ekf,soc_lstm,soc_ekf_lstm,envelope_lstm\n");
    for (n = 0; n < INPUT_ROWS; ++n) {
        const double time_s = input_time_s[n];
        bms_plausibility_reading_t raw;
        uint32_t t0, spent;
        uint16_t flags;
        int k;
        const char *separator = "";
        if (n > 0 && time_s - previous_time > SLEEP_AFTER_S) {
            uint32_t wake = (uint32_t)ceil((time_s - input_time_s[0]) / BASE_TICK_S - 1e-9);
            if (wake > tick) {
                firmware_wake(&fw, (float)((double)(wake - tick) * BASE_TICK_S));
                tick = wake;
            }
        }
        raw.voltage_V = input_vit[n][0];
        raw.current_A = input_vit[n][1];
        raw.temperature_C = input_vit[n][2];
        raw.dt_s = (float)BASE_TICK_S;
        raw.missing_mask = 0;
        t0 = SYST_CVR;
        flags = firmware_tick(&fw, &raw, tick);
        spent = elapsed(t0);
        ticks_total += spent;
        if (spent > worst) worst = spent;
        put_dec(n); sh_puts(","); put_dec(flags); sh_puts(","); put_dec(fw.protection.state); sh_puts(",");
        for (k = 0; k < ESTIMATORS; k++) put_estimate(k);
        for (k = 0; k < 4; k++) {
            if (!(fw.estimates[2].envelope & (1u << k))) continue;
            sh_puts(separator); sh_puts(envelope_names[k]);
            separator = "|";
        }
        sh_puts("\n");
        tick++;
        previous_time = time_s;
    }
    sh_puts("# whole firmware tick, instructions (mean, worst): "); put_dec(mean_instructions(ticks_total));
    sh_puts(", "); put_dec((uint32_t)((uint64_t)worst * 40u >> ICOUNT_SHIFT));
    sh_puts("\n# firmware state bytes: "); put_dec((uint32_t)sizeof fw); sh_puts(" (of which the two LSTM workspaces ");
    put_dec(2u * (FIRMWARE_LSTM_WORKSPACE_WORDS + FIRMWARE_FUSION_LSTM_WORKSPACE_WORDS)); sh_puts(", the protection event ring ");
    put_dec((uint32_t)sizeof fw.ring); sh_puts(")\n");
    return 0;
}
