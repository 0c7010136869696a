/* The EKF on two R-C pairs (bms_soc_ekf_init_pairs(..., 2), the model's bms_soc_two_rc_t) in C:
 * its refusals, its states and covariance at init (with and without the hysteresis state), a
 * discharge, a sleep and a reset, and beside it the 1RC filter on the same model. Built twice by
 * Scripts/test-c-runtime.sh: as is, and with -DBMS_SOC_TWO_RC=0, where the 2RC filter is refused
 * (BMS_SOC_ERR_TWO_RC_COMPILED_OUT) and the 1RC one runs on the same model without reading (or
 * checking) its 2RC tables. Against the Swift filter: Tests/EstimatorsTests/CEstimatorTwoRCTests. */
#include <math.h>
#include <stdio.h>
#include "bms_soc.h"
#include "cell_model.h"
#include "cell_model_2rc.h"

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf("\n"); failures++; } } while (0)

/* A copy of the example's 2RC model with one tau2 value NaN. */
static float bad_tau2[90];
static bms_soc_two_rc_t bad_two_rc;
static bms_cell_model_t bad_model;

static void make_bad_model(void) {
    uint16_t i, count = (uint16_t)(cell_model_2rc.two_rc->tau2_s.soc_count * cell_model_2rc.two_rc->tau2_s.temperature_count);
    for (i = 0; i < count && i < 90; i++) bad_tau2[i] = cell_model_2rc.two_rc->tau2_s.values[i];
    bad_tau2[count / 2] = NAN;
    bad_two_rc = *cell_model_2rc.two_rc;
    bad_two_rc.tau2_s.values = bad_tau2;
    bad_model = cell_model_2rc;
    bad_model.two_rc = &bad_two_rc;
}

#if BMS_SOC_TWO_RC
static const float hysteresis_temperatures_C[1] = {25.0f};
static const float hysteresis_maximum_V[1] = {0.02f};
static const float hysteresis_instantaneous_V[1] = {0.004f};
static const float hysteresis_rate[1] = {30.0f};

static void test_two_rc(const bms_soc_config_t *config) {
    bms_soc_ekf_t ekf, one;
    bms_soc_estimate_t e, e1;
    bms_cell_model_t with_law = cell_model_2rc;
    float gap = 0.0f;
    int t, i;
    CHECK(bms_soc_ekf_init_pairs(&ekf, &cell_model, config, 1.0f, 2) == BMS_SOC_ERR_MODEL_TWO_RC, "no 2RC tables");
    CHECK(bms_soc_ekf_init_pairs(&ekf, &cell_model_2rc, config, 1.0f, 0) == BMS_SOC_ERR_ARGUMENT, "0 pairs");
    CHECK(bms_soc_ekf_init_pairs(&ekf, &cell_model_2rc, config, 1.0f, 3) == BMS_SOC_ERR_ARGUMENT, "3 pairs");
    CHECK(bms_soc_ekf_init_pairs(NULL, &cell_model_2rc, config, 1.0f, 2) == BMS_SOC_ERR_ARGUMENT, "NULL state");
    CHECK(bms_soc_ekf_init_pairs(&ekf, &cell_model_2rc, config, NAN, 2) == BMS_SOC_ERR_ARGUMENT, "NaN start");
    CHECK(bms_soc_ekf_init_pairs(&ekf, &bad_model, config, 1.0f, 2) == BMS_SOC_ERR_MODEL_VALUE, "NaN tau2 (2RC)");
    CHECK(bms_soc_ekf_init(&ekf, &bad_model, config, 1.0f) == BMS_SOC_ERR_MODEL_VALUE, "NaN tau2 (1RC: the model is checked whole)");
    /* With the law: [SOC, v1, v2, h]. */
    with_law.hysteresis.temperatures_C = hysteresis_temperatures_C;
    with_law.hysteresis.maximum_V = hysteresis_maximum_V;
    with_law.hysteresis.instantaneous_V = hysteresis_instantaneous_V;
    with_law.hysteresis.rate_constant = hysteresis_rate;
    with_law.hysteresis.count = 1;
    CHECK(bms_soc_ekf_init_pairs(&ekf, &with_law, config, 1.0f, 2) == BMS_SOC_OK && ekf.states == 4
          && ekf.hysteresis_index == 3 && ekf.initial_p[15] == 0.6f * 0.6f && ekf.process_noise[3] == 1e-6f,
          "2RC with hysteresis: 4 states, h last");
    CHECK(bms_soc_ekf_init_pairs(&ekf, &cell_model_2rc, config, 1.0f, 2) == BMS_SOC_OK, "2RC init");
    CHECK(ekf.states == 3 && ekf.pairs == 2 && ekf.hysteresis_index == 0, "[SOC, v1, v2]");
    CHECK(ekf.initial_p[4] == 1e-4f && ekf.initial_p[8] == 1e-4f && ekf.initial_p[0] == 0.2f * 0.2f
          && ekf.process_noise[1] == 1e-7f && ekf.process_noise[2] == 1e-7f, "initial covariance and process noise");
    CHECK(bms_soc_ekf_init(&one, &cell_model_2rc, config, 1.0f) == BMS_SOC_OK && one.states == 2 && one.pairs == 1,
          "1RC on the same model");
    /* Power-up at a full rest, then 30 min at 1 A with a falling voltage. */
    bms_soc_ekf_tick(&ekf, 4.19f, 0.0f, 25.0f, 0.0f, &e);
    CHECK(e.has_sigma && e.sigma < 0.2f && e.soc > 0.9f, "2RC anchored: %g +- %g", (double)e.soc, (double)e.sigma);
    bms_soc_ekf_tick(&one, 4.19f, 0.0f, 25.0f, 0.0f, &e1);
    for (t = 1; t <= 1800; t++) {
        float v = 4.05f - 0.3f * (float)t / 1800.0f;
        bms_soc_ekf_tick(&ekf, v, -1.0f, 25.0f, 1.0f, &e);
        bms_soc_ekf_tick(&one, v, -1.0f, 25.0f, 1.0f, &e1);
        CHECK(isfinite(e.soc) && e.sigma > 0.0f && isfinite(ekf.x[1]) && isfinite(ekf.x[2]), "2RC finite at tick %d", t);
        if (fabsf(e.soc - e1.soc) > gap) gap = fabsf(e.soc - e1.soc);
    }
    CHECK(ekf.last.soc < 0.95f && ekf.last.soc > 0.3f, "2RC after 0.5 Ah: %g", (double)ekf.last.soc);
    CHECK(gap > 1e-4f, "the 2RC tables are read: the 1RC and 2RC filters differ (%g)", (double)gap);
    CHECK(ekf.covariance_resets == 0, "no covariance reset");
    /* A 2 h sleep and a rested reading re-anchor it; a reset restores the initial state. */
    CHECK(bms_soc_ekf_wake(&ekf, 7200.0f) == BMS_SOC_OK, "wake");
    bms_soc_ekf_tick(&ekf, 3.85f, 0.0f, 25.0f, 1.0f, &e);
    CHECK(e.sigma < 0.2f && isfinite(e.soc), "2RC re-anchored: sigma %g", (double)e.sigma);
    CHECK(bms_soc_ekf_reset(&ekf, 0.5f) == BMS_SOC_OK && ekf.last.soc == 0.5f && ekf.x[1] == 0.0f && ekf.x[2] == 0.0f,
          "2RC reset");
    for (i = 0; i < 9; i++) CHECK(ekf.p[i] == ekf.initial_p[i], "reset covariance [%d]", i);
    /* A bad tick is held. */
    CHECK(bms_soc_ekf_tick(&ekf, NAN, -1.0f, 25.0f, 1.0f, &e) == BMS_SOC_OK && e.holding && e.soc == 0.5f, "NaN held");
}
#else
static void test_compiled_out(const bms_soc_config_t *config) {
    bms_soc_ekf_t ekf;
    bms_soc_estimate_t e;
    CHECK(bms_soc_ekf_init_pairs(&ekf, &cell_model_2rc, config, 1.0f, 2) == BMS_SOC_ERR_TWO_RC_COMPILED_OUT,
          "2RC refused in a build without it");
    /* The 1RC filter runs on a model with (even bad) 2RC tables: they are never read nor checked. */
    CHECK(bms_soc_ekf_init(&ekf, &bad_model, config, 1.0f) == BMS_SOC_OK && ekf.states == 2, "1RC on the 2RC model");
    CHECK(bms_soc_ekf_tick(&ekf, 3.9f, -1.0f, 25.0f, 1.0f, &e) == BMS_SOC_OK && isfinite(e.soc), "1RC ticks");
}
#endif

int main(void) {
    bms_soc_config_t config;
    bms_soc_config_default(&config);
    make_bad_model();
#if BMS_SOC_TWO_RC
    test_two_rc(&config);
    printf("bms_soc_two_rc_test: state bytes ekf %zu; %d failure(s)\n", sizeof(bms_soc_ekf_t), failures);
#else
    test_compiled_out(&config);
    printf("bms_soc_two_rc_test (BMS_SOC_TWO_RC 0): %d failure(s)\n", failures);
#endif
    return failures == 0 ? 0 : 1;
}
