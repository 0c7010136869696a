/* The C estimators built with -DBMS_SOC_HYSTERESIS=0 (a firmware for cells without
 * hysteresis, bms_soc.h): the fixture model runs as in the full build, a model with a
 * hysteresis law is refused by the Ah counter (with OCV correction) and the EKF unless the
 * configuration turns the model's hysteresis off. Run by Scripts/test-c-runtime.sh. */
#include <stdio.h>
#include "bms_soc.h"
#include "cell_model.h"

#if BMS_SOC_HYSTERESIS
#error "build this test with -DBMS_SOC_HYSTERESIS=0"
#endif

static int failures = 0;
#define EXPECT(cond, what) do { if (!(cond)) { printf("FAIL: %s\n", what); failures++; } } while (0)

static const float temperatures_C[1] = {25.0f};
static const float maximum_V[1] = {0.03f};
static const float instantaneous_V[1] = {0.006f};
static const float rate[1] = {20.0f};

int main(void) {
    bms_soc_config_t config;
    bms_soc_ah_t ah;
    bms_soc_ekf_t ekf;
    bms_soc_estimate_t estimate;
    bms_cell_model_t with_law = cell_model;
    bms_soc_config_default(&config);
    EXPECT(bms_soc_ah_init(&ah, &cell_model, &config, 1.0f) == BMS_SOC_OK, "Ah counter on the fixture model");
    EXPECT(bms_soc_ekf_init(&ekf, &cell_model, &config, 1.0f) == BMS_SOC_OK, "EKF on the fixture model");
    EXPECT(bms_soc_ekf_tick(&ekf, 3.9f, -1.0f, 25.0f, 1.0f, &estimate) == BMS_SOC_OK && estimate.soc < 1.0f,
           "EKF ticks");
    with_law.hysteresis.temperatures_C = temperatures_C;
    with_law.hysteresis.maximum_V = maximum_V;
    with_law.hysteresis.instantaneous_V = instantaneous_V;
    with_law.hysteresis.rate_constant = rate;
    with_law.hysteresis.count = 1;
    EXPECT(bms_soc_ah_init(&ah, &with_law, &config, 1.0f) == BMS_SOC_ERR_MODEL_HYSTERESIS,
           "Ah counter refuses a hysteresis model it was built without");
    EXPECT(bms_soc_ekf_init(&ekf, &with_law, &config, 1.0f) == BMS_SOC_ERR_MODEL_HYSTERESIS,
           "EKF refuses a hysteresis model it was built without");
    config.use_model_hysteresis = 0;
    EXPECT(bms_soc_ah_init(&ah, &with_law, &config, 1.0f) == BMS_SOC_OK, "Ah counter with the hysteresis turned off");
    EXPECT(bms_soc_ekf_init(&ekf, &with_law, &config, 1.0f) == BMS_SOC_OK, "EKF with the hysteresis turned off");
    printf("bms_soc_nohysteresis_test: %d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
