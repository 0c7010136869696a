/* Host test of the C runtime (C99), run under ASan+UBSan by Scripts/test-c-runtime.sh:
 * replays the golden vectors, checks window == reset + steps, and feeds truncated and
 * corrupted blobs to the loader (each must be rejected or, if accepted, run safely). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bms_lstm.h"

#include "bms_test_file.h"

static int32_t rd_s32(const unsigned char *p) {
    uint32_t u = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
    int32_t v;
    memcpy(&v, &u, 4);
    return v;
}

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}

/* Loads (a heap copy of exactly `size` bytes, so ASan sees any overread) and, if it
 * loads, runs a few steps. Returns the status. */
static bms_status_t load_and_run(const unsigned char *bytes, size_t size) {
    unsigned char *copy = (unsigned char *)malloc(size ? size : 1);
    bms_lstm_model_t model;
    bms_status_t status;
    memcpy(copy, bytes, size);
    status = bms_lstm_load_blob(copy, size, &model);
    if (status == BMS_OK) {
        uint32_t words = bms_lstm_workspace_words(&model);
        int16_t *ws = (int16_t *)malloc(words * sizeof(int16_t));
        bms_lstm_context_t ctx;
        int32_t soc, k;
        if (bms_lstm_init_context(&model, ws, words, &ctx) != BMS_OK) { fprintf(stderr, "init failed\n"); exit(1); }
        for (k = 0; k < 3; ++k) bms_lstm_step_s8(&ctx, 3700000 + k, -2000, 250, &soc);
        free(ws);
    }
    free(copy);
    return status;
}

int main(int argc, char **argv) {
    const char *folder = argc > 1 ? argv[1] : "Fixtures/golden";
    char path[1024];
    size_t blob_size, steps_size, n, count, offset, record, soc_at, version;
    unsigned char *blob, *steps;
    bms_lstm_model_t model;
    bms_lstm_context_t ctx;
    int16_t *workspace;
    int32_t *v, *i, *t;
    int32_t soc = 0, streamed = 0, windowed = 0;
    unsigned long rejected = 0, accepted = 0;
    int failures = 0;

    snprintf(path, sizeof path, "%s/golden-model.bmsq", folder);
    blob = read_file(path, &blob_size);
    snprintf(path, sizeof path, "%s/golden-steps.bin", folder);
    steps = read_file(path, &steps_size);
    if (steps_size < 12 || memcmp(steps, "BMSG", 4) != 0 || rd_s32(steps + 4) < 1 || rd_s32(steps + 4) > 4) {
        fprintf(stderr, "bad golden file\n");
        return 2;
    }
    /* version 1: V, I, T, SOC per record; version 2: V, I, T, prior capacity mAh (0: keep), SOC;
     * version 3: V, I, T, SOC, log sigma^2 in Q4.11 (a blob with the uncertainty head);
     * version 4: V, I, T, prior capacity (0: keep), start SOC in 0.01 % (-1: keep), SOC (a v5 blob) */
    version = (size_t)rd_s32(steps + 4);
    record = version == 1 ? 16u : version == 4 ? 24u : 20u;
    soc_at = version == 3 ? 12u : record - 4u;
    count = (size_t)rd_s32(steps + 8);
    if (steps_size != 12 + record * count) { fprintf(stderr, "bad golden file length\n"); return 2; }

    if (bms_lstm_load_blob(blob, blob_size, &model) != BMS_OK) { fprintf(stderr, "golden blob rejected\n"); return 1; }
    workspace = (int16_t *)malloc(bms_lstm_workspace_words(&model) * sizeof(int16_t));
    if (bms_lstm_init_context(&model, workspace, bms_lstm_workspace_words(&model), &ctx) != BMS_OK) return 1;
    {   /* every kernel this build and CPU have must reproduce every golden step */
        static const bms_kernel_t kernels[] = {BMS_KERNEL_BASELINE, BMS_KERNEL_AVX2, BMS_KERNEL_AVX512_VNNI};
        size_t q;
        if (bms_lstm_set_kernel(&ctx, (bms_kernel_t)99) != BMS_ERR_ARGUMENT || bms_lstm_set_kernel(NULL, BMS_KERNEL_AUTO) != BMS_ERR_ARGUMENT) {
            fprintf(stderr, "bms_lstm_set_kernel accepted a bad argument\n");
            ++failures;
        }
        for (q = 0; q < sizeof kernels / sizeof kernels[0]; ++q) {
            int kernel_failures = 0;
            if (bms_lstm_set_kernel(&ctx, kernels[q]) != BMS_OK) {
                printf("golden: kernel %s not available here\n", bms_lstm_kernel_name(kernels[q]));
                continue;
            }
            bms_lstm_reset(&ctx);
            ctx.prior_capacity_mAh = model.prior_capacity_mAh;
            if (version == 4 && bms_lstm_set_start_soc(&ctx, 10000) != BMS_OK) {
                fprintf(stderr, "full start refused\n");
                ++kernel_failures;
            }
            for (n = 0; n < count; ++n) {
                const unsigned char *r = steps + 12 + record * n;
                if ((version == 2 || version == 4) && rd_s32(r + 12) != 0 && bms_lstm_set_prior_capacity(&ctx, rd_s32(r + 12)) != BMS_OK) {
                    fprintf(stderr, "step %lu: prior capacity %ld refused\n", (unsigned long)n, (long)rd_s32(r + 12));
                    ++kernel_failures;
                }
                if (version == 4 && rd_s32(r + 16) != -1 && bms_lstm_set_start_soc(&ctx, rd_s32(r + 16)) != BMS_OK) {
                    fprintf(stderr, "step %lu: start SOC %ld refused\n", (unsigned long)n, (long)rd_s32(r + 16));
                    ++kernel_failures;
                }
                bms_lstm_step_s8(&ctx, rd_s32(r), rd_s32(r + 4), rd_s32(r + 8), &soc);
                if (soc != rd_s32(r + soc_at)) {
                    if (kernel_failures < 5) fprintf(stderr, "step %lu: C %ld, golden %ld\n", (unsigned long)n, (long)soc, (long)rd_s32(r + soc_at));
                    ++kernel_failures;
                }
                {   /* the second output: bit-exact log sigma^2 (version 3), or refused for a one-output blob */
                    int16_t log_variance = 0;
                    bms_status_t status = bms_lstm_log_variance_q11(&ctx, &log_variance);
                    if (version == 3 ? (status != BMS_OK || log_variance != rd_s32(r + 16)) : status != BMS_ERR_TOPOLOGY) {
                        if (kernel_failures < 5) fprintf(stderr, "step %lu: log variance %d (status %d), golden %ld\n", (unsigned long)n,
                                                         log_variance, (int)status, version == 3 ? (long)rd_s32(r + 16) : 0L);
                        ++kernel_failures;
                    }
                }
            }
            printf("golden: %lu steps, %d mismatches (kernel %s)\n", (unsigned long)count, kernel_failures,
                   bms_lstm_kernel_name(kernels[q]));
            failures += kernel_failures;
        }
        bms_lstm_set_kernel(&ctx, BMS_KERNEL_AUTO);
    }

    /* window (50 steps from offset 1000) == reset + 50 steps */
    v = (int32_t *)malloc(50 * sizeof(int32_t)); i = (int32_t *)malloc(50 * sizeof(int32_t)); t = (int32_t *)malloc(50 * sizeof(int32_t));
    for (n = 0; n < 50; ++n) {
        const unsigned char *r = steps + 12 + record * (1000 + n);
        v[n] = rd_s32(r); i[n] = rd_s32(r + 4); t[n] = rd_s32(r + 8);
    }
    bms_lstm_window_s8(&ctx, v, i, t, 50, &windowed);
    bms_lstm_reset(&ctx);
    for (n = 0; n < 50; ++n) bms_lstm_step_s8(&ctx, v[n], i[n], t[n], &streamed);
    if (windowed != streamed) { fprintf(stderr, "window %ld != streamed %ld\n", (long)windowed, (long)streamed); ++failures; }

    /* every truncation is rejected as truncated */
    for (n = 0; n < blob_size; n += 13) {
        if (load_and_run(blob, n) != BMS_ERR_TRUNCATED) { fprintf(stderr, "truncation %lu not rejected\n", (unsigned long)n); ++failures; }
    }
    /* byte flips with the CRC re-computed: rejected or safely runnable */
    for (offset = 0; offset + 4 < blob_size; offset += 17) {
        unsigned char *bad = (unsigned char *)malloc(blob_size);
        memcpy(bad, blob, blob_size);
        bad[offset] ^= (unsigned char)(1u + offset % 255u);
        put_u32(bad + blob_size - 4, bms_crc32(bad, blob_size - 4));
        if (load_and_run(bad, blob_size) == BMS_OK) ++accepted; else ++rejected;
        free(bad);
    }
    printf("corruptions: %lu rejected, %lu accepted (weights/padding) and ran\n", rejected, accepted);
    if (bms_lstm_load_blob(NULL, 10, &model) != BMS_ERR_ARGUMENT) ++failures;
    {   /* the prior capacity: NULL context, a model without a prior, 0, negative and too large are refused
           and change nothing; a valid one is taken */
        const int32_t before = ctx.prior_capacity_mAh;
        const int32_t bad[] = {0, -1, -2000, 1000001, INT32_MIN, INT32_MAX};
        size_t b;
        if (bms_lstm_set_prior_capacity(NULL, 2000) != BMS_ERR_ARGUMENT) ++failures;
        for (b = 0; b < sizeof bad / sizeof bad[0]; ++b) {
            if (bms_lstm_set_prior_capacity(&ctx, bad[b]) != BMS_ERR_PRIOR || ctx.prior_capacity_mAh != before) {
                fprintf(stderr, "prior capacity %ld not refused\n", (long)bad[b]);
                ++failures;
            }
        }
        if (bms_lstm_set_prior_capacity(&ctx, 1500) != (model.prior_capacity_mAh > 0 ? BMS_OK : BMS_ERR_PRIOR)) ++failures;
        printf("prior capacity: set %s (blob %ld mAh)\n", ctx.prior_capacity_mAh == 1500 ? "1500 mAh" : "refused (no prior)",
               (long)model.prior_capacity_mAh);
    }
    /* version 3: a non-zero padding byte is rejected as reserved, a misaligned blob as an argument error */
    if (blob[4] >= 3) {  /* versions 3 to 6 store interleaved kernels */
        uint32_t table = (uint32_t)rd_s32(blob + 20), in = (uint32_t)(blob[48 + 16 * blob[12] + 2]);
        uint32_t kernel = (uint32_t)rd_s32(blob + table + 8);
        unsigned char *bad = (unsigned char *)malloc(blob_size + 4);
        if (in % 4u != 0) {  /* first unit, gate i, first padding column */
            memcpy(bad, blob, blob_size);
            bad[kernel + (in / 4u) * 16u + in % 4u] = 1;
            put_u32(bad + blob_size - 4, bms_crc32(bad, blob_size - 4));
            if (load_and_run(bad, blob_size) != BMS_ERR_RESERVED) { fprintf(stderr, "v3 padding not rejected\n"); ++failures; }
        }
        memcpy(bad + 1, blob, blob_size);
        if (bms_lstm_load_blob(bad + 1, blob_size, &model) != BMS_ERR_ARGUMENT) {
            fprintf(stderr, "misaligned v3 blob not rejected\n");
            ++failures;
        }
        free(bad);
        printf("version 3: padding and alignment checks done\n");
    }
    free(v); free(i); free(t); free(workspace); free(blob); free(steps);
    printf("%s\n", failures == 0 ? "PASS" : "FAIL");
    return failures == 0 ? 0 : 1;
}
