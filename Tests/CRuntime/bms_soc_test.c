/* Host test of the C estimators (Sources/CBMSSoc), run under ASan + UBSan by
 * Scripts/test-c-runtime.sh: every error path (NULL pointers, non-finite and out-of-range
 * inputs held, bad model tables and configs refused with their code, a too-small LSTM
 * workspace) and a short synthetic drive whose coulomb count, rest correction, wake-up,
 * reset and LSTM stepping are checked against hand-computed values. Agreement with the
 * Swift estimators over whole NASA lives is tested in Swift (CEstimatorAgreementTests).
 * Usage: bms_soc_test   (the cell model and LSTM blob are compiled in from Examples/c/model) */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "bms_soc.h"
#include "cell_model.h"
#include "lstm_model.h"

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)

static bms_soc_config_t config;

/* An illustrative two-group hysteresis law (M, M0, gamma at 15 and 35 degC). */
static const float hysteresis_temperatures_C[2] = {15.0f, 35.0f};
static const float hysteresis_maximum_V[2] = {0.03f, 0.01f};
static const float hysteresis_instantaneous_V[2] = {0.006f, 0.002f};
static const float hysteresis_rate[2] = {20.0f, 40.0f};
static const bms_soc_hysteresis_t hysteresis_law = {
    hysteresis_temperatures_C, hysteresis_maximum_V, hysteresis_instantaneous_V, hysteresis_rate, 2};

static void test_null_pointers(void) {
    bms_soc_ah_t ah;
    bms_soc_ekf_t ekf;
    bms_soc_lstm_t lstm;
    bms_soc_estimate_t e;
    bms_soc_lstm_settings_t settings;
    bms_lstm_model_t model;
    static int16_t workspace[LSTM_MODEL_WORKSPACE_WORDS];
    bms_soc_lstm_settings_default(&settings);
    CHECK(bms_lstm_load_blob(lstm_model, LSTM_MODEL_SIZE, &model) == BMS_OK, "blob loads");
    CHECK(bms_soc_ah_init(NULL, &cell_model, &config, 1.0f) == BMS_SOC_ERR_ARGUMENT, "ah init NULL state");
    CHECK(bms_soc_ah_init(&ah, NULL, &config, 1.0f) == BMS_SOC_ERR_ARGUMENT, "ah init NULL model");
    CHECK(bms_soc_ah_init(&ah, &cell_model, NULL, 1.0f) == BMS_SOC_ERR_ARGUMENT, "ah init NULL config");
    CHECK(bms_soc_ah_init(&ah, &cell_model, &config, NAN) == BMS_SOC_ERR_ARGUMENT, "ah init NaN soc");
    CHECK(bms_soc_ekf_init(NULL, &cell_model, &config, 1.0f) == BMS_SOC_ERR_ARGUMENT, "ekf init NULL state");
    CHECK(bms_soc_ekf_init(&ekf, NULL, &config, 1.0f) == BMS_SOC_ERR_ARGUMENT, "ekf init NULL model");
    CHECK(bms_soc_ekf_init(&ekf, &cell_model, NULL, 1.0f) == BMS_SOC_ERR_ARGUMENT, "ekf init NULL config");
    CHECK(bms_soc_ekf_init(&ekf, &cell_model, &config, INFINITY) == BMS_SOC_ERR_ARGUMENT, "ekf init inf soc");
    CHECK(bms_soc_ah_init(&ah, &cell_model, &config, 1.0f) == BMS_SOC_OK, "ah init");
    CHECK(bms_soc_ekf_init(&ekf, &cell_model, &config, 1.0f) == BMS_SOC_OK, "ekf init");
    CHECK(bms_soc_ah_tick(NULL, 4.0f, 0.0f, 25.0f, 1.0f, &e) == BMS_SOC_ERR_ARGUMENT, "ah tick NULL state");
    CHECK(bms_soc_ah_tick(&ah, 4.0f, 0.0f, 25.0f, 1.0f, NULL) == BMS_SOC_ERR_ARGUMENT, "ah tick NULL estimate");
    CHECK(bms_soc_ekf_tick(NULL, 4.0f, 0.0f, 25.0f, 1.0f, &e) == BMS_SOC_ERR_ARGUMENT, "ekf tick NULL state");
    CHECK(bms_soc_ekf_tick(&ekf, 4.0f, 0.0f, 25.0f, 1.0f, NULL) == BMS_SOC_ERR_ARGUMENT, "ekf tick NULL estimate");
    CHECK(bms_soc_ah_wake(NULL, 10.0f) == BMS_SOC_ERR_ARGUMENT, "ah wake NULL");
    CHECK(bms_soc_ekf_wake(NULL, 10.0f) == BMS_SOC_ERR_ARGUMENT, "ekf wake NULL");
    CHECK(bms_soc_ah_reset(NULL, 1.0f) == BMS_SOC_ERR_ARGUMENT, "ah reset NULL");
    CHECK(bms_soc_ekf_reset(NULL, 1.0f) == BMS_SOC_ERR_ARGUMENT, "ekf reset NULL");
    CHECK(bms_soc_ah_reset(&ah, NAN) == BMS_SOC_ERR_ARGUMENT, "ah reset NaN");
    CHECK(bms_soc_ekf_reset(&ekf, NAN) == BMS_SOC_ERR_ARGUMENT, "ekf reset NaN");
    CHECK(bms_soc_ah_capacity_Ah(NULL) == 0.0f && bms_soc_ekf_capacity_Ah(NULL) == 0.0f, "capacity NULL");
    CHECK(bms_soc_lstm_init(NULL, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
          == BMS_SOC_ERR_ARGUMENT, "lstm init NULL state");
    CHECK(bms_soc_lstm_init(&lstm, NULL, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
          == BMS_SOC_ERR_ARGUMENT, "lstm init NULL model");
    CHECK(bms_soc_lstm_init(&lstm, &model, NULL, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
          == BMS_SOC_ERR_ARGUMENT, "lstm init NULL workspace");
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, NULL, &settings, 1.0f)
          == BMS_SOC_ERR_ARGUMENT, "lstm init NULL config");
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, NULL, 1.0f)
          == BMS_SOC_ERR_ARGUMENT, "lstm init NULL settings");
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, NULL, &config, &settings, 1.0f)
          == BMS_SOC_ERR_ARGUMENT, "lstm init NULL cell model without a capacity in the settings");
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, 1, &cell_model, &config, &settings, 1.0f) == BMS_SOC_ERR_LSTM,
          "lstm init with a 1-word workspace");
    settings.step_s = 0;
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
          == BMS_SOC_ERR_CONFIG, "lstm init with step 0");
    bms_soc_lstm_settings_default(&settings);
    settings.capacity_Ah = 2.0;
    settings.charge_efficiency = 1.0;
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, NULL, &config, &settings, 1.0f)
          == BMS_SOC_OK, "lstm init without a cell model when the settings give capacity and efficiency");
    CHECK(bms_soc_lstm_tick(NULL, 4.0f, 0.0f, 25.0f, 1.0f, &e) == BMS_SOC_ERR_ARGUMENT, "lstm tick NULL state");
    CHECK(bms_soc_lstm_tick(&lstm, 4.0f, 0.0f, 25.0f, 1.0f, NULL) == BMS_SOC_ERR_ARGUMENT, "lstm tick NULL estimate");
    CHECK(bms_soc_lstm_wake(NULL, 1.0f) == BMS_SOC_ERR_ARGUMENT, "lstm wake NULL");
    CHECK(bms_soc_lstm_reset(NULL, 1.0f) == BMS_SOC_ERR_ARGUMENT, "lstm reset NULL");
    CHECK(bms_soc_lstm_reset(&lstm, NAN) == BMS_SOC_ERR_ARGUMENT, "lstm reset NaN");
    settings.learn_prior_capacity = 1;
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, NULL, &config, &settings, 1.0f)
          == BMS_SOC_ERR_ARGUMENT, "lstm init learning the prior capacity without a cell model");
    settings.learn_prior_capacity = 2;
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
          == BMS_SOC_ERR_CONFIG, "lstm init with learn_prior_capacity neither 0 nor 1");
    settings.learn_prior_capacity = 1;
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
          == BMS_SOC_OK && lstm.count_capacity_Ah == settings.capacity_Ah, "lstm init learning the prior capacity");
    settings.learn_prior_capacity = 0;
    settings.decline_partial_starts = 2;
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
          == BMS_SOC_ERR_CONFIG, "lstm init with decline_partial_starts neither 0 nor 1");
    settings.decline_partial_starts = 1;
    settings.full_start_min_soc = NAN;
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
          == BMS_SOC_ERR_CONFIG, "lstm init with a NaN full_start_min_soc");
    settings.full_start_min_soc = 0.95;
    settings.full_start_min_rest_voltage_V = -1;
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
          == BMS_SOC_ERR_CONFIG, "lstm init with a negative full_start_min_rest_voltage_V");
    settings.full_start_min_rest_voltage_V = INFINITY;
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
          == BMS_SOC_ERR_CONFIG, "lstm init with an infinite full_start_min_rest_voltage_V");
    settings.full_start_min_rest_voltage_V = 0;
    settings.run_through_charge = 2;
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
          == BMS_SOC_ERR_CONFIG, "lstm init with run_through_charge neither 0 nor 1");
    settings.run_through_charge = 0;
    CHECK(bms_soc_lstm_set_between_runs(NULL, &ah) == BMS_SOC_ERR_ARGUMENT, "lstm between runs NULL state");
    CHECK(bms_soc_ah_continue_from(NULL, 0.5f) == BMS_SOC_ERR_ARGUMENT, "ah continue NULL");
    CHECK(bms_soc_ah_continue_from(&ah, NAN) == BMS_SOC_ERR_ARGUMENT, "ah continue NaN");
    CHECK(bms_soc_ah_continue_from(&ah, INFINITY) == BMS_SOC_ERR_ARGUMENT, "ah continue inf");
    CHECK(bms_soc_ah_continue_from(&ah, 0.25f) == BMS_SOC_OK && ah.last.soc == 0.25f, "ah continue sets the estimate");
    CHECK(bms_soc_lstm_set_between_runs(&lstm, &ah) == BMS_SOC_OK && bms_soc_lstm_reset(&lstm, 0.75f) == BMS_SOC_OK
          && ah.last.soc == 0.75f, "lstm reset resets the counter between runs");
    CHECK(bms_soc_lstm_set_between_runs(&lstm, NULL) == BMS_SOC_OK && lstm.between == NULL, "lstm between runs detached");
    CHECK(bms_soc_config_check(NULL) == BMS_SOC_ERR_ARGUMENT, "config check NULL");
    CHECK(bms_cell_model_check(NULL) == BMS_SOC_ERR_ARGUMENT, "model check NULL");
    bms_soc_config_default(NULL);
    bms_soc_lstm_settings_default(NULL);
    CHECK(strcmp(bms_soc_status_name(BMS_SOC_ERR_MODEL_GRID), "model grid") == 0, "status name");
    CHECK(strcmp(bms_soc_status_name((bms_soc_status_t)99), "unknown") == 0, "unknown status name");
}

/* A bad tick (non-finite or out of range) returns the last estimate with holding = 1 and
 * leaves the state alone: the next good tick gives what it would have without it. */
static void test_bad_inputs_hold(void) {
    static const float bad[][4] = {
        {NAN, -1.0f, 25.0f, 1.0f}, {3.9f, NAN, 25.0f, 1.0f}, {3.9f, -1.0f, NAN, 1.0f}, {3.9f, -1.0f, 25.0f, NAN},
        {INFINITY, -1.0f, 25.0f, 1.0f}, {3.9f, -INFINITY, 25.0f, 1.0f}, {3.9f, -1.0f, 25.0f, -1.0f},
        {0.2f, -1.0f, 25.0f, 1.0f}, {5.5f, -1.0f, 25.0f, 1.0f}, {3.9f, -60.0f, 25.0f, 1.0f},
        {3.9f, -1.0f, -50.0f, 1.0f}, {3.9f, -1.0f, 95.0f, 1.0f}, {3.9f, -1.0f, 25.0f, 90000.0f},
    };
    size_t k;
    bms_lstm_model_t model;
    static int16_t workspace[LSTM_MODEL_WORKSPACE_WORDS];
    bms_soc_lstm_settings_t settings;
    bms_soc_lstm_settings_default(&settings);
    (void)bms_lstm_load_blob(lstm_model, LSTM_MODEL_SIZE, &model);
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        bms_soc_ah_t ah, ah_ref;
        bms_soc_ekf_t ekf, ekf_ref;
        bms_soc_lstm_t lstm;
        bms_soc_estimate_t e, before, ref;
        int t;
        bms_soc_ah_init(&ah, &cell_model, &config, 1.0f);
        bms_soc_ekf_init(&ekf, &cell_model, &config, 1.0f);
        bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f);
        for (t = 0; t < 20; t++) {
            bms_soc_ah_tick(&ah, 4.0f - 0.01f * (float)t, -1.0f, 25.0f, 1.0f, &e);
            bms_soc_ekf_tick(&ekf, 4.0f - 0.01f * (float)t, -1.0f, 25.0f, 1.0f, &e);
            bms_soc_lstm_tick(&lstm, 4.0f - 0.01f * (float)t, -1.0f, 25.0f, 1.0f, &e);
        }
        ah_ref = ah;
        ekf_ref = ekf;
        before = ah.last;
        CHECK(bms_soc_ah_tick(&ah, bad[k][0], bad[k][1], bad[k][2], bad[k][3], &e) == BMS_SOC_OK, "ah bad %zu status", k);
        CHECK(e.holding == 1 && e.soc == before.soc, "ah bad input %zu held", k);
        before = ekf.last;
        CHECK(bms_soc_ekf_tick(&ekf, bad[k][0], bad[k][1], bad[k][2], bad[k][3], &e) == BMS_SOC_OK, "ekf bad %zu", k);
        CHECK(e.holding == 1 && e.soc == before.soc && e.sigma == before.sigma, "ekf bad input %zu held", k);
        before = lstm.last;
        CHECK(bms_soc_lstm_tick(&lstm, bad[k][0], bad[k][1], bad[k][2], bad[k][3], &e) == BMS_SOC_OK, "lstm bad %zu", k);
        CHECK(e.holding == 1 && e.soc == before.soc, "lstm bad input %zu held", k);
        /* The next good tick is the same as without the bad one. */
        bms_soc_ah_tick(&ah, 3.7f, -1.0f, 25.0f, 1.0f, &e);
        bms_soc_ah_tick(&ah_ref, 3.7f, -1.0f, 25.0f, 1.0f, &ref);
        CHECK(e.soc == ref.soc && e.holding == 0, "ah after bad input %zu", k);
        bms_soc_ekf_tick(&ekf, 3.7f, -1.0f, 25.0f, 1.0f, &e);
        bms_soc_ekf_tick(&ekf_ref, 3.7f, -1.0f, 25.0f, 1.0f, &ref);
        CHECK(e.soc == ref.soc && e.sigma == ref.sigma && e.holding == 0, "ekf after bad input %zu", k);
    }
}

/* Each broken table or field is refused by init with its code (and by bms_cell_model_check). */
static void test_bad_models(void) {
    static const float two_points[2] = {0.0f, 1.0f};
    static const float flat_grid[2] = {0.5f, 0.5f};
    static const float nan_values[2] = {NAN, 1.0f};
    static const float decreasing_ocv[2] = {4.0f, 3.5f};
    static const float negative[2] = {-0.1f, 0.1f};
    static const float zero[2] = {0.0f, 0.0f};
    static const float one_temperature[1] = {25.0f};
    static const float above_one[2] = {0.5f, 1.5f};
    bms_cell_model_t m;
    bms_soc_ah_t ah;
    bms_soc_ekf_t ekf;
    bms_soc_config_t bad_config;
#define EXPECT_MODEL(code, what) do { \
        CHECK(bms_cell_model_check(&m) == (code), "check: %s (%s)", what, bms_soc_status_name(bms_cell_model_check(&m))); \
        CHECK(bms_soc_ah_init(&ah, &m, &config, 1.0f) == (code), "ah init: %s", what); \
        CHECK(bms_soc_ekf_init(&ekf, &m, &config, 1.0f) == (code), "ekf init: %s", what); \
        m = cell_model; } while (0)
    m = cell_model;
    EXPECT_MODEL(BMS_SOC_OK, "the exported model");
    m.ocv_V.values = NULL;                     EXPECT_MODEL(BMS_SOC_ERR_MODEL_TABLE, "OCV values NULL");
    m.r0_ohm.soc_points = NULL;                EXPECT_MODEL(BMS_SOC_ERR_MODEL_TABLE, "R0 grid NULL");
    m.r1_ohm.soc_count = 1;                    EXPECT_MODEL(BMS_SOC_ERR_MODEL_TABLE, "R1 with one SOC point");
    m.tau1_s.temperature_count = 0;            EXPECT_MODEL(BMS_SOC_ERR_MODEL_TABLE, "tau with no temperature");
    m.ocv_V.soc_points = flat_grid; m.ocv_V.soc_count = 2; m.ocv_V.temperature_count = 1;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_GRID, "OCV SOC grid not increasing");
    m.ocv_V.soc_points = two_points; m.ocv_V.soc_count = 2; m.ocv_V.temperature_count = 1;
    m.ocv_V.temperatures_C = one_temperature; m.ocv_V.values = decreasing_ocv;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_VALUE, "OCV row decreasing");
    m.ocv_V.soc_points = two_points; m.ocv_V.soc_count = 2; m.ocv_V.temperature_count = 1;
    m.ocv_V.temperatures_C = one_temperature; m.ocv_V.values = nan_values;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_VALUE, "OCV value NaN");
    m.r0_ohm.soc_points = two_points; m.r0_ohm.soc_count = 2; m.r0_ohm.temperature_count = 1;
    m.r0_ohm.temperatures_C = one_temperature; m.r0_ohm.values = negative;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_VALUE, "R0 negative");
    m.tau1_s.soc_points = two_points; m.tau1_s.soc_count = 2; m.tau1_s.temperature_count = 1;
    m.tau1_s.temperatures_C = one_temperature; m.tau1_s.values = zero;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_VALUE, "tau zero");
    m.r1_ohm.temperatures_C = flat_grid; m.r1_ohm.temperature_count = 2;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_GRID, "R1 temperature grid flat");
    m.capacity_Ah = 0.0f;                      EXPECT_MODEL(BMS_SOC_ERR_MODEL_CAPACITY, "capacity 0");
    m.capacity_Ah = NAN;                       EXPECT_MODEL(BMS_SOC_ERR_MODEL_CAPACITY, "capacity NaN");
    m.coulombic_efficiency = 1.5f;             EXPECT_MODEL(BMS_SOC_ERR_MODEL_CAPACITY, "efficiency above 1");
    m.design_capacity.values = negative; m.design_capacity.temperatures_C = two_points; m.design_capacity.count = 2;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_CAPACITY, "design capacity negative");
    m.capacity_by_temperature.temperatures_C = NULL; m.capacity_by_temperature.count = 2;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_CAPACITY, "capacity curve NULL");
    m.relaxation_reference_rest_s.count = 1;   EXPECT_MODEL(BMS_SOC_ERR_MODEL_RELAXATION, "relaxation counts differ");
    m.relaxation_minimum_rest_s = 0.0f;        EXPECT_MODEL(BMS_SOC_ERR_MODEL_RELAXATION, "relaxation minimum 0");
    m.relaxation_reference_rest_s.values = zero; EXPECT_MODEL(BMS_SOC_ERR_MODEL_RELAXATION, "relaxation reference 0");
    m.has_rested_ocv_floor = 1; m.rested_ocv_trusted_from_soc = NAN;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_VALUE, "floor NaN");
    m.residual_1rc_mV = -1.0f;                 EXPECT_MODEL(BMS_SOC_ERR_MODEL_NOISE, "residual negative");
    m.residual_1rc_mV_by_temperature.values = negative; m.residual_1rc_mV_by_temperature.temperatures_C = two_points;
    m.residual_1rc_mV_by_temperature.count = 2; EXPECT_MODEL(BMS_SOC_ERR_MODEL_NOISE, "group residual negative");
    /* Hysteresis groups: NULL arrays, a grid not increasing, M or M0 outside [0, 1] V, gamma outside [1e-3, 1e5], NaN. */
    m.hysteresis = hysteresis_law; EXPECT_MODEL(BMS_SOC_OK, "a valid hysteresis law");
    m.hysteresis = hysteresis_law; m.hysteresis.rate_constant = NULL;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_HYSTERESIS, "hysteresis gamma NULL");
    m.hysteresis = hysteresis_law; m.hysteresis.temperatures_C = flat_grid;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_HYSTERESIS, "hysteresis grid flat");
    m.hysteresis = hysteresis_law; m.hysteresis.maximum_V = negative;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_HYSTERESIS, "hysteresis M negative");
    m.hysteresis = hysteresis_law; m.hysteresis.instantaneous_V = above_one;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_HYSTERESIS, "hysteresis M0 above 1 V");
    m.hysteresis = hysteresis_law; m.hysteresis.rate_constant = zero;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_HYSTERESIS, "hysteresis gamma 0");
    m.hysteresis = hysteresis_law; m.hysteresis.maximum_V = nan_values;
                                               EXPECT_MODEL(BMS_SOC_ERR_MODEL_HYSTERESIS, "hysteresis M NaN");
    CHECK(strcmp(bms_soc_status_name(BMS_SOC_ERR_MODEL_HYSTERESIS), "model hysteresis") == 0, "status name");
    /* Bad configs. */
    bad_config = config; bad_config.rest_current_A = NAN;
    CHECK(bms_soc_ah_init(&ah, &cell_model, &bad_config, 1.0f) == BMS_SOC_ERR_CONFIG, "config rest current NaN");
    bad_config = config; bad_config.ocv_blend_time_constant_s = 0.0f;
    CHECK(bms_soc_ah_init(&ah, &cell_model, &bad_config, 1.0f) == BMS_SOC_ERR_CONFIG, "config blend tau 0");
    bad_config = config; bad_config.voltage_min_V = 6.0f;
    CHECK(bms_soc_ekf_init(&ekf, &cell_model, &bad_config, 1.0f) == BMS_SOC_ERR_CONFIG, "config voltage range empty");
    bad_config = config; bad_config.initial_soc_sigma = 0.0f;
    CHECK(bms_soc_ekf_init(&ekf, &cell_model, &bad_config, 1.0f) == BMS_SOC_ERR_CONFIG, "config sigma 0");
    bad_config = config; bad_config.coulombic_efficiency = 2.0f;
    CHECK(bms_soc_config_check(&bad_config) == BMS_SOC_ERR_CONFIG, "config efficiency 2");
    bad_config = config; bad_config.initial_hysteresis_sigma = 0.0f;
    CHECK(bms_soc_ekf_init(&ekf, &cell_model, &bad_config, 1.0f) == BMS_SOC_ERR_CONFIG, "config hysteresis sigma 0");
    bad_config = config; bad_config.hysteresis_process_noise_per_s = NAN;
    CHECK(bms_soc_config_check(&bad_config) == BMS_SOC_ERR_CONFIG, "config hysteresis noise NaN");
    CHECK(bms_soc_config_check(&config) == BMS_SOC_OK, "default config");
}

/* A short drive: a full rest (power-up at 25 degC), a 1 A discharge of 1800 s, a 2 h sleep. */
static void test_drive(void) {
    bms_soc_ah_t ah;
    bms_soc_ekf_t ekf;
    bms_soc_lstm_t lstm;
    bms_soc_estimate_t e, before;
    bms_lstm_model_t model;
    static int16_t workspace[LSTM_MODEL_WORKSPACE_WORDS];
    bms_soc_lstm_settings_t settings;
    float q, expected;
    int t;
    bms_soc_lstm_settings_default(&settings);
    (void)bms_lstm_load_blob(lstm_model, LSTM_MODEL_SIZE, &model);
    CHECK(bms_soc_ah_init(&ah, &cell_model, &config, 1.0f) == BMS_SOC_OK, "ah");
    CHECK(bms_soc_ekf_init(&ekf, &cell_model, &config, 1.0f) == BMS_SOC_OK, "ekf");
    CHECK(bms_soc_lstm_init(&lstm, &model, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
          == BMS_SOC_OK, "lstm");
    /* Power-up at rest with unknown history (dt 0): the EKF anchors on the rested 4.19 V. */
    bms_soc_ah_tick(&ah, 4.19f, 0.0f, 25.0f, 0.0f, &e);
    CHECK(e.soc > 0.95f && e.soc <= 1.0f, "ah at a full rest: %g", (double)e.soc);
    bms_soc_ekf_tick(&ekf, 4.19f, 0.0f, 25.0f, 0.0f, &e);
    CHECK(e.has_sigma && e.sigma > 0.0f && e.sigma < 0.2f && e.soc > 0.9f, "ekf anchored: %g +- %g", (double)e.soc, (double)e.sigma);
    bms_soc_lstm_tick(&lstm, 4.19f, 0.0f, 25.0f, 0.0f, &e);
    CHECK(e.soc == 1.0f && !e.has_sigma && lstm.model_steps == 0, "lstm counts before a discharge");
    q = ah.capacity_Ah;
    expected = ah.last.soc - 1800.0f / (3600.0f * q);
    for (t = 1; t <= 1800; t++) {
        float v = 4.05f - 0.3f * (float)t / 1800.0f;
        bms_soc_ah_tick(&ah, v, -1.0f, 25.0f, 1.0f, &e);
        bms_soc_ekf_tick(&ekf, v, -1.0f, 25.0f, 1.0f, &e);
        CHECK(isfinite(e.soc) && e.sigma > 0.0f, "ekf finite at tick %d", t);
        bms_soc_lstm_tick(&lstm, v, -1.0f, 25.0f, 1.0f, &e);
    }
    /* The first discharge tick averages 0 A and -1 A (trapezoid): half a second less. */
    CHECK(fabsf(ah.last.soc - (expected + 0.5f / (3600.0f * q))) < 1e-5f, "ah counted %g, expected %g",
          (double)ah.last.soc, (double)(expected + 0.5f / (3600.0f * q)));
    CHECK(ekf.last.soc < 0.95f && ekf.last.soc > 0.3f, "ekf after 0.5 Ah: %g", (double)ekf.last.soc);
    /* 1 + 180 model steps (one per 10 s, the first at the discharge's start, the rested sample replayed first). */
    CHECK(lstm.model_steps == 1 + 1 + 179 && lstm.discharges_started == 1, "lstm steps %u", (unsigned)lstm.model_steps);
    CHECK(lstm.last.soc == (float)((double)lstm.model_soc_centi_percent / 10000), "lstm estimate is the model output");
    /* A 2 h sleep, then a rested reading: the counter blends fully towards the OCV; the EKF
     * re-anchors; the LSTM run ends and the count continues from the model output. */
    bms_soc_ah_wake(&ah, 7200.0f);
    bms_soc_ekf_wake(&ekf, 7200.0f);
    bms_soc_lstm_wake(&lstm, 7200.0f);
    before = ah.last;
    bms_soc_ah_tick(&ah, 3.85f, 0.0f, 25.0f, 1.0f, &e);
    CHECK(e.soc != before.soc, "ah wake-up reading moves the estimate");
    bms_soc_ekf_tick(&ekf, 3.85f, 0.0f, 25.0f, 1.0f, &e);
    CHECK(e.sigma < 0.2f, "ekf re-anchored: sigma %g", (double)e.sigma);
    bms_soc_lstm_tick(&lstm, 3.85f, 0.0f, 25.0f, 1.0f, &e);
    CHECK(lstm.in_discharge == 0 && e.soc == (float)((double)lstm.model_soc_centi_percent / 10000), "lstm run ended");
    /* NaN and negative sleeps count as 0; an infinite one is an unknown history. */
    CHECK(bms_soc_ah_wake(&ah, NAN) == BMS_SOC_OK && ah.pending_sleep_s == 0.0f, "NaN sleep");
    CHECK(bms_soc_ekf_wake(&ekf, -5.0f) == BMS_SOC_OK && ekf.pending_sleep_s == 0.0f, "negative sleep");
    CHECK(bms_soc_ah_wake(&ah, INFINITY) == BMS_SOC_OK, "infinite sleep");
    bms_soc_ah_tick(&ah, 3.85f, 0.0f, 25.0f, 1.0f, &e);
    CHECK(isfinite(e.soc), "ah after an infinite sleep");
    /* Reset. */
    CHECK(bms_soc_ah_reset(&ah, 0.5f) == BMS_SOC_OK && ah.last.soc == 0.5f, "ah reset");
    CHECK(bms_soc_ekf_reset(&ekf, 0.5f) == BMS_SOC_OK && ekf.last.soc == 0.5f, "ekf reset");
    CHECK(bms_soc_lstm_reset(&lstm, 0.5f) == BMS_SOC_OK && lstm.last.soc == 0.5f && lstm.in_discharge == 0, "lstm reset");
}

/* The fixture model with the law above: h follows h' = A h + (1 - A) sgn(I), A = exp(-|I dt gamma / 3600 Q|)
 * with gamma = 30 at 25 degC (hand-computed below), stays in [-1, 1], and a rested reading is read
 * as V - M h - M0 s (M = 20 mV, M0 = 4 mV at 25 degC). */
static void test_hysteresis_drive(void) {
    bms_cell_model_t m = cell_model;
    bms_soc_ah_t ah, plain;
    bms_soc_ekf_t ekf;
    bms_soc_estimate_t e;
    float q, h = 0.0f, a;
    int t;
    m.hysteresis = hysteresis_law;
    CHECK(bms_soc_ah_init(&ah, &m, &config, 1.0f) == BMS_SOC_OK && ah.uses_hysteresis, "ah with hysteresis");
    CHECK(bms_soc_ah_init(&plain, &cell_model, &config, 1.0f) == BMS_SOC_OK && !plain.uses_hysteresis, "ah without");
    CHECK(bms_soc_ekf_init(&ekf, &m, &config, 1.0f) == BMS_SOC_OK && ekf.states == 3, "ekf with the h state");
    CHECK(ekf.initial_p[8] == 0.6f * 0.6f && ekf.process_noise[2] == 1e-6f, "h: initial sigma 0.6, noise 1e-6");
    bms_soc_ah_tick(&ah, 4.19f, 0.0f, 25.0f, 0.0f, &e);
    bms_soc_ah_tick(&plain, 4.19f, 0.0f, 25.0f, 0.0f, &e);
    bms_soc_ekf_tick(&ekf, 4.19f, 0.0f, 25.0f, 0.0f, &e);
    q = ah.capacity_Ah;
    for (t = 1; t <= 3600; t++) {
        const float current = t <= 2400 ? -2.0f : 1.5f, v = t <= 2400 ? 3.9f : 4.0f;
        const float mean = t == 2401 ? 0.5f * (-2.0f + 1.5f) : current;
        bms_soc_ah_tick(&ah, v, current, 25.0f, 1.0f, &e);
        bms_soc_ah_tick(&plain, v, current, 25.0f, 1.0f, &e);
        bms_soc_ekf_tick(&ekf, v, current, 25.0f, 1.0f, &e);
        a = expf(-fabsf((mean > 0.0f ? ah.efficiency : 1.0f) * mean * 1.0f * 30.0f / (3600.0f * q)));
        h = a * h + (1.0f - a) * (mean > 0.0f ? 1.0f : -1.0f);
        CHECK(fabsf(ekf.x[2]) <= 1.0f && fabsf(ah.hysteresis_h) <= 1.0f && isfinite(e.soc), "h in [-1, 1] at tick %d", t);
        if (t == 2400) CHECK(ah.hysteresis_h < -0.9f && ah.hysteresis_sign == -1.0f, "h after the discharge: %g", (double)ah.hysteresis_h);
    }
    CHECK(fabsf(ah.hysteresis_h - h) < 1e-5f && ah.hysteresis_sign == 1.0f, "ah h %g, by hand %g", (double)ah.hysteresis_h, (double)h);
    CHECK(ekf.hysteresis_sign == 1.0f, "ekf sign after a charge");
    /* A 2 h sleep, then a rested reading: the counter reads 3.9 V - (M h + M0) on the OCV curve,
     * lower than the plain counter (h > 0 after the charge). */
    bms_soc_ah_wake(&ah, 7200.0f);
    bms_soc_ah_wake(&plain, 7200.0f);
    bms_soc_ah_tick(&ah, 3.9f, 0.0f, 25.0f, 1.0f, &e);
    bms_soc_ah_tick(&plain, 3.9f, 0.0f, 25.0f, 1.0f, &e);
    CHECK(ah.hysteresis_h > 0.0f && ah.last.soc < plain.last.soc, "rested reading: with h %g, without %g",
          (double)ah.last.soc, (double)plain.last.soc);
    CHECK(bms_soc_ah_reset(&ah, 0.5f) == BMS_SOC_OK && ah.hysteresis_h == 0.0f && ah.hysteresis_sign == 0.0f, "ah reset h");
    CHECK(bms_soc_ekf_reset(&ekf, 0.5f) == BMS_SOC_OK && ekf.x[2] == 0.0f && ekf.hysteresis_sign == 0.0f
          && ekf.p[8] == 0.6f * 0.6f, "ekf reset h");
}

int main(void) {
    bms_soc_config_default(&config);
    test_null_pointers();
    test_bad_inputs_hold();
    test_bad_models();
    test_drive();
    test_hysteresis_drive();
    printf("bms_soc_test: state bytes ah %zu, ekf %zu, lstm %zu (+ %u workspace words); %d failure(s)\n",
           sizeof(bms_soc_ah_t), sizeof(bms_soc_ekf_t), sizeof(bms_soc_lstm_t), (unsigned)LSTM_MODEL_WORKSPACE_WORDS,
           failures);
    return failures == 0 ? 0 : 1;
}
