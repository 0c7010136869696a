/* The three ISA builds of tk_impl.h and the run-time choice between them. */
#include "trainer_kernels.h"
#include <stddef.h>
#include <stdint.h>

#define TK(name) tk_portable_##name
#define TK_NB_WIDE 8   /* 4 × 8 accumulators: 8 SSE registers of the 16 */
#define TK_NB_NARROW 4
#include "tk_impl.h"
#undef TK
#undef TK_NB_WIDE
#undef TK_NB_NARROW

#if defined(__x86_64__) && defined(__clang__)
#define TK_HAVE_X86 1
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define TK(name) tk_avx2_##name
#define TK_NB_WIDE 16
#define TK_NB_NARROW 8
#include "tk_impl.h"
#undef TK
#undef TK_NB_WIDE
#undef TK_NB_NARROW
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#define TK(name) tk_avx512_##name
#define TK_NB_WIDE 64
#define TK_NB_NARROW 16
#include "tk_impl.h"
#undef TK
#undef TK_NB_WIDE
#undef TK_NB_NARROW
#pragma clang attribute pop
#else
#define TK_HAVE_X86 0
#endif

int tk_isa_supported(int isa) {
    switch (isa) {
    case TK_ISA_PORTABLE: return 1;
#if TK_HAVE_X86
    case TK_ISA_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case TK_ISA_AVX512: return __builtin_cpu_supports("avx512f");
#endif
    default: return 0;
    }
}

int tk_best_isa(void) {
    if (tk_isa_supported(TK_ISA_AVX512)) return TK_ISA_AVX512;
    if (tk_isa_supported(TK_ISA_AVX2)) return TK_ISA_AVX2;
    return TK_ISA_PORTABLE;
}

void tk_pack_transposed(int rows, int cols, const float *u, float *ut) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) ut[(size_t)c * rows + r] = u[(size_t)r * cols + c];
}

void tk_lstm_forward_step(int isa, int b, int h,
                          const float *hsrc, const float *csrc, const float *keep,
                          const float *ut, float *z, float *hprev, float *cprev,
                          float *c, float *tc, float *hout) {
#if TK_HAVE_X86
    if (isa == TK_ISA_AVX512) { tk_avx512_forward(b, h, hsrc, csrc, keep, ut, z, hprev, cprev, c, tc, hout); return; }
    if (isa == TK_ISA_AVX2) { tk_avx2_forward(b, h, hsrc, csrc, keep, ut, z, hprev, cprev, c, tc, hout); return; }
#endif
    (void)isa;
    tk_portable_forward(b, h, hsrc, csrc, keep, ut, z, hprev, cprev, c, tc, hout);
}

void tk_lstm_backward_step(int isa, int b, int h,
                           const float *act, const float *cprev, const float *tc,
                           const float *dout, const float *keep, const float *u,
                           float *dhnext, float *dcnext, float *dz) {
#if TK_HAVE_X86
    if (isa == TK_ISA_AVX512) { tk_avx512_backward(b, h, act, cprev, tc, dout, keep, u, dhnext, dcnext, dz); return; }
    if (isa == TK_ISA_AVX2) { tk_avx2_backward(b, h, act, cprev, tc, dout, keep, u, dhnext, dcnext, dz); return; }
#endif
    (void)isa;
    tk_portable_backward(b, h, act, cprev, tc, dout, keep, u, dhnext, dcnext, dz);
}

void tk_gemm(int isa, int m, int n, int k, const float *a, int lda, int acs,
             const float *b, int ldb, float *c, int ldc, int accumulate, const float *bias) {
#if TK_HAVE_X86
    if (isa == TK_ISA_AVX512) { tk_avx512_gemm_full(m, n, k, a, lda, acs, b, ldb, c, ldc, accumulate, bias); return; }
    if (isa == TK_ISA_AVX2) { tk_avx2_gemm_full(m, n, k, a, lda, acs, b, ldb, c, ldc, accumulate, bias); return; }
#endif
    (void)isa;
    tk_portable_gemm_full(m, n, k, a, lda, acs, b, ldb, c, ldc, accumulate, bias);
}
