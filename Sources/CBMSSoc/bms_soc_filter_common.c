/* bms_soc_filter_common.c — what the EKF shares with the Swift filters' FilterCommon.swift,
 * float32: the rest detector and what a sample's voltage is worth at rest, the anchor's SOC
 * and variance, and the loaded-voltage noise (Docs/Estimators.md, "EKF", "Sleep, wake-up and
 * rested readings"). With the hysteresis state (hysteresis_index > 0) a rested reading is read
 * on the OCV curve as V - M h - M0 s, and the anchor after a long rest becomes a settled update. */
#include <math.h>
#include "bms_soc_internal.h"

static float swift_min(float x, float y) { return y < x ? y : x; }
static float swift_max(float x, float y) { return y >= x ? y : x; }

/* FilterCommon.restedOCVReading: V + the rest correction, - M h - M0 s with hysteresis. */
static float rested_ocv_reading(const bms_soc_ekf_t *e, float voltage_V) {
    float reading = voltage_V + e->voltage_correction_V;
    return BMS_SOC_HYSTERESIS && e->hysteresis_index != 0 ? reading - e->hysteresis_offset_V : reading;
}

enum bms_soc_rest_reading bms_soc_filter_observe_rest(bms_soc_ekf_t *e, float voltage_V, float current_A,
                                                      float temperature_C, float dt_s) {
    const bms_soc_config_t *c = e->config;
    int resting = fabsf(current_A) <= c->rest_current_A;
    int woken = e->has_pending_sleep;
    int first_after_reset = !e->has_previous_current && !woken;
    int slept = first_after_reset && dt_s >= c->rest_minimum_s;
    float slept_s = woken ? e->pending_sleep_s : 0.0f;
    enum bms_soc_rest_reading reading;
    e->woke_up_uninformed = (uint8_t)(first_after_reset && (dt_s == 0.0f || dt_s >= c->rest_minimum_s));
    e->step_s = slept ? 0.0f : dt_s;
    e->has_pending_sleep = 0;
    if (woken || first_after_reset) {
        e->previous_voltage_V = voltage_V;
        e->has_previous_voltage = 1;
        e->voltage_slope_V_per_s = resting && (woken || slept) ? 0.0f : 1.0f;
    } else {
        bms_soc_rest_slope_add(&e->previous_voltage_V, &e->voltage_slope_V_per_s, e->has_previous_voltage, voltage_V, dt_s);
        e->has_previous_voltage = 1;
    }
    e->rest_s = resting ? e->rest_s + slept_s + dt_s : 0.0f;
    if (!resting) e->anchored_this_rest = 0;
    e->voltage_correction_V = 0.0f;
    if (resting && first_after_reset) {
        reading = e->woke_up_uninformed ? BMS_SOC_READING_ANCHOR : BMS_SOC_READING_NONE;
    } else if (resting && woken && e->rest_s >= c->rest_minimum_s) {
        reading = BMS_SOC_READING_ANCHOR;
    } else if (resting && !e->anchored_this_rest && c->rest_anchor_s > 0.0f && e->rest_s >= c->rest_anchor_s
               && e->voltage_slope_V_per_s <= c->rest_voltage_slope_V_per_s) {
        /* With hysteresis a rested reading cannot tell SOC from h: one settled update instead
         * of a re-anchor, so the filter splits the reading by the covariances. */
        e->anchored_this_rest = 1;
        reading = BMS_SOC_HYSTERESIS && e->hysteresis_index != 0 ? BMS_SOC_READING_SETTLED : BMS_SOC_READING_ANCHOR;
    } else if (c->filter_updates_at_later_rests && resting && e->rest_s >= c->rest_minimum_s
               && e->voltage_slope_V_per_s <= c->rest_voltage_slope_V_per_s) {
        reading = BMS_SOC_READING_SETTLED;
    } else {
        reading = BMS_SOC_READING_NONE;
    }
    if (reading != BMS_SOC_READING_ANCHOR && reading != BMS_SOC_READING_SETTLED) return reading;
    if (reading == BMS_SOC_READING_ANCHOR) {
        e->anchored_this_rest = 1;
        if (c->correct_wake_up_for_rest && e->rest_s >= c->rest_minimum_s) {
            e->voltage_correction_V = bms_soc_rest_corrected_full_voltage(e->model, voltage_V, e->rest_s, temperature_C,
                                                                          c->full_rest_voltage_V) - voltage_V;
        }
    }
    if (e->model->has_rested_ocv_floor
        && bms_soc_ocv_inverse(e->model, rested_ocv_reading(e, voltage_V), temperature_C)
               < e->model->rested_ocv_trusted_from_soc) {
        return BMS_SOC_READING_BOUND;
    }
    return reading;
}

float bms_soc_filter_anchor_soc(const bms_soc_ekf_t *e, float voltage_V, float temperature_C, float prior) {
    return bms_soc_rested_soc(e->model, rested_ocv_reading(e, voltage_V), temperature_C, prior,
                              e->config->minimum_ocv_slope_V_per_soc);
}

float bms_soc_filter_anchor_variance(const bms_soc_ekf_t *e, float soc, float temperature_C) {
    float v, slope, sigma = e->config->initial_soc_sigma;
    bms_soc_table_value_slope(&e->model->ocv_V, soc, temperature_C, 1, &v, &slope);
    if (!(slope > 0.0f)) return sigma * sigma;
    return swift_min(swift_max(e->rest_voltage_variance / (slope * slope), 1e-4f), sigma * sigma);
}

float bms_soc_filter_loaded_voltage_variance(const bms_soc_ekf_t *e, float temperature_C, float dt_s) {
    const bms_soc_config_t *c = e->config;
    const bms_cell_model_t *m = e->model;
    /* VoltageNoiseTable: the residuals of the model the filter runs on (1RC or 2RC). */
    const bms_soc_curve_t *groups = &m->residual_1rc_mV_by_temperature;
    float overall_mV = m->residual_1rc_mV;
    float v, reference = c->voltage_noise_reference_s;
#if BMS_SOC_TWO_RC
    if (e->pairs == 2) {
        groups = &m->two_rc->residual_mV_by_temperature;
        overall_mV = m->two_rc->residual_mV;
    }
#endif
    if (c->voltage_noise_V > 0.0f) {
        v = c->voltage_noise_V * c->voltage_noise_V;
    } else if (!c->voltage_noise_by_temperature_group || groups->count == 0) {
        float s = swift_max(0.010f, c->voltage_noise_per_residual * overall_mV / 1000.0f);
        v = s * s;
    } else {
        const float *t = groups->temperatures_C;
        uint16_t n = groups->count;
        float s;
        if (!(temperature_C > t[0])) {
            s = swift_max(0.010f, c->voltage_noise_per_residual * groups->values[0] / 1000.0f);
        } else if (temperature_C >= t[n - 1]) {
            s = swift_max(0.010f, c->voltage_noise_per_residual * groups->values[n - 1] / 1000.0f);
        } else {
            int i = 1;
            float s0, s1, f;
            while (t[i] < temperature_C) i++;
            f = (temperature_C - t[i - 1]) / (t[i] - t[i - 1]);
            s0 = swift_max(0.010f, c->voltage_noise_per_residual * groups->values[i - 1] / 1000.0f);
            s1 = swift_max(0.010f, c->voltage_noise_per_residual * groups->values[i] / 1000.0f);
            s = s0 + f * (s1 - s0);
        }
        v = s * s;
    }
    if (!(reference > 0.0f) || !(dt_s > 0.0f)) return v;
    return v * reference / swift_min(swift_max(dt_s, 0.01f * reference), reference);
}
