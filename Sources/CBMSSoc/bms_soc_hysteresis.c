/* bms_soc_hysteresis.c — Plett's one-state hysteresis (Hysteresis.swift), float32: the law's
 * parameters over temperature, the state's dynamics and the check done once at init.
 *
 *   A  = exp(-|eta I dt gamma / (3600 Q)|)      eta = coulombic efficiency on charge, 1 on discharge
 *   h' = A h + (1 - A) sgn(I)                   h in [-1, 1]
 *   s  = sgn(I) when |I| > the rest current, else unchanged
 *   V  = OCV(SOC, T) + M h + M0 s + ...         (Docs/Estimators.md, "Hysteresis (Plett one-state)")
 */
#include <math.h>
#include "bms_soc_internal.h"

void bms_soc_hysteresis_parameters(const bms_soc_hysteresis_t *law, float temperature_C, float *maximum_V,
                                   float *instantaneous_V, float *rate_constant) {
    const float *t = law->temperatures_C;
    const uint16_t n = law->count;
    int i = 0;
    float f;
    if (n == 1 || !(temperature_C > t[0])) {
        i = 0;
    } else if (temperature_C >= t[n - 1]) {
        i = (int)n - 1;
    } else {
        while (temperature_C > t[i + 1]) i++;
        f = (temperature_C - t[i]) / (t[i + 1] - t[i]);
        *maximum_V = law->maximum_V[i] + f * (law->maximum_V[i + 1] - law->maximum_V[i]);
        *instantaneous_V = law->instantaneous_V[i] + f * (law->instantaneous_V[i + 1] - law->instantaneous_V[i]);
        *rate_constant = law->rate_constant[i] + f * (law->rate_constant[i + 1] - law->rate_constant[i]);
        return;
    }
    *maximum_V = law->maximum_V[i];
    *instantaneous_V = law->instantaneous_V[i];
    *rate_constant = law->rate_constant[i];
}

float bms_soc_hysteresis_voltage(const bms_soc_hysteresis_t *law, float h, float sign, float temperature_C) {
    float m, m0, gamma;
    bms_soc_hysteresis_parameters(law, temperature_C, &m, &m0, &gamma);
    return m * h + m0 * sign;
}

float bms_soc_hysteresis_decay(float mean_current_A, float dt_s, float capacity_Ah, float efficiency,
                               float rate_constant) {
    const float eta = mean_current_A > 0.0f ? efficiency : 1.0f;
    return expf(-fabsf(eta * mean_current_A * dt_s * rate_constant / (3600.0f * capacity_Ah)));
}

float bms_soc_hysteresis_current_sign(float current_A) {
    return current_A > 0.0f ? 1.0f : (current_A < 0.0f ? -1.0f : 0.0f);
}

float bms_soc_hysteresis_step(float h, float decay, float mean_current_A) {
    return decay * h + (1.0f - decay) * bms_soc_hysteresis_current_sign(mean_current_A);
}

float bms_soc_hysteresis_next_sign(float previous, float current_A, float threshold_A) {
    return fabsf(current_A) > threshold_A ? bms_soc_hysteresis_current_sign(current_A) : previous;
}

/* Within [low, high] and finite (NaN fails). */
static int within(float v, float low, float high) { return isfinite(v) && v >= low && v <= high; }

bms_soc_status_t bms_soc_hysteresis_check(const bms_soc_hysteresis_t *law) {
    uint16_t i;
    if (law->count == 0) return BMS_SOC_OK;
    if (law->temperatures_C == NULL || law->maximum_V == NULL || law->instantaneous_V == NULL
        || law->rate_constant == NULL) {
        return BMS_SOC_ERR_MODEL_HYSTERESIS;
    }
    for (i = 0; i < law->count; i++) {
        if (!isfinite(law->temperatures_C[i]) || (i > 0 && !(law->temperatures_C[i] > law->temperatures_C[i - 1]))
            || !within(law->maximum_V[i], 0.0f, 1.0f) || !within(law->instantaneous_V[i], 0.0f, 1.0f)
            || !within(law->rate_constant[i], 1e-3f, 1e5f)) {
            return BMS_SOC_ERR_MODEL_HYSTERESIS;
        }
    }
    return BMS_SOC_OK;
}
