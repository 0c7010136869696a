/* One ISA build of the LSTM step kernels. Included by tk_dispatch.c with
 * TK(name) (suffixes the names), TK_NB_WIDE / TK_NB_NARROW (column blocks of the
 * in-kernel GEMM, multiples of the vector width) and a target attribute pushed on
 * every function. TK_MB lanes are done together so that each row of the weight matrix
 * is loaded once per block of lanes. */

#define TK_MB 4
#define TK_KC 128

/* eˣ (Cephes expf scheme, as Trainer's FastMath.exp): clamped to [-87.3, 88.3]. */
static inline float TK(exp)(float x) {
    float xc = x < -87.3f ? -87.3f : (x > 88.3f ? 88.3f : x);
    float n = (xc * 1.44269504f + 12582912.0f) - 12582912.0f;
    float r = xc - n * 0.693359375f;
    r = r + n * 2.1219444e-4f;
    float r2 = r * r;
    float p = 1.98756915e-4f;
    p = p * r + 1.39819995e-3f;
    p = p * r + 8.3334519e-3f;
    p = p * r + 4.16657959e-2f;
    p = p * r + 1.66666655e-1f;
    p = p * r + 5.00000012e-1f;
    float er = p * r2 + r + 1.0f;
    union { float f; int32_t i; } biased, scale;
    biased.f = (n + 127.0f) + 12582912.0f;
    scale.i = (int32_t)((uint32_t)(biased.i - 0x4B400000) << 23);
    return er * scale.f;
}

static inline float TK(sigmoid)(float x) { return 1.0f / (1.0f + TK(exp)(-x)); }
static inline float TK(tanh)(float x) { return 1.0f - 2.0f / (1.0f + TK(exp)(2.0f * x)); }

/* c[MB × nb] (+)= a[MB × k] · bm[k × nb] for one column block; MB and NB are constants
 * after inlining, so the accumulators live in registers. */
static inline __attribute__((always_inline)) void
TK(block)(const int MB, const int NB, int k, const float *restrict a, int lda, int acs,
          const float *restrict bm, int ldb, float *restrict c, int ldc, int acc,
          const float *restrict bias) {
    float s[TK_MB][TK_NB_WIDE];
    for (int r = 0; r < MB; r++)
        for (int q = 0; q < NB; q++) s[r][q] = acc ? c[r * ldc + q] : (bias ? bias[q] : 0.0f);
    for (int p = 0; p < k; p++) {
        const float *restrict bp = bm + (size_t)p * ldb;
        for (int r = 0; r < MB; r++) {
            const float ar = a[(size_t)r * lda + (size_t)p * acs];
            for (int q = 0; q < NB; q++) s[r][q] += ar * bp[q];
        }
    }
    for (int r = 0; r < MB; r++)
        for (int q = 0; q < NB; q++) c[r * ldc + q] = s[r][q];
}

static inline __attribute__((always_inline)) void
TK(rows)(const int MB, int n, int k, const float *restrict a, int lda, int acs,
         const float *restrict bm, int ldb, float *restrict c, int ldc, int acc,
         const float *restrict bias) {
    int j = 0;
    for (; j + TK_NB_WIDE <= n; j += TK_NB_WIDE)
        TK(block)(MB, TK_NB_WIDE, k, a, lda, acs, bm + j, ldb, c + j, ldc, acc, bias ? bias + j : 0);
    for (; j + TK_NB_NARROW <= n; j += TK_NB_NARROW)
        TK(block)(MB, TK_NB_NARROW, k, a, lda, acs, bm + j, ldb, c + j, ldc, acc, bias ? bias + j : 0);
    for (; j < n; j++) {                        /* column tail (sizes not multiples of the vector) */
        for (int r = 0; r < MB; r++) {
            float s = acc ? c[r * ldc + j] : (bias ? bias[j] : 0.0f);
            for (int p = 0; p < k; p++) s += a[(size_t)r * lda + (size_t)p * acs] * bm[(size_t)p * ldb + j];
            c[r * ldc + j] = s;
        }
    }
}

/* c[mb × n] (+)= a[mb × k] · bm[k × n], mb ≤ TK_MB; element (r, p) of a is
 * a[r·lda + p·acs] (acs = 1: row-major; lda = 1, acs = rows: a transposed operand). */
static void TK(gemm_strided)(int mb, int n, int k, const float *restrict a, int lda, int acs,
                             const float *restrict bm, int ldb, float *restrict c, int ldc, int acc,
                             const float *restrict bias) {
    switch (mb) {
    case 4: TK(rows)(4, n, k, a, lda, acs, bm, ldb, c, ldc, acc, bias); break;
    case 3: TK(rows)(3, n, k, a, lda, acs, bm, ldb, c, ldc, acc, bias); break;
    case 2: TK(rows)(2, n, k, a, lda, acs, bm, ldb, c, ldc, acc, bias); break;
    default: TK(rows)(1, n, k, a, lda, acs, bm, ldb, c, ldc, acc, bias); break;
    }
}

static inline void TK(gemm)(int mb, int n, int k, const float *restrict a, int lda,
                            const float *restrict bm, int ldb, float *restrict c, int ldc, int acc) {
    TK(gemm_strided)(mb, n, k, a, lda, 1, bm, ldb, c, ldc, acc, 0);
}

/* Whole-matrix c[m × n] (+)= op(a)[m × k] · bm[k × n] (see tk_gemm in the header): k in
 * chunks of TK_KC so that a chunk of bm stays in cache, rows in blocks of TK_MB. The
 * order of every sum is fixed by the sizes alone. */
static void TK(gemm_full)(int m, int n, int k, const float *a, int lda, int acs,
                          const float *bm, int ldb, float *c, int ldc, int acc, const float *bias) {
    if (k == 0) {
        if (!acc)
            for (int r = 0; r < m; r++)
                for (int j = 0; j < n; j++) c[(size_t)r * ldc + j] = bias ? bias[j] : 0.0f;
        return;
    }
    for (int p0 = 0; p0 < k; p0 += TK_KC) {
        const int kc = k - p0 < TK_KC ? k - p0 : TK_KC;
        for (int r0 = 0; r0 < m; r0 += TK_MB) {
            const int mb = m - r0 < TK_MB ? m - r0 : TK_MB;
            TK(gemm_strided)(mb, n, kc, a + (size_t)r0 * lda + (size_t)p0 * acs, lda, acs,
                             bm + (size_t)p0 * ldb, ldb, c + (size_t)r0 * ldc, ldc, acc || p0 > 0, bias);
        }
    }
}

static void TK(forward)(int b, int h, const float *restrict hsrc, const float *restrict csrc,
                        const float *restrict keep, const float *restrict ut, float *restrict z,
                        float *restrict hprev, float *restrict cprev, float *restrict c,
                        float *restrict tc, float *restrict hout) {
    const int g4 = 4 * h;
    for (int l0 = 0; l0 < b; l0 += TK_MB) {
        const int mb = b - l0 < TK_MB ? b - l0 : TK_MB;
        for (int r = l0; r < l0 + mb; r++) {
            const float k = keep ? keep[r] : 1.0f;
            for (int j = 0; j < h; j++) {
                hprev[r * h + j] = hsrc[r * h + j] * k;
                cprev[r * h + j] = csrc[r * h + j] * k;
            }
        }
        TK(gemm)(mb, g4, h, hprev + (size_t)l0 * h, h, ut, g4, z + (size_t)l0 * g4, g4, 1);
        for (int r = l0; r < l0 + mb; r++) {
            float *restrict zr = z + (size_t)r * g4;
            for (int j = 0; j < 2 * h; j++) zr[j] = TK(sigmoid)(zr[j]);
            for (int j = 2 * h; j < 3 * h; j++) zr[j] = TK(tanh)(zr[j]);
            for (int j = 3 * h; j < g4; j++) zr[j] = TK(sigmoid)(zr[j]);
            const float *restrict cp = cprev + (size_t)r * h;
            float *restrict cr = c + (size_t)r * h, *restrict tr = tc + (size_t)r * h;
            float *restrict hr = hout + (size_t)r * h;
            for (int j = 0; j < h; j++) {
                const float cj = zr[h + j] * cp[j] + zr[j] * zr[2 * h + j];
                const float tj = TK(tanh)(cj);
                cr[j] = cj; tr[j] = tj; hr[j] = zr[3 * h + j] * tj;
            }
        }
    }
}

static void TK(backward)(int b, int h, const float *restrict act, const float *restrict cprev,
                         const float *restrict tc, const float *restrict dout,
                         const float *restrict keep, const float *restrict u,
                         float *restrict dhnext, float *restrict dcnext, float *restrict dz) {
    const int g4 = 4 * h;
    for (int l0 = 0; l0 < b; l0 += TK_MB) {
        const int mb = b - l0 < TK_MB ? b - l0 : TK_MB;
        for (int r = l0; r < l0 + mb; r++) {
            const float *restrict a = act + (size_t)r * g4;
            const float *restrict cp = cprev + (size_t)r * h, *restrict t = tc + (size_t)r * h;
            const float *restrict d = dout + (size_t)r * h;
            float *restrict dhn = dhnext + (size_t)r * h, *restrict dcn = dcnext + (size_t)r * h;
            float *restrict dzr = dz + (size_t)r * g4;
            const float k = keep ? keep[r] : 1.0f;
            for (int j = 0; j < h; j++) {
                const float i = a[j], f = a[h + j], g = a[2 * h + j], o = a[3 * h + j];
                const float dh = d[j] + dhn[j];
                const float tj = t[j];
                const float dc = dcn[j] + dh * o * (1.0f - tj * tj);
                dzr[j] = dc * g * i * (1.0f - i);
                dzr[h + j] = dc * cp[j] * f * (1.0f - f);
                dzr[2 * h + j] = dc * i * (1.0f - g * g);
                dzr[3 * h + j] = dh * tj * o * (1.0f - o);
                dcn[j] = dc * f * k;
            }
        }
        /* ∂loss/∂hₜ₋₁ = keep ⊙ (dZ · U) */
        TK(gemm)(mb, h, g4, dz + (size_t)l0 * g4, g4, u, h, dhnext + (size_t)l0 * h, h, 0);
        if (keep)
            for (int r = l0; r < l0 + mb; r++)
                if (keep[r] == 0.0f)
                    for (int j = 0; j < h; j++) dhnext[(size_t)r * h + j] = 0.0f;
    }
}

#undef TK_MB
#undef TK_KC
