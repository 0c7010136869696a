/* bms_soc_small_matrix.h — the EKF's n x n float32 matrix helpers (SmallMatrix.swift), for a
 * dimension n known at the call (internal; included by bms_soc_ekf.c only). */
#ifndef BMS_SOC_SMALL_MATRIX_H
#define BMS_SOC_SMALL_MATRIX_H

#include <math.h>
#include "bms_soc.h"   /* BMS_SOC_EKF_MAX_STATES */

/* The matrix helpers below are written for a dimension n known at the call: each is called
 * with n = 2, 3 (and 4 with the 2RC filter) as a constant, so the compiler unrolls each (a
 * variable n costs the 2-state filter half again its instructions on a Cortex-M4). */
#if defined(__GNUC__) || defined(__clang__)
#define BMS_SOC_UNROLLED static inline __attribute__((always_inline))
#else
#define BMS_SOC_UNROLLED static inline
#endif

/* n x n c = a b and c = a b^T, summed from 0 in the Swift order (SmallMatrix). */
BMS_SOC_UNROLLED void multiply_n(const float *a, const float *b, float *c, const int n) {
    int i, j, k;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            float s = 0.0f;
            for (k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
            c[i * n + j] = s;
        }
}

BMS_SOC_UNROLLED void multiply_transposed_n(const float *a, const float *b, float *c, const int n) {
    int i, j, k;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            float s = 0.0f;
            for (k = 0; k < n; k++) s += a[i * n + k] * b[j * n + k];
            c[i * n + j] = s;
        }
}

/* SmallMatrix.cholesky: true when p (n x n) is positive-definite. */
BMS_SOC_UNROLLED int positive_definite_n(const float *p, const int n) {
    float lower[BMS_SOC_EKF_MAX_STATES * BMS_SOC_EKF_MAX_STATES];
    int i, j, k;
    for (j = 0; j < n; j++) {
        float d = p[j * n + j], root;
        for (k = 0; k < j; k++) d -= lower[j * n + k] * lower[j * n + k];
        if (!(d > 0.0f) || !isfinite(d)) return 0;
        root = sqrtf(d);
        lower[j * n + j] = root;
        for (i = j + 1; i < n; i++) {
            float s = p[i * n + j];
            for (k = 0; k < j; k++) s -= lower[i * n + k] * lower[j * n + k];
            lower[i * n + j] = s / root;
        }
    }
    return 1;
}

#endif /* BMS_SOC_SMALL_MATRIX_H */
