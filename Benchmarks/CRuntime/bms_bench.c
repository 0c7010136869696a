/* Times the C runtime alone (no Swift): streaming steps and 50-step windows of a blob.
 * Build and run: Benchmarks/CRuntime/run.sh [blob] — prints ns per step and µs per window
 * (median of 7 runs, thread CPU time). Inputs: a deterministic synthetic discharge (2 A with
 * pulses, voltage falling 4.2 → 3.0 V, 24 °C), the same every run. */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bms_lstm.h"

#define STEPS 20000
#define WINDOW 50
#define WINDOWS 2000
#define RUNS 7

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int32_t voltage[STEPS], current[STEPS], temperature[STEPS];
static int16_t workspace[1 << 16];

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "Fixtures/golden-v3/golden-model.bmsq";
    static uint32_t storage[1 << 20];
    FILE *file = fopen(path, "rb");
    size_t size;
    bms_lstm_model_t model;
    bms_lstm_context_t context;
    bms_status_t status;
    double step_runs[RUNS], window_runs[RUNS];
    int32_t soc = 0, checksum = 0;
    int run, n;
    uint32_t state = 12345u;
    if (file == NULL) { fprintf(stderr, "cannot open %s\n", path); return 1; }
    size = fread(storage, 1, sizeof storage, file);
    fclose(file);
    status = bms_lstm_load_blob((const uint8_t *)storage, size, &model);
    if (status != BMS_OK) { fprintf(stderr, "load: %s\n", bms_status_name(status)); return 1; }
    status = bms_lstm_init_context(&model, workspace, sizeof workspace / sizeof workspace[0], &context);
    if (status != BMS_OK) { fprintf(stderr, "context: %s\n", bms_status_name(status)); return 1; }
    for (n = 0; n < STEPS; ++n) {
        state = state * 1664525u + 1013904223u;
        current[n] = ((n / 30) % 4 == 0 ? -4000 : -2000) + (int32_t)(state >> 24) - 128;
        voltage[n] = 4200000 - (int32_t)((int64_t)1200000 * n / STEPS) + (current[n] + 2000) * 60;
        temperature[n] = 240 + (n / 500) % 5;
    }
    for (run = 0; run < RUNS; ++run) {
        double t0 = cpu_seconds();
        bms_lstm_reset(&context);
        for (n = 0; n < STEPS; ++n) bms_lstm_step_s8(&context, voltage[n], current[n], temperature[n], &soc);
        step_runs[run] = (cpu_seconds() - t0) / STEPS;
        checksum ^= soc;
        t0 = cpu_seconds();
        for (n = 0; n < WINDOWS; ++n) {
            int start = (n * 7) % (STEPS - WINDOW);
            bms_lstm_window_s8(&context, voltage + start, current + start, temperature + start, WINDOW, &soc);
            checksum += soc;
        }
        window_runs[run] = (cpu_seconds() - t0) / WINDOWS;
    }
    qsort(step_runs, RUNS, sizeof(double), compare_doubles);
    qsort(window_runs, RUNS, sizeof(double), compare_doubles);
    printf("C runtime (%s)  step %7.0f ns   50-step window %7.1f us   (median of %d; checksum %d)\n",
           bms_lstm_kernel_name((bms_kernel_t)context.kernel), step_runs[RUNS / 2] * 1e9, window_runs[RUNS / 2] * 1e6, RUNS, (int)checksum);
    return 0;
}
