/* bms_soc_config.c — the estimator settings (EstimatorConfig.swift): the Swift defaults, the
 * check done once at init, and which measurements a tick accepts. */
#include <math.h>
#include "bms_soc_internal.h"

int bms_soc_accepts(const bms_soc_config_t *c, float voltage_V, float current_A, float temperature_C,
                    float dt_s, int waking_up) {
    if (!(isfinite(voltage_V) && isfinite(current_A) && isfinite(temperature_C) && isfinite(dt_s) && dt_s >= 0.0f)) {
        return 0;
    }
    if (!(voltage_V >= c->voltage_min_V && voltage_V <= c->voltage_max_V)) return 0;
    if (!(fabsf(current_A) <= c->maximum_current_A)) return 0;
    if (!(temperature_C >= c->temperature_min_C && temperature_C <= c->temperature_max_C)) return 0;
    return waking_up || dt_s <= c->maximum_tick_s;
}

void bms_soc_config_default(bms_soc_config_t *c) {
    if (c == NULL) return;
    c->capacity_Ah = 0.0f;
    c->use_learned_capacity = 1;
    c->learned_capacity_follows_temperature = 1;
    c->capacity_measurement_low = 0.65f;
    c->capacity_measurement_high = 1.25f;
    c->coulombic_efficiency = 0.0f;
    c->ocv_correction_at_rest = 1;
    c->rest_current_A = 0.05f;
    c->rest_minimum_s = 300.0f;
    c->rest_voltage_slope_V_per_s = 2e-4f;
    c->minimum_ocv_slope_V_per_soc = 0.1f;
    c->ocv_blend_time_constant_s = 120.0f;
    c->correct_wake_up_for_rest = 1;
    c->voltage_noise_V = 0.0f;
    c->voltage_noise_per_residual = 10.0f;
    c->voltage_noise_reference_s = 10.0f;
    c->voltage_noise_by_temperature_group = 1;
    c->rest_voltage_noise_V = 0.03f;
    c->filter_updates_at_later_rests = 0;
    c->rest_anchor_s = 1800.0f;
    c->filter_voltage_updates_while_charging = 0;
    c->soc_process_noise_per_s = 1e-8f;
    c->branch_process_noise_V2_per_s = 1e-7f;
    c->initial_soc_sigma = 0.2f;
    c->ekf_initial_soc_sigma = 1.0f;
    c->rest_update_iterations = 3;
    c->terminate_voltage_V = 2.7f;
    c->empty_anchor = 1;
    c->empty_anchor_below_soc = 0.1f;
    c->full_rest_voltage_V = 4.15f;
    c->voltage_min_V = 0.5f;
    c->voltage_max_V = 5.0f;
    c->maximum_current_A = 50.0f;
    c->temperature_min_C = -40.0f;
    c->temperature_max_C = 90.0f;
    c->maximum_tick_s = 86400.0f;
    c->use_model_hysteresis = 1;
    c->initial_hysteresis_sigma = 0.6f;
    c->hysteresis_process_noise_per_s = 1e-6f;
}

static int finite_nonnegative(float v) { return isfinite(v) && v >= 0.0f; }
static int finite_positive(float v) { return isfinite(v) && v > 0.0f; }

bms_soc_status_t bms_soc_config_check(const bms_soc_config_t *c) {
    if (c == NULL) return BMS_SOC_ERR_ARGUMENT;
    if (!isfinite(c->capacity_Ah) || !isfinite(c->coulombic_efficiency) || c->coulombic_efficiency > 1.0f
        || !finite_positive(c->capacity_measurement_low) || !(c->capacity_measurement_high >= c->capacity_measurement_low)
        || !isfinite(c->capacity_measurement_high)
        || !finite_nonnegative(c->rest_current_A) || !finite_nonnegative(c->rest_minimum_s)
        || !finite_nonnegative(c->rest_voltage_slope_V_per_s) || !finite_nonnegative(c->minimum_ocv_slope_V_per_soc)
        || !finite_positive(c->ocv_blend_time_constant_s)
        || !isfinite(c->voltage_noise_V) || !finite_nonnegative(c->voltage_noise_per_residual)
        || !isfinite(c->voltage_noise_reference_s) || !finite_positive(c->rest_voltage_noise_V)
        || !isfinite(c->rest_anchor_s)
        || !finite_nonnegative(c->soc_process_noise_per_s) || !finite_nonnegative(c->branch_process_noise_V2_per_s)
        || !finite_positive(c->initial_soc_sigma) || !isfinite(c->ekf_initial_soc_sigma)
        || !isfinite(c->terminate_voltage_V) || !isfinite(c->empty_anchor_below_soc)
        || !isfinite(c->full_rest_voltage_V)
        || !(c->voltage_min_V <= c->voltage_max_V) || !isfinite(c->voltage_min_V) || !isfinite(c->voltage_max_V)
        || !finite_nonnegative(c->maximum_current_A)
        || !(c->temperature_min_C <= c->temperature_max_C) || !isfinite(c->temperature_min_C)
        || !isfinite(c->temperature_max_C) || !finite_nonnegative(c->maximum_tick_s)
        || !finite_positive(c->initial_hysteresis_sigma) || !finite_nonnegative(c->hysteresis_process_noise_per_s)) {
        return BMS_SOC_ERR_CONFIG;
    }
    return BMS_SOC_OK;
}
