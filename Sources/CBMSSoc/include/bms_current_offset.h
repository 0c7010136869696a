/* bms_current_offset.h — the current sensor's auto-zero (bms_soc_current_offset.c), the C port
 * of the firmware's CurrentOffsetLearner (Docs/BMSLoop.md § 2, "Current auto-zero";
 * Docs/CEstimators.md, "The current sensor's auto-zero"). Optional: it needs no other .c file
 * of CBMSSoc and goes in front of the estimators of bms_soc.h.
 *
 * Usage:
 *   bms_current_offset_settings_t zs;
 *   bms_current_offset_settings_default(&zs);
 *   bms_current_offset_settings_scale_to_cell(&zs, design_capacity_Ah);   // I_max = C/25
 *   static bms_current_offset_t zero;
 *   if (bms_current_offset_init(&zero, &zs) != BMS_SOC_OK) { ... }
 *   every tick:  current_A = bms_current_offset_correct(&zero, voltage_V, current_A, dt_s, flagged);
 *   after a sleep: bms_current_offset_wake(&zero);
 */
#ifndef BMS_CURRENT_OFFSET_H
#define BMS_CURRENT_OFFSET_H

#include <stdint.h>
#include "bms_soc.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The current sensor's auto-zero settings (CurrentOffsetSettings; double, as the learner's
 *  sums: bms_soc_current_offset.c). bms_current_offset_settings_default gives the Swift defaults. */
typedef struct bms_current_offset_settings {
    uint8_t enabled;                      /**< 1; 0: bms_current_offset_correct returns the current as read */
    double window_s;                      /**< 1200: one calibration window in a rest (windowSeconds), > 0 */
    double wake_s;                        /**< 10: the calibration at power-up and wake-up (wakeSeconds), > 0 */
    uint8_t calibrate_at_power_up;        /**< 1: calibrate on the first readings after init as after a
                                               wake-up; 0 for a start under load (calibrateAtPowerUp) */
    double maximum_offset_A;              /**< 0.08 (C/25 of a 2 Ah cell): I_max, the largest offset; a reading
                                               above 2 I_max is a load, never an offset (maximumOffsetA), > 0 */
    double voltage_trend_V;               /**< 0.0005: largest change of the mean voltage between the
                                               window's halves (voltageTrendV), > 0 */
    double current_trend_A;               /**< 0.0005: largest change of the mean current between the halves,
                                               plus current_trend_fraction of the larger mean and 3 sigma
                                               of the halves' noise (currentTrendA), > 0 */
    double current_trend_fraction;        /**< 0.01, in [0, 1] (currentTrendFraction) */
    double deadband_fraction;             /**< 0.25, in [0, 1]: a calibration below this fraction of
                                               I_max sets the offset to 0 (deadbandFraction) */
} bms_current_offset_settings_t;

/** Sums of one half-window (or of the wake-up): count, current, current^2, voltage. */
typedef struct bms_current_offset_half {
    double count, current_A, current_squared_A2, voltage_V;
} bms_current_offset_half_t;

/** The current sensor's auto-zero (CurrentOffsetLearner): learns the zero offset at power-up,
 *  at wake-up and in settled rests and subtracts it (Docs/BMSLoop.md § 2, "Current auto-zero"). */
typedef struct bms_current_offset {
    bms_current_offset_settings_t settings;   /**< checked copy */
    double offset_A;                          /**< the learned offset (0 until the first calibration) */
    double elapsed_s, wake_elapsed_s;
    bms_current_offset_half_t first, second, wake;
    uint32_t calibrations;                    /**< wake-ups and rests that set the offset */
    uint8_t waking;                           /**< 1: in the calibration at power-up or wake-up */
} bms_current_offset_t;

/** The auto-zero's defaults (CurrentOffsetSettings()). */
void bms_current_offset_settings_default(bms_current_offset_settings_t *settings);
/** CurrentOffsetSettings.scaledToCell(capacityAh:): maximum_offset_A = capacity_Ah / 25 (C/25, so
 *  that a C/20 test is never read as an offset) when capacity_Ah is finite and > 0, else unchanged. */
void bms_current_offset_settings_scale_to_cell(bms_current_offset_settings_t *settings, double capacity_Ah);
/** CurrentOffsetSettings.validate(): BMS_SOC_ERR_CONFIG when window_s, wake_s, maximum_offset_A,
 *  voltage_trend_V or current_trend_A is not finite and > 0, or current_trend_fraction or
 *  deadband_fraction is not in [0, 1] (NaN fails); ERR_ARGUMENT on NULL. */
bms_soc_status_t bms_current_offset_settings_check(const bms_current_offset_settings_t *settings);
/** Checks and copies `settings`; no offset, and the first readings are the power-up calibration.
 *  On an error the state is not written. */
bms_soc_status_t bms_current_offset_init(bms_current_offset_t *state, const bms_current_offset_settings_t *settings);
/** One reading (after the plausibility checks, before the estimators): returns current_A minus
 *  the offset. `flagged` nonzero: a check flagged the reading (dropout, not finite, stuck, spike,
 *  timestamp jump, resync): it is not quiet. A NULL state or disabled settings: current_A as read. */
float bms_current_offset_correct(bms_current_offset_t *state, float voltage_V, float current_A, float dt_s,
                                 int flagged);
/** A sleep ended (the contactors were open): the next wake_s of readings are a calibration. */
bms_soc_status_t bms_current_offset_wake(bms_current_offset_t *state);
/** The learned offset, A (0 before the first calibration and on NULL). */
float bms_current_offset_A(const bms_current_offset_t *state);
/** Calibrations taken so far, wake-ups and rests (0 on NULL). */
uint32_t bms_current_offset_calibrations(const bms_current_offset_t *state);

#ifdef __cplusplus
}
#endif
#endif /* BMS_CURRENT_OFFSET_H */
