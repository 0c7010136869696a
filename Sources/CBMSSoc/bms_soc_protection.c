/* bms_soc_protection.c — the protection state machine (ProtectionStateMachine.swift;
 * Docs/BMSLoop.md § 4).
 *
 * Per protection tick, each condition in the Swift order (over-voltage, under-voltage,
 * charge over-current, discharge over-current, over-temperature, under-temperature):
 * - not active: its counter counts consecutive ticks beyond the trip threshold (0 otherwise);
 *   at debounce_ticks it trips (active, counter 0, an event with the reading);
 * - active: the counter counts consecutive ticks inside the release threshold; at
 *   release_debounce_ticks it releases (an event).
 * Then the state: fault when any condition is active, else charge above +standby_current_A,
 * discharge below -standby_current_A, standby between.
 *
 * The Swift machine compares Double readings with double thresholds. Here the readings are
 * float, and each threshold T is kept as the float that decides alike: for a float x,
 * x > T exactly when x > (the largest float <= T), and x < T exactly when x < (the smallest
 * float >= T); the discharge conditions -I > T and -I < T are I < -T and I > -T. So the C
 * machine takes every decision the Swift one takes on Double(x), in single precision
 * (ProtectionAgreementTests). No allocation: the event ring is the caller's.
 */
#include <float.h>
#include <math.h>
#include "bms_protection.h"
#include "bms_float_bounds.h"

void bms_protection_limits_default(bms_protection_limits_t *l) {
    if (l == NULL) return;
    l->over_voltage_V = 4.30;
    l->over_voltage_release_V = 4.20;
    l->under_voltage_V = 1.90;
    l->under_voltage_release_V = 2.50;
    l->over_current_charge_A = 3.0;
    l->over_current_charge_release_A = 2.0;
    l->over_current_discharge_A = 6.0;
    l->over_current_discharge_release_A = 5.0;
    l->over_temperature_C = 60.0;
    l->over_temperature_release_C = 50.0;
    l->under_temperature_C = -10.0;
    l->under_temperature_release_C = -5.0;
    l->debounce_ticks = 3;
    l->release_debounce_ticks = 10;
    l->standby_current_A = 0.05;
}

bms_soc_status_t bms_protection_limits_check(const bms_protection_limits_t *l) {
    double all[13];
    int k;
    if (l == NULL) return BMS_SOC_ERR_ARGUMENT;
    all[0] = l->over_voltage_V;               all[1] = l->over_voltage_release_V;
    all[2] = l->under_voltage_V;              all[3] = l->under_voltage_release_V;
    all[4] = l->over_current_charge_A;        all[5] = l->over_current_charge_release_A;
    all[6] = l->over_current_discharge_A;     all[7] = l->over_current_discharge_release_A;
    all[8] = l->over_temperature_C;           all[9] = l->over_temperature_release_C;
    all[10] = l->under_temperature_C;         all[11] = l->under_temperature_release_C;
    all[12] = l->standby_current_A;
    for (k = 0; k < 13; k++) {
        if (!isfinite(all[k])) return BMS_SOC_ERR_CONFIG;
    }
    if (!(l->over_voltage_release_V < l->over_voltage_V) || !(l->under_voltage_V < l->under_voltage_release_V)
        || !(l->under_voltage_release_V < l->over_voltage_release_V)
        || !(l->over_current_charge_release_A < l->over_current_charge_A)
        || !(l->over_current_discharge_release_A < l->over_current_discharge_A)
        || !(l->over_temperature_release_C < l->over_temperature_C)
        || !(l->under_temperature_C < l->under_temperature_release_C)
        || l->debounce_ticks < 1 || l->release_debounce_ticks < 1) {
        return BMS_SOC_ERR_CONFIG;
    }
    return BMS_SOC_OK;
}

/* Per condition: which reading (0 V, 1 I, 2 T) and whether it trips above (1) or below (0). */
static const uint8_t channel_of[BMS_PROTECTION_CONDITIONS] = {0, 0, 1, 1, 2, 2};
static const uint8_t trips_above[BMS_PROTECTION_CONDITIONS] = {1, 0, 1, 0, 1, 0};

bms_soc_status_t bms_protection_init(bms_protection_t *p, const bms_protection_limits_t *limits,
                                     bms_protection_event_t *ring, uint32_t ring_capacity) {
    double trip[BMS_PROTECTION_CONDITIONS], release[BMS_PROTECTION_CONDITIONS];
    bms_soc_status_t s;
    int k;
    if (p == NULL || limits == NULL || ring == NULL) return BMS_SOC_ERR_ARGUMENT;
    if ((s = bms_protection_limits_check(limits)) != BMS_SOC_OK) return s;
    if (ring_capacity < 1) return BMS_SOC_ERR_CONFIG;
    trip[0] = limits->over_voltage_V;            release[0] = limits->over_voltage_release_V;
    trip[1] = limits->under_voltage_V;           release[1] = limits->under_voltage_release_V;
    trip[2] = limits->over_current_charge_A;     release[2] = limits->over_current_charge_release_A;
    trip[3] = -limits->over_current_discharge_A; release[3] = -limits->over_current_discharge_release_A;
    trip[4] = limits->over_temperature_C;        release[4] = limits->over_temperature_release_C;
    trip[5] = limits->under_temperature_C;       release[5] = limits->under_temperature_release_C;
    p->limits = *limits;
    for (k = 0; k < BMS_PROTECTION_CONDITIONS; k++) {
        /* Above: beyond when x > trip, inside when x < release; below: the other way round. */
        p->beyond[k] = trips_above[k] ? bms_float_at_or_below(trip[k]) : bms_float_at_or_above(trip[k]);
        p->inside[k] = trips_above[k] ? bms_float_at_or_above(release[k]) : bms_float_at_or_below(release[k]);
        p->counters[k] = 0;
    }
    p->standby_above = bms_float_at_or_below(limits->standby_current_A);
    p->standby_below = bms_float_at_or_above(-limits->standby_current_A);
    p->state = BMS_PROTECTION_STANDBY;
    p->active_mask = 0;
    p->event_count = 0;
    p->ring = ring;
    p->ring_capacity = ring_capacity;
    return BMS_SOC_OK;
}

static void log_event(bms_protection_t *p, uint32_t tick, int condition, int tripped, float value) {
    bms_protection_event_t *e = &p->ring[p->event_count % p->ring_capacity];
    e->tick = tick;
    e->value = value;
    e->condition = (uint8_t)condition;
    e->tripped = (uint8_t)tripped;
    if (p->event_count < UINT32_MAX) p->event_count++;
}

bms_protection_state_t bms_protection_update(bms_protection_t *p, float voltage_V, float current_A,
                                             float temperature_C, uint32_t tick) {
    const float reading[3] = {voltage_V, current_A, temperature_C};
    int k;
    if (p == NULL) return BMS_PROTECTION_FAULT;
    for (k = 0; k < BMS_PROTECTION_CONDITIONS; k++) {
        const float x = reading[channel_of[k]];
        const uint8_t bit = (uint8_t)(1u << k);
        if (!(p->active_mask & bit)) {
            const int beyond = trips_above[k] ? x > p->beyond[k] : x < p->beyond[k];
            p->counters[k] = beyond ? p->counters[k] + 1 : 0;
            if (p->counters[k] >= p->limits.debounce_ticks) {
                p->active_mask |= bit;
                p->counters[k] = 0;
                log_event(p, tick, k, 1, x);
            }
        } else {
            const int inside = trips_above[k] ? x < p->inside[k] : x > p->inside[k];
            p->counters[k] = inside ? p->counters[k] + 1 : 0;
            if (p->counters[k] >= p->limits.release_debounce_ticks) {
                p->active_mask &= (uint8_t)~bit;
                p->counters[k] = 0;
                log_event(p, tick, k, 0, x);
            }
        }
    }
    if (p->active_mask != 0) p->state = BMS_PROTECTION_FAULT;
    else if (current_A > p->standby_above) p->state = BMS_PROTECTION_CHARGE;
    else if (current_A < p->standby_below) p->state = BMS_PROTECTION_DISCHARGE;
    else p->state = BMS_PROTECTION_STANDBY;
    return (bms_protection_state_t)p->state;
}

const bms_protection_event_t *bms_protection_event(const bms_protection_t *p, uint32_t k) {
    uint32_t kept;
    if (p == NULL || p->ring == NULL || p->ring_capacity == 0) return NULL;
    kept = p->event_count < p->ring_capacity ? p->event_count : p->ring_capacity;
    if (k >= kept) return NULL;
    return &p->ring[(p->event_count - kept + k) % p->ring_capacity];
}
