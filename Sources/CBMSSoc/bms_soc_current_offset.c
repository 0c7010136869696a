/* bms_soc_current_offset.c — the current sensor's auto-zero (CurrentOffsetLearner.swift,
 * CurrentOffsetSettings.swift; Docs/BMSLoop.md § 2, "Current auto-zero"): learns the sensor's
 * zero offset while no current flows and subtracts it, in front of the estimators.
 *
 *   I_out = I_measured - offset
 *   offset <- mean(I_measured) over a quiet span, or 0 if |mean| < deadband_fraction * I_max
 *
 * A reading is quiet when it is not flagged, V, I and dt are finite, dt > 0 and
 * |I| <= 2 I_max (I_max = maximum_offset_A; the test is written 0.5 |I| <= I_max, the same
 * decision without the overflow of 2 I_max for a huge setting). Two kinds of quiet span:
 *
 * - Power-up (init, unless calibrate_at_power_up is 0: a start under load) and wake-up
 *   (bms_current_offset_wake): the first wake_s of readings, all
 *   quiet, their mean |I_bar| <= I_max. A reading that is not quiet ends the wake-up without a
 *   calibration (a load that starts sooner cancels it).
 * - A settled rest: a window of window_s of quiet readings (a reading that is not quiet
 *   restarts it), split in halves by elapsed time (elapsed <= window_s / 2: the first) with
 *   n, sum I, sum I^2 and sum V per half. When elapsed >= window_s and both halves have
 *   readings it is a calibration if
 *     |V_bar2 - V_bar1| <= voltage_trend_V                        (not a slow load),
 *     |I_bar2 - I_bar1| <= current_trend_A + current_trend_fraction max(|I_bar1|, |I_bar2|)
 *                          + 3 sqrt(var(I_bar1) + var(I_bar2))    (not a CV charge's tail),
 *       var(I_bar) = max(0, sum I^2 / n - I_bar^2) / (n - 1)  (0 when n = 1),
 *     |I_bar| <= I_max, I_bar the mean over the whole window;
 *   then (calibration or not) the window restarts. A window with an empty half when it
 *   closes (its first reading already has dt > window_s / 2: a gap, or window_s < 2 dt) cannot
 *   be judged and restarts too.
 *
 * Every step is the Swift one in the same order. Precision: the sums, the timers and the
 * settings are double, as the LSTM wrapper's timers (bms_soc_lstm.c). In float32 a window's
 * sum of I^2 (1,200 readings at 1 s, 12,000 at 0.1 s) keeps 24 bits, and var(I_bar) is the
 * difference of two such numbers; the 3-sigma noise term and the 0.5 mV comparison would need
 * compensated or mean-centred sums to be right, and still decide other windows than the Swift
 * learner near a threshold. In double, with the same float32 readings, the C learner takes the
 * same calibrations as the Swift one with the same offsets (CurrentOffsetAgreementTests). The
 * cost on a Cortex-M4F (no double FPU) is about ten soft-float double operations per reading.
 * No allocation; NULL pointers are refused; no division by zero, no square root of a negative
 * number, no float conversion out of range.
 */
#include <float.h>
#include <math.h>
#include "bms_soc_internal.h"
#include "bms_current_offset.h"

void bms_current_offset_settings_default(bms_current_offset_settings_t *s) {
    if (s == NULL) return;
    s->enabled = 1;
    s->window_s = 1200.0;
    s->wake_s = 10.0;
    s->calibrate_at_power_up = 1;
    s->maximum_offset_A = 0.08;
    s->voltage_trend_V = 0.0005;
    s->current_trend_A = 0.0005;
    s->current_trend_fraction = 0.01;
    s->deadband_fraction = 0.25;
}

void bms_current_offset_settings_scale_to_cell(bms_current_offset_settings_t *s, double capacity_Ah) {
    if (s == NULL) return;
    if (isfinite(capacity_Ah) && capacity_Ah > 0.0) s->maximum_offset_A = capacity_Ah / 25;
}

static int finite_positive(double v) { return isfinite(v) && v > 0.0; }
static int fraction(double v) { return v >= 0.0 && v <= 1.0; }

bms_soc_status_t bms_current_offset_settings_check(const bms_current_offset_settings_t *s) {
    if (s == NULL) return BMS_SOC_ERR_ARGUMENT;
    if (!finite_positive(s->window_s) || !finite_positive(s->wake_s) || !finite_positive(s->maximum_offset_A)
        || !finite_positive(s->voltage_trend_V) || !finite_positive(s->current_trend_A)
        || !fraction(s->current_trend_fraction) || !fraction(s->deadband_fraction)
        || s->calibrate_at_power_up > 1) {
        return BMS_SOC_ERR_CONFIG;
    }
    return BMS_SOC_OK;
}

static void half_clear(bms_current_offset_half_t *h) {
    h->count = h->current_A = h->current_squared_A2 = h->voltage_V = 0.0;
}

static void half_add(bms_current_offset_half_t *h, double voltage_V, double current_A) {
    h->count += 1;
    h->current_A += current_A;
    h->current_squared_A2 += current_A * current_A;
    h->voltage_V += voltage_V;
}

static double mean_current(const bms_current_offset_half_t *h) { return h->current_A / h->count; }
static double mean_voltage(const bms_current_offset_half_t *h) { return h->voltage_V / h->count; }

/* The variance of the half's mean current. */
static double mean_current_variance(const bms_current_offset_half_t *h) {
    double mean, spread;
    if (!(h->count > 1)) return 0.0;
    mean = mean_current(h);
    spread = h->current_squared_A2 / h->count - mean * mean;
    return (spread > 0.0 ? spread : 0.0) / (h->count - 1);
}

static void restart_window(bms_current_offset_t *z) {
    z->elapsed_s = 0.0;
    half_clear(&z->first);
    half_clear(&z->second);
}

static void accept(bms_current_offset_t *z, double mean_A) {
    z->offset_A = fabs(mean_A) < z->settings.maximum_offset_A * z->settings.deadband_fraction ? 0.0 : mean_A;
    if (z->calibrations < UINT32_MAX) z->calibrations++;
}

static void observe_wake(bms_current_offset_t *z, double voltage_V, double current_A, double dt_s, int quiet) {
    double mean;
    if (!quiet) {
        z->waking = 0;
        return;
    }
    half_add(&z->wake, voltage_V, current_A);
    z->wake_elapsed_s += dt_s;
    if (!(z->wake_elapsed_s >= z->settings.wake_s)) return;
    z->waking = 0;
    mean = mean_current(&z->wake);
    if (fabs(mean) <= z->settings.maximum_offset_A) accept(z, mean);
}

static void observe_rest(bms_current_offset_t *z, double voltage_V, double current_A, double dt_s, int quiet) {
    const bms_current_offset_settings_t *s = &z->settings;
    double i1, i2, mean, noise, larger, limit;
    if (!quiet) {
        restart_window(z);
        return;
    }
    z->elapsed_s += dt_s;
    half_add(z->elapsed_s <= s->window_s / 2 ? &z->first : &z->second, voltage_V, current_A);
    if (!(z->elapsed_s >= s->window_s)) return;
    if (!(z->first.count > 0) || !(z->second.count > 0)) {   /* an empty half: cannot be judged */
        restart_window(z);
        return;
    }
    i1 = mean_current(&z->first);
    i2 = mean_current(&z->second);
    mean = (z->first.current_A + z->second.current_A) / (z->first.count + z->second.count);
    noise = 3 * sqrt(mean_current_variance(&z->first) + mean_current_variance(&z->second));
    larger = fabs(i1) > fabs(i2) ? fabs(i1) : fabs(i2);
    limit = s->current_trend_A + s->current_trend_fraction * larger + noise;
    if (fabs(mean_voltage(&z->second) - mean_voltage(&z->first)) <= s->voltage_trend_V
        && fabs(i2 - i1) <= limit && fabs(mean) <= s->maximum_offset_A) {
        accept(z, mean);
    }
    restart_window(z);
}

bms_soc_status_t bms_current_offset_init(bms_current_offset_t *z, const bms_current_offset_settings_t *settings) {
    bms_soc_status_t s;
    if (z == NULL || settings == NULL) return BMS_SOC_ERR_ARGUMENT;
    if ((s = bms_current_offset_settings_check(settings)) != BMS_SOC_OK) return s;
    z->settings = *settings;
    z->offset_A = 0.0;
    z->calibrations = 0;
    restart_window(z);
    (void)bms_current_offset_wake(z);
    z->waking = settings->calibrate_at_power_up;
    return BMS_SOC_OK;
}

bms_soc_status_t bms_current_offset_wake(bms_current_offset_t *z) {
    if (z == NULL) return BMS_SOC_ERR_ARGUMENT;
    restart_window(z);
    z->waking = 1;
    half_clear(&z->wake);
    z->wake_elapsed_s = 0.0;
    return BMS_SOC_OK;
}

/* A double as float, saturated to +-infinity instead of a conversion out of range (NaN stays NaN). */
static float saturated_float(double v) {
    if (v > (double)FLT_MAX) return HUGE_VALF;
    if (v < -(double)FLT_MAX) return -HUGE_VALF;
    return (float)v;
}

float bms_current_offset_correct(bms_current_offset_t *z, float voltage_V, float current_A, float dt_s, int flagged) {
    double v = (double)voltage_V, i = (double)current_A, dt = (double)dt_s;
    int quiet;
    if (z == NULL || !z->settings.enabled) return current_A;
    quiet = !flagged && isfinite(voltage_V) && isfinite(current_A) && isfinite(dt_s) && dt_s > 0.0f
            && 0.5 * fabs(i) <= z->settings.maximum_offset_A;
    if (z->waking) observe_wake(z, v, i, dt, quiet);
    observe_rest(z, v, i, dt, quiet);
    return saturated_float(i - z->offset_A);
}

float bms_current_offset_A(const bms_current_offset_t *z) { return z == NULL ? 0.0f : (float)z->offset_A; }

uint32_t bms_current_offset_calibrations(const bms_current_offset_t *z) { return z == NULL ? 0 : z->calibrations; }
