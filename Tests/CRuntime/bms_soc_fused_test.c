/* ekf+lstm in C (bms_fused.h) on hand-made drives with the example blob (lstm-f: band noise, no
 * envelope): fusions only on the model steps of a confirmed run under discharge that started from
 * a rest, none on a run that began under load, none at rest or while charging; the fused EKF pulled towards
 * the LSTM from a wrong start; wake and reset; the refusals. Against the Swift estimator, tick by
 * tick: Tests/EstimatorsTests/CFusedAgreementTests. */
#include <math.h>
#include <stdio.h>
#include "bms_fused.h"
#include "cell_model.h"
#include "lstm_model.h"

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf("\n"); failures++; } } while (0)

static bms_lstm_model_t net;
static int16_t workspace[LSTM_MODEL_WORKSPACE_WORDS];
static bms_soc_config_t config;
static bms_soc_ekf_t ekf;
static bms_soc_lstm_t lstm;
static bms_soc_fused_t fused;

static int start(float ekf_soc) {
    bms_soc_lstm_settings_t settings;
    bms_fusion_noise_t noise;
    bms_soc_lstm_settings_default(&settings);
    bms_fusion_noise_default(&noise);
    return bms_soc_ekf_init(&ekf, &cell_model, &config, ekf_soc) == BMS_SOC_OK
        && bms_soc_lstm_init(&lstm, &net, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f)
               == BMS_SOC_OK
        && bms_soc_fused_init(&fused, &ekf, &lstm, &noise) == BMS_SOC_OK;
}

/* `seconds` ticks of 1 s at a voltage falling by `slope_V` per tick. */
static void run(float voltage_V, float slope_V, float current_A, int seconds, bms_soc_estimate_t *e) {
    int k;
    for (k = 0; k < seconds; k++) {
        CHECK(bms_soc_fused_tick(&fused, voltage_V - slope_V * (float)k, current_A, 25.0f, 1.0f, e) == BMS_SOC_OK, "tick");
    }
}

int main(void) {
    bms_soc_estimate_t e;
    bms_fusion_noise_t noise;
    uint32_t fusions;
    float before;
    bms_soc_config_default(&config);
    CHECK(bms_lstm_load_blob(lstm_model, LSTM_MODEL_SIZE, &net) == BMS_OK, "blob loads");

    /* From a rest at full, a 2 A discharge: no fusion in the run's first minute (the count), then one
     * per 10 s model step; the estimate is the EKF's. */
    CHECK(start(1.0f), "init");
    run(4.15f, 0.0f, 0.0f, 120, &e);
    run(3.95f, 0.0f, -2.0f, 59, &e);
    CHECK(fused.fusions == 0, "no fusion before the run is confirmed: %u", (unsigned)fused.fusions);
    run(3.94f, 0.0002f, -2.0f, 600, &e);
    CHECK(fused.fusions >= 50 && fused.fusions <= 61, "one fusion per model step: %u", (unsigned)fused.fusions);
    CHECK(e.soc == ekf.last.soc && e.has_sigma, "the estimate is the EKF's");
    /* A rest shorter than rest_before_discharge_s keeps the run (and its model steps) going: no fusion
     * without a discharge current. */
    fusions = fused.fusions;
    run(4.0f, 0.0f, 0.0f, 40, &e);
    CHECK(lstm.in_discharge && fused.fusions == fusions, "no fusion at rest within the run: %u", (unsigned)fused.fusions);
    /* A charge: no fusion. */
    run(4.0f, 0.0f, 1.5f, 300, &e);
    CHECK(fused.fusions == fusions, "no fusion while charging");

    /* The EKF started 30 points high: the fused steps pull it down more than the EKF alone. */
    CHECK(start(1.0f), "init");
    ekf.x[0] = 0.7f;   /* a wrong start of the filter alone (the LSTM starts from full) */
    run(4.15f, 0.0f, 0.0f, 120, &e);
    before = ekf.last.soc;
    run(3.95f, 0.0003f, -2.0f, 900, &e);
    CHECK(fused.fusions > 0 && fabsf(e.soc - lstm.last.soc) < fabsf(before - 0.99f), "pulled towards the LSTM: %g (LSTM %g)",
          (double)e.soc, (double)lstm.last.soc);

    /* A run that began under load (power-up mid-discharge, no rest sample): no fusion. */
    CHECK(start(0.8f), "init");
    run(3.9f, 0.0002f, -2.0f, 600, &e);
    CHECK(fused.fusions == 0 && lstm.run_started_at_rest == 0, "no fusion on a run started under load: %u",
          (unsigned)fused.fusions);

    /* Wake and reset reach both parts; a held tick holds. */
    CHECK(bms_soc_fused_wake(&fused, 3600.0f) == BMS_SOC_OK, "wake");
    CHECK(bms_soc_fused_reset(&fused, 0.5f) == BMS_SOC_OK && fabsf(ekf.last.soc - 0.5f) < 1e-6f
          && fabsf(lstm.last.soc - 0.5f) < 1e-6f && fused.last.soc == ekf.last.soc, "reset both");
    CHECK(bms_soc_fused_tick(&fused, NAN, -2.0f, 25.0f, 1.0f, &e) == BMS_SOC_OK && e.holding == 1, "a NaN tick holds");

    /* Refusals: nothing written. */
    bms_fusion_noise_default(&noise);
    noise.band_sigma[1] = 0.0;
    fusions = fused.fusions;
    CHECK(bms_soc_fused_init(&fused, &ekf, &lstm, &noise) == BMS_SOC_ERR_CONFIG && fused.fusions == fusions, "sigma 0");
    bms_fusion_noise_default(&noise);
    noise.bands = 0;
    CHECK(bms_fusion_noise_check(&noise) == BMS_SOC_ERR_CONFIG, "no bands");
    noise.bands = BMS_FUSION_MAX_BANDS + 1;
    CHECK(bms_fusion_noise_check(&noise) == BMS_SOC_ERR_CONFIG, "too many bands");
    bms_fusion_noise_default(&noise);
    noise.decorrelation_s = -1.0;
    CHECK(bms_fusion_noise_check(&noise) == BMS_SOC_ERR_CONFIG, "negative tau");
    noise.decorrelation_s = 10.0;
    noise.filter_variance_ratio = INFINITY;
    CHECK(bms_fusion_noise_check(&noise) == BMS_SOC_ERR_CONFIG, "infinite rho");
    CHECK(bms_fusion_noise_check(NULL) == BMS_SOC_ERR_ARGUMENT, "NULL noise");
    CHECK(bms_soc_fused_init(NULL, &ekf, &lstm, &noise) == BMS_SOC_ERR_ARGUMENT, "NULL state");
    CHECK(bms_soc_fused_tick(&fused, 4.0f, -1.0f, 25.0f, 1.0f, NULL) == BMS_SOC_ERR_ARGUMENT, "NULL estimate");
    CHECK(bms_soc_fused_wake(NULL, 1.0f) == BMS_SOC_ERR_ARGUMENT, "NULL wake");
    CHECK(bms_soc_ekf_apply_soc_measurement(&ekf, 0.5f, NAN) == 0, "NaN variance");

    if (failures) {
        printf("bms_soc_fused_test: %d failure(s)\n", failures);
        return 1;
    }
    printf("bms_soc_fused_test: ok\n");
    return 0;
}
