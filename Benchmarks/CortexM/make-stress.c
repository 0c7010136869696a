/* Host tool of Benchmarks/CortexM/stress.sh: writes a golden pair (golden-model.bmsq,
 * golden-steps.bin version 1) for a blob, with inputs far outside a discharge (ADC faults over
 * the full int32 range, jumps, drifts) so that features, gate sums, gates and states saturate,
 * and the expected SOC from the host build of the C runtime (portable kernel: bit-exact with the
 * Swift engine, SwiftVersusCTests / Version3LayoutTests). With `low` = 1 every third input
 * shift and every fifth recurrent shift of every LSTM layer is lowered below 33 (CRC rewritten),
 * so the Cortex-M build takes its C fallback for such layers.
 * Usage: make-stress in.bmsq outdir steps seed low */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bms_lstm.h"

static unsigned long long state = 0x9E3779B97F4A7C15ull;

static unsigned long long next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static int32_t uniform(int32_t lo, int32_t hi) {
    return (int32_t)((long long)lo + (long long)(next() % (unsigned long long)((long long)hi - lo + 1)));
}

static void put32(FILE *f, int32_t v) {
    unsigned char b[4];
    uint32_t u = (uint32_t)v;
    b[0] = (unsigned char)u; b[1] = (unsigned char)(u >> 8); b[2] = (unsigned char)(u >> 16); b[3] = (unsigned char)(u >> 24);
    fwrite(b, 1, 4, f);
}

/* Lowers some shifts of every LSTM layer (the model views point into `blob`) and rewrites the CRC. */
static void lower_shifts(unsigned char *blob, size_t size, const bms_lstm_model_t *model) {
    uint32_t l, r, crc;
    for (l = 0; l < model->lstm_layer_count; ++l) {
        const bms_lstm_layer_t *layer = &model->lstm[l];
        for (r = 0; r < 4u * layer->hidden_size; ++r) {
            unsigned char *x_shift = blob + (layer->input_shift - blob) + 4 * r;
            unsigned char *h_shift = blob + (layer->recurrent_shift - blob) + 4 * r;
            if (r % 3 == 0) x_shift[0] = (unsigned char)(x_shift[0] > 14 ? x_shift[0] - 12 : 2);
            if (r % 5 == 1) h_shift[0] = (unsigned char)(h_shift[0] > 14 ? h_shift[0] - 10 : 2);
        }
    }
    crc = bms_crc32(blob, size - 4);
    blob[size - 4] = (unsigned char)crc; blob[size - 3] = (unsigned char)(crc >> 8);
    blob[size - 2] = (unsigned char)(crc >> 16); blob[size - 1] = (unsigned char)(crc >> 24);
}

int main(int argc, char **argv) {
    static uint32_t words[1 << 18];  /* the blob, 4-byte aligned */
    unsigned char *blob = (unsigned char *)words;
    char path[1024];
    size_t size;
    long steps, k;
    int32_t voltage = 3700000, current = -2000, temperature = 250;
    bms_lstm_model_t model;
    bms_lstm_context_t context;
    int16_t *workspace;
    FILE *f;
    if (argc != 6) { fprintf(stderr, "usage: make-stress in.bmsq outdir steps seed low\n"); return 2; }
    if ((f = fopen(argv[1], "rb")) == NULL) { fprintf(stderr, "cannot open %s\n", argv[1]); return 2; }
    size = fread(blob, 1, sizeof words, f);
    fclose(f);
    steps = atol(argv[3]);
    state ^= (unsigned long long)atol(argv[4]) * 0x100000001B3ull;
    if (bms_lstm_load_blob(blob, size, &model) != BMS_OK) { fprintf(stderr, "blob refused\n"); return 1; }
    if (atoi(argv[5]) != 0) {
        lower_shifts(blob, size, &model);
        if (bms_lstm_load_blob(blob, size, &model) != BMS_OK) { fprintf(stderr, "patched blob refused\n"); return 1; }
    }
    snprintf(path, sizeof path, "%s/golden-model.bmsq", argv[2]);
    if ((f = fopen(path, "wb")) == NULL) { fprintf(stderr, "cannot write %s\n", path); return 2; }
    fwrite(blob, 1, size, f);
    fclose(f);
    workspace = (int16_t *)calloc(bms_lstm_workspace_words(&model), sizeof(int16_t));
    if (workspace == NULL || bms_lstm_init_context(&model, workspace, bms_lstm_workspace_words(&model), &context) != BMS_OK) {
        fprintf(stderr, "no context\n");
        return 1;
    }
    snprintf(path, sizeof path, "%s/golden-steps.bin", argv[2]);
    if ((f = fopen(path, "wb")) == NULL) { fprintf(stderr, "cannot write %s\n", path); return 2; }
    fwrite("BMSG", 1, 4, f);
    put32(f, 1);
    put32(f, (int32_t)steps);
    for (k = 0; k < steps; ++k) {
        int32_t soc;
        if (next() % 4 != 0) {  /* a noisy drift, clamped to a cell's range */
            voltage += uniform(-3000, 3000);
            current += uniform(-500, 500);
            temperature += uniform(-3, 3);
            if (voltage < 2500000 || voltage > 4300000) voltage = 3700000;
            if (current < -20000 || current > 10000) current = -2000;
        } else {
            switch (next() % 6) {  /* a fault or a jump */
            case 0: voltage = (int32_t)next(); break;
            case 1: current = (int32_t)next(); break;
            case 2: temperature = (int32_t)next(); break;
            case 3: voltage = uniform(-5000000, 9000000); current = uniform(-200000, 200000); break;
            case 4: voltage = 2147483647; current = -2147483647 - 1; break;
            default: voltage = -2147483647 - 1; current = 2147483647; temperature = -30000; break;
            }
        }
        bms_lstm_step_s8(&context, voltage, current, temperature, &soc);
        put32(f, voltage); put32(f, current); put32(f, temperature); put32(f, soc);
    }
    fclose(f);
    free(workspace);
    return 0;
}
