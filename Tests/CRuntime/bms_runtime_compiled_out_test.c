/* The C runtime built with its optional blob features left out (-DBMS_LSTM_START_SOC=0
 * -DBMS_LSTM_UNCERTAINTY=0, Scripts/test-c-runtime.sh; the golden replays of the blobs that
 * need neither run in the same build): a blob with a prior-SOC input (format version 5) or an
 * uncertainty head (version 6) is refused with BMS_ERR_COMPILED_OUT, and the two entry points
 * answer as for a model without the feature.
 * Usage: bms_runtime_compiled_out_test V5_BLOB V6_BLOB V3_BLOB */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bms_lstm.h"

#if BMS_LSTM_START_SOC || BMS_LSTM_UNCERTAINTY
#error "build with -DBMS_LSTM_START_SOC=0 -DBMS_LSTM_UNCERTAINTY=0"
#endif

static int failures = 0;
#define CHECK(cond, what) do { if (!(cond)) { fprintf(stderr, "FAIL: %s\n", what); failures++; } } while (0)

#include "bms_test_file.h"

static bms_status_t load(const char *path, bms_lstm_model_t *model, unsigned char **bytes) {
    size_t size;
    *bytes = read_file(path, &size);
    return bms_lstm_load_blob(*bytes, size, model);
}

int main(int argc, char **argv) {
    bms_lstm_model_t model;
    bms_lstm_context_t context;
    unsigned char *bytes;
    int16_t *workspace, log_variance = 0;
    int32_t soc = 0;
    if (argc != 4) { fprintf(stderr, "usage: %s V5_BLOB V6_BLOB V3_BLOB\n", argv[0]); return 2; }
    CHECK(load(argv[1], &model, &bytes) == BMS_ERR_COMPILED_OUT, "a version-5 blob with a prior-SOC input is refused");
    free(bytes);
    CHECK(load(argv[2], &model, &bytes) == BMS_ERR_COMPILED_OUT, "a version-6 blob with an uncertainty head is refused");
    free(bytes);
    CHECK(strcmp(bms_status_name(BMS_ERR_COMPILED_OUT), "the blob needs a feature this build leaves out") == 0,
          "status name");
    CHECK(load(argv[3], &model, &bytes) == BMS_OK, "a version-3 blob loads");
    workspace = (int16_t *)calloc(bms_lstm_workspace_words(&model), sizeof *workspace);
    CHECK(workspace != NULL, "workspace");
    CHECK(bms_lstm_init_context(&model, workspace, bms_lstm_workspace_words(&model), &context) == BMS_OK, "init");
    CHECK(bms_lstm_set_start_soc(&context, 5000) == BMS_ERR_START_SOC, "no start SOC without the feature");
    CHECK(bms_lstm_step_s8(&context, 4100000, -2000, 250, &soc) == BMS_OK, "a step runs");
    CHECK(bms_lstm_log_variance_q11(&context, &log_variance) == BMS_ERR_TOPOLOGY && log_variance == 0,
          "no log variance without the feature");
    free(workspace);
    free(bytes);
    printf("bms_runtime_compiled_out_test: %d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
