/* Fixed-point helpers of the C runtime: CRC-32, activations, requantization, names. */
#include "bms_internal.h"

uint32_t bms_crc32(const uint8_t *data, size_t size) {
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    int bit;
    for (i = 0; i < size; ++i) {
        crc ^= data[i];
        for (bit = 0; bit < 8; ++bit) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return crc ^ 0xFFFFFFFFu;
}

int16_t bms_sigmoid_q15(int16_t x_q4_11) { return bms_interpolate(bms_sigmoid_table_q15, x_q4_11); }

int16_t bms_tanh_q15(int16_t x_q3_12) { return bms_interpolate(bms_tanh_table_q15, x_q3_12); }

int64_t bms_requantize_wide(int32_t value, bms_requant_t scale) {
    return bms_requant_wide(value, scale.multiplier, scale.shift);
}

int16_t bms_requantize_s16(int32_t value, bms_requant_t scale) {
    return bms_requant_sat16(value, scale.multiplier, scale.shift);
}

const char *bms_status_name(bms_status_t status) {
    switch (status) {
    case BMS_OK: return "ok";
    case BMS_ERR_ARGUMENT: return "bad argument (NULL or misaligned blob)";
    case BMS_ERR_TRUNCATED: return "truncated blob";
    case BMS_ERR_SIZE_MISMATCH: return "blob longer than its declared size";
    case BMS_ERR_MAGIC: return "wrong magic";
    case BMS_ERR_VERSION: return "unsupported version";
    case BMS_ERR_GATE_ORDER: return "unsupported gate order";
    case BMS_ERR_CRC: return "CRC-32 mismatch";
    case BMS_ERR_TOPOLOGY: return "invalid topology";
    case BMS_ERR_TENSOR: return "invalid tensor entry";
    case BMS_ERR_OFFSET: return "offset out of bounds";
    case BMS_ERR_ALIGNMENT: return "misaligned tensor";
    case BMS_ERR_SCALE: return "scale out of range";
    case BMS_ERR_BIAS: return "bias out of range";
    case BMS_ERR_FEATURE: return "unknown feature code";
    case BMS_ERR_RESERVED: return "reserved field not zero";
    case BMS_ERR_WORKSPACE: return "workspace too small";
    case BMS_ERR_PLATFORM: return "host not little-endian";
    case BMS_ERR_STEP: return "charge-drawn model step out of range";
    case BMS_ERR_PRIOR: return "prior capacity out of range";
    case BMS_ERR_START_SOC: return "start SOC out of range or model without a prior-SOC input";
    case BMS_ERR_COMPILED_OUT: return "the blob needs a feature this build leaves out";
    }
    return "unknown status";
}

/* The start SOC s0 of the coulomb-count prior s0 - q/Q (format version 5's prior-SOC input;
 * Docs/FixedPoint.md); kept out of bms_step.c, whose kernels change for speed. */

bms_status_t bms_lstm_set_start_soc(bms_lstm_context_t *context, int32_t start_soc_centi_percent) {
    uint32_t i;
    int reads_prior_soc = 0;
    if (context == NULL || context->model == NULL) return BMS_ERR_ARGUMENT;
    if (!BMS_LSTM_START_SOC) return BMS_ERR_START_SOC;  /* compiled out: no model here reads a prior SOC */
    for (i = 0; i < context->model->feature_count; ++i) {
        if (context->model->features[i].feature == BMS_FEATURE_PRIOR_SOC) reads_prior_soc = 1;
    }
    if (!reads_prior_soc || context->prior_capacity_mAh <= 0
        || start_soc_centi_percent < 0 || start_soc_centi_percent > 12000) {
        return BMS_ERR_START_SOC;
    }
    context->start_soc_centi_percent = start_soc_centi_percent;
    return BMS_OK;
}
