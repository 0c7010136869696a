/* Host test of the charge-transfer term in the C estimators (bms_soc_charge_transfer.c), run
 * under ASan + UBSan by Scripts/test-c-runtime.sh: bad groups refused with
 * BMS_SOC_ERR_MODEL_CHARGE_TRANSFER by the model check and both inits (a NaN, a or I_ref out
 * of range, I_ref <= 0, count 0, NULL arrays, a grid not increasing); the exported fixture
 * model with the term (Examples/c/model/cell_model_charge_transfer.c) accepted; a term with
 * a = 0 runs bit for bit as no term; the Ah counter never reads it; and on a constant-current
 * drive the EKF with the term follows the EKF whose R0 carries the same voltage,
 * R0 + a asinh(I / I_ref) / I. Agreement with the Swift EKF is tested in Swift
 * (CEstimatorChargeTransferTests). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "bms_soc.h"
#include "cell_model.h"
#include "cell_model_charge_transfer.h"

#if !BMS_SOC_CHARGE_TRANSFER
#error "build this test with the charge-transfer term (the default)"
#endif

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)

static bms_soc_config_t config;

/* An illustrative two-group term (a, I_ref at 0 and 25 degC). */
static const float temperatures_C[2] = {0.0f, 25.0f};
static const float coefficient_V[2] = {0.045f, 0.019f};
static const float reference_current_A[2] = {1.9f, 5.2f};
static const bms_soc_charge_transfer_t term = {temperatures_C, coefficient_V, reference_current_A, 2};

static void test_bad_groups(void) {
    static const float nan_values[2] = {NAN, 0.02f};
    static const float zero[2] = {0.0f, 0.0f};
    static const float negative[2] = {-1.0f, 2.0f};
    static const float above_two[2] = {0.02f, 2.5f};
    static const float flat_grid[2] = {10.0f, 10.0f};
    static const float tiny[2] = {1e-7f, 1.0f};
    bms_cell_model_t m = cell_model;
    bms_soc_charge_transfer_t t;
    bms_soc_ah_t ah;
    bms_soc_ekf_t ekf;
#define EXPECT_TERM(code, what) do { \
        m.charge_transfer = &t; \
        CHECK(bms_cell_model_check(&m) == (code), "check: %s (%s)", what, bms_soc_status_name(bms_cell_model_check(&m))); \
        CHECK(bms_soc_ah_init(&ah, &m, &config, 1.0f) == (code), "ah init: %s", what); \
        CHECK(bms_soc_ekf_init(&ekf, &m, &config, 1.0f) == (code), "ekf init: %s", what); \
        t = term; } while (0)
    t = term;
    EXPECT_TERM(BMS_SOC_OK, "a valid two-group term");
    t.coefficient_V = nan_values;         EXPECT_TERM(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER, "a NaN");
    t.coefficient_V = negative;           EXPECT_TERM(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER, "a negative");
    t.coefficient_V = above_two;          EXPECT_TERM(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER, "a above 2 V");
    t.coefficient_V = zero;               EXPECT_TERM(BMS_SOC_OK, "a = 0 (no term in effect)");
    t.reference_current_A = zero;         EXPECT_TERM(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER, "I_ref 0");
    t.reference_current_A = negative;     EXPECT_TERM(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER, "I_ref negative");
    t.reference_current_A = nan_values;   EXPECT_TERM(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER, "I_ref NaN");
    t.reference_current_A = tiny;         EXPECT_TERM(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER, "I_ref below 1e-6 A");
    t.count = 0;                          EXPECT_TERM(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER, "count 0 (a table of no groups)");
    t.temperatures_C = NULL;              EXPECT_TERM(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER, "temperatures NULL");
    t.coefficient_V = NULL; t.count = 1;  EXPECT_TERM(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER, "a NULL");
    t.temperatures_C = flat_grid;         EXPECT_TERM(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER, "temperatures not increasing");
    t.temperatures_C = nan_values;        EXPECT_TERM(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER, "temperature NaN");
    CHECK(strcmp(bms_soc_status_name(BMS_SOC_ERR_MODEL_CHARGE_TRANSFER), "model charge transfer") == 0, "status name");
    CHECK(strcmp(bms_soc_status_name(BMS_SOC_ERR_CHARGE_TRANSFER_COMPILED_OUT), "charge transfer compiled out") == 0,
          "status name (compiled out)");
    CHECK(cell_model_charge_transfer.charge_transfer != NULL && cell_model.charge_transfer == NULL,
          "the exporter writes the term only for the model that has one");
    CHECK(bms_soc_ekf_init(&ekf, &cell_model_charge_transfer, &config, 1.0f) == BMS_SOC_OK, "exported model with the term");
}

/* `ticks` ticks of a drive at `current_A` (after a first tick at the same current, dt 0) at T;
 * returns the last estimate of each of the two estimators on models a and b. */
static void drive(const bms_cell_model_t *a, const bms_cell_model_t *b, float current_A, float temperature_C,
                  int ticks, int ekf_not_ah, bms_soc_estimate_t *ea, bms_soc_estimate_t *eb, float *max_gap) {
    static bms_soc_ekf_t ekf_a, ekf_b;
    static bms_soc_ah_t ah_a, ah_b;
    int k;
    *max_gap = 0.0f;
    if (ekf_not_ah) {
        CHECK(bms_soc_ekf_init(&ekf_a, a, &config, 0.9f) == BMS_SOC_OK && bms_soc_ekf_init(&ekf_b, b, &config, 0.9f) == BMS_SOC_OK,
              "drive init");
    } else {
        CHECK(bms_soc_ah_init(&ah_a, a, &config, 0.9f) == BMS_SOC_OK && bms_soc_ah_init(&ah_b, b, &config, 0.9f) == BMS_SOC_OK,
              "drive init");
    }
    for (k = 0; k < ticks; k++) {
        /* The voltage falls as a loaded cell's would; the filters pull towards it. */
        const float voltage_V = 3.95f - 0.0004f * (float)k, dt_s = k == 0 ? 0.0f : 1.0f;
        if (ekf_not_ah) {
            bms_soc_ekf_tick(&ekf_a, voltage_V, current_A, temperature_C, dt_s, ea);
            bms_soc_ekf_tick(&ekf_b, voltage_V, current_A, temperature_C, dt_s, eb);
        } else {
            bms_soc_ah_tick(&ah_a, voltage_V, current_A, temperature_C, dt_s, ea);
            bms_soc_ah_tick(&ah_b, voltage_V, current_A, temperature_C, dt_s, eb);
        }
        *max_gap = fmaxf(*max_gap, fabsf(ea->soc - eb->soc));
    }
}

static void test_effect(void) {
    static float r0_values[1024];
    static const float zero[2] = {0.0f, 0.0f};
    bms_soc_charge_transfer_t zero_term = term;
    bms_cell_model_t with = cell_model, without = cell_model, shifted = cell_model;
    bms_soc_estimate_t a, b;
    const float current_A = -2.0f, temperature_C = 10.0f;
    /* eta(-2 A, 10 degC): the two groups' voltages, 10/25 of the way from the first. */
    const float low = coefficient_V[0] * asinhf(current_A / reference_current_A[0]);
    const float high = coefficient_V[1] * asinhf(current_A / reference_current_A[1]);
    const float eta_V = low + 0.4f * (high - low);
    size_t i, count = (size_t)cell_model.r0_ohm.soc_count * cell_model.r0_ohm.temperature_count;
    float gap, gap_shifted;
    with.charge_transfer = &term;
    zero_term.coefficient_V = zero;
    without.charge_transfer = &zero_term;
    /* a = 0: bit for bit the model without a term. */
    drive(&without, &cell_model, current_A, temperature_C, 600, 1, &a, &b, &gap);
    CHECK(memcmp(&a, &b, sizeof a) == 0 && gap == 0.0f, "a = 0 runs as no term");
    /* The Ah counter does not read the term. */
    drive(&with, &cell_model, current_A, temperature_C, 600, 0, &a, &b, &gap);
    CHECK(gap == 0.0f, "the Ah counter ignores the term");
    /* With the term against R0 + eta / I at this constant current: the same predicted voltage
     * up to float32 rounding. */
    CHECK(count <= sizeof r0_values / sizeof r0_values[0], "R0 table fits the test's buffer");
    for (i = 0; i < count; i++) r0_values[i] = cell_model.r0_ohm.values[i] + eta_V / current_A;
    shifted.r0_ohm.values = r0_values;
    drive(&with, &shifted, current_A, temperature_C, 1800, 1, &a, &b, &gap_shifted);
    CHECK(gap_shifted < 2e-5f, "the term acts as R0 + eta / I at constant current: max |SOC gap| %g", (double)gap_shifted);
    drive(&with, &cell_model, current_A, temperature_C, 1800, 1, &a, &b, &gap);
    CHECK(gap > 1e-3f, "and differs from the model without it: max |SOC gap| %g", (double)gap);
    printf("charge transfer: eta(-2 A, 10 degC) = %.4f V; EKF max |SOC gap| over 1800 s: with the term vs R0 + eta/I %.2g, "
           "vs no term %.3g\n", (double)eta_V, (double)gap_shifted, (double)gap);
}

int main(void) {
    bms_soc_config_default(&config);
    test_bad_groups();
    test_effect();
    printf("bms_soc_charge_transfer_test: %d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
