/* bms_bank.h — what the firmware's estimator bank does between the plausibility checks and the
 * estimators (bms_soc_bank.c), the C port of EstimatorBank's gating (Sources/Firmware/EstimatorBank.swift;
 * Docs/BMSLoop.md § 6; Docs/CEstimators.md, "The estimator bank"):
 * - a flagged tick (BMS_FAULT_WITHHOLDING) reaches no estimator: its current is integrated and
 *   the update is owed to the next clean tick, which gets the mean current of the whole span;
 * - each estimator runs at its own period in base ticks and gets the mean current over it;
 * - the first reading after a sleep (BMS_FAULT_UNCONFIRMED) is held back until the next reading
 *   confirms it, then given to the estimators as the wake-up tick;
 * - after a sleep, until the first real current, ticks whose current was substituted add time only.
 * Optional: it needs bms_plausibility.h's flags but no other .c file of CBMSSoc.
 *
 * Usage, with an Ah counter every tick and an EKF every 10 ticks:
 *   static bms_bank_t bank;
 *   static bms_bank_slot_t ah_slot, ekf_slot;
 *   bms_bank_init(&bank); bms_bank_slot_init(&ah_slot, 1); bms_bank_slot_init(&ekf_slot, 10);
 *   every tick:  flags = bms_plausibility_check(&checks, &raw, &used);
 *                (correct used.current_A with the auto-zero)
 *                bms_bank_step_t steps[2];
 *                int n = bms_bank_feed(&bank, &used, flags, tick, steps), k;
 *                for (k = 0; k < n; k++) {
 *                    bms_bank_input_t in;
 *                    if (bms_bank_slot_step(&ah_slot, &steps[k], &in))
 *                        bms_soc_ah_tick(&ah, in.voltage_V, in.current_A, in.temperature_C, in.dt_s, &e);
 *                    if (bms_bank_slot_step(&ekf_slot, &steps[k], &in))
 *                        bms_soc_ekf_tick(&ekf, in.voltage_V, in.current_A, in.temperature_C, in.dt_s, &e);
 *                }
 *   after a sleep: bms_bank_wake(&bank); bms_bank_slot_restart(&ah_slot); bms_bank_slot_restart(&ekf_slot);
 *                  (with bms_plausibility_wake and the estimators' wake)
 *   a full charge detected outside the readings: bms_bank_reset(&bank) and every slot's restart.
 */
#ifndef BMS_BANK_H
#define BMS_BANK_H

#include <stdint.h>
#include "bms_plausibility.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One tick for the estimators' accumulators: the reading, its tick and the flags it is
 *  processed with, and the charge and time it adds to every estimator's span. */
typedef struct bms_bank_step {
    float voltage_V, current_A, temperature_C, dt_s;   /**< the reading after the checks */
    uint32_t tick;                                     /**< its base tick */
    uint16_t flags;                                    /**< BMS_FAULT_*: withheld if any of BMS_FAULT_WITHHOLDING */
    double charge_As;                                  /**< I dt it adds (0 while the current after a sleep is unknown) */
    double seconds;                                    /**< the time it adds */
} bms_bank_step_t;

/** The bank's shared state: the held wake-up reading and the wait for a real current. */
typedef struct bms_bank {
    bms_bank_step_t held;            /**< the unconfirmed reading (valid when has_held) */
    uint8_t has_held;
    uint8_t awaiting_wake_current;   /**< since the last sleep no real current was read */
    double wake_gap_s;               /**< time since the sleep without a real current */
} bms_bank_t;

/** One estimator's accumulator. */
typedef struct bms_bank_slot {
    uint32_t period_ticks;   /**< >= 1 */
    double charge_As;        /**< charge since its last update */
    double elapsed_s;        /**< time since its last update */
    uint8_t pending;         /**< an update fell due on a withheld tick and is owed */
    uint32_t updates;        /**< updates handed out (EstimatorBank.updateCounts) */
    uint32_t held_updates;   /**< due updates withheld by a fault (EstimatorBank.heldUpdates) */
} bms_bank_slot_t;

/** What an estimator's tick gets: the latest V and T, the mean current over its span, the span. */
typedef struct bms_bank_input {
    float voltage_V, current_A, temperature_C, dt_s;
} bms_bank_input_t;

/** Starts a bank: nothing held, no wait for a current (BMS_SOC_ERR_ARGUMENT on NULL). */
bms_soc_status_t bms_bank_init(bms_bank_t *bank);
/** Starts an estimator's accumulator with its period (BMS_SOC_ERR_CONFIG when 0, ERR_ARGUMENT on NULL). */
bms_soc_status_t bms_bank_slot_init(bms_bank_slot_t *slot, uint32_t period_ticks);
/** One checked reading with its flags on base tick `tick` (EstimatorBank.update): writes the ticks
 *  to run through every slot, in order, to steps[0..n-1] and returns n (0, 1 or 2). An unconfirmed
 *  reading gives 0 (it is held) or 1 (the reading it replaces, withheld); the reading after it
 *  gives 2 (the held one, then itself). NULL arguments: 0. */
int bms_bank_feed(bms_bank_t *bank, const bms_plausibility_reading_t *used, uint16_t flags, uint32_t tick,
                  bms_bank_step_t steps[2]);
/** Runs one step through an estimator's accumulator: returns 1 and writes `input` when the
 *  estimator is due and the step is not withheld (then call its tick with `input`), else 0.
 *  NULL arguments: 0. */
int bms_bank_slot_step(bms_bank_slot_t *slot, const bms_bank_step_t *step, bms_bank_input_t *input);
/** The firmware slept (EstimatorBank.wake): the held reading is dropped and the next ticks wait
 *  for a real current. Restart every slot too. */
bms_soc_status_t bms_bank_wake(bms_bank_t *bank);
/** Every estimator was restarted at a SOC (EstimatorBank.reset, a full charge detected): the held
 *  reading is dropped and no current is awaited. Restart every slot too. */
bms_soc_status_t bms_bank_reset(bms_bank_t *bank);
/** Clears a slot's span and owed update (with bms_bank_wake or bms_bank_reset); keeps its counts. */
bms_soc_status_t bms_bank_slot_restart(bms_bank_slot_t *slot);

#ifdef __cplusplus
}
#endif
#endif /* BMS_BANK_H */
