/* Blob loader of the C runtime: validates every field of a .bmsq blob before use
 * (Docs/WeightBlobFormat.md). All reads are bounds-checked against the buffer. */
#include "bms_internal.h"

enum {
    BMS_HEADER_BYTES = 32,
    BMS_RECORD_BYTES = 16,
    BMS_CRC_BYTES = 4,
    BMS_TENSORS_PER_LSTM = 7,
    BMS_TENSORS_PER_DENSE = 4,
    BMS_DTYPE_S8 = 1,
    BMS_DTYPE_S32 = 3,
    BMS_KIND_LSTM = 1,
    BMS_KIND_DENSE = 2
};

/* Expected role, dtype, rank, shape and byte count of tensor `k` of a layer. */
typedef struct { uint16_t role; uint8_t dtype; uint8_t rank; uint32_t dim0; uint32_t dim1; uint32_t bytes; }
    bms_tensor_spec_t;

/* Row length of a stored kernel: version 3 pads rows to a multiple of 4 bytes. */
static uint32_t bms_kernel_columns(uint32_t columns, int interleaved) {
    return interleaved ? (columns + 3u) & ~3u : columns;
}

static bms_tensor_spec_t bms_lstm_spec(int k, uint32_t in, uint32_t hidden, int interleaved) {
    bms_tensor_spec_t s;
    s.role = (uint16_t)(1 + k);
    s.dim0 = 4u * hidden;
    if (k == 0) { s.dtype = BMS_DTYPE_S8; s.rank = 2; s.dim1 = in; }
    else if (k == 1) { s.dtype = BMS_DTYPE_S8; s.rank = 2; s.dim1 = hidden; }
    else { s.dtype = BMS_DTYPE_S32; s.rank = 1; s.dim1 = 1; }
    s.bytes = (k < 2) ? s.dim0 * bms_kernel_columns(s.dim1, interleaved) : s.dim0 * 4u;
    return s;
}

/* Version 3: every padding byte (columns C..P-1 of every gate row) must be zero. */
static int bms_padding_zero(const int8_t *kernel, uint32_t hidden, uint32_t columns) {
    uint32_t padded = (columns + 3u) & ~3u, unit, gate, column;
    for (unit = 0; unit < hidden; ++unit) {
        for (column = columns; column < padded; ++column) {
            for (gate = 0; gate < 4u; ++gate) {
                if (kernel[(size_t)unit * 4u * padded + (column / 4u) * 16u + gate * 4u + column % 4u] != 0) return 0;
            }
        }
    }
    return 1;
}

static bms_tensor_spec_t bms_dense_spec(int k, uint32_t in, uint32_t out) {
    bms_tensor_spec_t s;
    s.role = (uint16_t)(8 + k);
    s.dim0 = out;
    if (k == 0) { s.dtype = BMS_DTYPE_S8; s.rank = 2; s.dim1 = in; }
    else { s.dtype = BMS_DTYPE_S32; s.rank = 1; s.dim1 = 1; }
    s.bytes = s.dim0 * s.dim1 * ((s.dtype == BMS_DTYPE_S8) ? 1u : 4u);
    return s;
}

static int bms_scale_ok(int32_t multiplier, int32_t shift) {
    return multiplier >= (int32_t)0x40000000 && shift >= 1 && shift <= 62;
}

/* Checks one tensor entry against its spec and returns a pointer to its data. */
static bms_status_t bms_tensor(const uint8_t *blob, uint32_t table_offset, uint32_t index,
                               uint32_t data_start, uint32_t data_end,
                               bms_tensor_spec_t spec, const uint8_t **data) {
    const uint8_t *entry = blob + table_offset + (size_t)index * BMS_RECORD_BYTES;
    uint32_t dim0 = bms_rd_u16(entry + 4), dim1 = bms_rd_u16(entry + 6);
    uint32_t offset = bms_rd_u32(entry + 8), bytes = bms_rd_u32(entry + 12);
    if (entry[0] != spec.dtype || entry[1] != spec.rank || bms_rd_u16(entry + 2) != spec.role
        || dim0 != spec.dim0 || dim1 != spec.dim1 || bytes != spec.bytes) {
        return BMS_ERR_TENSOR;
    }
    if ((offset & 15u) != 0) return BMS_ERR_ALIGNMENT;
    if (offset < data_start || offset > data_end || bytes > data_end - offset) return BMS_ERR_OFFSET;
    *data = blob + offset;
    return BMS_OK;
}

static bms_status_t bms_check_scales(const uint8_t *multipliers, const uint8_t *shifts, uint32_t count) {
    uint32_t r;
    for (r = 0; r < count; ++r) {
        if (!bms_scale_ok(bms_rd_s32(multipliers + 4 * r), bms_rd_s32(shifts + 4 * r))) return BMS_ERR_SCALE;
    }
    return BMS_OK;
}

/* 1 if every shift of `count` rows is at least 33 (the 32-bit requantization's range). */
static uint8_t bms_shifts_high(const uint8_t *shifts, uint32_t count) {
    uint32_t r;
    for (r = 0; r < count; ++r) {
        if (bms_rd_s32(shifts + 4 * r) < 33) return 0;
    }
    return 1;
}

static bms_status_t bms_check_bias(const uint8_t *bias, uint32_t count) {
    uint32_t r;
    for (r = 0; r < count; ++r) {
        int32_t b = bms_rd_s32(bias + 4 * r);
        if (b > (int32_t)BMS_MAX_ABS_BIAS || b < -(int32_t)BMS_MAX_ABS_BIAS) return BMS_ERR_BIAS;
    }
    return BMS_OK;
}

static int bms_all_zero(const uint8_t *p, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i) if (p[i] != 0) return 0;
    return 1;
}

bms_status_t bms_lstm_load_blob(const uint8_t *blob, size_t size, bms_lstm_model_t *model) {
    const uint16_t one = 1;
    uint32_t file_size, table_offset, table_end, meta_offset, meta_size, data_end;
    uint32_t feature_count, lstm_count, dense_count, tensor_count, layer_count, i;
    uint32_t width = 0, max_hidden = 0, max_dense = 0, words = 0, expected_tensor = 0, version, capacity_inputs = 0;
    int32_t prior;
    const uint8_t *p;
    bms_status_t status;

    if (blob == NULL || model == NULL) return BMS_ERR_ARGUMENT;
    if (*(const uint8_t *)&one != 1) return BMS_ERR_PLATFORM;
    memset(model, 0, sizeof *model);
    if (size < BMS_HEADER_BYTES + BMS_CRC_BYTES) return BMS_ERR_TRUNCATED;
    if (blob[0] != 'B' || blob[1] != 'M' || blob[2] != 'S' || blob[3] != 'Q') return BMS_ERR_MAGIC;
    version = bms_rd_u16(blob + 4);
    if (version < BMS_BLOB_MIN_VERSION || version > BMS_BLOB_VERSION) return BMS_ERR_VERSION;
    /* version 3's DSP kernel reads weight words with LDRD, which needs 4-byte alignment */
    if (version >= 3 && ((uintptr_t)(const void *)blob & 3u) != 0) return BMS_ERR_ARGUMENT;
    if (bms_rd_u16(blob + 6) != 0) return BMS_ERR_GATE_ORDER;
    file_size = bms_rd_u32(blob + 8);
    if ((size_t)file_size > size) return BMS_ERR_TRUNCATED;
    if ((size_t)file_size < size) return BMS_ERR_SIZE_MISMATCH;
    data_end = file_size - BMS_CRC_BYTES;
    if (bms_crc32(blob, data_end) != bms_rd_u32(blob + data_end)) return BMS_ERR_CRC;

    feature_count = bms_rd_u16(blob + 12);
    lstm_count = bms_rd_u16(blob + 14);
    dense_count = bms_rd_u16(blob + 16);
    tensor_count = bms_rd_u16(blob + 18);
    if (feature_count < 1 || feature_count > BMS_MAX_FEATURES || lstm_count < 1
        || lstm_count > BMS_MAX_LSTM_LAYERS || dense_count < 1 || dense_count > BMS_MAX_DENSE_LAYERS) {
        return BMS_ERR_TOPOLOGY;
    }
    layer_count = lstm_count + dense_count;
    if (tensor_count != BMS_TENSORS_PER_LSTM * lstm_count + BMS_TENSORS_PER_DENSE * dense_count) {
        return BMS_ERR_TENSOR;
    }
    table_offset = bms_rd_u32(blob + 20);
    if (table_offset != BMS_HEADER_BYTES + BMS_RECORD_BYTES * (feature_count + 1 + layer_count)) {
        return BMS_ERR_OFFSET;
    }
    table_end = table_offset + BMS_RECORD_BYTES * tensor_count;
    if (table_end > data_end) return BMS_ERR_OFFSET;
    meta_offset = bms_rd_u32(blob + 24);
    meta_size = bms_rd_u32(blob + 28);
    if (meta_offset < table_end || meta_offset > data_end || meta_size > data_end - meta_offset) {
        return BMS_ERR_OFFSET;
    }

    model->feature_count = (uint16_t)feature_count;
    model->lstm_layer_count = (uint16_t)lstm_count;
    model->dense_layer_count = (uint16_t)dense_count;
    for (i = 0; i < feature_count; ++i) {
        p = blob + BMS_HEADER_BYTES + BMS_RECORD_BYTES * i;
        if (p[0] > BMS_FEATURE_PRIOR_SOC || (p[0] == BMS_FEATURE_CHARGE_DRAWN && version < 2)
            || (p[0] == BMS_FEATURE_PRIOR_CAPACITY && version < 4) || (p[0] == BMS_FEATURE_PRIOR_SOC && version < 5)) {
            return BMS_ERR_FEATURE;
        }
        if (!BMS_LSTM_START_SOC && p[0] == BMS_FEATURE_PRIOR_SOC) return BMS_ERR_COMPILED_OUT;
        if (p[0] == BMS_FEATURE_PRIOR_CAPACITY || p[0] == BMS_FEATURE_PRIOR_SOC) {
            uint32_t bit = p[0] == BMS_FEATURE_PRIOR_SOC ? 2u : 1u;
            if ((capacity_inputs & bit) != 0) return BMS_ERR_TOPOLOGY;  /* a second prior-capacity or prior-SOC input */
            capacity_inputs |= bit;
        }
        if (p[0] == BMS_FEATURE_CHARGE_DRAWN) {
            uint32_t step = bms_rd_u16(p + 2);
            if (model->charge_step_s != 0) return BMS_ERR_TOPOLOGY;  /* a second charge-drawn input */
            if (p[1] != 0) return BMS_ERR_RESERVED;
            if (step < 1 || step > 3600) return BMS_ERR_STEP;
            model->charge_step_s = (uint16_t)step;
        } else if (!bms_all_zero(p + 1, 3)) {
            return BMS_ERR_RESERVED;
        }
        model->features[i].feature = p[0];
        model->features[i].offset_raw = bms_rd_s32(p + 4);
        model->features[i].scale.multiplier = bms_rd_s32(p + 8);
        model->features[i].scale.shift = bms_rd_s32(p + 12);
        if (!bms_scale_ok(model->features[i].scale.multiplier, model->features[i].scale.shift)) {
            return BMS_ERR_SCALE;
        }
    }
    p = blob + BMS_HEADER_BYTES + BMS_RECORD_BYTES * feature_count;
    model->output_scale.multiplier = bms_rd_s32(p);
    model->output_scale.shift = bms_rd_s32(p + 4);
    model->output_offset_centi_percent = bms_rd_s32(p + 8);
    if (!bms_scale_ok(model->output_scale.multiplier, model->output_scale.shift)) return BMS_ERR_SCALE;
    if (version >= 2) {
        prior = bms_rd_s32(p + 12);
        if (prior < 0 || prior > 1000000) return BMS_ERR_PRIOR;
        if (prior > 0 && model->charge_step_s == 0) return BMS_ERR_PRIOR;
        model->prior_capacity_mAh = prior;
        if (capacity_inputs != 0 && prior == 0) return BMS_ERR_TOPOLOGY;  /* the input needs a prior */
    } else if (!bms_all_zero(p + 12, 4)) {
        return BMS_ERR_RESERVED;
    }

    width = feature_count;
    for (i = 0; i < layer_count; ++i) {
        const uint8_t *rec = blob + BMS_HEADER_BYTES + BMS_RECORD_BYTES * (feature_count + 1 + i);
        uint32_t kind = rec[0], activation = rec[1];
        uint32_t in = bms_rd_u16(rec + 2), out = bms_rd_u16(rec + 4), first = bms_rd_u16(rec + 6);
        int is_lstm = i < lstm_count;
        int head = i + 1 == layer_count && version >= 6;  /* version 6: the last layer also gives log sigma^2 */
        int k;
        if (!BMS_LSTM_UNCERTAINTY && head) return BMS_ERR_COMPILED_OUT;
        if (kind != (uint32_t)(is_lstm ? BMS_KIND_LSTM : BMS_KIND_DENSE)) return BMS_ERR_TOPOLOGY;
        if (activation > (uint32_t)(is_lstm ? 0 : 1)) return BMS_ERR_TOPOLOGY;
        if (in != width || out < 1 || out > BMS_MAX_WIDTH) return BMS_ERR_TOPOLOGY;
        if (i + 1 == layer_count && out != (head ? 2u : 1u)) return BMS_ERR_TOPOLOGY;
        if (first != expected_tensor) return BMS_ERR_TENSOR;
        if (is_lstm) {
            if (rec[8] < 8 || rec[8] > 12) return BMS_ERR_SCALE;
        } else if (head) {
            int32_t span = bms_rd_s32(rec + 12);
            if (rec[8] != BMS_LOG_VARIANCE_FRACTION_BITS) return BMS_ERR_SCALE;
            if (span < 1 || span > BMS_MAX_LABEL_SPAN_PPM) return BMS_ERR_SCALE;
            model->has_log_variance = 1;
            model->label_span_ppm = span;
        } else if (rec[8] != 0) {
            return BMS_ERR_RESERVED;
        }
        if (!bms_all_zero(rec + 9, head ? 3u : 7u)) return BMS_ERR_RESERVED;
        if (is_lstm) {
            bms_lstm_layer_t *layer = &model->lstm[i];
            const uint8_t *t[BMS_TENSORS_PER_LSTM];
            for (k = 0; k < BMS_TENSORS_PER_LSTM; ++k) {
                status = bms_tensor(blob, table_offset, first + (uint32_t)k, table_end, data_end,
                                    bms_lstm_spec(k, in, out, version >= 3), &t[k]);
                if (status != BMS_OK) return status;
            }
            layer->input_size = (uint16_t)in;
            layer->hidden_size = (uint16_t)out;
            layer->cell_fraction_bits = rec[8];
            layer->interleaved = (uint8_t)(version >= 3);
            if (version >= 3 && (!bms_padding_zero((const int8_t *)t[0], out, in)
                                 || !bms_padding_zero((const int8_t *)t[1], out, out))) {
                return BMS_ERR_RESERVED;
            }
            layer->input_kernel = (const int8_t *)t[0];
            layer->recurrent_kernel = (const int8_t *)t[1];
            layer->bias = t[2];
            layer->input_multiplier = t[3];
            layer->input_shift = t[4];
            layer->recurrent_multiplier = t[5];
            layer->recurrent_shift = t[6];
            if ((status = bms_check_bias(t[2], 4 * out)) != BMS_OK) return status;
            if ((status = bms_check_scales(t[3], t[4], 4 * out)) != BMS_OK) return status;
            if ((status = bms_check_scales(t[5], t[6], 4 * out)) != BMS_OK) return status;
            layer->shifts_high = (uint8_t)(bms_shifts_high(t[4], 4 * out) && bms_shifts_high(t[6], 4 * out));
            expected_tensor += BMS_TENSORS_PER_LSTM;
            words += 2 * out;
            if (out > max_hidden) max_hidden = out;
        } else {
            bms_dense_layer_t *layer = &model->dense[i - lstm_count];
            const uint8_t *t[BMS_TENSORS_PER_DENSE];
            for (k = 0; k < BMS_TENSORS_PER_DENSE; ++k) {
                status = bms_tensor(blob, table_offset, first + (uint32_t)k, table_end, data_end,
                                    bms_dense_spec(k, in, out), &t[k]);
                if (status != BMS_OK) return status;
            }
            layer->input_size = (uint16_t)in;
            layer->output_size = (uint16_t)out;
            layer->relu = (uint8_t)activation;
            layer->weight = (const int8_t *)t[0];
            layer->bias = t[1];
            layer->multiplier = t[2];
            layer->shift = t[3];
            if ((status = bms_check_bias(t[1], out)) != BMS_OK) return status;
            if ((status = bms_check_scales(t[2], t[3], out)) != BMS_OK) return status;
            expected_tensor += BMS_TENSORS_PER_DENSE;
            if (out > max_dense) max_dense = out;
        }
        width = out;
    }
    /* states + features + gate pre-activations + two dense buffers + packed-input scratch */
    {
        uint32_t widest = feature_count;
        if (max_hidden > widest) widest = max_hidden;
        if (max_dense > widest) widest = max_dense;
        model->max_hidden_size = (uint16_t)max_hidden;
        model->max_dense_size = (uint16_t)max_dense;
        model->packed_words = (uint16_t)(((widest + 3u) & ~3u) + ((max_hidden + 3u) & ~3u));
        words += feature_count + 4 * max_hidden + 2 * max_dense + model->packed_words;
    }
    model->workspace_words = words;
    return BMS_OK;
}

uint32_t bms_lstm_workspace_words(const bms_lstm_model_t *model) {
    return model == NULL ? 0u : model->workspace_words;
}
