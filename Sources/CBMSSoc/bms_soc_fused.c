/* bms_soc_fused.c — ekf+lstm (bms_fused.h), FusedEKFLSTMEstimator in C. The gating reads the LSTM
 * wrapper's state, which the C wrapper computes exactly as the Swift one (the same model steps, runs
 * and envelope flags), so the same steps are fused; the timers and R are double, as in Swift; the
 * update itself is the C EKF's float32. */
#include <math.h>
#include "bms_fused.h"
#include "bms_soc_internal.h"

void bms_fusion_noise_default(bms_fusion_noise_t *noise) {
    static const double sigma[5] = {0.0204, 0.0238, 0.0206, 0.0248, 0.0417};
    int k;
    if (noise == NULL) return;
    for (k = 0; k < BMS_FUSION_MAX_BANDS; k++) noise->band_sigma[k] = k < 5 ? sigma[k] : 0.0;
    noise->bands = 5;
    noise->decorrelation_s = 1833.0;
    noise->filter_variance_ratio = 7.8;
}

bms_soc_status_t bms_fusion_noise_check(const bms_fusion_noise_t *noise) {
    int k;
    if (noise == NULL) return BMS_SOC_ERR_ARGUMENT;
    if (noise->bands < 1 || noise->bands > BMS_FUSION_MAX_BANDS) return BMS_SOC_ERR_CONFIG;
    for (k = 0; k < noise->bands; k++) {
        if (!isfinite(noise->band_sigma[k]) || !(noise->band_sigma[k] > 0)) return BMS_SOC_ERR_CONFIG;
    }
    if (!isfinite(noise->decorrelation_s) || !(noise->decorrelation_s >= 0)) return BMS_SOC_ERR_CONFIG;
    if (!isfinite(noise->filter_variance_ratio) || !(noise->filter_variance_ratio > 0)) return BMS_SOC_ERR_CONFIG;
    return BMS_SOC_OK;
}

/* LSTMFusionNoise.band(of:): floor(soc * n) clamped to the bands; a non-finite SOC takes band 0. */
static int band(const bms_fusion_noise_t *noise, double soc) {
    double k;
    if (!isfinite(soc)) return 0;
    k = floor(soc * (double)noise->bands);
    return k < 0 ? 0 : (k > noise->bands - 1 ? noise->bands - 1 : (int)k);
}

double bms_fusion_noise_variance(const bms_fusion_noise_t *noise, double lstm_soc, double network_sigma, double step_s) {
    double sigma = network_sigma > 0 ? network_sigma : noise->band_sigma[band(noise, lstm_soc)];
    double inflation = step_s > 0 ? (noise->decorrelation_s / step_s > 1 ? noise->decorrelation_s / step_s : 1) : 1;
    return sigma * sigma * inflation * noise->filter_variance_ratio;
}

bms_soc_status_t bms_soc_fused_init(bms_soc_fused_t *f, bms_soc_ekf_t *filter, bms_soc_lstm_t *lstm,
                                    const bms_fusion_noise_t *noise) {
    bms_soc_status_t status;
    if (f == NULL || filter == NULL || lstm == NULL) return BMS_SOC_ERR_ARGUMENT;
    if ((status = bms_fusion_noise_check(noise)) != BMS_SOC_OK) return status;
    f->filter = filter;
    f->lstm = lstm;
    f->noise = *noise;
    f->last_model_steps = lstm->model_steps;
    f->fusions = 0;
    f->seconds_since_fusion = 0;
    f->last = filter->last;
    return BMS_SOC_OK;
}

/* The uncertainty head's sigma of the LSTM's last step (BlobUncertaintyHead.sigmaSOC), or 0 without one. */
static double network_sigma(const bms_soc_lstm_t *l) {
    int16_t q = 0;
    const bms_lstm_model_t *m = l->context.model;
    if (!m->has_log_variance || bms_lstm_log_variance_q11(&l->context, &q) != BMS_OK) return 0;
    return exp(0.5 * ((double)q / 2048.0)) * (double)m->label_span_ppm / 1000000.0;
}

bms_soc_status_t bms_soc_fused_tick(bms_soc_fused_t *f, float voltage_V, float current_A, float temperature_C,
                                    float dt_s, bms_soc_estimate_t *estimate) {
    bms_soc_estimate_t filtered, lstm_estimate;
    const bms_soc_lstm_t *l;
    int stepped, confirmed;
    if (f == NULL || estimate == NULL) return BMS_SOC_ERR_ARGUMENT;
    l = f->lstm;
    (void)bms_soc_ekf_tick(f->filter, voltage_V, current_A, temperature_C, dt_s, &filtered);
    (void)bms_soc_lstm_tick(f->lstm, voltage_V, current_A, temperature_C, dt_s, &lstm_estimate);
    if (filtered.holding) {
        f->last = filtered;
        *estimate = f->last;
        return BMS_SOC_OK;
    }
    if (dt_s > 0.0f) f->seconds_since_fusion += (double)dt_s;
    stepped = l->model_steps != f->last_model_steps;
    f->last_model_steps = l->model_steps;
    if (!l->in_discharge) f->seconds_since_fusion = 0;
    confirmed = l->in_discharge && l->discharge_seconds_in_run >= l->settings.minimum_discharge_s * (1 - 1e-9);
    if (stepped && confirmed && l->run_started_at_rest && lstm_estimate.envelope == 0
        && (double)current_A < -l->settings.discharge_threshold_A) {
        double z = (double)lstm_estimate.soc;
        double dt = f->seconds_since_fusion > l->settings.step_s ? f->seconds_since_fusion : l->settings.step_s;
        double r;
        z = z < 0 ? 0 : (z > 1 ? 1 : z);
        r = bms_fusion_noise_variance(&f->noise, z, network_sigma(l), dt);
        if (bms_soc_ekf_apply_soc_measurement(f->filter, (float)z, (float)r)) f->fusions++;
        f->seconds_since_fusion = 0;
    }
    f->last = f->filter->last;
    *estimate = f->last;
    return BMS_SOC_OK;
}

bms_soc_status_t bms_soc_fused_wake(bms_soc_fused_t *f, float sleep_s) {
    if (f == NULL) return BMS_SOC_ERR_ARGUMENT;
    (void)bms_soc_ekf_wake(f->filter, sleep_s);
    (void)bms_soc_lstm_wake(f->lstm, sleep_s);
    return BMS_SOC_OK;
}

bms_soc_status_t bms_soc_fused_reset(bms_soc_fused_t *f, float soc) {
    if (f == NULL || !isfinite(soc)) return BMS_SOC_ERR_ARGUMENT;
    (void)bms_soc_ekf_reset(f->filter, soc);
    (void)bms_soc_lstm_reset(f->lstm, soc);
    f->last_model_steps = f->lstm->model_steps;
    f->seconds_since_fusion = 0;
    f->last = f->filter->last;
    return BMS_SOC_OK;
}
