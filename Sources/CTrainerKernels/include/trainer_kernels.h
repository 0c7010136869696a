/* Fused LSTM step kernels for the float trainer (Sources/Trainer/Tensor/LSTMStepKernel.swift).
 *
 * One call does one time step of an LSTM layer for a batch of lanes: the recurrent
 * product U·hₜ₋₁ for the batch (a small GEMM done in-kernel against U packed as Uᵀ),
 * the gate activations (σ, tanh) and the cell update (forward), or the BPTT step
 * (backward). Gate order i, f, g, o; layouts as Docs/Trainer.md ("Gate order and tensor
 * layout"). Each kernel exists in three builds — portable C, AVX2+FMA and AVX-512F — chosen
 * by the caller; `tk_isa_supported` says which ones this CPU can run (CPUID).
 *
 * Determinism: for a given ISA every sum is taken in a fixed order, so results do not
 * depend on anything but the inputs (different ISAs may differ in the last bits: FMA).
 */
#ifndef TRAINER_KERNELS_H
#define TRAINER_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/** Instruction-set build of a kernel. */
typedef enum {
    TK_ISA_PORTABLE = 0, /**< plain C (the compiler's baseline x86-64 / other CPU code) */
    TK_ISA_AVX2 = 1,     /**< AVX2 + FMA */
    TK_ISA_AVX512 = 2    /**< AVX-512F */
} tk_isa;

/** 1 when this CPU can run the `isa` build (portable: always 1), else 0. */
int tk_isa_supported(int isa);

/** The widest build this CPU supports. */
int tk_best_isa(void);

/** Packs U `[4h × h]` (row-major, gate rows i, f, g, o) as Uᵀ `[h × 4h]` into `ut`. */
void tk_pack_transposed(int rows, int cols, const float *u, float *ut);

/** Forward of one step for `b` lanes of `h` units.
 *
 *  hsrc, csrc  `[b × h]` previous hidden / cell state (before lane resets)
 *  keep        `b` values 0 or 1 (0: the lane starts a new sequence), or NULL (all 1)
 *  ut          Uᵀ `[h × 4h]` (`tk_pack_transposed`)
 *  z           `[b × 4h]` in: W·xₜ + b; out: the activations i, f, g, o
 *  hprev, cprev `[b × h]` out: the state after resets (kept for backward)
 *  c, tc, hout `[b × h]` out: cₜ, tanh(cₜ), hₜ
 */
void tk_lstm_forward_step(int isa, int b, int h,
                          const float *hsrc, const float *csrc, const float *keep,
                          const float *ut, float *z, float *hprev, float *cprev,
                          float *c, float *tc, float *hout);

/** Backward (BPTT) of one step for `b` lanes of `h` units.
 *
 *  act         `[b × 4h]` activations of the step (forward's `z` out)
 *  cprev, tc   `[b × h]` cₜ₋₁ after resets, tanh(cₜ)
 *  dout        `[b × h]` ∂loss/∂hₜ from the layer above
 *  keep        as forward (NULL: all 1)
 *  u           U `[4h × h]`
 *  dhnext, dcnext `[b × h]` in: ∂loss/∂hₜ, ∂loss/∂cₜ from step t+1; out: the same for step t−1
 *  dz          `[b × 4h]` out: ∂loss/∂(pre-activations) of the step
 */
void tk_lstm_backward_step(int isa, int b, int h,
                           const float *act, const float *cprev, const float *tc,
                           const float *dout, const float *keep, const float *u,
                           float *dhnext, float *dcnext, float *dz);

/** c[m × n] = (accumulate ? c : bias) + A · b for the whole-sequence products (input
 *  projection, weight and input gradients), with the same blocking as the step kernels.
 *  Element (r, p) of A `[m × k]` is `a[r·lda + p·acs]`: acs = 1 for a row-major A, lda = 1
 *  and acs = (row length of the stored matrix) for a transposed one. b `[k × n]` and c are
 *  row-major with leading dimensions ldb, ldc. Sums over k run in chunks of 128, each chunk
 *  in order, so the result depends on the sizes alone. `bias` (n values, or NULL
 *  for zeros) is the starting value of every row when not accumulating. */
void tk_gemm(int isa, int m, int n, int k, const float *a, int lda, int acs,
             const float *b, int ldb, float *c, int ldc, int accumulate, const float *bias);

#ifdef __cplusplus
}
#endif
#endif
