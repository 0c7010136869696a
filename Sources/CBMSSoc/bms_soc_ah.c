/* bms_soc_ah.c — coulomb counting with OCV correction at rest, capacity learning and the
 * end-of-discharge anchor (AhCounterEstimator.swift), float32.
 *
 *   SOC = SOC_base + eta * q / (3600 Q),  q = sum of the trapezoid current times dt
 *   at rest: SOC_base += (1 - exp(-dt / tau)) (SOC_ocv - SOC)    (Docs/Estimators.md, "Ah counter")
 * With the model's hysteresis (bms_soc_hysteresis.c) the counter also runs h and s, and a
 * rested reading is read on the OCV curve as V - M h - M0 s.
 */
#include <math.h>
#include "bms_soc_internal.h"

static float ah_soc(const bms_soc_ah_t *ah) {
    return ah->soc_base + bms_soc_counter_value(&ah->counter) / (3600.0f * ah->capacity_Ah);
}

static void rebase(bms_soc_ah_t *ah, float capacity_Ah) {
    ah->soc_base = ah_soc(ah);
    ah->counter.sum_As = 0.0f;
    ah->counter.compensation_As = 0.0f;
    ah->capacity_Ah = capacity_Ah;
}

static void set_estimate(bms_soc_estimate_t *e, float soc) {
    e->soc = soc;
    e->sigma = 0.0f;
    e->has_sigma = 0;
    e->holding = 0;
    e->envelope = 0;
}

bms_soc_status_t bms_soc_ah_init(bms_soc_ah_t *ah, const bms_cell_model_t *model,
                                 const bms_soc_config_t *config, float soc) {
    bms_soc_status_t s;
    if (ah == NULL) return BMS_SOC_ERR_ARGUMENT;
    if ((s = bms_soc_check_model_and_config(model, config)) != BMS_SOC_OK) return s;
    if (!isfinite(soc)) return BMS_SOC_ERR_ARGUMENT;
    ah->model = model;
    ah->config = config;
    ah->counter.sum_As = ah->counter.compensation_As = 0.0f;
    ah->life_counter = ah->counter;
    bms_soc_learner_init(&ah->learner);
    bms_soc_empty_anchor_reset(&ah->empty_anchor);
    set_estimate(&ah->last, soc);
    ah->soc_base = soc;
    ah->capacity_from_first_sample = !(config->capacity_Ah > 0.0f);
    ah->capacity_Ah = ah->capacity_from_first_sample ? bms_soc_initial_capacity_Ah(model, 25.0f) : config->capacity_Ah;
    ah->efficiency = config->coulombic_efficiency > 0.0f ? config->coulombic_efficiency : model->coulombic_efficiency;
    ah->previous_current_A = ah->previous_voltage_V = 0.0f;
    ah->rest_s = 0.0f;
    ah->voltage_slope_V_per_s = 1.0f;
    ah->pending_sleep_s = 0.0f;
    ah->has_previous_current = ah->has_previous_voltage = ah->has_pending_sleep = 0;
    ah->uses_hysteresis = (uint8_t)(config->ocv_correction_at_rest && config->use_model_hysteresis
                                    && model->hysteresis.count > 0);
    ah->hysteresis_h = ah->hysteresis_sign = 0.0f;
    if (!BMS_SOC_HYSTERESIS && ah->uses_hysteresis) return BMS_SOC_ERR_MODEL_HYSTERESIS;
    return BMS_SOC_OK;
}

/* Closes 1 - exp(-seconds / tau) of the gap to the SOC a rested reading supports. */
static void blend(bms_soc_ah_t *ah, float voltage_V, float temperature_C, float seconds) {
    float now = ah_soc(ah);
    /* With hysteresis the rested voltage is OCV + M h + M0 s. */
    float ocv_V = BMS_SOC_HYSTERESIS && ah->uses_hysteresis ? voltage_V - bms_soc_hysteresis_voltage(&ah->model->hysteresis, ah->hysteresis_h,
                                                                               ah->hysteresis_sign, temperature_C)
                                      : voltage_V;
    float target = bms_soc_rested_soc(ah->model, ocv_V, temperature_C, now, ah->config->minimum_ocv_slope_V_per_soc);
    float gain = 1.0f - expf(-seconds / ah->config->ocv_blend_time_constant_s);
    ah->soc_base += gain * (target - now);
}

/* Rest tracking and the OCV correction; `slept` (when has_slept) is the sleep before this
 * sample (a sleep counts as settled rest). */
static void correct_at_rest(bms_soc_ah_t *ah, float voltage_V, float current_A, float temperature_C, float dt_s,
                            int has_slept, float slept_s) {
    const bms_soc_config_t *c = ah->config;
    int resting = fabsf(current_A) <= c->rest_current_A;
    if (has_slept) {
        int known = isfinite(slept_s);
        float reading;
        ah->previous_voltage_V = voltage_V;
        ah->has_previous_voltage = 1;
        ah->voltage_slope_V_per_s = 0.0f;
        ah->rest_s = resting ? (known ? ah->rest_s + slept_s : 0.0f) : 0.0f;
        if (!resting || !(slept_s >= c->rest_minimum_s)) return;
        reading = known ? bms_soc_rest_corrected_full_voltage(ah->model, voltage_V, ah->rest_s, temperature_C,
                                                              c->full_rest_voltage_V)
                        : voltage_V;
        blend(ah, reading, temperature_C, slept_s);
        return;
    }
    bms_soc_rest_slope_add(&ah->previous_voltage_V, &ah->voltage_slope_V_per_s, ah->has_previous_voltage, voltage_V, dt_s);
    ah->has_previous_voltage = 1;
    ah->rest_s = resting ? ah->rest_s + dt_s : 0.0f;
    if (!(ah->rest_s >= c->rest_minimum_s) || !(ah->voltage_slope_V_per_s <= c->rest_voltage_slope_V_per_s)) return;
    blend(ah, voltage_V, temperature_C, dt_s);
}

bms_soc_status_t bms_soc_ah_tick(bms_soc_ah_t *ah, float voltage_V, float current_A, float temperature_C,
                                 float dt_s, bms_soc_estimate_t *estimate) {
    const bms_soc_config_t *c;
    int first_after_reset, has_reset_sleep, has_slept;
    float reset_sleep_s = 0.0f, slept_s = 0.0f, mean, eta, counted, learned;
    if (ah == NULL || estimate == NULL) return BMS_SOC_ERR_ARGUMENT;
    c = ah->config;
    if (!bms_soc_accepts(c, voltage_V, current_A, temperature_C, dt_s, !ah->has_previous_current)) {
        ah->last.holding = 1;
        *estimate = ah->last;
        return BMS_SOC_OK;
    }
    /* The wake-up: after wake, the announced sleep; after reset, a first dt of at least the
     * rest time is itself the sleep (0: unknown history, an infinite sleep). */
    first_after_reset = !ah->has_previous_current && !ah->has_pending_sleep;
    has_reset_sleep = first_after_reset && (dt_s == 0.0f || dt_s >= c->rest_minimum_s);
    if (has_reset_sleep) reset_sleep_s = dt_s == 0.0f ? INFINITY : dt_s;
    has_slept = ah->has_pending_sleep || has_reset_sleep;
    if (has_slept) slept_s = ah->has_pending_sleep ? ah->pending_sleep_s : reset_sleep_s;
    ah->has_pending_sleep = 0;
    if (ah->capacity_from_first_sample) {
        ah->capacity_from_first_sample = 0;
        rebase(ah, bms_soc_initial_capacity_Ah(ah->model, temperature_C));
    }
    mean = 0.5f * ((ah->has_previous_current ? ah->previous_current_A : current_A) + current_A);
    eta = mean > 0.0f ? ah->efficiency : 1.0f;
    counted = has_reset_sleep ? 0.0f : dt_s;
    bms_soc_counter_add(&ah->counter, eta * mean * counted);
    bms_soc_counter_add(&ah->life_counter, eta * mean * counted);
    ah->previous_current_A = current_A;
    ah->has_previous_current = 1;
    if (BMS_SOC_HYSTERESIS && ah->uses_hysteresis) {
        float m, m0, rate, a;
        bms_soc_hysteresis_parameters(&ah->model->hysteresis, temperature_C, &m, &m0, &rate);
        a = bms_soc_hysteresis_decay(mean, counted, ah->capacity_Ah, ah->efficiency, rate);
        ah->hysteresis_h = bms_soc_hysteresis_step(ah->hysteresis_h, a, mean);
        ah->hysteresis_sign = bms_soc_hysteresis_next_sign(ah->hysteresis_sign, current_A, c->rest_current_A);
    }

    if (bms_soc_learner_observe(&ah->learner, ah->model, c, voltage_V, current_A, temperature_C, dt_s,
                                bms_soc_counter_value(&ah->life_counter), &learned)
        && c->use_learned_capacity) {
        rebase(ah, learned);
    }
    if (c->ocv_correction_at_rest
        && bms_soc_empty_anchor_observe(&ah->empty_anchor, ah->model, c, voltage_V, current_A, dt_s, ah_soc(ah))) {
        ah->soc_base = 0.0f;
        ah->counter.sum_As = ah->counter.compensation_As = 0.0f;
    }
    if (c->ocv_correction_at_rest) correct_at_rest(ah, voltage_V, current_A, temperature_C, dt_s, has_slept, slept_s);
    set_estimate(&ah->last, ah_soc(ah));
    *estimate = ah->last;
    return BMS_SOC_OK;
}

bms_soc_status_t bms_soc_ah_wake(bms_soc_ah_t *ah, float sleep_s) {
    if (ah == NULL) return BMS_SOC_ERR_ARGUMENT;
    ah->pending_sleep_s = bms_soc_sleep_seconds(sleep_s);
    ah->has_pending_sleep = 1;
    ah->has_previous_current = 0;
    bms_soc_empty_anchor_reset(&ah->empty_anchor);
    return BMS_SOC_OK;
}

bms_soc_status_t bms_soc_ah_reset(bms_soc_ah_t *ah, float soc) {
    if (ah == NULL || !isfinite(soc)) return BMS_SOC_ERR_ARGUMENT;
    ah->soc_base = soc;
    ah->counter.sum_As = ah->counter.compensation_As = 0.0f;
    ah->hysteresis_h = ah->hysteresis_sign = 0.0f;
    ah->has_previous_current = 0;
    ah->has_previous_voltage = 0;
    ah->rest_s = 0.0f;
    ah->voltage_slope_V_per_s = 1.0f;
    ah->has_pending_sleep = 0;
    bms_soc_empty_anchor_reset(&ah->empty_anchor);
    set_estimate(&ah->last, soc);
    return BMS_SOC_OK;
}

float bms_soc_ah_capacity_Ah(const bms_soc_ah_t *ah) { return ah == NULL ? 0.0f : ah->capacity_Ah; }

bms_soc_status_t bms_soc_ah_continue_from(bms_soc_ah_t *ah, float soc) {
    if (ah == NULL || !isfinite(soc)) return BMS_SOC_ERR_ARGUMENT;
    ah->soc_base = soc;
    ah->counter.sum_As = ah->counter.compensation_As = 0.0f;
    set_estimate(&ah->last, soc);
    return BMS_SOC_OK;
}
