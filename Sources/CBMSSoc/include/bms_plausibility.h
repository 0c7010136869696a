/* bms_plausibility.h — the firmware's plausibility checks on raw sensor readings
 * (bms_soc_plausibility.c), the C port of PlausibilityCheck (Sources/Firmware/PlausibilityCheck.swift;
 * Docs/BMSLoop.md § 3, Docs/CEstimators.md, "Plausibility checks"). Optional: it needs no other
 * .c file of CBMSSoc and goes first in a tick, before the auto-zero (bms_current_offset.h) and
 * the estimators (bms_soc.h).
 *
 * Usage:
 *   bms_plausibility_limits_t limits;
 *   bms_plausibility_limits_default(&limits);             // PlausibilityLimits()
 *   static bms_plausibility_t checks;
 *   if (bms_plausibility_init(&checks, &limits, 1.0) != BMS_SOC_OK) { ... }   // base tick 1 s
 *   every tick:  bms_plausibility_reading_t raw = { v, i, t, dt, missing_mask }, used;
 *                uint16_t flags = bms_plausibility_check(&checks, &raw, &used);
 *                if (flags & BMS_FAULT_UNCONFIRMED) hold `used` until the next reading (see below);
 *                else if (flags & BMS_FAULT_WITHHOLDING) integrate used.current_A only, no estimator update;
 *                else hand `used` to the auto-zero and the estimators.
 *   after a sleep: bms_plausibility_wake(&checks);
 */
#ifndef BMS_PLAUSIBILITY_H
#define BMS_PLAUSIBILITY_H

#include <stdint.h>
#include "bms_soc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The flags of one tick (FaultFlags): the low byte says what was seen, the high byte which
 * channels. The bits are the Swift ones, so telemetry decodes them alike. */
#define BMS_FAULT_DROPOUT        0x0001u  /**< a channel's frame did not arrive; the last good value was used */
#define BMS_FAULT_NOT_FINITE     0x0002u  /**< a channel read NaN or +-inf; the last good value was used */
#define BMS_FAULT_STUCK          0x0004u  /**< a channel repeated the bit-identical value stuck_ticks times */
#define BMS_FAULT_SPIKE          0x0008u  /**< out of the plausible range, or a jump above the step limit */
#define BMS_FAULT_TIMESTAMP_JUMP 0x0010u  /**< dt_s differed from the base tick; the base tick was used */
#define BMS_FAULT_RESYNC         0x0020u  /**< after a run of rejected jumps the new level was accepted */
#define BMS_FAULT_UNCONFIRMED    0x0040u  /**< the first reading(s) after a sleep, not yet confirmed by a
                                               second one within the step limit: not a fault */
#define BMS_FAULT_VOLTAGE        0x0100u  /**< the flags concern the voltage channel */
#define BMS_FAULT_CURRENT        0x0200u  /**< ... the current channel */
#define BMS_FAULT_TEMPERATURE    0x0400u  /**< ... the temperature channel */
/** The faults, as the auto-zero's `flagged` argument reads them (CurrentOffsetLearner: the low six bits). */
#define BMS_FAULT_ANY            0x003Fu
/** Flags that withhold a reading from the estimators (EstimatorBank.withholdingFlags). */
#define BMS_FAULT_WITHHOLDING    (BMS_FAULT_DROPOUT | BMS_FAULT_NOT_FINITE | BMS_FAULT_STUCK | BMS_FAULT_SPIKE \
                                  | BMS_FAULT_UNCONFIRMED)

/* missing_mask bits: a channel with no new frame this tick. */
#define BMS_MISSING_VOLTAGE      0x01u
#define BMS_MISSING_CURRENT      0x02u
#define BMS_MISSING_TEMPERATURE  0x04u

/** What a plausible reading is (PlausibilityLimits; double, so that every decision is the Swift
 *  one). bms_plausibility_limits_default gives the Swift defaults. */
typedef struct bms_plausibility_limits {
    double voltage_min_V, voltage_max_V;          /**< 1.5, 4.6: plausible cell voltage (outside: a spike) */
    double current_min_A, current_max_A;          /**< -20, 20 */
    double temperature_min_C, temperature_max_C;  /**< -40, 100 */
    double max_voltage_step_V;                    /**< 1.0: largest believable change in one base tick, > 0 */
    double max_current_step_A;                    /**< 15, > 0 */
    double max_temperature_step_C;                /**< 10, > 0 */
    uint32_t max_consecutive_rejects;             /**< 3: after this many rejected jumps the new level is accepted */
    uint32_t stuck_ticks;                         /**< 0 (off): the bit-identical value this many ticks is stuck */
    double timestamp_tolerance;                   /**< 0.5: relative tolerance of dt_s against the base tick, > 0 */
} bms_plausibility_limits_t;

/** One reading as the sensors gave it. */
typedef struct bms_plausibility_reading {
    float voltage_V;       /**< V */
    float current_A;       /**< A, > 0 charging */
    float temperature_C;   /**< degC */
    float dt_s;            /**< s since the previous reading */
    uint8_t missing_mask;  /**< BMS_MISSING_*: channels with no new frame (their value is ignored) */
} bms_plausibility_reading_t;

/** One channel's state (ChannelScreen). */
typedef struct bms_plausibility_channel {
    float minimum, maximum;       /**< the plausible range, rounded inward to float */
    float last_raw;               /**< the last finite reading (NaN: none since init or wake) */
    double last_good;             /**< the value handed on for a rejected reading */
    double candidate;             /**< after a sleep: the reading waiting for confirmation */
    uint32_t repeats, rejects, unconfirmed_readings;
    uint8_t has_good, confirming, has_candidate;
} bms_plausibility_channel_t;

/** The checks' state (PlausibilityCheck). */
typedef struct bms_plausibility {
    bms_plausibility_limits_t limits;          /**< checked copy */
    double base_tick_s;                        /**< the expected dt_s */
    bms_plausibility_channel_t voltage, current, temperature;
} bms_plausibility_t;

/** The Swift defaults (PlausibilityLimits()). */
void bms_plausibility_limits_default(bms_plausibility_limits_t *limits);
/** PlausibilityLimits.validate(), plus what a Swift ClosedRange guarantees: BMS_SOC_ERR_CONFIG when
 *  a range bound is NaN or min > max, or a step limit or the timestamp tolerance is not finite and
 *  > 0; BMS_SOC_ERR_ARGUMENT on NULL. */
bms_soc_status_t bms_plausibility_limits_check(const bms_plausibility_limits_t *limits);
/** Checks and copies `limits`; `base_tick_s` (finite, > 0) is the expected dt_s. Until a channel
 *  has had one good value its substitute is neutral: the lower voltage limit, 0 A, 25 degC. On an
 *  error the state is not written. */
bms_soc_status_t bms_plausibility_init(bms_plausibility_t *state, const bms_plausibility_limits_t *limits,
                                       double base_tick_s);
/** Checks one raw reading (PlausibilityCheck.check): writes the reading to use to `used` (a rejected
 *  channel's last good value; dt_s the base tick on a timestamp jump; missing_mask 0) and returns
 *  the flags raised. `used` may be `raw`. A NULL argument returns 0 and writes nothing. */
uint16_t bms_plausibility_check(bms_plausibility_t *state, const bms_plausibility_reading_t *raw,
                                bms_plausibility_reading_t *used);
/** The firmware slept (PlausibilityCheck.wake): the next readings are not held to the step limits
 *  but flagged BMS_FAULT_UNCONFIRMED until two consecutive ones agree within them, and stuck
 *  counting starts again. */
bms_soc_status_t bms_plausibility_wake(bms_plausibility_t *state);

#ifdef __cplusplus
}
#endif
#endif /* BMS_PLAUSIBILITY_H */
