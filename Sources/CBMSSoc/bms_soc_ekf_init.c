/* bms_soc_ekf_init.c — the EKF's initialisation, wake-up and reset (TheveninEKF.swift,
 * FilterCommon.swift): the state layout (x = [SOC, v1, (v2), (h)]), the initial covariance and
 * process noise per state, and the rest detector's start. Runs once per init or reset, never
 * per tick; the tick is bms_soc_ekf.c. */
#include <math.h>
#include "bms_soc_internal.h"

static void reset_rest(bms_soc_ekf_t *e) {
    bms_soc_empty_anchor_reset(&e->empty_anchor);
    e->rest_s = 0.0f;
    e->has_previous_voltage = 0;
    e->voltage_slope_V_per_s = 1.0f;
    e->has_previous_current = 0;
    e->has_pending_sleep = 0;
    e->anchored_this_rest = 0;
}

bms_soc_status_t bms_soc_ekf_init(bms_soc_ekf_t *e, const bms_cell_model_t *model,
                                  const bms_soc_config_t *config, float soc) {
    return bms_soc_ekf_init_pairs(e, model, config, soc, 1);
}

bms_soc_status_t bms_soc_ekf_init_pairs(bms_soc_ekf_t *e, const bms_cell_model_t *model,
                                        const bms_soc_config_t *config, float soc, int pairs) {
    bms_soc_status_t s;
    float soc_sigma, wake_sigma;
    int i, j, n, hysteresis;
    if (e == NULL || (pairs != 1 && pairs != 2)) return BMS_SOC_ERR_ARGUMENT;
    if ((s = bms_soc_check_model_and_config(model, config)) != BMS_SOC_OK) return s;
    if (!isfinite(soc)) return BMS_SOC_ERR_ARGUMENT;
    if (!BMS_SOC_CHARGE_TRANSFER && model->charge_transfer != NULL) return BMS_SOC_ERR_CHARGE_TRANSFER_COMPILED_OUT;
    if (pairs == 2 && !BMS_SOC_TWO_RC) return BMS_SOC_ERR_TWO_RC_COMPILED_OUT;
    if (pairs == 2 && model->two_rc == NULL) return BMS_SOC_ERR_MODEL_TWO_RC;
    hysteresis = model->hysteresis.count > 0 && config->use_model_hysteresis;
    if (!BMS_SOC_HYSTERESIS && hysteresis) return BMS_SOC_ERR_MODEL_HYSTERESIS;
    e->model = model;
    e->config = config;
    e->pairs = (uint8_t)pairs;
    e->hysteresis_index = (uint8_t)(hysteresis ? 1 + pairs : 0);
    e->states = (uint8_t)(1 + pairs + (hysteresis ? 1 : 0));
    n = e->states;
    e->capacity_from_first_sample = !(config->capacity_Ah > 0.0f);
    e->capacity_Ah = e->capacity_from_first_sample ? bms_soc_initial_capacity_Ah(model, 25.0f) : config->capacity_Ah;
    e->efficiency = config->coulombic_efficiency > 0.0f ? config->coulombic_efficiency : model->coulombic_efficiency;
    e->rest_voltage_variance = config->rest_voltage_noise_V * config->rest_voltage_noise_V;
    bms_soc_learner_init(&e->learner);
    e->life_counter.sum_As = e->life_counter.compensation_As = 0.0f;
    e->previous_current_A = e->previous_voltage_V = e->pending_sleep_s = 0.0f;
    reset_rest(e);
    e->woke_up_uninformed = 0;
    e->voltage_correction_V = 0.0f;
    e->step_s = 0.0f;
    e->covariance_resets = 0;
    e->hysteresis_sign = 0.0f;
    e->hysteresis_offset_V = 0.0f;
    soc_sigma = config->initial_soc_sigma;
    wake_sigma = config->ekf_initial_soc_sigma > 0.0f ? config->ekf_initial_soc_sigma : config->initial_soc_sigma;
    e->wake_up_soc_variance = wake_sigma * wake_sigma;
    for (i = 0; i < BMS_SOC_EKF_MAX_STATES * BMS_SOC_EKF_MAX_STATES; i++) e->initial_p[i] = 0.0f;
    for (i = 0; i < BMS_SOC_EKF_MAX_STATES; i++) e->x[i] = e->process_noise[i] = 0.0f;
    e->initial_p[0] = soc_sigma * soc_sigma;
    e->process_noise[0] = config->soc_process_noise_per_s;
    for (j = 1; j <= pairs; j++) {
        e->initial_p[j * n + j] = 0.01f * 0.01f;
        e->process_noise[j] = config->branch_process_noise_V2_per_s;
    }
    if (hysteresis) {
        const int k = e->hysteresis_index;
        e->initial_p[k * n + k] = config->initial_hysteresis_sigma * config->initial_hysteresis_sigma;
        e->process_noise[k] = config->hysteresis_process_noise_per_s;
    }
    bms_soc_ekf_restart(e, soc);
    e->last.soc = soc;
    e->last.sigma = soc_sigma;
    e->last.has_sigma = 1;
    e->last.holding = 0;
    e->last.envelope = 0;
    return BMS_SOC_OK;
}

bms_soc_status_t bms_soc_ekf_wake(bms_soc_ekf_t *e, float sleep_s) {
    if (e == NULL) return BMS_SOC_ERR_ARGUMENT;
    e->pending_sleep_s = bms_soc_sleep_seconds(sleep_s);
    e->has_pending_sleep = 1;
    e->has_previous_current = 0;
    bms_soc_empty_anchor_reset(&e->empty_anchor);
    return BMS_SOC_OK;
}

bms_soc_status_t bms_soc_ekf_reset(bms_soc_ekf_t *e, float soc) {
    if (e == NULL || !isfinite(soc)) return BMS_SOC_ERR_ARGUMENT;
    bms_soc_ekf_restart(e, soc);
    e->hysteresis_sign = 0.0f;
    reset_rest(e);
    bms_soc_ekf_set_estimate(e, soc);
    return BMS_SOC_OK;
}

float bms_soc_ekf_capacity_Ah(const bms_soc_ekf_t *e) { return e == NULL ? 0.0f : e->capacity_Ah; }
