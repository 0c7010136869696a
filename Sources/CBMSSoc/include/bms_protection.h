/* bms_protection.h — the protection state machine (bms_soc_protection.c), the C port of
 * ProtectionStateMachine (Sources/Firmware/ProtectionStateMachine.swift; Docs/BMSLoop.md § 4;
 * Docs/CEstimators.md, "Protection"): over- and under-voltage, charge and discharge
 * over-current, over- and under-temperature, each tripped after `debounce_ticks` protection
 * ticks beyond its trip threshold and released after `release_debounce_ticks` ticks inside its
 * release threshold; the state standby / charge / discharge / fault; an event log in a ring the
 * caller provides. Optional: it needs no other .c file of CBMSSoc.
 *
 * Usage:
 *   bms_protection_limits_t limits;
 *   bms_protection_limits_default(&limits);            // ProtectionLimits(): NASA's 2 Ah 18650
 *   static bms_protection_event_t ring[64];
 *   static bms_protection_t protection;
 *   if (bms_protection_init(&protection, &limits, ring, 64) != BMS_SOC_OK) { ... }
 *   every protection tick, on the checked reading:
 *       bms_protection_update(&protection, used.voltage_V, used.current_A, used.temperature_C, tick);
 *       if (protection.state == BMS_PROTECTION_FAULT) open the contactors;
 */
#ifndef BMS_PROTECTION_H
#define BMS_PROTECTION_H

#include <stdint.h>
#include "bms_soc.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Trip and release thresholds with debounce (ProtectionLimits; double, as the Swift ones). */
typedef struct bms_protection_limits {
    double over_voltage_V, over_voltage_release_V;                  /**< 4.30, 4.20 */
    double under_voltage_V, under_voltage_release_V;                /**< 1.90, 2.50 */
    double over_current_charge_A, over_current_charge_release_A;    /**< 3.0, 2.0 */
    double over_current_discharge_A, over_current_discharge_release_A; /**< 6.0, 5.0 (magnitudes) */
    double over_temperature_C, over_temperature_release_C;          /**< 60, 50 */
    double under_temperature_C, under_temperature_release_C;        /**< -10, -5 */
    uint32_t debounce_ticks;                                        /**< 3, >= 1 */
    uint32_t release_debounce_ticks;                                /**< 10, >= 1 */
    double standby_current_A;                                       /**< 0.05: |I| below is standby */
} bms_protection_limits_t;

/** The conditions, in the Swift order (bit 1 << condition in active_mask). */
typedef enum bms_protection_condition {
    BMS_PROTECTION_OVER_VOLTAGE = 0,
    BMS_PROTECTION_UNDER_VOLTAGE = 1,
    BMS_PROTECTION_OVER_CURRENT_CHARGE = 2,
    BMS_PROTECTION_OVER_CURRENT_DISCHARGE = 3,
    BMS_PROTECTION_OVER_TEMPERATURE = 4,
    BMS_PROTECTION_UNDER_TEMPERATURE = 5,
    BMS_PROTECTION_CONDITIONS = 6
} bms_protection_condition_t;

/** The state (ProtectionState: the same values). */
typedef enum bms_protection_state {
    BMS_PROTECTION_STANDBY = 0,
    BMS_PROTECTION_CHARGE = 1,
    BMS_PROTECTION_DISCHARGE = 2,
    BMS_PROTECTION_FAULT = 3
} bms_protection_state_t;

/** One logged event (ProtectionEvent). */
typedef struct bms_protection_event {
    uint32_t tick;          /**< the base tick it happened on */
    float value;            /**< the reading that completed the debounce */
    uint8_t condition;      /**< bms_protection_condition_t */
    uint8_t tripped;        /**< 1 tripped, 0 released */
} bms_protection_event_t;

/** The machine (ProtectionStateMachine). The thresholds are kept as the floats that decide as
 *  the double ones do for float readings (bms_soc_protection.c). */
typedef struct bms_protection {
    bms_protection_limits_t limits;                  /**< checked copy */
    float beyond[BMS_PROTECTION_CONDITIONS];         /**< trip thresholds in float (see the .c) */
    float inside[BMS_PROTECTION_CONDITIONS];         /**< release thresholds in float */
    float standby_above, standby_below;              /**< charge above, discharge below */
    uint32_t counters[BMS_PROTECTION_CONDITIONS];
    uint8_t state;                                   /**< bms_protection_state_t */
    uint8_t active_mask;                             /**< bit 1 << condition: tripped */
    uint32_t event_count;                            /**< events since init (may exceed the ring) */
    bms_protection_event_t *ring;                    /**< the caller's ring */
    uint32_t ring_capacity;
} bms_protection_t;

/** ProtectionLimits(). */
void bms_protection_limits_default(bms_protection_limits_t *limits);
/** ProtectionLimits.validate(): BMS_SOC_ERR_CONFIG when a threshold is not finite, a release is
 *  not on the safe side of its trip (or the under-voltage release not below the over-voltage
 *  one), or a debounce count is 0; BMS_SOC_ERR_ARGUMENT on NULL. */
bms_soc_status_t bms_protection_limits_check(const bms_protection_limits_t *limits);
/** Checks and copies `limits`; `ring` holds `ring_capacity` (>= 1) events, oldest overwritten.
 *  Standby, nothing active. On an error the state is not written. */
bms_soc_status_t bms_protection_init(bms_protection_t *state, const bms_protection_limits_t *limits,
                                     bms_protection_event_t *ring, uint32_t ring_capacity);
/** One protection tick on the checked reading (ProtectionStateMachine.update); returns the state.
 *  A NULL state: BMS_PROTECTION_FAULT. */
bms_protection_state_t bms_protection_update(bms_protection_t *state, float voltage_V, float current_A,
                                             float temperature_C, uint32_t tick);
/** The k-th event still in the ring, oldest first (k < min(event_count, ring_capacity)); NULL
 *  when there is none. */
const bms_protection_event_t *bms_protection_event(const bms_protection_t *state, uint32_t k);

#ifdef __cplusplus
}
#endif
#endif /* BMS_PROTECTION_H */
