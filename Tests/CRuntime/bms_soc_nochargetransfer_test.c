/* The C estimators built with -DBMS_SOC_CHARGE_TRANSFER=0 (a firmware whose cell model has no
 * charge-transfer term, bms_soc.h): the fixture model runs as in the full build; the exported
 * model with the term (Examples/c/model/cell_model_charge_transfer.c) is refused by the EKF at
 * init with BMS_SOC_ERR_CHARGE_TRANSFER_COMPILED_OUT, and accepted by the Ah counter, which never
 * reads the term. Run by Scripts/test-c-runtime.sh. */
#include <stdio.h>
#include <string.h>
#include "bms_soc.h"
#include "cell_model.h"
#include "cell_model_charge_transfer.h"

#if BMS_SOC_CHARGE_TRANSFER
#error "build this test with -DBMS_SOC_CHARGE_TRANSFER=0"
#endif

static int failures = 0;
#define EXPECT(cond, what) do { if (!(cond)) { printf("FAIL: %s\n", what); failures++; } } while (0)

int main(void) {
    bms_soc_config_t config;
    bms_soc_ah_t ah;
    bms_soc_ekf_t ekf;
    bms_soc_estimate_t estimate;
    bms_soc_config_default(&config);
    EXPECT(bms_soc_ah_init(&ah, &cell_model, &config, 1.0f) == BMS_SOC_OK, "Ah counter on the fixture model");
    EXPECT(bms_soc_ekf_init(&ekf, &cell_model, &config, 1.0f) == BMS_SOC_OK, "EKF on the fixture model");
    EXPECT(bms_soc_ekf_tick(&ekf, 3.9f, -1.0f, 25.0f, 1.0f, &estimate) == BMS_SOC_OK && estimate.soc < 1.0f,
           "EKF ticks");
    EXPECT(bms_soc_ekf_init(&ekf, &cell_model_charge_transfer, &config, 1.0f) == BMS_SOC_ERR_CHARGE_TRANSFER_COMPILED_OUT,
           "EKF refuses a model with the term it was built without");
    EXPECT(strcmp(bms_soc_status_name(BMS_SOC_ERR_CHARGE_TRANSFER_COMPILED_OUT), "charge transfer compiled out") == 0,
           "status name");
    EXPECT(bms_soc_ah_init(&ah, &cell_model_charge_transfer, &config, 1.0f) == BMS_SOC_OK,
           "Ah counter accepts it (it never reads the term)");
    printf("bms_soc_nochargetransfer_test: %d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
