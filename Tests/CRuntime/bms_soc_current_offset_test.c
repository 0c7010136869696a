/* Host test of the current sensor's auto-zero (Sources/CBMSSoc/bms_soc_current_offset.c), run
 * under ASan + UBSan by Scripts/test-c-runtime.sh: the cases of the Swift
 * CurrentOffsetLearnerTests (a +50 mA offset learned in a noisy rest, the wake-up calibration
 * and a load that cancels it, the deadband, a CV tail and a slow C/40 load that are not
 * offsets, a flagged or loaded reading that restarts the window, off), plus the settings
 * refused field by field, NULL pointers, and readings that are not finite or have no time.
 * Agreement with the Swift learner over long drives is tested in Swift (CurrentOffsetAgreementTests).
 * Usage: bms_soc_current_offset_test */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "bms_current_offset.h"

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)

/* Deterministic noise in [-1, 1): the Swift test's 64-bit LCG. */
static uint64_t noise_state = 0x9E3779B97F4A7C15u;
static double noise_next(void) {
    noise_state = noise_state * 6364136223846793005u + 1442695040888963407u;
    return (double)(noise_state >> 11) / (double)((uint64_t)1 << 52) - 1;
}

/* A learner with the default settings (or `enabled` 0). */
static bms_current_offset_t learner(int enabled) {
    bms_current_offset_t z;
    bms_current_offset_settings_t s;
    bms_current_offset_settings_default(&s);
    s.enabled = (uint8_t)enabled;
    CHECK(bms_current_offset_init(&z, &s) == BMS_SOC_OK, "init with the defaults");
    return z;
}

/* `seconds` of 1 s readings of one current at 3.7 V; returns the last output. */
static float feed(bms_current_offset_t *z, int seconds, float current_A) {
    float out = 0.0f;
    int t;
    for (t = 0; t < seconds; t++) out = bms_current_offset_correct(z, 3.7f, current_A, 1.0f, 0);
    return out;
}

static void test_learns_in_rest(void) {
    bms_current_offset_t z = learner(1);
    double sum = 0.0;
    float out;
    int t;
    noise_state = 0x9E3779B97F4A7C15u;
    feed(&z, 5, -1.0f);   /* a load first, so that the power-up calibration does not take the rest */
    CHECK(bms_current_offset_calibrations(&z) == 0, "a load at power-up is no calibration");
    for (t = 0; t < 1300; t++) {
        float i = (float)(0.05 + 0.017 * noise_next());
        if (t < 1200) sum += (double)i;
        bms_current_offset_correct(&z, 3.7f, i, 1.0f, 0);
    }
    CHECK(bms_current_offset_calibrations(&z) == 1, "one calibration in 1,300 s of rest: %u",
          (unsigned)bms_current_offset_calibrations(&z));
    CHECK(fabs(z.offset_A - sum / 1200) < 1e-12, "the offset is the mean of the window's 1,200 readings: %.9f vs %.9f",
          z.offset_A, sum / 1200);
    CHECK(fabsf(bms_current_offset_A(&z) - 0.05f) < 0.0015f, "offset %g, 0.05 with noise", (double)bms_current_offset_A(&z));
    out = bms_current_offset_correct(&z, 3.7f, 0.05f, 1.0f, 0);
    CHECK(fabsf(out) < 0.0015f, "a +50 mA reading reads %g", (double)out);
    out = bms_current_offset_correct(&z, 3.7f, -2.0f, 1.0f, 0);
    CHECK(fabs((double)out - (-2.0 - z.offset_A)) < 1e-6, "a load is corrected by the same offset: %g", (double)out);
}

/* Noise of +-100 mA (sigma 58 mA, 3.3 mA between the halves' means of 600 readings) on a +50 mA
 * offset: the halves differ by more than 0.5 mA + 1 %, and the 3-sigma term admits the window. */
static void test_noise_term(void) {
    bms_current_offset_t z = learner(1);
    int t;
    noise_state = 0x9E3779B97F4A7C15u;
    feed(&z, 5, -1.0f);
    for (t = 0; t < 3600; t++) bms_current_offset_correct(&z, 3.7f, (float)(0.05 + 0.1 * noise_next()), 1.0f, 0);
    CHECK(bms_current_offset_calibrations(&z) == 3, "three windows in an hour of noisy rest: %u calibrations",
          (unsigned)bms_current_offset_calibrations(&z));
    CHECK(fabsf(bms_current_offset_A(&z) - 0.05f) < 0.01f, "offset %g", (double)bms_current_offset_A(&z));
}

static void test_wake_up(void) {
    bms_current_offset_t z = learner(1);
    int t;
    feed(&z, 9, 0.04f);
    CHECK(bms_current_offset_calibrations(&z) == 0 && bms_current_offset_A(&z) == 0.0f, "no calibration before 10 s");
    feed(&z, 1, 0.04f);
    CHECK(bms_current_offset_calibrations(&z) == 1 && bms_current_offset_A(&z) == 0.04f, "power-up: 10 s of 40 mA: %g",
          (double)bms_current_offset_A(&z));
    feed(&z, 100, -2.0f);
    CHECK(bms_current_offset_wake(&z) == BMS_SOC_OK, "wake");
    for (t = 0; t < 10; t++) bms_current_offset_correct(&z, 3.7f, t < 3 ? 0.03f : -1.5f, 1.0f, 0);
    CHECK(bms_current_offset_calibrations(&z) == 1 && bms_current_offset_A(&z) == 0.04f,
          "a load 3 s after the wake-up cancels its calibration");
    bms_current_offset_wake(&z);
    feed(&z, 10, -0.06f);
    CHECK(bms_current_offset_calibrations(&z) == 2 && bms_current_offset_A(&z) == -0.06f, "wake-up: -60 mA: %g",
          (double)bms_current_offset_A(&z));
    bms_current_offset_wake(&z);
    feed(&z, 10, 0.09f);
    CHECK(bms_current_offset_calibrations(&z) == 2 && bms_current_offset_A(&z) == -0.06f,
          "a wake-up mean above I_max (90 mA) is no calibration");
}

static void test_deadband(void) {
    bms_current_offset_t z = learner(1);
    feed(&z, 10, 0.05f);
    CHECK(bms_current_offset_A(&z) == 0.05f, "power-up: 50 mA");
    bms_current_offset_wake(&z);
    feed(&z, 10, 0.019f);   /* 0.019 < 0.08 / 4 */
    CHECK(bms_current_offset_calibrations(&z) == 2 && bms_current_offset_A(&z) == 0.0f, "19 mA is inside the deadband: %g",
          (double)bms_current_offset_A(&z));
    bms_current_offset_wake(&z);
    feed(&z, 10, 0.021f);
    CHECK(bms_current_offset_calibrations(&z) == 3 && bms_current_offset_A(&z) == 0.021f, "21 mA is outside it");
}

static void test_cv_tail_is_not_an_offset(void) {
    bms_current_offset_t z = learner(1);
    int t;
    for (t = 0; t < 5; t++) bms_current_offset_correct(&z, 4.2f, 1.5f, 1.0f, 0);
    /* From 70 mA, tau = 3 h (a slower taper than the NASA cells' tails): 5.4 % per 10 min. */
    for (t = 0; t < 3 * 1200; t++) bms_current_offset_correct(&z, 4.2f, (float)(0.07 * exp(-t / 10800.0)), 1.0f, 0);
    CHECK(bms_current_offset_calibrations(&z) == 0 && bms_current_offset_A(&z) == 0.0f, "a CV tail: %u calibrations",
          (unsigned)bms_current_offset_calibrations(&z));
}

static void test_slow_load_is_not_an_offset(void) {
    bms_current_offset_t z = learner(1);
    int t;
    feed(&z, 5, -1.0f);
    /* -50 mA on 2 Ah at 0.7 V per unit SOC: -4.9 uV/s, 2.9 mV between the halves' means. */
    for (t = 0; t < 2 * 1200; t++) bms_current_offset_correct(&z, (float)(3.7 - 0.7 * 0.05 * t / 7200), -0.05f, 1.0f, 0);
    CHECK(bms_current_offset_calibrations(&z) == 0 && bms_current_offset_A(&z) == 0.0f, "a slow C/40 load: %u calibrations",
          (unsigned)bms_current_offset_calibrations(&z));
    /* The same current on a voltage that does not move is taken for an offset (the documented limit). */
    feed(&z, 1200, -0.05f);
    CHECK(bms_current_offset_calibrations(&z) == 1 && bms_current_offset_A(&z) == -0.05f, "-50 mA on a flat voltage");
}

/* A rest of 1,300 s interrupted at t = 700 by a flagged, loaded, non-finite or timeless reading:
 * no calibration; a rest of 1,300 s after it: one. */
static void test_interruptions_restart_the_window(void) {
    static const struct { int flagged; float voltage_V, current_A, dt_s; const char *what; } cases[] = {
        {1, 3.7f, 0.05f, 1.0f, "flagged"}, {0, 3.7f, 0.5f, 1.0f, "a load"}, {0, NAN, 0.05f, 1.0f, "NaN voltage"},
        {0, 3.7f, INFINITY, 1.0f, "infinite current"}, {0, 3.7f, 0.05f, 0.0f, "dt 0"}, {0, 3.7f, 0.05f, -1.0f, "dt < 0"},
        {0, 3.7f, 0.05f, NAN, "NaN dt"}};
    size_t k;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        bms_current_offset_t z = learner(1);
        int t;
        float out = 0.0f;
        feed(&z, 5, -1.0f);
        for (t = 0; t < 1300; t++) {
            if (t == 700) {
                out = bms_current_offset_correct(&z, cases[k].voltage_V, cases[k].current_A, cases[k].dt_s, cases[k].flagged);
            } else {
                bms_current_offset_correct(&z, 3.7f, 0.05f, 1.0f, 0);
            }
        }
        CHECK(bms_current_offset_calibrations(&z) == 0, "%s: %u calibrations", cases[k].what,
              (unsigned)bms_current_offset_calibrations(&z));
        CHECK(out == cases[k].current_A, "%s: passed on (no offset yet): %g", cases[k].what, (double)out);
        feed(&z, 1300, 0.05f);
        CHECK(bms_current_offset_calibrations(&z) == 1 && fabsf(bms_current_offset_A(&z) - 0.05f) < 1e-7f,
              "%s, then a whole rest: %u calibrations, offset %g", cases[k].what,
              (unsigned)bms_current_offset_calibrations(&z), (double)bms_current_offset_A(&z));
    }
}

static void test_off(void) {
    bms_current_offset_t z = learner(0);
    float out = feed(&z, 2000, 0.05f);
    CHECK(out == 0.05f && bms_current_offset_calibrations(&z) == 0, "off: %g passed, %u calibrations", (double)out,
          (unsigned)bms_current_offset_calibrations(&z));
}

/* Non-finite readings pass through; with an absurd (but finite) I_max of 1e39 A the offset can be
 * FLT_MAX, and a reading of -FLT_MAX then corrects to -infinity, not to a float conversion out of range. */
static void test_extreme_readings(void) {
    bms_current_offset_t z = learner(1);
    bms_current_offset_settings_t s;
    feed(&z, 10, 0.05f);
    CHECK(bms_current_offset_A(&z) == 0.05f, "offset learned");
    CHECK(isnan(bms_current_offset_correct(&z, 3.7f, NAN, 1.0f, 0)), "NaN in, NaN out");
    CHECK(bms_current_offset_correct(&z, 3.7f, -INFINITY, 1.0f, 0) == -INFINITY, "-inf in, -inf out");
    CHECK(bms_current_offset_correct(&z, 3.7f, FLT_MAX, 1.0f, 0) == FLT_MAX, "FLT_MAX - 0.05 rounds to FLT_MAX");
    bms_current_offset_settings_default(&s);
    s.maximum_offset_A = 1e39;
    CHECK(bms_current_offset_init(&z, &s) == BMS_SOC_OK, "I_max 1e39 A is finite and > 0");
    feed(&z, 10, FLT_MAX);
    CHECK(bms_current_offset_calibrations(&z) == 1 && bms_current_offset_A(&z) == FLT_MAX, "offset FLT_MAX");
    CHECK(bms_current_offset_correct(&z, 3.7f, -FLT_MAX, 1.0f, 0) == -INFINITY, "-2 FLT_MAX saturates to -inf");
}

static void test_scaled(void) {
    bms_current_offset_settings_t s;
    bms_current_offset_settings_default(&s);
    bms_current_offset_settings_scale_to_cell(&s, 5.0);
    CHECK(fabs(s.maximum_offset_A - 0.2) < 1e-12, "C/25 of 5 Ah: %g", s.maximum_offset_A);
    bms_current_offset_settings_default(&s);
    bms_current_offset_settings_scale_to_cell(&s, NAN);
    bms_current_offset_settings_scale_to_cell(&s, 0.0);
    bms_current_offset_settings_scale_to_cell(&s, -2.0);
    CHECK(s.maximum_offset_A == 0.08, "a capacity that is not finite and > 0 leaves 80 mA: %g", s.maximum_offset_A);
}

static void test_bad_settings(void) {
    bms_current_offset_settings_t d, s;
    bms_current_offset_t z;
    size_t k, j;
    double *positive[5];
    const double not_positive[] = {NAN, 0.0, -0.05, INFINITY, -INFINITY};
    const double not_fraction[] = {NAN, -0.01, 1.01, 2.0, INFINITY};
    const char *positive_names[5] = {"window_s", "wake_s", "maximum_offset_A", "voltage_trend_V", "current_trend_A"};
    bms_current_offset_settings_default(&d);
    CHECK(bms_current_offset_settings_check(&d) == BMS_SOC_OK, "the defaults are valid");
    d.enabled = 0;
    CHECK(bms_current_offset_settings_check(&d) == BMS_SOC_OK, "off is valid");
    for (k = 0; k < 5; k++) {
        for (j = 0; j < sizeof not_positive / sizeof not_positive[0]; j++) {
            s = d;
            positive[0] = &s.window_s; positive[1] = &s.wake_s; positive[2] = &s.maximum_offset_A;
            positive[3] = &s.voltage_trend_V; positive[4] = &s.current_trend_A;
            *positive[k] = not_positive[j];
            memset(&z, 0xA5, sizeof z);
            CHECK(bms_current_offset_settings_check(&s) == BMS_SOC_ERR_CONFIG, "%s = %g refused by the check",
                  positive_names[k], not_positive[j]);
            CHECK(bms_current_offset_init(&z, &s) == BMS_SOC_ERR_CONFIG && z.calibrations == 0xA5A5A5A5u,
                  "%s = %g refused by init, the state not written", positive_names[k], not_positive[j]);
        }
    }
    for (j = 0; j < sizeof not_fraction / sizeof not_fraction[0]; j++) {
        s = d;
        s.current_trend_fraction = not_fraction[j];
        CHECK(bms_current_offset_init(&z, &s) == BMS_SOC_ERR_CONFIG, "current_trend_fraction = %g refused", not_fraction[j]);
        s = d;
        s.deadband_fraction = not_fraction[j];
        CHECK(bms_current_offset_init(&z, &s) == BMS_SOC_ERR_CONFIG, "deadband_fraction = %g refused", not_fraction[j]);
    }
    s = d;
    s.current_trend_fraction = 0.0;
    s.deadband_fraction = 1.0;
    CHECK(bms_current_offset_init(&z, &s) == BMS_SOC_OK, "fractions 0 and 1 are allowed");
    s = d;
    s.calibrate_at_power_up = 2;
    CHECK(bms_current_offset_init(&z, &s) == BMS_SOC_ERR_CONFIG, "calibrate_at_power_up = 2 refused");
}

/* A start under load (calibrate_at_power_up 0): the first readings are no calibration; a
 * wake-up still is. */
static void test_no_power_up_calibration(void) {
    bms_current_offset_t z;
    bms_current_offset_settings_t s;
    bms_current_offset_settings_default(&s);
    s.calibrate_at_power_up = 0;
    CHECK(bms_current_offset_init(&z, &s) == BMS_SOC_OK, "init without the power-up calibration");
    feed(&z, 10, -0.06f);
    CHECK(bms_current_offset_calibrations(&z) == 0 && z.offset_A == 0.0, "a small current at power-up is kept");
    bms_current_offset_wake(&z);
    feed(&z, 10, 0.05f);
    CHECK(bms_current_offset_calibrations(&z) == 1 && fabs(z.offset_A - 0.05) < 1e-7, "the wake-up calibrates");
}

/* A window whose first reading spans more than half of it has an empty half: it restarts,
 * and the next window is judged as usual. */
static void test_long_first_reading(void) {
    bms_current_offset_t z = learner(1);
    feed(&z, 5, -1.0f);
    bms_current_offset_correct(&z, 3.7f, 0.05f, 700.0f, 0);
    feed(&z, 1199, 0.05f);
    CHECK(bms_current_offset_calibrations(&z) == 0, "the window with an empty half is no calibration");
    feed(&z, 600, 0.05f);   /* the window restarted 500 s into the 1,199: 699 + 501 s close the next */
    CHECK(bms_current_offset_calibrations(&z) == 1 && fabs(z.offset_A - 0.05) < 1e-7,
          "the next window calibrates: %u", (unsigned)bms_current_offset_calibrations(&z));
}

static void test_null_pointers(void) {
    bms_current_offset_settings_t s;
    bms_current_offset_t z;
    bms_current_offset_settings_default(&s);
    bms_current_offset_settings_default(NULL);
    bms_current_offset_settings_scale_to_cell(NULL, 2.0);
    CHECK(bms_current_offset_settings_check(NULL) == BMS_SOC_ERR_ARGUMENT, "check NULL");
    CHECK(bms_current_offset_init(NULL, &s) == BMS_SOC_ERR_ARGUMENT, "init NULL state");
    CHECK(bms_current_offset_init(&z, NULL) == BMS_SOC_ERR_ARGUMENT, "init NULL settings");
    CHECK(bms_current_offset_wake(NULL) == BMS_SOC_ERR_ARGUMENT, "wake NULL");
    CHECK(bms_current_offset_correct(NULL, 3.7f, 0.05f, 1.0f, 0) == 0.05f, "correct NULL passes the current on");
    CHECK(bms_current_offset_A(NULL) == 0.0f && bms_current_offset_calibrations(NULL) == 0, "accessors NULL");
}

int main(void) {
    test_learns_in_rest();
    test_noise_term();
    test_wake_up();
    test_deadband();
    test_cv_tail_is_not_an_offset();
    test_slow_load_is_not_an_offset();
    test_interruptions_restart_the_window();
    test_off();
    test_extreme_readings();
    test_scaled();
    test_bad_settings();
    test_no_power_up_calibration();
    test_long_first_reading();
    test_null_pointers();
    printf("bms_soc_current_offset_test: state bytes %zu; %d failure(s)\n", sizeof(bms_current_offset_t), failures);
    return failures == 0 ? 0 : 1;
}
