/* Times zlib's inflate (uncompress) against libdeflate_zlib_decompress on the one
 * miCOMPRESSED element of a MAT file (best of N, CPU time of this thread).
 * Build: cc -O2 Benchmarks/inflate_bench.c -lz -ldeflate -o /tmp/inflate_bench
 * Run:   /tmp/inflate_bench ../shared/data/nasa_pcoe_battery/mat/B0025.mat 21 */
#define _POSIX_C_SOURCE 199309L
#include <libdeflate.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zlib.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s file.mat [repeats]\n", argv[0]); return 2; }
    int repeats = argc > 2 ? atoi(argv[2]) : 11;
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *file = malloc(size);
    if (!file || fread(file, 1, size, f) != (size_t)size) { fprintf(stderr, "read failed\n"); return 1; }
    fclose(f);
    uint32_t type = file[128] | file[129] << 8 | file[130] << 16 | (uint32_t)file[131] << 24;
    uint32_t count = file[132] | file[133] << 8 | file[134] << 16 | (uint32_t)file[135] << 24;
    if (type != 15 || 136 + (long)count > size) { fprintf(stderr, "no miCOMPRESSED element at byte 128\n"); return 1; }
    const unsigned char *z = file + 136;
    size_t cap = 64u << 20, produced = 0;
    unsigned char *out = malloc(cap);
    double bestZ = 1e9, bestD = 1e9;
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    for (int r = 0; r < repeats; r++) {
        uLongf n = cap;
        double t0 = now();
        if (uncompress(out, &n, z, count) != Z_OK) { fprintf(stderr, "zlib failed\n"); return 1; }
        double t1 = now();
        if (libdeflate_zlib_decompress(d, z, count, out, cap, &produced) != LIBDEFLATE_SUCCESS) {
            fprintf(stderr, "libdeflate failed\n"); return 1;
        }
        double t2 = now();
        if (n != produced) { fprintf(stderr, "sizes differ\n"); return 1; }
        if (t1 - t0 < bestZ) bestZ = t1 - t0;
        if (t2 - t1 < bestD) bestD = t2 - t1;
    }
    printf("{\"inflated_bytes\": %zu, \"zlib_uncompress_cpu_min_s\": %.5f, \"libdeflate_cpu_min_s\": %.5f, \"repeats\": %d}\n",
           produced, bestZ, bestD, repeats);
    libdeflate_free_decompressor(d);
    free(out);
    free(file);
    return 0;
}
