/* Examples/c/host/firmware_tick.h — the firmware part of the C firmware examples: its state
 * (firmware_t), its set-up (firmware_setup), one base tick (firmware_tick) and the wake-up after a
 * sleep (firmware_wake). The plausibility checks (bms_plausibility.h) -> the current auto-zero
 * (bms_current_offset.h) -> protection (bms_protection.h) -> the estimator bank (bms_bank.h) -> the
 * Ah counter, the 1RC EKF, the LSTM wrapper (bms_soc.h) and ekf+lstm (bms_fused.h), as
 * Sources/Firmware's BMSFirmware does with replay's estimators.
 * No I/O and no allocation: the host example (firmware.c) reads a recording around it, the
 * Cortex-M4 image (../cortex-m4/firmware_image.c) a compiled-in one. Include it once.
 *
 * The settings are the Swift defaults sized to the compiled-in cell as `bmsim replay` sizes them:
 * the current limits of the plausibility checks and of protection (PlausibilityLimits(),
 * ProtectionLimits(): NASA's 18650) scaled by the cell's capacity at 25 degC
 * (bms_cell_model_initial_capacity_Ah) over the 1.8 Ah they were written for, the auto-zero's
 * largest offset C/25, the estimators' rest current max(20 mA, C/36 h). A firmware sets its own
 * cell's limits; voltages and temperatures are not scaled. */
#ifndef FIRMWARE_TICK_H
#define FIRMWARE_TICK_H

#include <math.h>
#include <stdint.h>
#include "bms_soc.h"
#include "bms_plausibility.h"
#include "bms_current_offset.h"
#include "bms_protection.h"
#include "bms_bank.h"
#include "bms_fused.h"
/* The compiled-in cell model: `make build/firmware_host CELL_DIR=DIR FIRMWARE_MODEL=NAME` builds with
 * DIR/NAME.c, NAME.h from `bmsim export --cell-model cell.json --c-source DIR/NAME` (default: the
 * bundled NASA model). */
#ifndef CELL_MODEL
#define CELL_MODEL cell_model
#define CELL_MODEL_HEADER "cell_model.h"
#endif
#include CELL_MODEL_HEADER
/* The LSTMs: `bmsim export model.bmsq --c-source firmware_lstm` (../model: the shipped lstm-soh-shrunk,
 * replay's `lstm`) and `--c-source firmware_fusion_lstm` (lstm-soh-nll, replay's `ekf+lstm`). */
#include "firmware_lstm.h"
#include "firmware_fusion_lstm.h"

/* What the default current limits (plausibility, protection) are sized for: the bundled model's
 * design capacity at 25 degC, as `bmsim replay`'s presets (CurrentSizing.referenceCell). */
#define LIMITS_SIZED_FOR_AH 1.8043
#define EVENT_RING 64
#define ESTIMATORS 4           /* 0: Ah counter, 1: EKF, 2: LSTM wrapper, 3: ekf+lstm */

/* Everything one tick touches; one static instance, set up once. */
typedef struct firmware {
    bms_plausibility_t checks;
    bms_current_offset_t zero;
    bms_protection_t protection;
    bms_protection_event_t ring[EVENT_RING];
    bms_bank_t bank;
    bms_bank_slot_t slots[ESTIMATORS];
    bms_soc_ah_t ah;
    bms_soc_ekf_t ekf;
    bms_soc_lstm_t lstm;
    bms_soc_ah_t lstm_between;                            /* the count between the LSTM's runs */
    bms_lstm_model_t net;
    int16_t workspace[FIRMWARE_LSTM_WORKSPACE_WORDS];
    bms_soc_fused_t fused;                                /* ekf+lstm: its own EKF and LSTM wrapper */
    bms_soc_ekf_t fusion_ekf;
    bms_soc_lstm_t fusion_lstm;
    bms_lstm_model_t fusion_net;
    int16_t fusion_workspace[FIRMWARE_FUSION_LSTM_WORKSPACE_WORDS];
    bms_soc_estimate_t estimates[ESTIMATORS];
    uint8_t updated[ESTIMATORS];   /* the estimator has had a tick since power-up */
} firmware_t;

/* One base tick: the reading as the sensors gave it in, the flags out. */
static uint16_t firmware_tick(firmware_t *fw, const bms_plausibility_reading_t *raw, uint32_t tick) {
    bms_plausibility_reading_t used;
    bms_bank_step_t steps[2];
    uint16_t flags = bms_plausibility_check(&fw->checks, raw, &used);
    int n, s, k;
    used.current_A = bms_current_offset_correct(&fw->zero, used.voltage_V, used.current_A, used.dt_s,
                                                (flags & BMS_FAULT_ANY) != 0);
    (void)bms_protection_update(&fw->protection, used.voltage_V, used.current_A, used.temperature_C, tick);
    n = bms_bank_feed(&fw->bank, &used, flags, tick, steps);
    for (s = 0; s < n; s++) {
        for (k = 0; k < ESTIMATORS; k++) {
            bms_bank_input_t in;
            if (!bms_bank_slot_step(&fw->slots[k], &steps[s], &in)) continue;
            if (k == 0) {
                bms_soc_ah_tick(&fw->ah, in.voltage_V, in.current_A, in.temperature_C, in.dt_s, &fw->estimates[0]);
            } else if (k == 1) {
                bms_soc_ekf_tick(&fw->ekf, in.voltage_V, in.current_A, in.temperature_C, in.dt_s, &fw->estimates[1]);
            } else if (k == 2) {
                bms_soc_lstm_tick(&fw->lstm, in.voltage_V, in.current_A, in.temperature_C, in.dt_s, &fw->estimates[2]);
            } else {
                bms_soc_fused_tick(&fw->fused, in.voltage_V, in.current_A, in.temperature_C, in.dt_s, &fw->estimates[3]);
            }
            fw->updated[k] = 1;
        }
    }
    return flags;
}

/* The firmware slept `sleep_s` (INFINITY: power-up with an unknown history): every part wakes. */
static void firmware_wake(firmware_t *fw, float sleep_s) {
    int k;
    bms_plausibility_wake(&fw->checks);
    bms_current_offset_wake(&fw->zero);
    bms_bank_wake(&fw->bank);
    for (k = 0; k < ESTIMATORS; k++) bms_bank_slot_restart(&fw->slots[k]);
    bms_soc_ah_wake(&fw->ah, sleep_s);
    bms_soc_ekf_wake(&fw->ekf, sleep_s);
    bms_soc_lstm_wake(&fw->lstm, sleep_s);   /* and the count between its runs */
    bms_soc_fused_wake(&fw->fused, sleep_s);
}

/* The Swift defaults, sized to a cell of `capacity_Ah` (ReplayScenario.scaledCurrents,
 * EstimatorConfig.scaledToCell, CurrentOffsetSettings.scaledToCell). */
static void size_to_cell(double capacity_Ah, bms_soc_config_t *config, bms_plausibility_limits_t *limits,
                         bms_current_offset_settings_t *zero, bms_protection_limits_t *protection) {
    double f = capacity_Ah / LIMITS_SIZED_FOR_AH;
    limits->current_min_A *= f;
    limits->current_max_A *= f;
    limits->max_current_step_A *= f;
    protection->over_current_charge_A *= f;
    protection->over_current_charge_release_A *= f;
    protection->over_current_discharge_A *= f;
    protection->over_current_discharge_release_A *= f;
    protection->standby_current_A *= f;
    bms_current_offset_settings_scale_to_cell(zero, capacity_Ah);
    config->rest_current_A = (float)(capacity_Ah / 36.0 > 0.02 ? capacity_Ah / 36.0 : 0.02);
}

/* The blobs' training envelopes (the export's macros), or NULL for a blob without one. */
#if FIRMWARE_LSTM_HAS_ENVELOPE
static const bms_soc_envelope_t lstm_envelope = FIRMWARE_LSTM_ENVELOPE;
#define LSTM_ENVELOPE (&lstm_envelope)
#else
#define LSTM_ENVELOPE NULL
#endif
#if FIRMWARE_FUSION_LSTM_HAS_ENVELOPE
static const bms_soc_envelope_t fusion_lstm_envelope = FIRMWARE_FUSION_LSTM_ENVELOPE;
#define FUSION_LSTM_ENVELOPE (&fusion_lstm_envelope)
#else
#define FUSION_LSTM_ENVELOPE NULL
#endif

/* The LSTM wrapper's settings for a blob: the defaults, its learned prior (the export's
 * NAME_LEARNED_PRIOR) and its training envelope (NULL: none). Returns 1, or 0 on a bad envelope. */
static int blob_settings(bms_soc_lstm_settings_t *settings, int learned_prior, const bms_soc_envelope_t *envelope) {
    bms_soc_lstm_settings_default(settings);
    settings->learn_prior_capacity = (uint8_t)learned_prior;
    return envelope == NULL || bms_soc_lstm_settings_use_envelope(settings, envelope) == BMS_SOC_OK;
}

/* The LSTM wrapper as `bmsim replay` runs `lstm` (makeEstimator): the compiled-in blob, the Ah +
 * OCV counter between its runs, the learned prior if the blob wants it, its training envelope. */
static int start_lstm(firmware_t *fw, const bms_soc_config_t *config, double initial_soc) {
    bms_soc_lstm_settings_t settings;
    float soc = isnan(initial_soc) ? 1.0f : (float)initial_soc;
    return blob_settings(&settings, FIRMWARE_LSTM_LEARNED_PRIOR, LSTM_ENVELOPE)
        && bms_lstm_load_blob(firmware_lstm, FIRMWARE_LSTM_SIZE, &fw->net) == BMS_OK
        && bms_soc_ah_init(&fw->lstm_between, &CELL_MODEL, config, soc) == BMS_SOC_OK
        && bms_soc_lstm_init(&fw->lstm, &fw->net, fw->workspace, FIRMWARE_LSTM_WORKSPACE_WORDS, &CELL_MODEL, config,
                             &settings, soc) == BMS_SOC_OK
        && bms_soc_lstm_set_between_runs(&fw->lstm, &fw->lstm_between) == BMS_SOC_OK;
}

/* ekf+lstm as `bmsim replay` runs it (makeEstimator(.ekfLSTM)): its own 1RC EKF and LSTM wrapper (the
 * compiled-in firmware_fusion_lstm, its learned prior and envelope, no counter between runs), the
 * shipped noise; the blob's uncertainty head, when it has one, gives the sigma. */
static int start_fusion(firmware_t *fw, const bms_soc_config_t *config, double initial_soc) {
    bms_soc_lstm_settings_t settings;
    bms_fusion_noise_t noise;
    float soc = isnan(initial_soc) ? 1.0f : (float)initial_soc;
    bms_fusion_noise_default(&noise);
    return blob_settings(&settings, FIRMWARE_FUSION_LSTM_LEARNED_PRIOR, FUSION_LSTM_ENVELOPE)
        && bms_lstm_load_blob(firmware_fusion_lstm, FIRMWARE_FUSION_LSTM_SIZE, &fw->fusion_net) == BMS_OK
        && bms_soc_ekf_init(&fw->fusion_ekf, &CELL_MODEL, config, soc) == BMS_SOC_OK
        && bms_soc_lstm_init(&fw->fusion_lstm, &fw->fusion_net, fw->fusion_workspace, FIRMWARE_FUSION_LSTM_WORKSPACE_WORDS,
                             &CELL_MODEL, config, &settings, soc) == BMS_SOC_OK
        && bms_soc_fused_init(&fw->fused, &fw->fusion_ekf, &fw->fusion_lstm, &noise) == BMS_SOC_OK;
}

/* Sets every part up, once (each checks its settings here, never per tick): base ticks of
 * `base_tick_s`, the EKF every `ekf_every` ticks, a known SOC at power-up or NaN for an unknown
 * history (a wake-up from an infinite sleep: the first confirmed reading anchors). `config` must
 * outlive `fw`. Returns 1, or 0 when a part refuses its settings. */
static int firmware_setup(firmware_t *fw, bms_soc_config_t *config, double base_tick_s, uint32_t ekf_every,
                          double initial_soc) {
    bms_plausibility_limits_t limits;
    bms_current_offset_settings_t zero_settings;
    bms_protection_limits_t protection_limits;
    float soc = isnan(initial_soc) ? 1.0f : (float)initial_soc;
    int k;
    bms_soc_config_default(config);
    bms_plausibility_limits_default(&limits);
    bms_current_offset_settings_default(&zero_settings);
    bms_protection_limits_default(&protection_limits);
    size_to_cell((double)bms_cell_model_initial_capacity_Ah(&CELL_MODEL, 25.0f), config, &limits, &zero_settings, &protection_limits);
    if (bms_plausibility_init(&fw->checks, &limits, base_tick_s) != BMS_SOC_OK
        || bms_current_offset_init(&fw->zero, &zero_settings) != BMS_SOC_OK
        || bms_protection_init(&fw->protection, &protection_limits, fw->ring, EVENT_RING) != BMS_SOC_OK
        || bms_bank_init(&fw->bank) != BMS_SOC_OK || bms_bank_slot_init(&fw->slots[0], 1) != BMS_SOC_OK
        || bms_bank_slot_init(&fw->slots[1], ekf_every) != BMS_SOC_OK || bms_bank_slot_init(&fw->slots[2], 1) != BMS_SOC_OK
        || bms_bank_slot_init(&fw->slots[3], 1) != BMS_SOC_OK
        || bms_soc_ah_init(&fw->ah, &CELL_MODEL, config, soc) != BMS_SOC_OK
        || bms_soc_ekf_init(&fw->ekf, &CELL_MODEL, config, soc) != BMS_SOC_OK || !start_lstm(fw, config, initial_soc)
        || !start_fusion(fw, config, initial_soc)) {
        return 0;
    }
    for (k = 0; k < ESTIMATORS; k++) {
        fw->estimates[k].soc = soc;
        fw->updated[k] = !isnan(initial_soc);
    }
    if (isnan(initial_soc)) firmware_wake(fw, INFINITY);
    return 1;
}

#endif /* FIRMWARE_TICK_H */
