/* bms_soc_lstm.c — the integer LSTM (bms_lstm.h) as an SOC estimator (LSTMEstimator.swift):
 * one model run per discharge from zero state (the rested sample before it replayed first),
 * one model step per step_s of measurement time with the latest sample, the output the
 * estimate once the run has seen minimum_discharge_s of discharge, a coulomb count outside
 * confirmed runs. Timers and the count are double and follow the Swift operations one for
 * one, so the C wrapper steps the model on exactly the same ticks with exactly the same
 * integer samples (Docs/Estimators.md, "LSTM estimator"). With settings.learn_prior_capacity
 * (a blob trained with a learned prior, lstm-soh) the capacity learner of bms_soc_learner.c
 * (float32, as the C Ah counter's) sets the model's prior capacity at each run start and when
 * its band settles, and a run reports its last output under load. With a training envelope
 * (settings.has_envelope) every estimate says where the inputs left it (BMS_SOC_ENVELOPE_*, as
 * LSTMEstimator's SOCEstimate.envelope; the comparisons are in bms_soc_envelope.c). */
#include <math.h>
#include "bms_soc_internal.h"

void bms_soc_lstm_settings_default(bms_soc_lstm_settings_t *s) {
    if (s == NULL) return;
    s->step_s = 10.0;
    s->discharge_threshold_A = 0.1;
    s->rest_before_discharge_s = 60.0;
    s->minimum_discharge_s = 60.0;
    s->capacity_Ah = 0.0;
    s->charge_efficiency = 0.0;
    s->learn_prior_capacity = 0;
    s->decline_partial_starts = 1;
    s->full_start_min_soc = 0.95;
    s->full_start_min_rest_voltage_V = 0.0;
    s->run_through_charge = 0;
    s->has_envelope = 0;
    s->envelope.current_min_A = s->envelope.current_max_A = 0.0;
    s->envelope.temperature_min_C = s->envelope.temperature_max_C = 0.0;
    s->envelope.start_voltage_min_V = 0.0;
    s->envelope.soc_min = s->envelope.soc_max = 0.0;
    s->envelope_tolerance_current_A = 0.1;
    s->envelope_tolerance_temperature_C = 1.0;
    s->envelope_tolerance_voltage_V = 0.02;
    s->envelope_tolerance_soc = 0.02;
}

/* RawSensorSample.saturatedRound: round half away from zero, saturated to int32 (NaN: 0). */
static int32_t saturated_round(double value) {
    double r;
    if (value != value) return 0;
    r = round(value);
    if (r >= 2147483647.0) return INT32_MAX;
    if (r <= -2147483648.0) return INT32_MIN;
    return (int32_t)r;
}

static int run_confirmed(const bms_soc_lstm_t *l) {
    return l->in_discharge && l->discharge_seconds_in_run >= l->settings.minimum_discharge_s * (1 - 1e-9);
}

static double counted_soc(const bms_soc_lstm_t *l) {
    return l->soc_base + (l->counter_sum_As + l->counter_compensation_As) / (3600 * l->count_capacity_Ah);
}

static void counter_add(bms_soc_lstm_t *l, double ampere_seconds) {
    double sum = l->counter_sum_As;
    double t = sum + ampere_seconds;
    if (fabs(sum) >= fabs(ampere_seconds)) {
        l->counter_compensation_As += (sum - t) + ampere_seconds;
    } else {
        l->counter_compensation_As += (ampere_seconds - t) + sum;
    }
    l->counter_sum_As = t;
}

/* What a confirmed run reports and hands over: the last output, or with a learned prior the last
 * output under load (LSTMEstimator.runSOC). */
static double run_soc(const bms_soc_lstm_t *l) {
    return l->settings.learn_prior_capacity ? l->loaded_model_soc : l->model_soc;
}

static void set_estimate(bms_soc_lstm_t *l, double soc, uint8_t envelope) {
    l->last.soc = (float)soc;
    l->last.sigma = 0.0f;
    l->last.has_sigma = 0;
    l->last.holding = 0;
    l->last.envelope = envelope;
}

/* Flags against the training envelope (bms_soc_envelope.c): none without one, or compiled out. */
static int has_envelope(const bms_soc_lstm_t *l) {
    return BMS_SOC_ENVELOPE && l->settings.has_envelope;
}

static int rested_since_charge(const bms_soc_lstm_t *l) {
    return l->seconds_since_charge >= l->settings.rest_before_discharge_s * (1 - 1e-9);
}

/* Ends a declined discharge: its count stays flagged START (with an envelope) until a confirmed run. */
static void end_declined_run(bms_soc_lstm_t *l) {
    l->declined_run = 0;
    if (has_envelope(l)) l->carried_envelope = BMS_SOC_ENVELOPE_START;
}

static void clear_state(bms_soc_lstm_t *l, double soc) {
    bms_lstm_reset(&l->context);
    l->in_discharge = 0;
    l->discharge_seconds_in_run = 0;
    l->seconds_not_discharging = l->settings.rest_before_discharge_s;
    l->seconds_since_charge = l->settings.rest_before_discharge_s;
    l->declined_run = 0;
    l->seconds_since_model_step = 0;
    l->has_rest_sample = 0;
    l->soc_base = soc;
    l->model_soc = soc;
    l->loaded_model_soc = soc;
    l->counter_sum_As = 0;
    l->counter_compensation_As = 0;
    l->has_previous_current = 0;
    l->previous_current_A = 0;
    l->run_envelope = l->carried_envelope = l->run_started_at_rest = 0;
    set_estimate(l, soc, 0);
}

static int settings_ok(const bms_soc_lstm_settings_t *s) {
    return isfinite(s->step_s) && s->step_s > 0 && isfinite(s->discharge_threshold_A) && s->discharge_threshold_A >= 0
        && isfinite(s->rest_before_discharge_s) && s->rest_before_discharge_s >= 0
        && isfinite(s->minimum_discharge_s) && s->minimum_discharge_s >= 0
        && isfinite(s->capacity_Ah) && isfinite(s->charge_efficiency) && s->charge_efficiency <= 1
        && s->learn_prior_capacity <= 1 && s->decline_partial_starts <= 1
        && isfinite(s->full_start_min_soc) && isfinite(s->full_start_min_rest_voltage_V)
        && s->full_start_min_rest_voltage_V >= 0 && s->run_through_charge <= 1 && s->has_envelope <= 1
        /* Compiled out, the envelope and its tolerances are never read (init refuses has_envelope). */
        && (!BMS_SOC_ENVELOPE
            || (isfinite(s->envelope_tolerance_current_A) && s->envelope_tolerance_current_A >= 0
                && isfinite(s->envelope_tolerance_temperature_C) && s->envelope_tolerance_temperature_C >= 0
                && isfinite(s->envelope_tolerance_voltage_V) && s->envelope_tolerance_voltage_V >= 0
                && isfinite(s->envelope_tolerance_soc) && s->envelope_tolerance_soc >= 0
                && (!s->has_envelope || bms_soc_envelope_ok(&s->envelope))));
}

bms_soc_status_t bms_soc_lstm_init(bms_soc_lstm_t *l, const bms_lstm_model_t *lstm_model,
                                   int16_t *workspace, size_t workspace_words,
                                   const bms_cell_model_t *cell, const bms_soc_config_t *config,
                                   const bms_soc_lstm_settings_t *settings, float soc) {
    bms_soc_lstm_settings_t s;
    bms_soc_status_t status;
    if (l == NULL || lstm_model == NULL || workspace == NULL || config == NULL || settings == NULL) {
        return BMS_SOC_ERR_ARGUMENT;
    }
    if (!isfinite(soc)) return BMS_SOC_ERR_ARGUMENT;
    if ((status = bms_soc_config_check(config)) != BMS_SOC_OK) return status;
    if (!settings_ok(settings)) return BMS_SOC_ERR_CONFIG;
    if (!BMS_SOC_ENVELOPE && settings->has_envelope) return BMS_SOC_ERR_ENVELOPE_COMPILED_OUT;
    s = *settings;
    if (!(s.capacity_Ah > 0) || !(s.charge_efficiency > 0)) {
        if (config->capacity_Ah > 0.0f && !(s.capacity_Ah > 0)) s.capacity_Ah = config->capacity_Ah;
        if (config->coulombic_efficiency > 0.0f && !(s.charge_efficiency > 0)) s.charge_efficiency = config->coulombic_efficiency;
        if (!(s.capacity_Ah > 0) || !(s.charge_efficiency > 0)) {
            if (cell == NULL) return BMS_SOC_ERR_ARGUMENT;
            if ((status = bms_cell_model_check(cell)) != BMS_SOC_OK) return status;
            if (!(s.capacity_Ah > 0)) s.capacity_Ah = cell->capacity_Ah;
            if (!(s.charge_efficiency > 0)) s.charge_efficiency = cell->coulombic_efficiency;
        }
    }
    if (s.learn_prior_capacity) {
        if (cell == NULL) return BMS_SOC_ERR_ARGUMENT;
        if ((status = bms_cell_model_check(cell)) != BMS_SOC_OK) return status;
    }
    if (bms_lstm_init_context(lstm_model, workspace, workspace_words, &l->context) != BMS_OK) return BMS_SOC_ERR_LSTM;
    l->config = config;
    l->settings = s;
    l->cell = cell;
    bms_soc_learner_init(&l->learner);
    l->life_counter.sum_As = l->life_counter.compensation_As = 0.0f;
    l->count_capacity_Ah = s.capacity_Ah;
    l->model_steps = 0;
    l->declined_runs = 0;
    {   /* A blob with a prior-SOC input is never declined (LSTMEstimator.declinesStart). */
        uint32_t k;
        l->reads_prior_soc = 0;
        for (k = 0; k < lstm_model->feature_count; ++k) {
            if (lstm_model->features[k].feature == BMS_FEATURE_PRIOR_SOC) l->reads_prior_soc = 1;
        }
    }
    l->discharges_started = 0;
    l->model_soc_centi_percent = 0;
    l->rest_voltage_uV = l->rest_current_mA = l->rest_temperature_dC = 0;
    l->between = NULL;
    clear_state(l, (double)soc);
    return BMS_SOC_OK;
}

static void step_model(bms_soc_lstm_t *l, int32_t voltage_uV, int32_t current_mA, int32_t temperature_dC, int loaded) {
    int32_t centi = 0;
    (void)bms_lstm_step_s8(&l->context, voltage_uV, current_mA, temperature_dC, &centi);
    l->model_steps++;
    l->model_soc_centi_percent = centi;
    l->model_soc = (double)centi / 10000;
    if (loaded) l->loaded_model_soc = l->model_soc;
}

/* LSTMEstimator.setPriorCapacity: the prior capacity in whole mAh (round half away from zero,
 * clamped to 1..1000000; a non-finite one keeps the blob's); with `count_too` (the learner's
 * settled band, not the guess at a run's first tick) the count is rebased onto it. */
static void set_prior_capacity(bms_soc_lstm_t *l, double ampere_hours, int count_too) {
    double mAh = round(ampere_hours * 1000);
    int32_t clamped = isfinite(mAh) ? (int32_t)(mAh < 1 ? 1 : (mAh > 1000000 ? 1000000 : mAh))
                                    : l->context.model->prior_capacity_mAh;
    (void)bms_lstm_set_prior_capacity(&l->context, clamped);
    if (!count_too) return;
    l->soc_base = counted_soc(l);
    l->counter_sum_As = l->counter_compensation_As = 0;
    l->count_capacity_Ah = (double)clamped / 1000;
}

/* Starts a model run; `start_soc` is the count at the rested sample before it. A blob with a
 * prior-SOC input (format version 5) starts its prior there, clamped to 0..1.2 (others refuse
 * and start from full), as LSTMEstimator does. */
static void start_discharge(bms_soc_lstm_t *l, int32_t voltage_uV, int32_t current_mA, int32_t temperature_dC,
                            double start_soc) {
    bms_lstm_reset(&l->context);
    if (BMS_LSTM_START_SOC) {  /* compiled out (bms_lstm.h): no blob here reads a start SOC */
        if (!(start_soc == start_soc) || start_soc > 1e300 || start_soc < -1e300) start_soc = 1;
        start_soc = start_soc < 0 ? 0 : (start_soc > 1.2 ? 1.2 : start_soc);
        (void)bms_lstm_set_start_soc(&l->context, saturated_round(start_soc * 10000));
    }
    l->run_started_at_rest = l->has_rest_sample;
    if (l->has_rest_sample) {
        int32_t ignored;
        (void)bms_lstm_step_s8(&l->context, l->rest_voltage_uV, l->rest_current_mA, l->rest_temperature_dC, &ignored);
        l->model_steps++;
    }
    if (has_envelope(l)) {
        l->run_envelope = bms_soc_envelope_start_flags(&l->settings, rested_since_charge(l),
                                                       l->has_rest_sample ? l->rest_voltage_uV : 0);
    }
    l->in_discharge = 1;
    l->discharges_started++;
    l->discharge_seconds_in_run = 0;
    l->seconds_since_model_step = 0;
    step_model(l, voltage_uV, current_mA, temperature_dC, 1);
}

/* LSTMEstimator.declinesStart: a full-start blob started below full_start_min_soc, within
 * rest_before_discharge_s of a charging current or from a rested voltage below the envelope's. */
static int declines_start(const bms_soc_lstm_t *l, double start_soc) {
    if (!l->settings.decline_partial_starts || l->reads_prior_soc || start_soc >= l->settings.full_start_min_soc) return 0;
    if (!rested_since_charge(l)) return 1;
    /* No rested sample (a start under load after power-up) says nothing: the run goes ahead. */
    return l->has_rest_sample && l->settings.full_start_min_rest_voltage_V > 0
        && !((double)l->rest_voltage_uV / 1e6 >= l->settings.full_start_min_rest_voltage_V);
}

static void advance_model(bms_soc_lstm_t *l, int32_t voltage_uV, int32_t current_mA, int32_t temperature_dC,
                          double dt_s, int loaded) {
    double step = l->settings.step_s;
    l->seconds_since_model_step += dt_s;
    if (!(l->seconds_since_model_step >= step * (1 - 1e-9))) return;
    l->seconds_since_model_step -= step;
    if (l->seconds_since_model_step >= step) l->seconds_since_model_step = 0;   /* a tick longer than a step */
    if (l->seconds_since_model_step < 0) l->seconds_since_model_step = 0;       /* rounding of the tolerance */
    step_model(l, voltage_uV, current_mA, temperature_dC, loaded);
}

/* Ends the run; a confirmed run's last output becomes the base of the count (returns 1). */
static int end_discharge(bms_soc_lstm_t *l) {
    int rebased = run_confirmed(l);
    if (rebased) {
        l->soc_base = run_soc(l);
        l->counter_sum_As = 0;
        l->counter_compensation_As = 0;
        if (l->between != NULL) (void)bms_soc_ah_continue_from(l->between, (float)run_soc(l));
        if (BMS_SOC_ENVELOPE) l->carried_envelope = l->run_envelope;
    }
    l->in_discharge = 0;
    l->discharge_seconds_in_run = 0;
    return rebased;
}

bms_soc_status_t bms_soc_lstm_tick(bms_soc_lstm_t *l, float voltage_V, float current_A, float temperature_C,
                                   float dt_s, bms_soc_estimate_t *estimate) {
    double v, i, t, dt, mean, tick_As, threshold;
    int32_t uV, mA, dC;
    uint8_t envelope;
    if (l == NULL || estimate == NULL) return BMS_SOC_ERR_ARGUMENT;
    if (!bms_soc_accepts(l->config, voltage_V, current_A, temperature_C, dt_s, 0)) {
        l->last.holding = 1;
        *estimate = l->last;
        return BMS_SOC_OK;
    }
    v = voltage_V;
    i = current_A;
    t = temperature_C;
    dt = dt_s;
    uV = saturated_round(v * 1e6);
    mA = saturated_round(i * 1e3);
    dC = saturated_round(t * 10);
    /* The tick's trapezoid, counted. */
    mean = 0.5 * ((l->has_previous_current ? l->previous_current_A : i) + i);
    tick_As = (mean > 0 ? l->settings.charge_efficiency : 1) * mean * dt;
    counter_add(l, tick_As);
    l->previous_current_A = i;
    l->has_previous_current = 1;
    threshold = l->settings.discharge_threshold_A;
    l->seconds_since_charge = i > threshold ? 0 : l->seconds_since_charge + dt;
    if (l->settings.learn_prior_capacity) {
        /* CapacityLearner.observe with the life counter after this tick; a band that has settled
         * during a run becomes the prior and the count's capacity. */
        float learned = 0.0f;
        bms_soc_counter_add(&l->life_counter, (float)tick_As);
        if (bms_soc_learner_observe(&l->learner, l->cell, l->config, voltage_V, current_A, temperature_C, dt_s,
                                    bms_soc_counter_value(&l->life_counter), &learned)
            && l->in_discharge) {
            set_prior_capacity(l, (double)learned, 1);
        }
    }
    if (i < -threshold) {
        l->seconds_not_discharging = 0;
        if (l->in_discharge) {
            l->discharge_seconds_in_run += dt;
            advance_model(l, uV, mA, dC, dt, 1);
        } else if (!l->declined_run) {
            double start_soc;
            if (l->settings.learn_prior_capacity) {
                set_prior_capacity(l, (double)bms_soc_learner_capacity_Ah(&l->learner, l->cell, l->config,
                                                                          current_A, temperature_C), 0);
            }
            start_soc = l->between != NULL ? (double)l->between->last.soc
                                           : counted_soc(l) - tick_As / (3600 * l->count_capacity_Ah);
            if (declines_start(l, start_soc)) {
                l->declined_run = 1;
                l->declined_runs++;
            } else {
                start_discharge(l, uV, mA, dC, start_soc);
                l->discharge_seconds_in_run = dt;
            }
        }
    } else {
        l->seconds_not_discharging += dt;
        if (l->declined_run && (i > threshold || l->seconds_not_discharging >= l->settings.rest_before_discharge_s)) {
            end_declined_run(l);
        }
        if (l->in_discharge) {
            if (i > threshold && !l->settings.run_through_charge) {
                /* The model does not step on this tick, so its charge follows the new base. */
                if (end_discharge(l)) counter_add(l, tick_As);
            } else {
                advance_model(l, uV, mA, dC, dt, 0);
                if (l->seconds_not_discharging >= l->settings.rest_before_discharge_s) end_discharge(l);
            }
        }
        if (!l->in_discharge) {
            l->rest_voltage_uV = uV;
            l->rest_current_mA = mA;
            l->rest_temperature_dC = dC;
            l->has_rest_sample = 1;
        }
    }
    envelope = 0;
    if (has_envelope(l)) envelope = l->declined_run ? (uint8_t)(l->carried_envelope | BMS_SOC_ENVELOPE_START)
                                                    : l->carried_envelope;
    if (l->in_discharge && has_envelope(l)) {
        l->run_envelope |= bms_soc_envelope_input_flags(&l->settings, i, t);
        if (run_confirmed(l)) envelope = (uint8_t)(l->run_envelope | bms_soc_envelope_soc_flags(&l->settings, run_soc(l)));
    }
    if (l->between != NULL) {
        /* After the run logic, so a run's output handed over on this tick is counted on by it. */
        bms_soc_estimate_t between;
        (void)bms_soc_ah_tick(l->between, voltage_V, current_A, temperature_C, dt_s, &between);
        set_estimate(l, run_confirmed(l) ? run_soc(l) : (double)between.soc, envelope);
    } else {
        set_estimate(l, run_confirmed(l) ? run_soc(l) : counted_soc(l), envelope);
    }
    *estimate = l->last;
    return BMS_SOC_OK;
}

bms_soc_status_t bms_soc_lstm_wake(bms_soc_lstm_t *l, float sleep_s) {
    if (l == NULL) return BMS_SOC_ERR_ARGUMENT;
    l->seconds_not_discharging += (double)bms_soc_sleep_seconds(sleep_s);
    l->seconds_since_charge += (double)bms_soc_sleep_seconds(sleep_s);
    if (l->in_discharge && l->seconds_not_discharging >= l->settings.rest_before_discharge_s) end_discharge(l);
    if (l->declined_run && l->seconds_not_discharging >= l->settings.rest_before_discharge_s) end_declined_run(l);
    if (l->between != NULL) (void)bms_soc_ah_wake(l->between, sleep_s);
    l->has_previous_current = 0;
    return BMS_SOC_OK;
}

bms_soc_status_t bms_soc_lstm_reset(bms_soc_lstm_t *l, float soc) {
    if (l == NULL || !isfinite(soc)) return BMS_SOC_ERR_ARGUMENT;
    clear_state(l, (double)soc);
    if (l->between != NULL) (void)bms_soc_ah_reset(l->between, soc);
    return BMS_SOC_OK;
}

bms_soc_status_t bms_soc_lstm_set_between_runs(bms_soc_lstm_t *l, bms_soc_ah_t *ah) {
    if (l == NULL) return BMS_SOC_ERR_ARGUMENT;
    l->between = ah;
    return BMS_SOC_OK;
}
