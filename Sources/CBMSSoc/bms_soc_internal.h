/* Internal helpers shared by the bms_soc translation units (not installed). */
#ifndef BMS_SOC_INTERNAL_H
#define BMS_SOC_INTERNAL_H

#include "bms_soc.h"
#include <math.h>

/* Cell-model lookups (bms_soc_model.c), float32; each mirrors the Swift function named. */

/* SOCTemperatureTable.valueAndSlope: value and d/dSOC; `extrapolate` as for the OCV. */
/* Where a (SOC, temperature) point falls in a table's grid: temperature segment t and fraction
 * g, SOC segment s and fraction f (clamped inside the grid; a table read without extrapolation).
 * Tables that share their grid arrays (the exporter writes one grid for R0, R1 and tau) are read
 * at one location: one search instead of three (bms_soc_table_value_slope searches per row). */
typedef struct bms_soc_location {
    int t;
    float g;
    int s;
    float f;
} bms_soc_location_t;
void bms_soc_table_locate(const bms_soc_table_t *table, float soc, float temperature_C, bms_soc_location_t *location);
float bms_soc_table_at(const bms_soc_table_t *table, const bms_soc_location_t *location);
int bms_soc_tables_share_grid(const bms_soc_table_t *a, const bms_soc_table_t *b);
void bms_soc_table_value_slope(const bms_soc_table_t *table, float soc, float temperature_C, int extrapolate,
                               float *value, float *slope);
/* OCVCurve.soc(voltageV:temperatureC:): the inverse, clamped to the grid +- 0.2. */
float bms_soc_ocv_inverse(const bms_cell_model_t *model, float voltage_V, float temperature_C);
/* CellModelParameters.restedSOC: the SOC a rested reading supports nearest to `prior`. */
float bms_soc_rested_soc(const bms_cell_model_t *model, float voltage_V, float temperature_C, float prior,
                         float minimum_slope_V_per_soc);
/* CellModelParameters.restCorrectedFullVoltage. */
float bms_soc_rest_corrected_full_voltage(const bms_cell_model_t *model, float voltage_V, float rest_s,
                                          float temperature_C, float full_rest_voltage_V);
/* A temperature curve read linearly, held beyond (count >= 1). */
float bms_soc_curve_value(const bms_soc_curve_t *curve, float temperature_C);
/* defaultCapacityAh, designCapacityAh, initialCapacityAh. */
float bms_soc_default_capacity_Ah(const bms_cell_model_t *model, float temperature_C);
float bms_soc_design_capacity_Ah(const bms_cell_model_t *model, float temperature_C);

/* The LSTM wrapper's training envelope (bms_soc_envelope.c). */
int bms_soc_envelope_ok(const bms_soc_envelope_t *envelope);
uint8_t bms_soc_envelope_input_flags(const bms_soc_lstm_settings_t *settings, double current_A, double temperature_C);
uint8_t bms_soc_envelope_soc_flags(const bms_soc_lstm_settings_t *settings, double soc);
uint8_t bms_soc_envelope_start_flags(const bms_soc_lstm_settings_t *settings, int rested, int32_t rest_voltage_uV);
float bms_soc_initial_capacity_Ah(const bms_cell_model_t *model, float temperature_C);

/* Checks (bms_soc_model.c): model and config for init. */
bms_soc_status_t bms_soc_check_model_and_config(const bms_cell_model_t *model, const bms_soc_config_t *config);
/* EstimatorConfig.accepts(_:wakingUp:). */
int bms_soc_accepts(const bms_soc_config_t *config, float voltage_V, float current_A, float temperature_C,
                    float dt_s, int waking_up);

/* ChargeCounter (Neumaier sum). */
void bms_soc_counter_add(bms_soc_counter_t *counter, float ampere_seconds);
float bms_soc_counter_value(const bms_soc_counter_t *counter);

/* CapacityLearner (bms_soc_learner.c). `learned` receives the capacity to use from now on
 * when the function returns 1. */
void bms_soc_learner_init(bms_soc_learner_t *learner);
/* CapacityLearner.capacityAh(currentA:temperatureC:): the capacity for a discharge starting now. */
float bms_soc_learner_capacity_Ah(const bms_soc_learner_t *learner, const bms_cell_model_t *model,
                                  const bms_soc_config_t *config, float current_A, float temperature_C);
int bms_soc_learner_observe(bms_soc_learner_t *learner, const bms_cell_model_t *model,
                            const bms_soc_config_t *config, float voltage_V, float current_A,
                            float temperature_C, float dt_s, float counter_As, float *learned);

/* EmptyAnchor. */
void bms_soc_empty_anchor_reset(bms_soc_empty_anchor_t *anchor);
int bms_soc_empty_anchor_observe(bms_soc_empty_anchor_t *anchor, const bms_cell_model_t *model,
                                 const bms_soc_config_t *config, float voltage_V, float current_A,
                                 float dt_s, float soc);

/* Hysteresis (bms_soc_hysteresis.c, Hysteresis.swift). */
/* Hysteresis.parameters(temperatureC:): M, M0, gamma linear between the groups, held beyond (count >= 1). */
void bms_soc_hysteresis_parameters(const bms_soc_hysteresis_t *law, float temperature_C, float *maximum_V,
                                   float *instantaneous_V, float *rate_constant);
/* Hysteresis.voltageV: M h + M0 s at a temperature. */
float bms_soc_hysteresis_voltage(const bms_soc_hysteresis_t *law, float h, float sign, float temperature_C);
/* Hysteresis.decay: A = exp(-|eta I dt gamma / (3600 Q)|). */
float bms_soc_hysteresis_decay(float mean_current_A, float dt_s, float capacity_Ah, float efficiency,
                               float rate_constant);
/* Hysteresis.currentSign, .step (h' = A h + (1 - A) sgn(I)) and .nextSign. */
float bms_soc_hysteresis_current_sign(float current_A);
float bms_soc_hysteresis_step(float h, float decay, float mean_current_A);
float bms_soc_hysteresis_next_sign(float previous, float current_A, float threshold_A);
/* BMS_SOC_OK (count 0 or valid groups) or BMS_SOC_ERR_MODEL_HYSTERESIS. */
bms_soc_status_t bms_soc_hysteresis_check(const bms_soc_hysteresis_t *law);

/* Charge-transfer term (bms_soc_charge_transfer.c, ChargeTransfer.swift; only with BMS_SOC_CHARGE_TRANSFER). */
/* ChargeTransfer.voltageV: eta(I, T) = a asinh(I / I_ref), the groups' voltages linear in T, held beyond. */
float bms_soc_charge_transfer_voltage(const bms_soc_charge_transfer_t *term, float current_A, float temperature_C);
/* BMS_SOC_OK (NULL or valid groups) or BMS_SOC_ERR_MODEL_CHARGE_TRANSFER. */
bms_soc_status_t bms_soc_charge_transfer_check(const bms_soc_charge_transfer_t *term);

/* The EKF's FilterCommon parts (bms_soc_filter_common.c). */
/* FilterCommon.RestReading. */
enum bms_soc_rest_reading { BMS_SOC_READING_NONE, BMS_SOC_READING_SETTLED, BMS_SOC_READING_ANCHOR, BMS_SOC_READING_BOUND };
/* FilterCommon.observeRest: tracks rest and says what this sample's voltage is worth. */
enum bms_soc_rest_reading bms_soc_filter_observe_rest(bms_soc_ekf_t *e, float voltage_V, float current_A,
                                                      float temperature_C, float dt_s);
/* FilterCommon.anchorSOC: the SOC the sample's (corrected) rested voltage supports nearest to `prior`. */
float bms_soc_filter_anchor_soc(const bms_soc_ekf_t *e, float voltage_V, float temperature_C, float prior);
/* FilterCommon.anchorVariance: (sigma_rest / dOCV/dSOC)^2 within [1e-4, initial sigma^2]. */
float bms_soc_filter_anchor_variance(const bms_soc_ekf_t *e, float soc, float temperature_C);
/* VoltageNoiseTable.variance with FilterCommon.loadedVoltageVariance's dt scaling. */
float bms_soc_filter_loaded_voltage_variance(const bms_soc_ekf_t *e, float temperature_C, float dt_s);

/* The EKF's state helpers (bms_soc_ekf.c, bms_soc_ekf_init.c). */
/* Every state 0 but SOC, P = the initial P (bms_soc_ekf.c; not inlined). */
void bms_soc_ekf_restart(bms_soc_ekf_t *e, float soc);
/* The estimate the filter reports: `soc`, sigma = sqrt(P00), not holding. */
static inline void bms_soc_ekf_set_estimate(bms_soc_ekf_t *e, float soc) {
    e->last.soc = soc;
    e->last.sigma = sqrtf(e->p[0]);
    e->last.has_sigma = 1;
    e->last.holding = 0;
}

/* Sleep seconds as Swift's max(0, s): negative and NaN give 0. */
static inline float bms_soc_sleep_seconds(float s) { return s > 0.0f ? s : 0.0f; }

/* The rest detector's slope (Swift `RestVoltageSlope`): the slope of the voltage low-passed
 * over about 60 s, itself low-passed, k = dt / (60 s + dt); *smoothed_V holds the low-passed
 * voltage. Without history (has_previous 0) or time (dt_s <= 0) the reading restarts it. */
static inline void bms_soc_rest_slope_add(float *smoothed_V, float *slope_V_per_s, int has_previous,
                                          float voltage_V, float dt_s) {
    if (has_previous && dt_s > 0.0f) {
        float k = dt_s / (60.0f + dt_s);
        float smoothed = *smoothed_V + k * (voltage_V - *smoothed_V);
        *slope_V_per_s += k * (fabsf(smoothed - *smoothed_V) / dt_s - *slope_V_per_s);
        *smoothed_V = smoothed;
    } else {
        *smoothed_V = voltage_V;
    }
}

#endif /* BMS_SOC_INTERNAL_H */
