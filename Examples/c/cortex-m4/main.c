/* Examples/c/cortex-m4/main.c — the host example's tick loop (Examples/c/host/main.c) on a
 * Cortex-M4F, bare metal under QEMU's mps2-an386 board: the Ah counter, the 1RC EKF and the
 * LSTM wrapper (and the EKF with an illustrative hysteresis law, ../host/hysteresis_demo.h, and with
 * an illustrative charge-transfer term, ../host/charge_transfer_demo.h; and the 2RC EKF on
 * ../model/cell_model_2rc) over a
 * recording compiled in as input_rows.h (make-input.py). Prints the same
 * CSV as the host example through semihosting (SOC with five decimals), then the instructions
 * per tick of each estimator, counted with SysTick under `qemu -icount shift=ICOUNT_SHIFT`
 * (instructions = ticks × 40 / 2^shift: a 25 MHz SysTick, 2^shift ns per instruction). */
#include <stdint.h>
#include "bms_soc.h"
#include "cell_model.h"
#if BMS_SOC_TWO_RC
#include "cell_model_2rc.h"
#endif
#include "lstm_model.h"
#include "input_rows.h"
#if BMS_SOC_HYSTERESIS
#include "hysteresis_demo.h"
#endif
#if BMS_SOC_CHARGE_TRANSFER
#include "charge_transfer_demo.h"
#endif
#include "semihost.h"
#include "harness.h"

#define SLEEP_AFTER_S 3600.0

static int16_t workspace[LSTM_MODEL_WORKSPACE_WORDS];
static bms_soc_config_t config;
static bms_soc_lstm_settings_t settings;
static bms_lstm_model_t lstm_net;
static bms_soc_ah_t ah;
static bms_soc_ekf_t ekf;
#if BMS_SOC_HYSTERESIS
static bms_soc_ekf_t ekf_h;
static bms_cell_model_t hysteresis_model;
#endif
#if BMS_SOC_CHARGE_TRANSFER
static bms_soc_ekf_t ekf_ct;
static bms_cell_model_t charge_transfer_model;
#endif
#if BMS_SOC_TWO_RC
static bms_soc_ekf_t ekf_2rc;
#endif
static bms_soc_lstm_t lstm;

int main(void) {
    uint64_t ticks_ah = 0, ticks_ekf = 0, ticks_lstm = 0, ticks_ekf_h = 0, ticks_ekf_ct = 0, ticks_ekf_2rc = 0;
    double previous_time = 0.0;
    uint32_t n;
    bms_soc_config_default(&config);
    bms_soc_lstm_settings_default(&settings);
#if BMS_SOC_HYSTERESIS
    hysteresis_model = hysteresis_demo_model(cell_model);
#endif
#if BMS_SOC_CHARGE_TRANSFER
    charge_transfer_model = charge_transfer_demo_model(cell_model);
#endif
    if (bms_lstm_load_blob(lstm_model, LSTM_MODEL_SIZE, &lstm_net) != BMS_OK
        || bms_soc_ah_init(&ah, &cell_model, &config, 1.0f) != BMS_SOC_OK
        || bms_soc_ekf_init(&ekf, &cell_model, &config, 1.0f) != BMS_SOC_OK
#if BMS_SOC_HYSTERESIS
        || bms_soc_ekf_init(&ekf_h, &hysteresis_model, &config, 1.0f) != BMS_SOC_OK
#endif
#if BMS_SOC_CHARGE_TRANSFER
        || bms_soc_ekf_init(&ekf_ct, &charge_transfer_model, &config, 1.0f) != BMS_SOC_OK
#endif
#if BMS_SOC_TWO_RC
        || bms_soc_ekf_init_pairs(&ekf_2rc, &cell_model_2rc, &config, 1.0f, 2) != BMS_SOC_OK
#endif
        ) {
        sh_puts("cannot set up the estimators\n");
        return 1;
    }
    SYST_RVR = 0xFFFFFFu; SYST_CVR = 0; SYST_CSR = 5u;
    sh_puts("time_s,soc_ah,soc_ekf,sigma_ekf,soc_lstm,soc_ekf_hysteresis,soc_ekf_charge_transfer,soc_ekf_2rc\n");
    for (n = 0; n < INPUT_ROWS; ++n) {
        bms_soc_estimate_t e_ah, e_ekf, e_lstm, e_ekf_h, e_ekf_ct, e_ekf_2rc;
        const float voltage_V = input_vit[n][0], current_A = input_vit[n][1], temperature_C = input_vit[n][2];
        const double time_s = input_time_s[n];
        float dt_s;
        uint32_t t0;
        if (n == 0) {
            dt_s = 0.0f;                                   /* power-up, history unknown */
        } else if (time_s - previous_time > SLEEP_AFTER_S) {
            const float sleep_s = (float)(time_s - previous_time);
            bms_soc_ah_wake(&ah, sleep_s);
            bms_soc_ekf_wake(&ekf, sleep_s);
#if BMS_SOC_HYSTERESIS
            bms_soc_ekf_wake(&ekf_h, sleep_s);
#endif
#if BMS_SOC_CHARGE_TRANSFER
            bms_soc_ekf_wake(&ekf_ct, sleep_s);
#endif
#if BMS_SOC_TWO_RC
            bms_soc_ekf_wake(&ekf_2rc, sleep_s);
#endif
            bms_soc_lstm_wake(&lstm, sleep_s);
            dt_s = 0.0f;
        } else {
            dt_s = (float)(time_s - previous_time);
        }
        t0 = SYST_CVR;
        bms_soc_ah_tick(&ah, voltage_V, current_A, temperature_C, dt_s, &e_ah);
        ticks_ah += elapsed(t0);
        t0 = SYST_CVR;
        bms_soc_ekf_tick(&ekf, voltage_V, current_A, temperature_C, dt_s, &e_ekf);
        ticks_ekf += elapsed(t0);
#if BMS_SOC_HYSTERESIS
        t0 = SYST_CVR;
        bms_soc_ekf_tick(&ekf_h, voltage_V, current_A, temperature_C, dt_s, &e_ekf_h);
        ticks_ekf_h += elapsed(t0);
#else
        e_ekf_h = e_ekf;   /* built without hysteresis (flash figure only): the column repeats the EKF */
#endif
#if BMS_SOC_CHARGE_TRANSFER
        t0 = SYST_CVR;
        bms_soc_ekf_tick(&ekf_ct, voltage_V, current_A, temperature_C, dt_s, &e_ekf_ct);
        ticks_ekf_ct += elapsed(t0);
#else
        e_ekf_ct = e_ekf;  /* built without the term (flash figure only): the column repeats the EKF */
#endif
#if BMS_SOC_TWO_RC
        t0 = SYST_CVR;
        bms_soc_ekf_tick(&ekf_2rc, voltage_V, current_A, temperature_C, dt_s, &e_ekf_2rc);
        ticks_ekf_2rc += elapsed(t0);
#else
        e_ekf_2rc = e_ekf; /* built without the 2RC filter (flash figure only): the column repeats the EKF */
#endif
        if (n == 0 && bms_soc_lstm_init(&lstm, &lstm_net, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config,
                                        &settings, e_ah.soc) != BMS_SOC_OK) {
            sh_puts("lstm: cannot start\n");
            return 1;
        }
        t0 = SYST_CVR;
        bms_soc_lstm_tick(&lstm, voltage_V, current_A, temperature_C, dt_s, &e_lstm);
        ticks_lstm += elapsed(t0);
        put_fixed5(time_s); sh_puts(","); put_fixed5(e_ah.soc); sh_puts(","); put_fixed5(e_ekf.soc); sh_puts(",");
        put_fixed5(e_ekf.sigma); sh_puts(","); put_fixed5(e_lstm.soc); sh_puts(","); put_fixed5(e_ekf_h.soc); sh_puts(",");
        put_fixed5(e_ekf_ct.soc); sh_puts(","); put_fixed5(e_ekf_2rc.soc); sh_puts("\n");
        previous_time = time_s;
    }
    sh_puts("# instructions per tick (mean): ah "); put_dec(mean_instructions(ticks_ah));
    sh_puts(", ekf "); put_dec(mean_instructions(ticks_ekf));
    sh_puts(", lstm wrapper "); put_dec(mean_instructions(ticks_lstm));
    sh_puts(", ekf with hysteresis "); put_dec(mean_instructions(ticks_ekf_h));
    sh_puts(", ekf with charge transfer "); put_dec(mean_instructions(ticks_ekf_ct));
    sh_puts(", ekf 2rc "); put_dec(mean_instructions(ticks_ekf_2rc));
    sh_puts("\n# state bytes: ah "); put_dec((uint32_t)sizeof ah); sh_puts(", ekf "); put_dec((uint32_t)sizeof ekf);
    sh_puts(", lstm wrapper "); put_dec((uint32_t)sizeof lstm); sh_puts(" + workspace ");
    put_dec(2u * LSTM_MODEL_WORKSPACE_WORDS); sh_puts("\n");
    return 0;
}
