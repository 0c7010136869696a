/* bms_soc_ekf.c — extended Kalman filter on the 1RC or 2RC Thevenin model (TheveninEKF.swift,
 * FilterCommon.swift, TheveninStateModel.swift), float32. State x = [SOC, v1] (1RC, n = 2) or
 * [SOC, v1, v2] (2RC, n = 3, the model's two_rc tables), then h with the model's hysteresis
 * (n = 3 or 4, bms_soc_hysteresis.c); eta_ct(I, T) is the model's charge-transfer term
 * a asinh(I / I_ref) (0 without one; bms_soc_charge_transfer.c), a function of the measured
 * current and T only, so H does not change. With j over the pairs:
 *
 *   predict: SOC' = SOC + eta u dt / (3600 Q),  vj' = aj vj + Rj (1 - aj) u,  aj = exp(-dt / tauj)
 *            h' = A h + (1 - A) sgn(u),  A = exp(-|eta u dt gamma / (3600 Q)|)
 *            P' = F P F^T + diag(q_soc, q_v.., q_h) dt,  F = diag(1, a1, (a2), A)
 *   update:  V = OCV(SOC', T) + R0 I + sum vj' + M h' + M0 s + eta_ct(I, T),
 *            H = [dOCV/dSOC, 1, (1), M],
 *            S = H P H^T + R,  K = P H^T / S
 *            P = (I - K H) P (I - K H)^T + K R K^T   (Joseph form), then symmetrised
 * with the rest, wake-up, anchor and capacity rules of Docs/Estimators.md ("EKF", "Sleep,
 * wake-up and rested readings"; bms_soc_filter_common.c). Initialisation, wake-up and reset:
 * bms_soc_ekf_init.c. */
#include <math.h>
#include "bms_soc_internal.h"
#include "bms_soc_small_matrix.h"

#define EMPTY_ANCHOR_VARIANCE 1e-4f

static float swift_min(float x, float y) { return y < x ? y : x; }
static float swift_max(float x, float y) { return y >= x ? y : x; }

/* Every state 0 but SOC, P = the initial P. Copies the whole arrays (their unused tail is 0): a
 * copy of a variable length becomes a call to memmove, which a firmware may not otherwise link;
 * not inlined, so that its three callers (here and in bms_soc_ekf_init.c) share one copy of the
 * 16 moves. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
void bms_soc_ekf_restart(bms_soc_ekf_t *e, float soc) {
    int i;
    for (i = 0; i < BMS_SOC_EKF_MAX_STATES; i++) e->x[i] = 0.0f;
    for (i = 0; i < BMS_SOC_EKF_MAX_STATES * BMS_SOC_EKF_MAX_STATES; i++) e->p[i] = e->initial_p[i];
    e->x[0] = soc;
}

/* Symmetrises P, guards the state (SOC clamped to [-1, 1]; a non-finite state or a P that is
 * not positive-definite restarts from the last SOC; h, at index hi > 0, clamped to [-1, 1])
 * and returns the estimate. */
BMS_SOC_UNROLLED void finish_n(bms_soc_ekf_t *e, bms_soc_estimate_t *estimate, const int n, const int hi) {
    int i, j, finite = 1;
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++) {
            float m = 0.5f * (e->p[i * n + j] + e->p[j * n + i]);
            e->p[i * n + j] = m;
            e->p[j * n + i] = m;
        }
    e->x[0] = swift_min(swift_max(e->x[0], -1.0f), 1.0f);
    for (i = 0; i < n; i++) finite = finite && isfinite(e->x[i]);
    if (!finite || !positive_definite_n(e->p, n)) {
        if (!finite) {
            for (i = 1; i < n; i++) e->x[i] = 0.0f;
            e->x[0] = e->last.soc;
        }
        for (i = 0; i < n * n; i++) e->p[i] = e->initial_p[i];
        e->covariance_resets++;
    }
    if (hi > 0) e->x[hi] = swift_min(swift_max(e->x[hi], -1.0f), 1.0f);
    bms_soc_ekf_set_estimate(e, e->x[0]);
    *estimate = e->last;
}

/* FilterCommon.applyRestedReading: re-anchor (the hysteresis state and its variance kept) or
 * bound on a rested reading; 1 when the update that follows is a rest update. */
static int apply_rested_reading(bms_soc_ekf_t *e, enum bms_soc_rest_reading reading, float voltage_V,
                                float temperature_C) {
    switch (reading) {
    case BMS_SOC_READING_ANCHOR: {
        const int n = e->states, k = e->hysteresis_index;
        const float soc = bms_soc_filter_anchor_soc(e, voltage_V, temperature_C, e->x[0]);
        const float h = k > 0 ? e->x[k] : 0.0f, h_variance = k > 0 ? e->p[k * n + k] : 0.0f;
        bms_soc_ekf_restart(e, soc);
        if (k > 0) {
            e->x[k] = h;
            e->p[k * n + k] = h_variance;
        }
        e->p[0] = bms_soc_filter_anchor_variance(e, soc, temperature_C);
        return 1;
    }
    case BMS_SOC_READING_BOUND:
        e->x[0] = bms_soc_filter_anchor_soc(e, voltage_V, temperature_C, e->x[0]);
        return 0;
    case BMS_SOC_READING_SETTLED:
        return 1;
    case BMS_SOC_READING_NONE:
        break;
    }
    return 0;
}

/* finish_n for the filter's own dimension (one out-of-line copy per dimension). */
static void finish(bms_soc_ekf_t *e, bms_soc_estimate_t *estimate) {
#if BMS_SOC_TWO_RC
    if (e->pairs == 2) {
        if (BMS_SOC_HYSTERESIS && e->hysteresis_index != 0) {
            finish_n(e, estimate, 4, 3);
        } else {
            finish_n(e, estimate, 3, 0);
        }
        return;
    }
#endif
    if (BMS_SOC_HYSTERESIS && e->hysteresis_index != 0) {
        finish_n(e, estimate, 3, 2);
    } else {
        finish_n(e, estimate, 2, 0);
    }
}

/* What the model gives for one tick, read at the SOC before it and held for the tick
 * (TheveninStateModel.holdParameters): R0, each branch's R and a = exp(-dt / tau), and with
 * hysteresis M, M0 and gamma. */
typedef struct held_parameters {
    float r0, r[2], a[2];
    float hysteresis[3];
} held_parameters_t;

/* TheveninStateModel.holdParameters for `pairs` (1 or 2, known at the call) branches: R0 and
 * each branch's R and a = exp(-dt / tau) at the SOC before the tick; one grid search for every
 * table when they share R0's grid (the exported models do). */
BMS_SOC_UNROLLED void hold_parameters_n(const bms_soc_ekf_t *e, float temperature_C, float dt,
                                        const bms_soc_table_t *r0_table, const bms_soc_table_t *r1_table,
                                        const bms_soc_table_t *tau1_table, const bms_soc_table_t *r2_table,
                                        const bms_soc_table_t *tau2_table, held_parameters_t *held, const int pairs) {
    const bms_soc_table_t *r_tables[2], *tau_tables[2];
    int j, shared = 1;
    r_tables[0] = r1_table;
    tau_tables[0] = tau1_table;
    r_tables[1] = r2_table;
    tau_tables[1] = tau2_table;
    for (j = 0; j < pairs; j++) {
        shared = shared && bms_soc_tables_share_grid(r0_table, r_tables[j]) && bms_soc_tables_share_grid(r0_table, tau_tables[j]);
    }
    if (shared) {
        bms_soc_location_t at;
        bms_soc_table_locate(r0_table, e->x[0], temperature_C, &at);
        held->r0 = bms_soc_table_at(r0_table, &at);
        for (j = 0; j < pairs; j++) {
            held->r[j] = bms_soc_table_at(r_tables[j], &at);
            held->a[j] = expf(-dt / bms_soc_table_at(tau_tables[j], &at));
        }
    } else {
        float value, tau, dummy;
        bms_soc_table_value_slope(r0_table, e->x[0], temperature_C, 0, &value, &dummy);
        held->r0 = value;
        for (j = 0; j < pairs; j++) {
            bms_soc_table_value_slope(r_tables[j], e->x[0], temperature_C, 0, &value, &dummy);
            bms_soc_table_value_slope(tau_tables[j], e->x[0], temperature_C, 0, &tau, &dummy);
            held->r[j] = value;
            held->a[j] = expf(-dt / tau);
        }
    }
}

/* The tick from the prediction on, for n states, `pairs` branches and h at index hi (0: none),
 * all known at the call (unrolled): `held` the parameters held for the tick, `mean` the
 * trapezoid current, `settled_rest` a rest update (iterated, rest noise). */
BMS_SOC_UNROLLED void predict_update_n(bms_soc_ekf_t *e, float voltage_V, float current_A, float temperature_C,
                                       float dt_s, float mean, const held_parameters_t *held,
                                       int settled_rest, bms_soc_estimate_t *estimate,
                                       const int n, const int pairs, const int hi) {
    const bms_soc_config_t *c = e->config;
    const bms_cell_model_t *m = e->model;
    const float dt = e->step_s;
    float f[BMS_SOC_EKF_MAX_STATES * BMS_SOC_EKF_MAX_STATES], scratch[BMS_SOC_EKF_MAX_STATES * BMS_SOC_EKF_MAX_STATES];
    float h[BMS_SOC_EKF_MAX_STATES], gain[BMS_SOC_EKF_MAX_STATES], prior[BMS_SOC_EKF_MAX_STATES];
    float u, eta, loaded, r, hysteresis_a = 1.0f;
    int i, j, iterations;
    /* Predict. */
    u = mean;
    for (i = 0; i < n * n; i++) f[i] = 0.0f;
    f[0] = 1.0f;
    for (j = 0; j < pairs; j++) f[(1 + j) * n + 1 + j] = held->a[j];
    if (hi > 0) {
        hysteresis_a = bms_soc_hysteresis_decay(u, dt, e->capacity_Ah, e->efficiency, held->hysteresis[2]);
        f[hi * n + hi] = hysteresis_a;
    }
    eta = u > 0.0f ? e->efficiency : 1.0f;
    e->x[0] += eta * u * dt / (3600.0f * e->capacity_Ah);
    for (j = 0; j < pairs; j++) e->x[1 + j] = held->a[j] * e->x[1 + j] + held->r[j] * (1.0f - held->a[j]) * u;
    if (hi > 0) e->x[hi] = bms_soc_hysteresis_step(e->x[hi], hysteresis_a, u);
    multiply_n(f, e->p, scratch, n);
    multiply_transposed_n(scratch, f, e->p, n);
    for (i = 0; i < n; i++) e->p[i * n + i] += e->process_noise[i] * dt;
    if (!c->filter_voltage_updates_while_charging && current_A > c->rest_current_A) {
        finish(e, estimate);
        return;
    }
    /* Update; iterated on a settled rest, re-linearised at the updated state:
     * x_i+1 = x- + K_i (V - h(x_i) - H_i (x- - x_i)). The charge-transfer voltage depends
     * on neither: read once. */
#if BMS_SOC_CHARGE_TRANSFER
    const float transfer_V = m->charge_transfer != NULL
        ? bms_soc_charge_transfer_voltage(m->charge_transfer, current_A, temperature_C) : 0.0f;
#endif
    loaded = bms_soc_filter_loaded_voltage_variance(e, temperature_C, dt_s);
    r = settled_rest ? swift_min(e->rest_voltage_variance, loaded) : loaded;
    for (i = 0; i < n; i++) prior[i] = e->x[i];
    iterations = settled_rest ? (c->rest_update_iterations > 1 ? c->rest_update_iterations : 1) : 1;
    while (iterations-- > 0) {
        float ocv, slope, predicted, s, innovation;
        bms_soc_table_value_slope(&m->ocv_V, e->x[0], temperature_C, 1, &ocv, &slope);
        predicted = ocv + held->r0 * current_A;
        h[0] = slope;
        for (j = 0; j < pairs; j++) {
            predicted += e->x[1 + j];
            h[1 + j] = 1.0f;
        }
        if (hi > 0) {
            predicted += held->hysteresis[0] * e->x[hi] + held->hysteresis[1] * e->hysteresis_sign;
            h[hi] = held->hysteresis[0];
        }
#if BMS_SOC_CHARGE_TRANSFER
        predicted += transfer_V;
#endif
        s = r;
        for (i = 0; i < n; i++) {
            float ph = 0.0f;
            for (j = 0; j < n; j++) ph += e->p[i * n + j] * h[j];
            gain[i] = ph;
            s += h[i] * ph;
        }
        for (i = 0; i < n; i++) gain[i] /= s;
        innovation = voltage_V + e->voltage_correction_V - predicted;
        for (j = 0; j < n; j++) innovation -= h[j] * (prior[j] - e->x[j]);
        for (i = 0; i < n; i++) e->x[i] = prior[i] + gain[i] * innovation;
    }
    /* Joseph form: P = A P A^T + K R K^T, A = I - K H. */
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) f[i * n + j] = (i == j ? 1.0f : 0.0f) - gain[i] * h[j];
    multiply_n(f, e->p, scratch, n);
    multiply_transposed_n(scratch, f, e->p, n);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) e->p[i * n + j] += gain[i] * r * gain[j];
    /* End-of-discharge anchor: SOC 0, its cross-covariances 0, variance 1e-4. */
    if (bms_soc_empty_anchor_observe(&e->empty_anchor, m, c, voltage_V, current_A, dt_s, e->x[0])) {
        e->x[0] = 0.0f;
        for (i = 0; i < n; i++) e->p[i] = e->p[i * n] = 0.0f;
        e->p[0] = EMPTY_ANCHOR_VARIANCE;
    }
    finish(e, estimate);
}

bms_soc_status_t bms_soc_ekf_tick(bms_soc_ekf_t *e, float voltage_V, float current_A, float temperature_C,
                                  float dt_s, bms_soc_estimate_t *estimate) {
    const bms_soc_config_t *c;
    const bms_cell_model_t *m;
    enum bms_soc_rest_reading reading;
    int settled_rest, hi;
    float mean, dt, learned;
    held_parameters_t held = {0.0f, {0.0f, 0.0f}, {1.0f, 1.0f}, {0.0f, 0.0f, 0.0f}};
    if (e == NULL || estimate == NULL) return BMS_SOC_ERR_ARGUMENT;
    c = e->config;
    m = e->model;
    hi = BMS_SOC_HYSTERESIS ? e->hysteresis_index : 0;
    if (!bms_soc_accepts(c, voltage_V, current_A, temperature_C, dt_s, !e->has_previous_current)) {
        e->last.holding = 1;
        *estimate = e->last;
        return BMS_SOC_OK;
    }
    if (hi > 0) e->hysteresis_offset_V = bms_soc_hysteresis_voltage(&m->hysteresis, e->x[hi], e->hysteresis_sign, temperature_C);
    reading = bms_soc_filter_observe_rest(e, voltage_V, current_A, temperature_C, dt_s);
    if (e->woke_up_uninformed) e->p[0] = e->wake_up_soc_variance;
    /* Re-anchor (or bound) on a rested reading. */
    settled_rest = apply_rested_reading(e, reading, voltage_V, temperature_C);
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
    /* Parameters at the SOC before the tick, held for the tick: the 1RC tables, or the 2RC ones. */
    if (hi > 0) {
        bms_soc_hysteresis_parameters(&m->hysteresis, temperature_C, &held.hysteresis[0], &held.hysteresis[1],
                                      &held.hysteresis[2]);
    }
#if BMS_SOC_TWO_RC
    if (e->pairs == 2) {
        hold_parameters_n(e, temperature_C, dt, &m->two_rc->r0_ohm, &m->two_rc->r1_ohm, &m->two_rc->tau1_s,
                          &m->two_rc->r2_ohm, &m->two_rc->tau2_s, &held, 2);
    } else
#endif
    {
        hold_parameters_n(e, temperature_C, dt, &m->r0_ohm, &m->r1_ohm, &m->tau1_s, NULL, NULL, &held, 1);
    }
    if (hi > 0) e->hysteresis_sign = bms_soc_hysteresis_next_sign(e->hysteresis_sign, current_A, c->rest_current_A);
#if BMS_SOC_TWO_RC
    if (e->pairs == 2) {
        if (BMS_SOC_HYSTERESIS && hi > 0) {
            predict_update_n(e, voltage_V, current_A, temperature_C, dt_s, mean, &held, settled_rest, estimate, 4, 2, 3);
        } else {
            predict_update_n(e, voltage_V, current_A, temperature_C, dt_s, mean, &held, settled_rest, estimate, 3, 2, 0);
        }
        return BMS_SOC_OK;
    }
#endif
    if (BMS_SOC_HYSTERESIS && hi > 0) {
        predict_update_n(e, voltage_V, current_A, temperature_C, dt_s, mean, &held, settled_rest, estimate, 3, 1, 2);
    } else {
        predict_update_n(e, voltage_V, current_A, temperature_C, dt_s, mean, &held, settled_rest, estimate, 2, 1, 0);
    }
    return BMS_SOC_OK;
}

/* TheveninEKF.applySOCMeasurement (bms_fused.h): one scalar Kalman update with H = e0, the Joseph
 * form expanded for a symmetric P (row 0 copied first, as P changes), then the tick's guards. */
int bms_soc_ekf_apply_soc_measurement(bms_soc_ekf_t *e, float z, float r) {
    float gain[BMS_SOC_EKF_MAX_STATES], prior[BMS_SOC_EKF_MAX_STATES], s, innovation;
    bms_soc_estimate_t estimate;
    uint8_t holding;
    int i, j, n;
    if (e == NULL || !isfinite(z) || !isfinite(r) || !(r > 0.0f)) return 0;
    n = e->states;
    s = e->p[0] + r;
    if (!(s > 0.0f) || !isfinite(s)) return 0;
    for (i = 0; i < n; i++) gain[i] = e->p[i * n] / s;
    innovation = z - e->x[0];
    for (i = 0; i < n; i++) e->x[i] += gain[i] * innovation;
    for (j = 0; j < n; j++) prior[j] = e->p[j];
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) e->p[i * n + j] += -gain[i] * prior[j] - prior[i] * gain[j] + gain[i] * s * gain[j];
    }
    holding = e->last.holding;
    finish(e, &estimate);
    e->last.holding = holding;
    return 1;
}
