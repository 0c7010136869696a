/* bms_soc_bank.c — the estimator bank's gating between the checks and the estimators
 * (EstimatorBank.swift; Docs/BMSLoop.md § 6).
 *
 * Per reading (bms_bank_feed), with W = BMS_FAULT_WITHHOLDING:
 * - flagged BMS_FAULT_UNCONFIRMED (after a sleep, not yet confirmed): held back whole; a reading
 *   already held is given out first as withheld (it was not confirmed);
 * - otherwise the held reading, if any, is given out first (withheld if this one carries
 *   BMS_FAULT_RESYNC: it was not confirmed), then this one.
 * Each reading given out adds to every estimator's span
 *   charge += I dt,  elapsed += dt,
 * except after a sleep: until the first real current, a reading whose current was substituted
 * (its current channel flagged dropout, not finite or spike) adds nothing and its dt goes to a
 * gap g; the first real current adds I (dt + g) and dt + g (hold-next).
 * Per estimator (bms_bank_slot_step), due = owed or tick mod period = 0:
 * - due and withheld (any of W): owed to the next clean tick (counted in held_updates when the
 *   flags are a fault and the tick is due by the period or newly owed);
 * - due and clean: the estimator gets V, T, mean current = charge / elapsed (the reading's
 *   current when elapsed = 0) and dt = elapsed; the span restarts.
 *
 * Every step is the Swift one in the same order, and the sums are double as the Swift ones, so
 * the estimators get the same inputs rounded to float (BankAgreementTests). No allocation.
 */
#include <math.h>
#include <string.h>
#include "bms_bank.h"

/* A double handed on as float, out-of-range values to +-inf (as Swift's Float(_:); a C cast
 * would be undefined). */
static float bank_float(double v) {
    /* 0x1.ffffffp127 = FLT_MAX + half an ulp: from there on round-to-nearest gives infinity. */
    if (v >= 0x1.ffffffp127) return INFINITY;
    if (v <= -0x1.ffffffp127) return -INFINITY;
    return (float)v;
}

#define FAULTS (BMS_FAULT_DROPOUT | BMS_FAULT_NOT_FINITE | BMS_FAULT_STUCK | BMS_FAULT_SPIKE)
#define SUBSTITUTED (BMS_FAULT_DROPOUT | BMS_FAULT_NOT_FINITE | BMS_FAULT_SPIKE)

/* Drops a held reading; `awaiting`: the next ticks wait for a real current. */
static bms_soc_status_t restart_bank(bms_bank_t *bank, uint8_t awaiting) {
    if (bank == NULL) return BMS_SOC_ERR_ARGUMENT;
    bank->has_held = 0;
    bank->awaiting_wake_current = awaiting;
    bank->wake_gap_s = 0.0;
    return BMS_SOC_OK;
}

bms_soc_status_t bms_bank_init(bms_bank_t *bank) {
    if (bank == NULL) return BMS_SOC_ERR_ARGUMENT;
    memset(&bank->held, 0, sizeof bank->held);
    return restart_bank(bank, 0);
}

bms_soc_status_t bms_bank_slot_init(bms_bank_slot_t *slot, uint32_t period_ticks) {
    if (slot == NULL) return BMS_SOC_ERR_ARGUMENT;
    if (period_ticks < 1) return BMS_SOC_ERR_CONFIG;
    slot->period_ticks = period_ticks;
    slot->updates = 0;
    slot->held_updates = 0;
    return bms_bank_slot_restart(slot);
}

bms_soc_status_t bms_bank_slot_restart(bms_bank_slot_t *slot) {
    if (slot == NULL) return BMS_SOC_ERR_ARGUMENT;
    slot->charge_As = 0.0;
    slot->elapsed_s = 0.0;
    slot->pending = 0;
    return BMS_SOC_OK;
}

/* The charge and time `step` adds to every span (EstimatorBank.process, before its loop). */
static void give_out(bms_bank_t *bank, bms_bank_step_t *step) {
    const int substituted = (step->flags & BMS_FAULT_CURRENT) != 0 && (step->flags & SUBSTITUTED) != 0;
    double charge = (double)step->current_A * (double)step->dt_s;
    double seconds = (double)step->dt_s;
    if (bank->awaiting_wake_current) {
        if (substituted) {
            bank->wake_gap_s += (double)step->dt_s;
            charge = 0.0;
            seconds = 0.0;
        } else {
            charge += (double)step->current_A * bank->wake_gap_s;
            seconds += bank->wake_gap_s;
            bank->wake_gap_s = 0.0;
            bank->awaiting_wake_current = 0;
        }
    }
    step->charge_As = charge;
    step->seconds = seconds;
}

int bms_bank_feed(bms_bank_t *bank, const bms_plausibility_reading_t *used, uint16_t flags, uint32_t tick,
                  bms_bank_step_t steps[2]) {
    bms_bank_step_t now;
    int n = 0;
    if (bank == NULL || used == NULL || steps == NULL) return 0;
    now.voltage_V = used->voltage_V;
    now.current_A = used->current_A;
    now.temperature_C = used->temperature_C;
    now.dt_s = used->dt_s;
    now.tick = tick;
    now.flags = flags;
    now.charge_As = now.seconds = 0.0;
    if (flags & BMS_FAULT_UNCONFIRMED) {
        if (bank->has_held) {
            steps[n] = bank->held;
            steps[n].flags |= BMS_FAULT_UNCONFIRMED;
            give_out(bank, &steps[n++]);
        }
        bank->held = now;
        bank->held.flags &= (uint16_t)~BMS_FAULT_UNCONFIRMED;
        bank->has_held = 1;
        return n;
    }
    if (bank->has_held) {
        bank->has_held = 0;
        steps[n] = bank->held;
        if (flags & BMS_FAULT_RESYNC) steps[n].flags |= BMS_FAULT_UNCONFIRMED;
        give_out(bank, &steps[n++]);
    }
    steps[n] = now;
    give_out(bank, &steps[n++]);
    return n;
}

int bms_bank_slot_step(bms_bank_slot_t *slot, const bms_bank_step_t *step, bms_bank_input_t *input) {
    int by_period;
    double dt, mean;
    if (slot == NULL || step == NULL || input == NULL || slot->period_ticks < 1) return 0;
    slot->charge_As += step->charge_As;
    slot->elapsed_s += step->seconds;
    by_period = step->tick % slot->period_ticks == 0;
    if (!slot->pending && !by_period) return 0;
    if (step->flags & BMS_FAULT_WITHHOLDING) {
        if ((step->flags & FAULTS) && (!slot->pending || by_period) && slot->held_updates < UINT32_MAX) {
            slot->held_updates++;
        }
        slot->pending = 1;
        return 0;
    }
    slot->pending = 0;
    dt = slot->elapsed_s;
    mean = dt > 0.0 ? slot->charge_As / dt : (double)step->current_A;
    input->voltage_V = step->voltage_V;
    input->current_A = bank_float(mean);
    input->temperature_C = step->temperature_C;
    input->dt_s = bank_float(dt);
    slot->charge_As = 0.0;
    slot->elapsed_s = 0.0;
    if (slot->updates < UINT32_MAX) slot->updates++;
    return 1;
}

bms_soc_status_t bms_bank_wake(bms_bank_t *bank) { return restart_bank(bank, 1); }

bms_soc_status_t bms_bank_reset(bms_bank_t *bank) { return restart_bank(bank, 0); }
