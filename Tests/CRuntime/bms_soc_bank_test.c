/* Host test of the estimator bank's gating (Sources/CBMSSoc/bms_soc_bank.c), run under ASan +
 * UBSan by Scripts/test-c-runtime.sh, on cases worked by hand: the mean current over a period,
 * a fault on a due tick owed to the next clean one, the wake-up reading held until confirmed
 * (and dropped when replaced or re-synced), the substituted current after a sleep adding time
 * only, and bad arguments. Agreement with the Swift EstimatorBank over long random sequences is
 * tested in Swift (BankAgreementTests, CFirmwareLoopTests).
 * Usage: bms_soc_bank_test */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "bms_bank.h"

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)

static bms_plausibility_reading_t reading(float v, float i) {
    bms_plausibility_reading_t r;
    r.voltage_V = v;
    r.current_A = i;
    r.temperature_C = 25.0f;
    r.dt_s = 1.0f;
    r.missing_mask = 0;
    return r;
}

/* Feeds one reading; runs its steps through `slot`; returns how many updates it handed out, the
 * last one in *last. */
static int feed(bms_bank_t *bank, bms_bank_slot_t *slot, float v, float i, uint16_t flags, uint32_t tick,
                bms_bank_input_t *last) {
    bms_plausibility_reading_t r = reading(v, i);
    bms_bank_step_t steps[2];
    int n = bms_bank_feed(bank, &r, flags, tick, steps), k, updates = 0;
    for (k = 0; k < n; k++) {
        bms_bank_input_t in;
        if (bms_bank_slot_step(slot, &steps[k], &in)) {
            *last = in;
            updates++;
        }
    }
    return updates;
}

static void test_periods_and_faults(void) {
    bms_bank_t bank;
    bms_bank_slot_t slot;
    bms_bank_input_t in;
    CHECK(bms_bank_init(&bank) == BMS_SOC_OK && bms_bank_slot_init(&slot, 3) == BMS_SOC_OK, "init");
    /* Ticks 0..3, period 3: updates at 0 and 3; the second gets the mean of ticks 1-3. */
    CHECK(feed(&bank, &slot, 3.9f, -1.0f, 0, 0, &in) == 1 && in.dt_s == 1.0f && in.current_A == -1.0f, "tick 0");
    CHECK(feed(&bank, &slot, 3.9f, -2.0f, 0, 1, &in) == 0, "tick 1");
    CHECK(feed(&bank, &slot, 3.9f, -3.0f, 0, 2, &in) == 0, "tick 2");
    CHECK(feed(&bank, &slot, 3.8f, -4.0f, 0, 3, &in) == 1 && in.dt_s == 3.0f && in.current_A == -3.0f
          && in.voltage_V == 3.8f, "tick 3: mean -3 A over 3 s, got %g over %g", (double)in.current_A, (double)in.dt_s);
    /* A spike on due tick 6: owed; tick 7 is clean and gets the span of ticks 4-7. */
    CHECK(feed(&bank, &slot, 3.8f, -1.0f, 0, 4, &in) == 0 && feed(&bank, &slot, 3.8f, -1.0f, 0, 5, &in) == 0, "4, 5");
    CHECK(feed(&bank, &slot, 3.8f, -5.0f, BMS_FAULT_SPIKE | BMS_FAULT_VOLTAGE, 6, &in) == 0 && slot.pending == 1
          && slot.held_updates == 1, "tick 6 withheld");
    CHECK(feed(&bank, &slot, 3.7f, -1.0f, 0, 7, &in) == 1 && in.dt_s == 4.0f && in.current_A == -2.0f
          && in.voltage_V == 3.7f, "tick 7: (-1 -1 -5 -1) / 4 = -2 A, got %g", (double)in.current_A);
    /* A timestamp jump or a resync does not withhold. */
    CHECK(feed(&bank, &slot, 3.7f, -1.0f, BMS_FAULT_TIMESTAMP_JUMP, 9, &in) == 1, "tick 9, timestamp jump");
    CHECK(slot.updates == 4, "4 updates: %u", (unsigned)slot.updates);
}

static void test_wake_up_hold(void) {
    bms_bank_t bank;
    bms_bank_slot_t slot;
    bms_bank_input_t in;
    bms_plausibility_reading_t r = reading(4.1f, 0.0f);
    bms_bank_step_t steps[2];
    const uint16_t unconfirmed = BMS_FAULT_UNCONFIRMED | BMS_FAULT_VOLTAGE;
    bms_bank_init(&bank);
    bms_bank_slot_init(&slot, 1);
    bms_bank_wake(&bank);
    bms_bank_slot_restart(&slot);
    /* The wake-up reading is held (no step), the next one confirms: two steps, the held one first. */
    CHECK(bms_bank_feed(&bank, &r, unconfirmed, 100, steps) == 0 && bank.has_held, "held");
    r = reading(3.9f, -2.0f);
    CHECK(bms_bank_feed(&bank, &r, 0, 101, steps) == 2, "confirmed: 2 steps");
    CHECK(steps[0].voltage_V == 4.1f && steps[0].tick == 100 && !(steps[0].flags & BMS_FAULT_WITHHOLDING) && steps[0].charge_As == 0.0,
          "the held reading first, at rest");
    CHECK(steps[1].voltage_V == 3.9f && steps[1].charge_As == -2.0, "then the confirming one");
    CHECK(bms_bank_slot_step(&slot, &steps[0], &in) == 1 && in.voltage_V == 4.1f, "the wake-up tick reaches the estimator");
    /* Replaced: the held reading goes out withheld, the new one is held. */
    bms_bank_wake(&bank);
    r = reading(2.2f, 0.0f);
    CHECK(bms_bank_feed(&bank, &r, unconfirmed, 200, steps) == 0, "a spike held");
    r = reading(4.1f, 0.0f);
    CHECK(bms_bank_feed(&bank, &r, unconfirmed, 201, steps) == 1 && (steps[0].flags & BMS_FAULT_UNCONFIRMED)
          && steps[0].voltage_V == 2.2f, "replaced: the spike withheld");
    CHECK(bms_bank_slot_step(&slot, &steps[0], &in) == 0, "never reaches the estimator");
    /* A resync ends the wait: the held reading is withheld, the resync'd one passes. */
    r = reading(3.0f, 0.0f);
    CHECK(bms_bank_feed(&bank, &r, BMS_FAULT_RESYNC | BMS_FAULT_VOLTAGE, 202, steps) == 2
          && (steps[0].flags & BMS_FAULT_UNCONFIRMED) && !(steps[1].flags & BMS_FAULT_WITHHOLDING), "resync");
    /* After a sleep a substituted current adds time only; the first real one covers the gap. */
    bms_bank_wake(&bank);
    bms_bank_slot_restart(&slot);
    r = reading(4.0f, 7.0f);   /* the stale pre-sleep current, substituted */
    CHECK(bms_bank_feed(&bank, &r, BMS_FAULT_DROPOUT | BMS_FAULT_CURRENT, 300, steps) == 1
          && steps[0].charge_As == 0.0 && steps[0].seconds == 0.0 && bank.wake_gap_s == 1.0, "substituted: time only");
    r = reading(4.0f, -1.0f);
    CHECK(bms_bank_feed(&bank, &r, 0, 301, steps) == 1 && steps[0].charge_As == -2.0 && steps[0].seconds == 2.0
          && !bank.awaiting_wake_current, "the first real current over 2 s");
    /* Reset drops a held reading and the wait. */
    bms_bank_wake(&bank);
    r = reading(4.0f, 0.0f);
    bms_bank_feed(&bank, &r, unconfirmed, 400, steps);
    CHECK(bms_bank_reset(&bank) == BMS_SOC_OK && !bank.has_held && !bank.awaiting_wake_current, "reset");
}

static void test_bad_arguments(void) {
    bms_bank_t bank;
    bms_bank_slot_t slot, never;
    bms_bank_step_t steps[2];
    bms_bank_input_t in;
    bms_plausibility_reading_t r = reading(3.7f, 0.0f);
    CHECK(bms_bank_init(NULL) == BMS_SOC_ERR_ARGUMENT && bms_bank_wake(NULL) == BMS_SOC_ERR_ARGUMENT
          && bms_bank_reset(NULL) == BMS_SOC_ERR_ARGUMENT && bms_bank_slot_restart(NULL) == BMS_SOC_ERR_ARGUMENT, "NULL");
    CHECK(bms_bank_slot_init(NULL, 1) == BMS_SOC_ERR_ARGUMENT, "NULL slot");
    CHECK(bms_bank_slot_init(&slot, 0) == BMS_SOC_ERR_CONFIG, "period 0");
    bms_bank_init(&bank);
    bms_bank_slot_init(&slot, 1);
    CHECK(bms_bank_feed(NULL, &r, 0, 0, steps) == 0 && bms_bank_feed(&bank, NULL, 0, 0, steps) == 0
          && bms_bank_feed(&bank, &r, 0, 0, NULL) == 0, "feed NULL");
    CHECK(bms_bank_feed(&bank, &r, 0, 0, steps) == 1, "feed");
    CHECK(bms_bank_slot_step(NULL, &steps[0], &in) == 0 && bms_bank_slot_step(&slot, NULL, &in) == 0
          && bms_bank_slot_step(&slot, &steps[0], NULL) == 0, "step NULL");
    memset(&never, 0, sizeof never);
    CHECK(bms_bank_slot_step(&never, &steps[0], &in) == 0, "a slot never started hands out nothing");
    /* A mean beyond float's range saturates instead of being undefined. */
    bms_bank_slot_init(&slot, 1);
    steps[0].charge_As = 1e300;
    steps[0].seconds = 1e-300;
    CHECK(bms_bank_slot_step(&slot, &steps[0], &in) == 1 && isinf(in.current_A), "saturated mean");
}

int main(void) {
    test_periods_and_faults();
    test_wake_up_hold();
    test_bad_arguments();
    if (failures) {
        printf("bms_soc_bank_test: %d failure(s)\n", failures);
        return 1;
    }
    printf("bms_soc_bank_test: all checks passed\n");
    return 0;
}
