/* libFuzzer harness for the C blob loader (clang -fsanitize=fuzzer,address,undefined).
 * Input byte 0 selects the mode: odd = use the rest as a blob as is; even = first recompute
 * the CRC-32 trailer so the fuzzer reaches the checks behind it. A blob that loads is
 * then run for a few steps, so any unchecked field would show up as an ASan/UBSan error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bms_lstm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *blob;
    size_t n;
    bms_lstm_model_t model;
    if (size < 1) return 0;
    n = size - 1;
    blob = (uint8_t *)malloc(n ? n : 1);
    memcpy(blob, data + 1, n);
    if ((data[0] & 1u) == 0 && n >= 8) {
        uint32_t crc = bms_crc32(blob, n - 4);
        blob[n - 4] = (uint8_t)crc; blob[n - 3] = (uint8_t)(crc >> 8);
        blob[n - 2] = (uint8_t)(crc >> 16); blob[n - 1] = (uint8_t)(crc >> 24);
    }
    if (bms_lstm_load_blob(blob, n, &model) == BMS_OK) {
        uint32_t words = bms_lstm_workspace_words(&model);
        int16_t *workspace = (int16_t *)malloc(words * sizeof(int16_t));
        bms_lstm_context_t context;
        int32_t soc, k;
        if (bms_lstm_init_context(&model, workspace, words, &context) == BMS_OK) {
            for (k = 0; k < 4; ++k) bms_lstm_step_s8(&context, 3700000 - 1000 * k, -2000 + 700 * k, 250, &soc);
            bms_lstm_step_s8(&context, INT32_MIN, INT32_MAX, INT32_MIN, &soc);
        }
        free(workspace);
    }
    free(blob);
    return 0;
}
