/* Host test of the plausibility checks (Sources/CBMSSoc/bms_soc_plausibility.c), run under
 * ASan + UBSan by Scripts/test-c-runtime.sh: the hand-worked cases of the Swift
 * FaultInjectionTests (a real step accepted after the re-sync count, the wake-up confirmation)
 * plus dropouts, NaN and infinite readings, out-of-range values, stuck channels, timestamp
 * jumps, limits refused field by field, NULL pointers and limits beyond float's range.
 * Agreement with the Swift PlausibilityCheck over long random fault sequences is tested in Swift
 * (PlausibilityAgreementTests).
 * Usage: bms_soc_plausibility_test */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "bms_plausibility.h"

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)

static bms_plausibility_t checks_with(const bms_plausibility_limits_t *l) {
    bms_plausibility_t p;
    memset(&p, 0, sizeof p);
    CHECK(bms_plausibility_init(&p, l, 1.0) == BMS_SOC_OK, "init");
    return p;
}

static bms_plausibility_reading_t reading(float v, float i, float t, float dt, uint8_t missing) {
    bms_plausibility_reading_t r;
    r.voltage_V = v;
    r.current_A = i;
    r.temperature_C = t;
    r.dt_s = dt;
    r.missing_mask = missing;
    return r;
}

static uint16_t check(bms_plausibility_t *p, float v, float i, float t, float dt, uint8_t missing,
                      bms_plausibility_reading_t *used) {
    bms_plausibility_reading_t r = reading(v, i, t, dt, missing);
    return bms_plausibility_check(p, &r, used);
}

static void test_clean_readings_pass(void) {
    bms_plausibility_limits_t l;
    bms_plausibility_t p;
    bms_plausibility_reading_t u;
    int k;
    bms_plausibility_limits_default(&l);
    p = checks_with(&l);
    for (k = 0; k < 100; k++) {
        float v = 3.6f + 0.001f * (float)k;
        uint16_t f = check(&p, v, -1.0f, 25.0f, 1.0f, 0, &u);
        CHECK(f == 0 && u.voltage_V == v && u.current_A == -1.0f && u.temperature_C == 25.0f && u.dt_s == 1.0f,
              "tick %d: flags %04x", k, f);
    }
    /* The same value again and again is no fault while stuck_ticks is 0 (the default). */
    for (k = 0; k < 50; k++) CHECK(check(&p, 3.7f, 0.0f, 25.0f, 1.0f, 0, &u) == 0, "repeat %d", k);
}

static void test_faults_use_last_good(void) {
    bms_plausibility_limits_t l;
    bms_plausibility_t p;
    bms_plausibility_reading_t u;
    uint16_t f;
    bms_plausibility_limits_default(&l);
    p = checks_with(&l);
    /* Before any good value the substitutes are neutral: the lower voltage limit, 0 A, 25 degC. */
    f = check(&p, NAN, INFINITY, -INFINITY, 1.0f, 0, &u);
    CHECK(f == (BMS_FAULT_NOT_FINITE | BMS_FAULT_VOLTAGE | BMS_FAULT_CURRENT | BMS_FAULT_TEMPERATURE),
          "NaN/inf on every channel: %04x", f);
    CHECK(u.voltage_V == 1.5f && u.current_A == 0.0f && u.temperature_C == 25.0f, "neutral substitutes");
    CHECK(check(&p, 3.9f, -2.0f, 30.0f, 1.0f, 0, &u) == 0, "a good reading");
    f = check(&p, 0.0f, -2.0f, 30.0f, 1.0f, BMS_MISSING_CURRENT | BMS_MISSING_TEMPERATURE, &u);
    CHECK(f == (BMS_FAULT_DROPOUT | BMS_FAULT_SPIKE | BMS_FAULT_VOLTAGE | BMS_FAULT_CURRENT | BMS_FAULT_TEMPERATURE),
          "0 V out of range, current and temperature missing: %04x", f);
    CHECK(u.voltage_V == 3.9f && u.current_A == -2.0f && u.temperature_C == 30.0f, "last good values");
    /* A jump within the range but above the step limit (1 V) is a spike. */
    f = check(&p, 2.5f, -2.0f, 30.0f, 1.0f, 0, &u);
    CHECK(f == (BMS_FAULT_SPIKE | BMS_FAULT_VOLTAGE) && u.voltage_V == 3.9f, "a 1.4 V jump: %04x", f);
    CHECK(check(&p, 3.91f, -2.0f, 30.0f, 1.0f, 0, &u) == 0 && u.voltage_V == 3.91f, "back to normal");
    /* Current out of range: a spike on the current channel only. */
    f = check(&p, 3.91f, 25.0f, 30.0f, 1.0f, 0, &u);
    CHECK(f == (BMS_FAULT_SPIKE | BMS_FAULT_CURRENT) && u.current_A == -2.0f, "25 A: %04x", f);
    /* A missing channel's value is ignored, even when it is NaN. */
    f = check(&p, NAN, -2.0f, 30.0f, 1.0f, BMS_MISSING_VOLTAGE, &u);
    CHECK(f == (BMS_FAULT_DROPOUT | BMS_FAULT_VOLTAGE) && u.voltage_V == 3.91f && u.missing_mask == 0, "%04x", f);
}

/* FaultInjectionTests.resyncAfterRealStep: a real step of 4 A with a 1 A limit and 3 rejects. */
static void test_resync_after_real_step(void) {
    bms_plausibility_limits_t l;
    bms_plausibility_t p;
    bms_plausibility_reading_t u;
    const float expected[8] = {0, 0, 0, 0, 0, -4, -4, -4};
    uint16_t flags[8];
    int k;
    bms_plausibility_limits_default(&l);
    l.max_current_step_A = 1.0;
    l.max_consecutive_rejects = 3;
    p = checks_with(&l);
    for (k = 0; k < 8; k++) {
        flags[k] = check(&p, 3.7f, k < 2 ? 0.0f : -4.0f, 25.0f, 1.0f, 0, &u);
        CHECK(u.current_A == expected[k], "tick %d: %g", k, (double)u.current_A);
    }
    CHECK(flags[2] == (BMS_FAULT_SPIKE | BMS_FAULT_CURRENT) && flags[4] == flags[2], "rejected jumps");
    CHECK(flags[5] == (BMS_FAULT_RESYNC | BMS_FAULT_CURRENT), "re-sync: %04x", flags[5]);
    CHECK(flags[6] == 0 && flags[7] == 0, "then clean");
    /* 0 rejects: every jump is accepted at once as a re-sync. */
    l.max_consecutive_rejects = 0;
    p = checks_with(&l);
    (void)check(&p, 3.7f, 0.0f, 25.0f, 1.0f, 0, &u);
    CHECK(check(&p, 3.7f, 5.0f, 25.0f, 1.0f, 0, &u) == (BMS_FAULT_RESYNC | BMS_FAULT_CURRENT) && u.current_A == 5.0f,
          "0 rejects");
}

/* Runs `n` voltages after a wake-up (current 0 A, 25 degC); writes the flags and voltages used. */
static void run_after_wake(bms_plausibility_t *p, const float *volts, int n, uint16_t *flags, float *used) {
    bms_plausibility_reading_t u;
    int k;
    CHECK(bms_plausibility_wake(p) == BMS_SOC_OK, "wake");
    for (k = 0; k < n; k++) {
        flags[k] = check(p, volts[k], 0.0f, 25.0f, 1.0f, 0, &u);
        used[k] = u.voltage_V;
    }
}

/* FaultInjectionTests.wakeUpConfirmation. */
static void test_wake_up_confirmation(void) {
    bms_plausibility_limits_t l;
    bms_plausibility_t p;
    const uint16_t every = BMS_FAULT_UNCONFIRMED | BMS_FAULT_VOLTAGE | BMS_FAULT_CURRENT | BMS_FAULT_TEMPERATURE;
    uint16_t f[5];
    float v[5];
    bms_plausibility_limits_default(&l);
    l.max_voltage_step_V = 0.5;
    l.max_consecutive_rejects = 2;
    p = checks_with(&l);
    { const float in[3] = {4.0f, 4.01f, 4.02f};
      run_after_wake(&p, in, 3, f, v);
      CHECK(f[0] == every && f[1] == 0 && f[2] == 0, "rested: %04x %04x %04x", f[0], f[1], f[2]);
      CHECK(v[0] == 4.0f && v[1] == 4.01f && v[2] == 4.02f, "values handed on"); }
    { const float in[3] = {2.0f, 4.0f, 4.0f};
      run_after_wake(&p, in, 3, f, v);
      CHECK(f[0] == every && f[1] == (BMS_FAULT_UNCONFIRMED | BMS_FAULT_VOLTAGE) && f[2] == 0,
            "a spike first: %04x %04x %04x", f[0], f[1], f[2]); }
    { const float in[4] = {NAN, 4.0f, 9.0f, 4.01f};
      run_after_wake(&p, in, 4, f, v);
      CHECK((f[0] & BMS_FAULT_NOT_FINITE) && (f[1] & BMS_FAULT_UNCONFIRMED) && (f[2] & BMS_FAULT_SPIKE),
            "NaN and out-of-range are never a candidate: %04x %04x %04x", f[0], f[1], f[2]);
      CHECK(f[3] == 0 && v[3] == 4.01f, "confirmed: %04x", f[3]); }
    { const float in[5] = {2.0f, 3.0f, 4.0f, 2.0f, 2.1f};
      run_after_wake(&p, in, 5, f, v);
      CHECK((f[0] & f[1] & f[2] & BMS_FAULT_UNCONFIRMED) != 0, "three unconfirmed");
      CHECK((f[3] & BMS_FAULT_RESYNC) && !(f[3] & BMS_FAULT_UNCONFIRMED) && f[4] == 0,
            "then a re-sync: %04x %04x", f[3], f[4]); }
    { const float in[3] = {4.0f, 4.0f, 2.0f};
      run_after_wake(&p, in, 3, f, v);
      CHECK((f[2] & BMS_FAULT_SPIKE) && v[2] == 4.0f, "the step limit applies again: %04x", f[2]); }
}

static void test_stuck_and_timestamps(void) {
    bms_plausibility_limits_t l;
    bms_plausibility_t p;
    bms_plausibility_reading_t u;
    uint16_t f;
    int k;
    bms_plausibility_limits_default(&l);
    l.stuck_ticks = 5;
    p = checks_with(&l);
    for (k = 0; k < 5; k++) {
        f = check(&p, 3.7f, -1.0f + 0.01f * (float)k, 25.0f + 0.1f * (float)k, 1.0f, 0, &u);
        CHECK(f == 0, "repeat %d of the voltage: %04x", k, f);
    }
    f = check(&p, 3.7f, -0.9f, 25.7f, 1.0f, 0, &u);
    CHECK(f == (BMS_FAULT_STUCK | BMS_FAULT_VOLTAGE) && u.voltage_V == 3.7f, "5 repeats: stuck, still used: %04x", f);
    CHECK(check(&p, 3.71f, -0.89f, 25.8f, 1.0f, 0, &u) == 0, "a new value ends it");
    /* Timestamps: within 50 % of the base tick is fine; else the base tick is used. */
    CHECK(check(&p, 3.71f, -0.88f, 25.8f, 1.5f, 0, &u) == 0 && u.dt_s == 1.5f, "dt 1.5");
    { const float bad[5] = {1.6f, 0.4f, 0.0f, -1.0f, NAN};
      for (k = 0; k < 5; k++) {
          f = check(&p, 3.72f + 0.01f * (float)k, -0.88f + 0.01f * (float)k, 25.8f + 0.1f * (float)k, bad[k], 0, &u);
          CHECK(f == BMS_FAULT_TIMESTAMP_JUMP && u.dt_s == 1.0f, "dt %g: %04x", (double)bad[k], f);
      } }
    f = check(&p, 3.8f, -0.87f, 26.5f, INFINITY, 0, &u);
    CHECK(f == BMS_FAULT_TIMESTAMP_JUMP && u.dt_s == 1.0f, "dt inf: %04x", f);
}

static void test_bad_limits_and_arguments(void) {
    bms_plausibility_limits_t d, l;
    bms_plausibility_t p, before;
    bms_plausibility_reading_t r = reading(3.7f, 0.0f, 25.0f, 1.0f, 0), u;
    int k;
    bms_plausibility_limits_default(&d);
    CHECK(bms_plausibility_limits_check(&d) == BMS_SOC_OK, "the defaults are valid");
    for (k = 0; k < 12; k++) {
        l = d;
        switch (k) {
        case 0: l.voltage_min_V = 5.0; break;                 /* min > max */
        case 1: l.current_max_A = NAN; break;
        case 2: l.temperature_min_C = NAN; break;
        case 3: l.max_voltage_step_V = 0.0; break;
        case 4: l.max_current_step_A = -1.0; break;
        case 5: l.max_temperature_step_C = INFINITY; break;
        case 6: l.timestamp_tolerance = 0.0; break;
        case 7: l.timestamp_tolerance = NAN; break;
        case 8: l.max_voltage_step_V = NAN; break;
        case 9: l.current_min_A = 30.0; break;
        case 10: l.temperature_max_C = -50.0; break;
        default: l.voltage_max_V = NAN; break;
        }
        CHECK(bms_plausibility_limits_check(&l) == BMS_SOC_ERR_CONFIG, "case %d refused", k);
        memset(&p, 0x5A, sizeof p);
        before = p;
        CHECK(bms_plausibility_init(&p, &l, 1.0) == BMS_SOC_ERR_CONFIG, "init refuses case %d", k);
        CHECK(memcmp(&p, &before, sizeof p) == 0, "case %d: the state is not written", k);
    }
    /* Infinite range bounds are a valid (open) range, as a Swift ClosedRange. */
    l = d;
    l.current_min_A = -INFINITY;
    l.current_max_A = INFINITY;
    CHECK(bms_plausibility_limits_check(&l) == BMS_SOC_OK, "infinite bounds");
    CHECK(bms_plausibility_init(&p, &d, 0.0) == BMS_SOC_ERR_CONFIG, "base tick 0");
    CHECK(bms_plausibility_init(&p, &d, NAN) == BMS_SOC_ERR_CONFIG, "base tick NaN");
    CHECK(bms_plausibility_init(&p, &d, -1.0) == BMS_SOC_ERR_CONFIG, "base tick < 0");
    CHECK(bms_plausibility_init(NULL, &d, 1.0) == BMS_SOC_ERR_ARGUMENT, "NULL state");
    CHECK(bms_plausibility_init(&p, NULL, 1.0) == BMS_SOC_ERR_ARGUMENT, "NULL limits");
    CHECK(bms_plausibility_limits_check(NULL) == BMS_SOC_ERR_ARGUMENT, "NULL check");
    CHECK(bms_plausibility_wake(NULL) == BMS_SOC_ERR_ARGUMENT, "NULL wake");
    bms_plausibility_limits_default(NULL);
    p = checks_with(&d);
    memset(&u, 0x33, sizeof u);
    CHECK(bms_plausibility_check(NULL, &r, &u) == 0 && u.voltage_V != 3.7f, "NULL state: nothing written");
    CHECK(bms_plausibility_check(&p, NULL, &u) == 0, "NULL reading");
    CHECK(bms_plausibility_check(&p, &r, NULL) == 0, "NULL output");
    /* The output may be the input. */
    r = reading(4.0f, -1.0f, 30.0f, 1.0f, 0);
    CHECK(bms_plausibility_check(&p, &r, &r) == 0 && r.voltage_V == 4.0f, "in place");
    r = reading(NAN, -1.0f, 30.0f, 1.0f, BMS_MISSING_TEMPERATURE);
    CHECK(bms_plausibility_check(&p, &r, &r) == (BMS_FAULT_NOT_FINITE | BMS_FAULT_DROPOUT | BMS_FAULT_VOLTAGE
                                                 | BMS_FAULT_TEMPERATURE) && r.voltage_V == 4.0f && r.missing_mask == 0,
          "in place, faulted");
    /* Limits beyond float's range: handed on as -inf / the base tick saturated, never undefined. */
    l = d;
    l.voltage_min_V = -1e300;
    p = checks_with(&l);
    CHECK(check(&p, NAN, 0.0f, 25.0f, 1.0f, 0, &u) == (BMS_FAULT_NOT_FINITE | BMS_FAULT_VOLTAGE)
          && isinf(u.voltage_V) && u.voltage_V < 0, "a lower voltage limit of -1e300 hands on -inf");
    CHECK(bms_plausibility_init(&p, &d, 1e300) == BMS_SOC_OK, "a huge base tick");
    CHECK(check(&p, 3.7f, 0.0f, 25.0f, 1.0f, 0, &u) == BMS_FAULT_TIMESTAMP_JUMP && isinf(u.dt_s), "saturated");
}

int main(void) {
    test_clean_readings_pass();
    test_faults_use_last_good();
    test_resync_after_real_step();
    test_wake_up_confirmation();
    test_stuck_and_timestamps();
    test_bad_limits_and_arguments();
    if (failures) {
        printf("bms_soc_plausibility_test: %d failure(s)\n", failures);
        return 1;
    }
    printf("bms_soc_plausibility_test: all checks passed\n");
    return 0;
}
