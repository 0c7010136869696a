/* bms_soc_charge_transfer.c — the charge-transfer (Butler-Volmer) term a asinh(I / I_ref)
 * (ChargeTransfer.swift), float32: its voltage at (I, T) and the check done once at init.
 *
 *   eta_g(I)  = a_g asinh(I / I_ref,g)                 one (a, I_ref) per temperature group g
 *   eta(I, T) = (1 - f) eta_g(I) + f eta_g+1(I)        f linear in T between the groups, held beyond
 *   V         = OCV(SOC, T) + R0 I + eta(I, T) + v1 + ...   (Docs/Estimators.md, "Charge-transfer term")
 *
 * Built with -DBMS_SOC_CHARGE_TRANSFER=0 this file compiles to nothing (bms_soc.h). */
#include <math.h>
#include "bms_soc_internal.h"

#if BMS_SOC_CHARGE_TRANSFER

/* asinh(x) = sgn(x) ln(|x| + sqrt(x^2 + 1)) with the logf and sqrtf the estimators link anyway:
 * newlib's asinhf brings log1pf and a second logf, 1,280 B of Thumb-2 on a Cortex-M4. Near 0 the
 * sum rounds to a float32 ulp of 1, an absolute error of about 6e-8 (times a <= 2 V: below the
 * float32 ulp of a cell voltage); asinh(0) = 0 exactly. Beyond |x| = 1e4, ln(2|x|) (relative
 * error 1 / (4 x^2) < 3e-9), so that x^2 never overflows whatever the current limit. */
static float asinh_f32(float x) {
    const float magnitude = fabsf(x);
    const float y = magnitude > 1e4f ? logf(magnitude) + 0.6931472f : logf(magnitude + sqrtf(magnitude * magnitude + 1.0f));
    return x < 0.0f ? -y : y;
}

float bms_soc_charge_transfer_voltage(const bms_soc_charge_transfer_t *term, float current_A, float temperature_C) {
    const float *t = term->temperatures_C;
    const int last = (int)term->count - 1;
    int g = 0;
    float f = 0.0f, low, high;
    /* ChargeTransfer.position(temperatureC:): f = 0 below the first group and at or above the last. */
    if (last > 0 && temperature_C > t[0]) {
        if (temperature_C >= t[last]) {
            g = last;
        } else {
            while (temperature_C > t[g + 1]) g++;
            f = (temperature_C - t[g]) / (t[g + 1] - t[g]);
        }
    }
    low = term->coefficient_V[g] * asinh_f32(current_A / term->reference_current_A[g]);
    if (!(f > 0.0f)) return low;
    high = term->coefficient_V[g + 1] * asinh_f32(current_A / term->reference_current_A[g + 1]);
    return low + f * (high - low);
}

/* Within [low, high] and finite (NaN fails). */
static int within(float v, float low, float high) { return isfinite(v) && v >= low && v <= high; }

bms_soc_status_t bms_soc_charge_transfer_check(const bms_soc_charge_transfer_t *term) {
    uint16_t i;
    if (term == NULL) return BMS_SOC_OK;
    if (term->count == 0 || term->temperatures_C == NULL || term->coefficient_V == NULL
        || term->reference_current_A == NULL) {
        return BMS_SOC_ERR_MODEL_CHARGE_TRANSFER;
    }
    for (i = 0; i < term->count; i++) {
        /* The ranges of CellModelValidation.Limits (chargeTransferV, chargeTransferReferenceA). */
        if (!isfinite(term->temperatures_C[i]) || (i > 0 && !(term->temperatures_C[i] > term->temperatures_C[i - 1]))
            || !within(term->coefficient_V[i], 0.0f, 2.0f) || !within(term->reference_current_A[i], 1e-6f, 1e5f)) {
            return BMS_SOC_ERR_MODEL_CHARGE_TRANSFER;
        }
    }
    return BMS_SOC_OK;
}

#else
/* ISO C forbids an empty translation unit. */
typedef int bms_soc_charge_transfer_compiled_out;
#endif
