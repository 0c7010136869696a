/* bms_soc_plausibility.c — the plausibility checks on raw readings (PlausibilityCheck.swift;
 * Docs/BMSLoop.md § 3): each channel (voltage, current, temperature) in turn, then the timestamp.
 *
 * Per channel, a reading is
 * - missing (its missing_mask bit): BMS_FAULT_DROPOUT, the last good value is used;
 * - not finite: BMS_FAULT_NOT_FINITE, the last good value is used;
 * - stuck when it equals the previous finite reading bit for bit stuck_ticks times in a row
 *   (stuck_ticks > 0): BMS_FAULT_STUCK, the reading is still used;
 * - outside [min, max]: BMS_FAULT_SPIKE, the last good value is used;
 * - after a sleep (bms_plausibility_wake), unconfirmed: it is used but flagged
 *   BMS_FAULT_UNCONFIRMED until a reading lies within the step limit of the one before it
 *   (then it is the new last good value); after max_consecutive_rejects + 1 unconfirmed readings
 *   the next one is accepted as BMS_FAULT_RESYNC;
 * - otherwise a jump, |value - last good| > step limit: BMS_FAULT_SPIKE and the last good value is
 *   used, max_consecutive_rejects times in a row; the next jump is accepted as BMS_FAULT_RESYNC.
 * Every flag raised on a channel also sets its channel bit. Then dt_s: when it is not finite or
 * |dt_s - base tick| > timestamp_tolerance * base tick, BMS_FAULT_TIMESTAMP_JUMP and the base tick
 * is used.
 *
 * Every step is the Swift one in the same order, and every decision is the one the Swift checks
 * take on Double(reading): the step and timestamp comparisons in double, the repeat and range
 * checks in float against the range's bounds rounded inward at init (exactly equivalent for
 * float readings), so the C checks raise the same flags and hand on the same values
 * (PlausibilityAgreementTests). The double arithmetic is soft-float on a Cortex-M4F: 1,266
 * instructions per 10 s tick in Examples/c/cortex-m4 (Docs/CEstimators.md). No allocation, no I/O.
 */
#include <float.h>
#include <math.h>
#include "bms_plausibility.h"
#include "bms_float_bounds.h"

/* A double handed on as float, out-of-range values to +-inf (as Swift's Float(_:) rounds them;
 * a C cast would be undefined): only a limit the caller set (the lower voltage limit, the
 * neutral voltage, or the base tick) can be out of float's range. */
static float to_float(double v) {
    /* 0x1.ffffffp127 = FLT_MAX + half an ulp: from there on round-to-nearest gives infinity. */
    if (v >= 0x1.ffffffp127) return INFINITY;
    if (v <= -0x1.ffffffp127) return -INFINITY;
    return (float)v;
}

void bms_plausibility_limits_default(bms_plausibility_limits_t *l) {
    if (l == NULL) return;
    l->voltage_min_V = 1.5;
    l->voltage_max_V = 4.6;
    l->current_min_A = -20.0;
    l->current_max_A = 20.0;
    l->temperature_min_C = -40.0;
    l->temperature_max_C = 100.0;
    l->max_voltage_step_V = 1.0;
    l->max_current_step_A = 15.0;
    l->max_temperature_step_C = 10.0;
    l->max_consecutive_rejects = 3;
    l->stuck_ticks = 0;
    l->timestamp_tolerance = 0.5;
}

static int finite_positive(double v) { return isfinite(v) && v > 0.0; }
/* A Swift ClosedRange: bounds not NaN (infinite is allowed), min <= max. */
static int closed_range(double lo, double hi) { return lo <= hi; }

bms_soc_status_t bms_plausibility_limits_check(const bms_plausibility_limits_t *l) {
    if (l == NULL) return BMS_SOC_ERR_ARGUMENT;
    if (!closed_range(l->voltage_min_V, l->voltage_max_V) || !closed_range(l->current_min_A, l->current_max_A)
        || !closed_range(l->temperature_min_C, l->temperature_max_C) || !finite_positive(l->max_voltage_step_V)
        || !finite_positive(l->max_current_step_A) || !finite_positive(l->max_temperature_step_C)
        || !finite_positive(l->timestamp_tolerance)) {
        return BMS_SOC_ERR_CONFIG;
    }
    return BMS_SOC_OK;
}

static void channel_init(bms_plausibility_channel_t *c, double neutral, double lo, double hi) {
    /* v >= lo and v <= hi decided in float alike (bms_float_bounds.h). */
    c->minimum = bms_float_at_or_above(lo);
    c->maximum = bms_float_at_or_below(hi);
    c->last_good = neutral;
    c->last_raw = NAN;
    c->candidate = 0.0;
    c->repeats = c->rejects = c->unconfirmed_readings = 0;
    c->has_good = c->confirming = c->has_candidate = 0;
}

static void channel_wake(bms_plausibility_channel_t *c) {
    c->has_good = 0;
    c->rejects = 0;
    c->repeats = 0;
    c->last_raw = NAN;
    c->confirming = 1;
    c->has_candidate = 0;
    c->unconfirmed_readings = 0;
}

static void channel_accept(bms_plausibility_channel_t *c, double value) {
    c->rejects = 0;
    c->last_good = value;
    c->has_good = 1;
}

/* ChannelScreen.check: the value to use; raises `what` bits in *flags with `mark` (the channel bit). */
static double channel_check(bms_plausibility_channel_t *c, const bms_plausibility_limits_t *l, float raw,
                            int missing, double max_step, uint16_t mark, uint16_t *flags) {
    double value;
    if (missing) {
        *flags |= (uint16_t)(BMS_FAULT_DROPOUT | mark);
        return c->last_good;
    }
    if (!isfinite(raw)) {
        *flags |= (uint16_t)(BMS_FAULT_NOT_FINITE | mark);
        return c->last_good;
    }
    /* Bit-identical repeats and the range in float: the same decisions as in double (above). */
    if (raw == c->last_raw) {
        if (c->repeats < UINT32_MAX) c->repeats++;
    } else {
        c->repeats = 0;
        c->last_raw = raw;
    }
    if (l->stuck_ticks > 0 && c->repeats >= l->stuck_ticks) *flags |= (uint16_t)(BMS_FAULT_STUCK | mark);
    if (!(c->minimum <= raw && raw <= c->maximum)) {
        *flags |= (uint16_t)(BMS_FAULT_SPIKE | mark);
        return c->last_good;
    }
    value = (double)raw;
    if (c->confirming) {
        /* After a sleep: two consecutive readings within the step limit confirm each other; a
         * channel that never settles is accepted after max_consecutive_rejects + 1 readings. */
        if (!c->has_candidate || fabs(value - c->candidate) > max_step) {
            if (c->unconfirmed_readings <= l->max_consecutive_rejects) {
                if (c->unconfirmed_readings < UINT32_MAX) c->unconfirmed_readings++;
                c->candidate = value;
                c->has_candidate = 1;
                return value;
            }
            *flags |= (uint16_t)(BMS_FAULT_RESYNC | mark);
        }
        c->confirming = 0;
        c->has_candidate = 0;
        c->unconfirmed_readings = 0;
        channel_accept(c, value);
        return value;
    }
    if (c->has_good && fabs(value - c->last_good) > max_step) {
        if (c->rejects < l->max_consecutive_rejects) {
            c->rejects++;
            *flags |= (uint16_t)(BMS_FAULT_SPIKE | mark);
            return c->last_good;
        }
        *flags |= (uint16_t)(BMS_FAULT_RESYNC | mark);
    }
    channel_accept(c, value);
    return value;
}

/* ChannelScreen.screen: the check, then BMS_FAULT_UNCONFIRMED while the channel waits. */
static float channel_screen(bms_plausibility_channel_t *c, const bms_plausibility_limits_t *l, float value,
                            int missing, double max_step, uint16_t mark, uint16_t *flags) {
    double used = channel_check(c, l, value, missing, max_step, mark, flags);
    if (c->confirming) *flags |= (uint16_t)(BMS_FAULT_UNCONFIRMED | mark);
    /* Every value handed on is a float reading or a neutral default (the lower voltage limit,
     * 0 A, 25 degC): exact in float unless that limit is not. */
    return to_float(used);
}

bms_soc_status_t bms_plausibility_init(bms_plausibility_t *state, const bms_plausibility_limits_t *limits,
                                       double base_tick_s) {
    bms_soc_status_t s;
    if (state == NULL || limits == NULL) return BMS_SOC_ERR_ARGUMENT;
    if ((s = bms_plausibility_limits_check(limits)) != BMS_SOC_OK) return s;
    if (!finite_positive(base_tick_s)) return BMS_SOC_ERR_CONFIG;
    state->limits = *limits;
    state->base_tick_s = base_tick_s;
    /* The neutral substitutes: the lower voltage limit, 0 A, 25 degC (a lower voltage limit of
     * -inf would hand on -inf; PlausibilityCheck does the same). */
    channel_init(&state->voltage, limits->voltage_min_V, limits->voltage_min_V, limits->voltage_max_V);
    channel_init(&state->current, 0.0, limits->current_min_A, limits->current_max_A);
    channel_init(&state->temperature, 25.0, limits->temperature_min_C, limits->temperature_max_C);
    return BMS_SOC_OK;
}

uint16_t bms_plausibility_check(bms_plausibility_t *state, const bms_plausibility_reading_t *raw,
                                bms_plausibility_reading_t *used) {
    const bms_plausibility_limits_t *l;
    bms_plausibility_reading_t in;
    uint16_t flags = 0;
    double dt, expected;
    if (state == NULL || raw == NULL || used == NULL) return 0;
    l = &state->limits;
    in = *raw;   /* `used` may be `raw` */
    used->voltage_V = channel_screen(&state->voltage, l, in.voltage_V, (in.missing_mask & BMS_MISSING_VOLTAGE) != 0,
                                     l->max_voltage_step_V, BMS_FAULT_VOLTAGE, &flags);
    used->current_A = channel_screen(&state->current, l, in.current_A, (in.missing_mask & BMS_MISSING_CURRENT) != 0,
                                     l->max_current_step_A, BMS_FAULT_CURRENT, &flags);
    used->temperature_C = channel_screen(&state->temperature, l, in.temperature_C,
                                         (in.missing_mask & BMS_MISSING_TEMPERATURE) != 0, l->max_temperature_step_C,
                                         BMS_FAULT_TEMPERATURE, &flags);
    dt = (double)in.dt_s;
    expected = state->base_tick_s;
    if (!(isfinite(dt) && fabs(dt - expected) <= l->timestamp_tolerance * expected)) {
        flags |= BMS_FAULT_TIMESTAMP_JUMP;
        dt = expected;
    }
    used->dt_s = to_float(dt);
    used->missing_mask = 0;
    return flags;
}

bms_soc_status_t bms_plausibility_wake(bms_plausibility_t *state) {
    if (state == NULL) return BMS_SOC_ERR_ARGUMENT;
    channel_wake(&state->voltage);
    channel_wake(&state->current);
    channel_wake(&state->temperature);
    return BMS_SOC_OK;
}
