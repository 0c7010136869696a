/* The integer LSTM step of the C runtime: input standardisation, stacked LSTM layers,
 * dense head and SOC de-scaling; bit-exact with Sources/QuantizedLSTM. No allocation,
 * no floating point, no checks beyond the arguments (the loader validated the blob).
 *
 * Workspace layout (int16 words): per LSTM layer h[H], c[H]; features x[F];
 * gate pre-activations pre[4 * max H]; dense buffers a[max D], b[max D]; packed scratch. */
#include "bms_internal.h"
#include "bms_kernels.h"
#include "bms_layer_dsp.h"

static bms_kernel_t bms_best_kernel(void);

/* Standardised Q3.12 feature from a raw sensor value. */
static int16_t bms_feature(const bms_input_scaling_t *scaling, int32_t raw) {
    int32_t centred = bms_sub_sat32(raw, scaling->offset_raw);
    return bms_requant_sat16(centred, scaling->scale.multiplier, scaling->scale.shift);
}

/* One LSTM layer: pre = Wx·in + b (rescaled) + Wh·h (rescaled), Q4.11; gates i,f,g,o;
 * cell c in Q(15-n).n (n = cell_fraction_bits); tanh inputs Q3.12; hidden h Q0.15. */
static void bms_lstm_layer_step(const bms_lstm_layer_t *layer, const int16_t *input, int16_t *hidden,
                                int16_t *cell, int16_t *pre, int16_t *packed, int16_t *packed_hidden) {
    const uint32_t in = layer->input_size, hid = layer->hidden_size, rows = 4u * hid;
    const int cell_bits = layer->cell_fraction_bits;
    const int32_t to_q3_12 = (int32_t)1 << (12 - cell_bits);
    uint32_t r, j;
    bms_prepare_input(input, in, packed);
    bms_prepare_input(hidden, hid, packed_hidden);
    for (r = 0; r < rows; r += 4) {  /* rows = 4H: four rows per pass */
        int32_t acc_x[4], acc_h[4];
        uint32_t k;
        bms_dot4_s8_s16(layer->input_kernel + (size_t)r * in, input, packed, in, acc_x);
        bms_dot4_s8_s16(layer->recurrent_kernel + (size_t)r * hid, hidden, packed_hidden, hid, acc_h);
        for (k = 0; k < 4; ++k) {
            uint32_t row = r + k;
            int32_t part_x = bms_requant_sat16(bms_ld_s32(layer->bias + 4 * row) + acc_x[k],
                                               bms_ld_s32(layer->input_multiplier + 4 * row),
                                               bms_ld_s32(layer->input_shift + 4 * row));
            int32_t part_h = bms_requant_sat16(acc_h[k], bms_ld_s32(layer->recurrent_multiplier + 4 * row),
                                               bms_ld_s32(layer->recurrent_shift + 4 * row));
            pre[row] = bms_sat_s16_from_s32(part_x + part_h);
        }
    }
    for (j = 0; j < hid; ++j) {
        int32_t gate_i = bms_interpolate(bms_sigmoid_table_q15, pre[j]);
        int32_t gate_f = bms_interpolate(bms_sigmoid_table_q15, pre[hid + j]);
        int32_t gate_g = bms_interpolate(bms_tanh_table_q15, bms_sat_s16(2 * (int32_t)pre[2 * hid + j]));
        int32_t gate_o = bms_interpolate(bms_sigmoid_table_q15, pre[3 * hid + j]);
        int32_t kept = bms_round_shift_s32(gate_f * cell[j], 15);               /* Q0.15·Qc → Qc */
        int32_t added = bms_round_shift_s32(gate_i * gate_g, 30 - cell_bits);   /* Q0.30 → Qc */
        int16_t c_new = bms_sat_s16_from_s32(kept + added);
        int32_t squashed = bms_interpolate(bms_tanh_table_q15, bms_sat_s16((int32_t)c_new * to_q3_12));
        cell[j] = c_new;
        hidden[j] = bms_sat_s16_from_s32(bms_round_shift_s32(gate_o * squashed, 15)); /* Q0.15 */
    }
}

/* The same layer from version-3 (interleaved) kernels: one pass per unit yields its four
 * gate sums, and the unit's cell and hidden state are updated at once. The previous h is
 * read from the scratch copy, so writing hidden[j] early changes nothing. Same integers
 * as bms_lstm_layer_step (only the memory order of the weights differs). */
BMS_ALWAYS_INLINE void bms_lstm_layer_v3_body(const bms_lstm_layer_t *layer, const int16_t *input, int16_t *hidden,
                                              int16_t *cell, int16_t *packed, int16_t *packed_hidden) {
    const uint32_t in = layer->input_size, hid = layer->hidden_size;
    const uint32_t in_groups = (in + 3u) / 4u, hid_groups = (hid + 3u) / 4u;
    const int cell_bits = layer->cell_fraction_bits;
    const int32_t to_q3_12 = (int32_t)1 << (12 - cell_bits);
    const int8_t *wx = layer->input_kernel, *wh = layer->recurrent_kernel;
    /* locals: stores to h and c could otherwise alias these (uint8_t) views */
    const uint8_t *bias = layer->bias, *x_multiplier = layer->input_multiplier, *x_shift = layer->input_shift;
    const uint8_t *h_multiplier = layer->recurrent_multiplier, *h_shift = layer->recurrent_shift;
    uint32_t j;
    bms_prepare_padded(input, in, packed);
    bms_prepare_padded(hidden, hid, packed_hidden);
    for (j = 0; j < hid; ++j) {
        int32_t acc_x[4], acc_h[4], gate[4];
        uint32_t k;
        bms_dot4_v3(wx + (size_t)16u * in_groups * j, packed, in_groups, acc_x);
        bms_dot4_v3(wh + (size_t)16u * hid_groups * j, packed_hidden, hid_groups, acc_h);
        for (k = 0; k < 4u; ++k) {
            size_t at = 4u * (k * hid + j);
            int32_t part_x = bms_requant_sat16(bms_ld_s32(bias + at) + acc_x[k], bms_ld_s32(x_multiplier + at),
                                               bms_ld_s32(x_shift + at));
            int32_t part_h = bms_requant_sat16(acc_h[k], bms_ld_s32(h_multiplier + at), bms_ld_s32(h_shift + at));
            gate[k] = bms_sat_s16_from_s32(part_x + part_h);
        }
        {
            int32_t gate_i = bms_interpolate(bms_sigmoid_table_q15, (int16_t)gate[0]);
            int32_t gate_f = bms_interpolate(bms_sigmoid_table_q15, (int16_t)gate[1]);
            int32_t gate_g = bms_interpolate(bms_tanh_table_q15, bms_sat_s16_from_s32(2 * gate[2]));
            int32_t gate_o = bms_interpolate(bms_sigmoid_table_q15, (int16_t)gate[3]);
            int32_t kept = bms_round_shift_s32(gate_f * cell[j], 15);
            int32_t added = bms_round_shift_s32(gate_i * gate_g, 30 - cell_bits);
            int16_t c_new = bms_sat_s16_from_s32(kept + added);
            int32_t squashed = bms_interpolate(bms_tanh_table_q15, bms_sat_s16_from_s32((int32_t)c_new * to_q3_12));
            cell[j] = c_new;
            hidden[j] = bms_sat_s16_from_s32(bms_round_shift_s32(gate_o * squashed, 15));
        }
    }
}

/* From `pre` to the workspace's end (`scratch_words`: pre-activations, dense buffers, packed
 * scratch) is free during a version-3 layer: the Cortex-M step packs x and h there. */
static void bms_lstm_layer_step_v3(const bms_lstm_layer_t *layer, const int16_t *input, int16_t *hidden,
                                   int16_t *cell, int16_t *pre, uint32_t scratch_words, int16_t *packed,
                                   int16_t *packed_hidden) {
#if defined(BMS_HAVE_CM4_UNITS)
    if (bms_cm4_step_fits(layer, scratch_words)) {
        bms_lstm_layer_step_cm4(layer, input, hidden, cell, pre);
        return;
    }
#else
    (void)pre; (void)scratch_words;
#endif
    bms_lstm_layer_v3_body(layer, input, hidden, cell, packed, packed_hidden);
}


#if BMS_HAVE_AVX512_PATH
/* The CPU has what bms_step_avx512.c uses (AVX-512 F/BW/VL and VNNI). */
static int bms_cpu_has_avx512_vnni(void) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}
#endif

/* One dense layer: out = sat16(requant(W·in + b)), optionally ReLU. */
static void bms_dense_step(const bms_dense_layer_t *layer, const int16_t *input, int16_t *output,
                           int16_t *packed) {
    const uint32_t in = layer->input_size;
    uint32_t r;
#if BMS_USE_DSP
    if (layer->output_size == 1u) {  /* one row: pair the weights instead of packing x */
        int16_t v = bms_requant_sat16(bms_ld_s32(layer->bias) + bms_dot_row_dsp(layer->weight, input, in),
                                      bms_ld_s32(layer->multiplier), bms_ld_s32(layer->shift));
        output[0] = (layer->relu && v < 0) ? (int16_t)0 : v;
        return;
    }
#endif
    bms_prepare_input(input, in, packed);
    for (r = 0; r < layer->output_size; ++r) {
        int32_t acc = bms_ld_s32(layer->bias + 4 * r)
                    + bms_dot_s8_s16(layer->weight + (size_t)r * in, input, packed, in);
        int16_t v = bms_requant_sat16(acc, bms_ld_s32(layer->multiplier + 4 * r), bms_ld_s32(layer->shift + 4 * r));
        output[r] = (layer->relu && v < 0) ? (int16_t)0 : v;
    }
}

bms_status_t bms_lstm_init_context(const bms_lstm_model_t *model, int16_t *workspace,
                                   size_t workspace_words, bms_lstm_context_t *context) {
    if (model == NULL || workspace == NULL || context == NULL) return BMS_ERR_ARGUMENT;
    if (model->workspace_words == 0 || workspace_words < model->workspace_words) return BMS_ERR_WORKSPACE;
    context->model = model;
    context->workspace = workspace;
    context->kernel = (uint8_t)bms_best_kernel();
    context->prior_capacity_mAh = model->prior_capacity_mAh;
    context->start_soc_centi_percent = 10000;
    bms_lstm_reset(context);
    return BMS_OK;
}

bms_status_t bms_lstm_set_prior_capacity(bms_lstm_context_t *context, int32_t prior_capacity_mAh) {
    if (context == NULL || context->model == NULL) return BMS_ERR_ARGUMENT;
    if (context->model->prior_capacity_mAh <= 0 || prior_capacity_mAh < 1 || prior_capacity_mAh > 1000000) {
        return BMS_ERR_PRIOR;
    }
    context->prior_capacity_mAh = prior_capacity_mAh;
    return BMS_OK;
}

void bms_lstm_reset(bms_lstm_context_t *context) {
    uint32_t i;
    if (context == NULL || context->model == NULL) return;
    for (i = 0; i < context->model->workspace_words; ++i) context->workspace[i] = 0;
    context->previous_voltage_uV = 0;
    context->previous_current_mA = 0;
    context->charge_half_mAs = 0;
    context->has_previous = 0;
}

/* Prior SOC s0 - q/Q in 0.01 %, q/Q rounded half up: s0 - floor((20000 q + Qh) / (2 Qh)),
 * Qh = 7200 * capacity_mAh (0.5 mA*s), in 32-bit divisions: numerator and denominator share
 * the factor 800, so the quotient is floor((25 q + 9 C) / D) with D = 18 C; with
 * q = D·d + r (d = floor(q / D), 0 <= r < D) that is 25 d + floor((25 r + 9 C) / D), and
 * 25 r + 9 C < 26 D <= 4.68·10^8 for capacity C in 1..1000000. s0 is the start SOC
 * (bms_lstm_set_start_soc; 10000 unless set). */
static int64_t bms_prior_centi_percent(int32_t charge_half_mAs, int32_t capacity_mAh, int32_t start_soc) {
    const int32_t denominator = 18 * capacity_mAh;
    int32_t whole = charge_half_mAs / denominator, rest = charge_half_mAs % denominator;
    if (rest < 0) {  /* floor, not truncation */
        rest += denominator;
        whole -= 1;
    }
    return (int64_t)start_soc - 25 * (int64_t)whole - (25 * rest + 9 * capacity_mAh) / denominator;
}

bms_status_t bms_lstm_step_s8(bms_lstm_context_t *context, int32_t voltage_uV, int32_t current_mA,
                              int32_t temperature_dC, int32_t *soc_centi_percent) {
    const bms_lstm_model_t *model;
    int16_t *states, *features, *pre, *dense_a, *dense_b, *packed, *packed_hidden;
    const int16_t *input;
    int32_t d_current = 0, d_voltage = 0;
    int64_t prior = 0;
    uint32_t i, state_words = 0;

    if (context == NULL || context->model == NULL || context->workspace == NULL || soc_centi_percent == NULL) {
        return BMS_ERR_ARGUMENT;
    }
    model = context->model;
    for (i = 0; i < model->lstm_layer_count; ++i) state_words += 2u * model->lstm[i].hidden_size;
    states = context->workspace;
    features = states + state_words;
    pre = features + model->feature_count;
    dense_a = pre + 4u * model->max_hidden_size;
    dense_b = dense_a + model->max_dense_size;
    packed = dense_b + model->max_dense_size;
    packed_hidden = packed + (model->packed_words - ((model->max_hidden_size + 3u) & ~3u));

    if (context->has_previous) {
        d_current = bms_sub_sat32(current_mA, context->previous_current_mA);
        d_voltage = bms_sub_sat32(voltage_uV, context->previous_voltage_uV);
        if (model->charge_step_s != 0) {
            int64_t drawn = -((int64_t)context->previous_current_mA + (int64_t)current_mA) * (int64_t)model->charge_step_s;
            context->charge_half_mAs = bms_sat_s32((int64_t)context->charge_half_mAs + drawn);
        }
    }
    context->previous_current_mA = current_mA;
    context->previous_voltage_uV = voltage_uV;
    context->has_previous = 1;
    if (context->prior_capacity_mAh > 0) {
        prior = bms_prior_centi_percent(context->charge_half_mAs, context->prior_capacity_mAh,
                                        BMS_LSTM_START_SOC ? context->start_soc_centi_percent : 10000);
    }

    for (i = 0; i < model->feature_count; ++i) {
        int32_t raw;
        switch (model->features[i].feature) {
        case BMS_FEATURE_VOLTAGE: raw = voltage_uV; break;
        case BMS_FEATURE_CURRENT: raw = current_mA; break;
        case BMS_FEATURE_TEMPERATURE: raw = temperature_dC; break;
        case BMS_FEATURE_D_CURRENT: raw = d_current; break;
        case BMS_FEATURE_CHARGE_DRAWN: raw = context->charge_half_mAs; break;
        case BMS_FEATURE_PRIOR_CAPACITY: raw = context->prior_capacity_mAh; break;
        case BMS_FEATURE_PRIOR_SOC: raw = bms_sat_s32(prior); break;
        default: raw = d_voltage; break;
        }
        features[i] = bms_feature(&model->features[i], raw);
    }

    input = features;
    for (i = 0; i < model->lstm_layer_count; ++i) {
        int16_t *hidden = states;
        int16_t *cell = states + model->lstm[i].hidden_size;
        if (model->lstm[i].interleaved) {
#if BMS_HAVE_AVX512_PATH
            if (context->kernel == BMS_KERNEL_AVX512_VNNI)
                bms_lstm_layer_step_v3_avx512(&model->lstm[i], input, hidden, cell);
            else
#endif
#if BMS_HAVE_AVX2_PATH
            if (context->kernel == BMS_KERNEL_AVX2)
                bms_lstm_layer_step_v3_avx2(&model->lstm[i], input, hidden, cell);
            else
#endif
                bms_lstm_layer_step_v3(&model->lstm[i], input, hidden, cell, pre,
                                       model->workspace_words - (uint32_t)(pre - context->workspace),
                                       packed, packed_hidden);
        } else {
            bms_lstm_layer_step(&model->lstm[i], input, hidden, cell, pre, packed, packed_hidden);
        }
        input = hidden;
        states += 2u * model->lstm[i].hidden_size;
    }
    for (i = 0; i < model->dense_layer_count; ++i) {
        int16_t *output = (i % 2u == 0u) ? dense_a : dense_b;
        bms_dense_step(&model->dense[i], input, output, packed);
        input = output;
    }
    {
        int64_t soc = bms_requant_wide(input[0], model->output_scale.multiplier, model->output_scale.shift)
                    + (int64_t)model->output_offset_centi_percent;
        soc += prior;
        *soc_centi_percent = bms_sat_s32(soc);
    }
    return BMS_OK;
}

bms_status_t bms_lstm_log_variance_q11(const bms_lstm_context_t *context, int16_t *log_variance_q4_11) {
    const bms_lstm_model_t *model;
    const int16_t *last;
    uint32_t i, state_words = 0;
    if (context == NULL || context->model == NULL || context->workspace == NULL || log_variance_q4_11 == NULL) {
        return BMS_ERR_ARGUMENT;
    }
    model = context->model;
    if (!BMS_LSTM_UNCERTAINTY || !model->has_log_variance) return BMS_ERR_TOPOLOGY;
    for (i = 0; i < model->lstm_layer_count; ++i) state_words += 2u * model->lstm[i].hidden_size;
    /* the last dense layer wrote dense_a (an odd layer count) or dense_b (an even one); reset zeroes both */
    last = context->workspace + state_words + model->feature_count + 4u * model->max_hidden_size;
    if (model->dense_layer_count % 2u == 0u) last += model->max_dense_size;
    *log_variance_q4_11 = last[1] > BMS_LOG_VARIANCE_MAX_Q11 ? (int16_t)BMS_LOG_VARIANCE_MAX_Q11 : last[1];
    return BMS_OK;
}

bms_status_t bms_lstm_window_s8(bms_lstm_context_t *context, const int32_t *voltage_uV,
                                const int32_t *current_mA, const int32_t *temperature_dC,
                                size_t count, int32_t *soc_centi_percent) {
    size_t n;
    bms_status_t status = BMS_OK;
    if (context == NULL || voltage_uV == NULL || current_mA == NULL || temperature_dC == NULL
        || soc_centi_percent == NULL || count == 0) {
        return BMS_ERR_ARGUMENT;
    }
    bms_lstm_reset(context);
    for (n = 0; n < count && status == BMS_OK; ++n) {
        status = bms_lstm_step_s8(context, voltage_uV[n], current_mA[n], temperature_dC[n], soc_centi_percent);
    }
    return status;
}

/* The fastest kernel this build and CPU have. */
static bms_kernel_t bms_best_kernel(void) {
#if BMS_HAVE_AVX512_PATH
    if (bms_cpu_has_avx512_vnni()) return BMS_KERNEL_AVX512_VNNI;
#endif
#if BMS_HAVE_AVX2_PATH
    if (__builtin_cpu_supports("avx2")) return BMS_KERNEL_AVX2;
#endif
    return BMS_KERNEL_BASELINE;
}

bms_status_t bms_lstm_set_kernel(bms_lstm_context_t *context, bms_kernel_t kernel) {
    if (context == NULL) return BMS_ERR_ARGUMENT;
    switch (kernel) {
    case BMS_KERNEL_AUTO: kernel = bms_best_kernel(); break;
    case BMS_KERNEL_BASELINE: break;
#if BMS_HAVE_AVX2_PATH
    case BMS_KERNEL_AVX2:
        if (!__builtin_cpu_supports("avx2")) return BMS_ERR_ARGUMENT;
        break;
#endif
#if BMS_HAVE_AVX512_PATH
    case BMS_KERNEL_AVX512_VNNI:
        if (!bms_cpu_has_avx512_vnni()) return BMS_ERR_ARGUMENT;
        break;
#endif
    default: return BMS_ERR_ARGUMENT;
    }
    context->kernel = (uint8_t)kernel;
    return BMS_OK;
}

const char *bms_lstm_kernel_name(bms_kernel_t kernel) {
    switch (kernel) {
    case BMS_KERNEL_AUTO: return "auto";
    case BMS_KERNEL_AVX2: return "avx2";
    case BMS_KERNEL_AVX512_VNNI: return "avx512-vnni";
    default: break;
    }
#if BMS_USE_DSP
    return "dsp";
#elif defined(__SSE2__) && !defined(BMS_PORTABLE_KERNELS)
    return "sse2";
#else
    return "portable";
#endif
}
