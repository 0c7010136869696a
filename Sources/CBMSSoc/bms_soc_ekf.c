/* bms_soc_ekf.c — extended Kalman filter on the 1RC Thevenin model (TheveninEKF.swift,
 * FilterCommon.swift, TheveninStateModel.swift), float32. State x = [SOC, v1]:
 *
 *   predict: SOC' = SOC + eta u dt / (3600 Q),  v1' = a v1 + R1 (1 - a) u,  a = exp(-dt / tau1)
 *            P' = F P F^T + diag(q_soc, q_v) dt,  F = diag(1, a)
 *   update:  V = OCV(SOC', T) + R0 I + v1',  H = [dOCV/dSOC, 1],  S = H P H^T + R,  K = P H^T / S
 *            P = (I - K H) P (I - K H)^T + K R K^T   (Joseph form), then symmetrised
 * with the rest, wake-up, anchor and capacity rules of Docs/Estimators.md ("EKF", "Sleep,
 * wake-up and rested readings"). */
#include <math.h>
#include "bms_soc_internal.h"

enum rest_reading { READING_NONE, READING_SETTLED, READING_ANCHOR, READING_BOUND };

#define EMPTY_ANCHOR_VARIANCE 1e-4f

static float swift_min(float x, float y) { return y < x ? y : x; }
static float swift_max(float x, float y) { return y >= x ? y : x; }

static void restart(bms_soc_ekf_t *e, float soc) {
    int i;
    e->x[0] = soc;
    e->x[1] = 0.0f;
    for (i = 0; i < 4; i++) e->p[i] = e->initial_p[i];
}

static void set_estimate(bms_soc_ekf_t *e, float soc) {
    e->last.soc = soc;
    e->last.sigma = sqrtf(e->p[0]);
    e->last.has_sigma = 1;
    e->last.holding = 0;
}

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
    bms_soc_status_t s;
    float soc_sigma, wake_sigma;
    if (e == NULL) return BMS_SOC_ERR_ARGUMENT;
    if ((s = bms_soc_check_model_and_config(model, config)) != BMS_SOC_OK) return s;
    if (!isfinite(soc)) return BMS_SOC_ERR_ARGUMENT;
    e->model = model;
    e->config = config;
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
    soc_sigma = config->initial_soc_sigma;
    wake_sigma = config->ekf_initial_soc_sigma > 0.0f ? config->ekf_initial_soc_sigma : config->initial_soc_sigma;
    e->wake_up_soc_variance = wake_sigma * wake_sigma;
    e->initial_p[0] = soc_sigma * soc_sigma;
    e->initial_p[1] = e->initial_p[2] = 0.0f;
    e->initial_p[3] = 0.01f * 0.01f;
    e->process_noise[0] = config->soc_process_noise_per_s;
    e->process_noise[1] = config->branch_process_noise_V2_per_s;
    restart(e, soc);
    e->last.soc = soc;
    e->last.sigma = soc_sigma;
    e->last.has_sigma = 1;
    e->last.holding = 0;
    return BMS_SOC_OK;
}

/* FilterCommon.observeRest: tracks rest and says what this sample's voltage is worth. */
static enum rest_reading observe_rest(bms_soc_ekf_t *e, float voltage_V, float current_A, float temperature_C,
                                      float dt_s) {
    const bms_soc_config_t *c = e->config;
    int resting = fabsf(current_A) <= c->rest_current_A;
    int woken = e->has_pending_sleep;
    int first_after_reset = !e->has_previous_current && !woken;
    int slept = first_after_reset && dt_s >= c->rest_minimum_s;
    float slept_s = woken ? e->pending_sleep_s : 0.0f;
    enum rest_reading reading;
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
        reading = e->woke_up_uninformed ? READING_ANCHOR : READING_NONE;
    } else if (resting && woken && e->rest_s >= c->rest_minimum_s) {
        reading = READING_ANCHOR;
    } else if (resting && !e->anchored_this_rest && c->rest_anchor_s > 0.0f && e->rest_s >= c->rest_anchor_s
               && e->voltage_slope_V_per_s <= c->rest_voltage_slope_V_per_s) {
        reading = READING_ANCHOR;
    } else if (c->filter_updates_at_later_rests && resting && e->rest_s >= c->rest_minimum_s
               && e->voltage_slope_V_per_s <= c->rest_voltage_slope_V_per_s) {
        reading = READING_SETTLED;
    } else {
        reading = READING_NONE;
    }
    if (reading != READING_ANCHOR && reading != READING_SETTLED) return reading;
    if (reading == READING_ANCHOR) {
        e->anchored_this_rest = 1;
        if (c->correct_wake_up_for_rest && e->rest_s >= c->rest_minimum_s) {
            e->voltage_correction_V = bms_soc_rest_corrected_full_voltage(e->model, voltage_V, e->rest_s, temperature_C,
                                                                          c->full_rest_voltage_V) - voltage_V;
        }
    }
    if (e->model->has_rested_ocv_floor
        && bms_soc_ocv_inverse(e->model, voltage_V + e->voltage_correction_V, temperature_C)
               < e->model->rested_ocv_trusted_from_soc) {
        return READING_BOUND;
    }
    return reading;
}

static float anchor_soc(const bms_soc_ekf_t *e, float voltage_V, float temperature_C, float prior) {
    return bms_soc_rested_soc(e->model, voltage_V + e->voltage_correction_V, temperature_C, prior,
                              e->config->minimum_ocv_slope_V_per_soc);
}

/* FilterCommon.anchorVariance: (sigma_rest / dOCV/dSOC)^2 within [1e-4, initial sigma^2]. */
static float anchor_variance(const bms_soc_ekf_t *e, float soc, float temperature_C) {
    float v, slope, sigma = e->config->initial_soc_sigma;
    bms_soc_table_value_slope(&e->model->ocv_V, soc, temperature_C, 1, &v, &slope);
    if (!(slope > 0.0f)) return sigma * sigma;
    return swift_min(swift_max(e->rest_voltage_variance / (slope * slope), 1e-4f), sigma * sigma);
}

/* VoltageNoiseTable.variance with FilterCommon.loadedVoltageVariance's dt scaling. */
static float loaded_voltage_variance(const bms_soc_ekf_t *e, float temperature_C, float dt_s) {
    const bms_soc_config_t *c = e->config;
    const bms_cell_model_t *m = e->model;
    const bms_soc_curve_t *groups = &m->residual_1rc_mV_by_temperature;
    float v, reference = c->voltage_noise_reference_s;
    if (c->voltage_noise_V > 0.0f) {
        v = c->voltage_noise_V * c->voltage_noise_V;
    } else if (!c->voltage_noise_by_temperature_group || groups->count == 0) {
        float s = swift_max(0.010f, c->voltage_noise_per_residual * m->residual_1rc_mV / 1000.0f);
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

/* 2x2 c = a b and c = a b^T, summed from 0 in the Swift order. */
static void multiply(const float *a, const float *b, float *c) {
    int i, j, k;
    for (i = 0; i < 2; i++)
        for (j = 0; j < 2; j++) {
            float s = 0.0f;
            for (k = 0; k < 2; k++) s += a[i * 2 + k] * b[k * 2 + j];
            c[i * 2 + j] = s;
        }
}

static void multiply_transposed(const float *a, const float *b, float *c) {
    int i, j, k;
    for (i = 0; i < 2; i++)
        for (j = 0; j < 2; j++) {
            float s = 0.0f;
            for (k = 0; k < 2; k++) s += a[i * 2 + k] * b[j * 2 + k];
            c[i * 2 + j] = s;
        }
}

static int positive_definite(const float *p) {
    float d = p[0], root, l10;
    if (!(d > 0.0f) || !isfinite(d)) return 0;
    root = sqrtf(d);
    l10 = p[2] / root;
    d = p[3] - l10 * l10;
    return d > 0.0f && isfinite(d);
}

/* Symmetrises P, guards the state (SOC clamped to [-1, 1]; a non-finite state or a P that is
 * not positive-definite restarts from the last SOC) and returns the estimate. */
static void finish(bms_soc_ekf_t *e, bms_soc_estimate_t *estimate) {
    float m = 0.5f * (e->p[1] + e->p[2]);
    int finite;
    e->p[1] = m;
    e->p[2] = m;
    e->x[0] = swift_min(swift_max(e->x[0], -1.0f), 1.0f);
    finite = isfinite(e->x[0]) && isfinite(e->x[1]);
    if (!finite || !positive_definite(e->p)) {
        int i;
        if (!finite) {
            e->x[0] = e->last.soc;
            e->x[1] = 0.0f;
        }
        for (i = 0; i < 4; i++) e->p[i] = e->initial_p[i];
        e->covariance_resets++;
    }
    set_estimate(e, e->x[0]);
    *estimate = e->last;
}

bms_soc_status_t bms_soc_ekf_tick(bms_soc_ekf_t *e, float voltage_V, float current_A, float temperature_C,
                                  float dt_s, bms_soc_estimate_t *estimate) {
    const bms_soc_config_t *c;
    const bms_cell_model_t *m;
    enum rest_reading reading;
    int settled_rest = 0, i, j, iterations;
    float mean, dt, learned, r0, r1, tau, a, dummy, u, eta, f[4], scratch[4], h[2], gain[2], prior[2], loaded, r;
    if (e == NULL || estimate == NULL) return BMS_SOC_ERR_ARGUMENT;
    c = e->config;
    m = e->model;
    if (!bms_soc_accepts(c, voltage_V, current_A, temperature_C, dt_s, !e->has_previous_current)) {
        e->last.holding = 1;
        *estimate = e->last;
        return BMS_SOC_OK;
    }
    reading = observe_rest(e, voltage_V, current_A, temperature_C, dt_s);
    if (e->woke_up_uninformed) e->p[0] = e->wake_up_soc_variance;
    /* Re-anchor (or bound) on a rested reading. */
    switch (reading) {
    case READING_ANCHOR: {
        float soc = anchor_soc(e, voltage_V, temperature_C, e->x[0]);
        restart(e, soc);
        e->p[0] = anchor_variance(e, soc, temperature_C);
        settled_rest = 1;
        break;
    }
    case READING_BOUND:
        e->x[0] = anchor_soc(e, voltage_V, temperature_C, e->x[0]);
        break;
    case READING_SETTLED:
        settled_rest = 1;
        break;
    case READING_NONE:
        break;
    }
    /* FilterCommon.begin: capacity, trapezoid current, capacity learning. */
    if (e->capacity_from_first_sample) {
        e->capacity_from_first_sample = 0;
        e->capacity_Ah = bms_soc_initial_capacity_Ah(m, temperature_C);
    }
    mean = 0.5f * ((e->has_previous_current ? e->previous_current_A : current_A) + current_A);
    e->previous_current_A = current_A;
    e->has_previous_current = 1;
    bms_soc_counter_add(&e->life_counter, mean * e->step_s);
    if (bms_soc_learner_observe(&e->learner, m, c, voltage_V, current_A, temperature_C, dt_s,
                                bms_soc_counter_value(&e->life_counter), &learned)
        && c->use_learned_capacity) {
        e->capacity_Ah = learned;
    }
    dt = e->step_s;
    /* Parameters at the SOC before the tick, held for the tick. */
    if (bms_soc_tables_share_grid(&m->r0_ohm, &m->r1_ohm) && bms_soc_tables_share_grid(&m->r0_ohm, &m->tau1_s)) {
        bms_soc_location_t at;
        bms_soc_table_locate(&m->r0_ohm, e->x[0], temperature_C, &at);
        r0 = bms_soc_table_at(&m->r0_ohm, &at);
        r1 = bms_soc_table_at(&m->r1_ohm, &at);
        tau = bms_soc_table_at(&m->tau1_s, &at);
    } else {
        bms_soc_table_value_slope(&m->r0_ohm, e->x[0], temperature_C, 0, &r0, &dummy);
        bms_soc_table_value_slope(&m->r1_ohm, e->x[0], temperature_C, 0, &r1, &dummy);
        bms_soc_table_value_slope(&m->tau1_s, e->x[0], temperature_C, 0, &tau, &dummy);
    }
    a = expf(-dt / tau);
    /* Predict. */
    f[0] = 1.0f;
    f[1] = 0.0f;
    f[2] = 0.0f;
    f[3] = a;
    u = mean;
    eta = u > 0.0f ? e->efficiency : 1.0f;
    e->x[0] += eta * u * dt / (3600.0f * e->capacity_Ah);
    e->x[1] = a * e->x[1] + r1 * (1.0f - a) * u;
    multiply(f, e->p, scratch);
    multiply_transposed(scratch, f, e->p);
    e->p[0] += e->process_noise[0] * dt;
    e->p[3] += e->process_noise[1] * dt;
    if (!c->filter_voltage_updates_while_charging && current_A > c->rest_current_A) {
        finish(e, estimate);
        return BMS_SOC_OK;
    }
    /* Update; iterated on a settled rest, re-linearised at the updated state:
     * x_i+1 = x- + K_i (V - h(x_i) - H_i (x- - x_i)). */
    loaded = loaded_voltage_variance(e, temperature_C, dt_s);
    r = settled_rest ? swift_min(e->rest_voltage_variance, loaded) : loaded;
    prior[0] = e->x[0];
    prior[1] = e->x[1];
    iterations = settled_rest ? (c->rest_update_iterations > 1 ? c->rest_update_iterations : 1) : 1;
    while (iterations-- > 0) {
        float ocv, slope, predicted, s, innovation;
        bms_soc_table_value_slope(&m->ocv_V, e->x[0], temperature_C, 1, &ocv, &slope);
        predicted = ocv + r0 * current_A;
        h[0] = slope;
        predicted += e->x[1];
        h[1] = 1.0f;
        s = r;
        for (i = 0; i < 2; i++) {
            float ph = 0.0f;
            for (j = 0; j < 2; j++) ph += e->p[i * 2 + j] * h[j];
            gain[i] = ph;
            s += h[i] * ph;
        }
        gain[0] /= s;
        gain[1] /= s;
        innovation = voltage_V + e->voltage_correction_V - predicted;
        for (j = 0; j < 2; j++) innovation -= h[j] * (prior[j] - e->x[j]);
        for (i = 0; i < 2; i++) e->x[i] = prior[i] + gain[i] * innovation;
    }
    /* Joseph form: P = A P A^T + K R K^T, A = I - K H. */
    for (i = 0; i < 2; i++)
        for (j = 0; j < 2; j++) f[i * 2 + j] = (i == j ? 1.0f : 0.0f) - gain[i] * h[j];
    multiply(f, e->p, scratch);
    multiply_transposed(scratch, f, e->p);
    for (i = 0; i < 2; i++)
        for (j = 0; j < 2; j++) e->p[i * 2 + j] += gain[i] * r * gain[j];
    /* End-of-discharge anchor: SOC 0, its cross-covariances 0, variance 1e-4. */
    if (bms_soc_empty_anchor_observe(&e->empty_anchor, m, c, voltage_V, current_A, dt_s, e->x[0])) {
        e->x[0] = 0.0f;
        e->p[0] = e->p[1] = e->p[2] = 0.0f;
        e->p[0] = EMPTY_ANCHOR_VARIANCE;
    }
    finish(e, estimate);
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
    restart(e, soc);
    reset_rest(e);
    set_estimate(e, soc);
    return BMS_SOC_OK;
}

float bms_soc_ekf_capacity_Ah(const bms_soc_ekf_t *e) { return e == NULL ? 0.0f : e->capacity_Ah; }
