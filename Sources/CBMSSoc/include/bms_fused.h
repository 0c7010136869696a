/* bms_fused.h — ekf+lstm in C (bms_soc_fused.c), the port of FusedEKFLSTMEstimator
 * (Sources/Estimators/FusedEKFLSTMEstimator.swift; Docs/Estimators.md, "ekf+lstm"): the 1RC EKF with
 * the LSTM wrapper's SOC as a second, direct measurement of the SOC. Both see every tick; after the
 * EKF's own update, when the LSTM has just taken a model step under discharge current in a
 * confirmed run that started from a rest and is inside its training envelope, the EKF gets one
 * scalar Kalman update with z = clamp(LSTM SOC, 0, 1) and
 *
 *     R = sigma^2 * max(1, tau / dt) * rho_P
 *
 * sigma per band of z (bms_fusion_noise_t) or, for a blob with an uncertainty head (format
 * version 6), the network's own sigma of the step; tau the decorrelation time, rho_P the EKF's
 * claimed over its actual variance, dt the time since the last fusion (at least one model step).
 * The estimate is the EKF's. Optional: needs the EKF and the LSTM wrapper (bms_soc.h).
 *
 * Usage (the EKF and the LSTM wrapper initialised by the caller, as for running them alone):
 *   bms_fusion_noise_t noise;
 *   bms_fusion_noise_default(&noise);                      // LSTMFusionNoise.default
 *   static bms_soc_fused_t fused;
 *   if (bms_soc_fused_init(&fused, &ekf, &lstm, &noise) != BMS_SOC_OK) { ... }
 *   every tick:  bms_soc_fused_tick(&fused, voltage_V, current_A, temperature_C, dt_s, &e);   // not the parts' ticks
 *   after a sleep: bms_soc_fused_wake(&fused, slept_s);
 */
#ifndef BMS_FUSED_H
#define BMS_FUSED_H

#include <stdint.h>
#include "bms_soc.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The most bands of the LSTM's SOC a noise model holds. */
#define BMS_FUSION_MAX_BANDS 10

/** The LSTM's measurement noise (LSTMFusionNoise; double, as in Swift). */
typedef struct bms_fusion_noise {
    double band_sigma[BMS_FUSION_MAX_BANDS];  /**< sigma of the LSTM's SOC (fraction) in equal bands of [0, 1] */
    uint8_t bands;                            /**< 1 to BMS_FUSION_MAX_BANDS */
    double decorrelation_s;                   /**< tau, s (>= 0) */
    double filter_variance_ratio;             /**< rho_P (> 0) */
} bms_fusion_noise_t;

/** ekf+lstm's state: the two parts (the caller's) and the fusion's bookkeeping. */
typedef struct bms_soc_fused {
    bms_soc_ekf_t *filter;            /**< carries the estimate */
    bms_soc_lstm_t *lstm;             /**< its confirmed outputs are fused */
    bms_fusion_noise_t noise;         /**< checked copy */
    uint32_t last_model_steps;        /**< the LSTM's model steps at the last tick */
    uint32_t fusions;                 /**< fused model steps since init */
    double seconds_since_fusion;      /**< measurement time since the last fusion (or the run's start) */
    bms_soc_estimate_t last;
} bms_soc_fused_t;

/** LSTMFusionNoise.default: the shipped values, learned on the NASA validation cells. */
void bms_fusion_noise_default(bms_fusion_noise_t *noise);
/** BMS_SOC_ERR_CONFIG unless 1 <= bands <= BMS_FUSION_MAX_BANDS, every band's sigma finite and > 0,
 *  decorrelation_s finite and >= 0 and filter_variance_ratio finite and > 0 (LSTMFusionNoise.isValid);
 *  ERR_ARGUMENT on NULL. */
bms_soc_status_t bms_fusion_noise_check(const bms_fusion_noise_t *noise);
/** R for one fused step (LSTMFusionNoise.variance): `network_sigma` > 0 is an uncertainty head's sigma,
 *  else (0) the band of `lstm_soc`'s; `step_s` the time since the last fusion. */
double bms_fusion_noise_variance(const bms_fusion_noise_t *noise, double lstm_soc, double network_sigma, double step_s);
/** Binds the parts (initialised, not NULL) and copies `noise` (checked). On an error nothing is written. */
bms_soc_status_t bms_soc_fused_init(bms_soc_fused_t *fused, bms_soc_ekf_t *filter, bms_soc_lstm_t *lstm,
                                    const bms_fusion_noise_t *noise);
/** One tick: the EKF's, the LSTM's, then the fusion of a new confirmed output (see above). */
bms_soc_status_t bms_soc_fused_tick(bms_soc_fused_t *fused, float voltage_V, float current_A, float temperature_C,
                                    float dt_s, bms_soc_estimate_t *estimate);
/** Both parts sleep. */
bms_soc_status_t bms_soc_fused_wake(bms_soc_fused_t *fused, float sleep_s);
/** Both parts restart at `soc`. */
bms_soc_status_t bms_soc_fused_reset(bms_soc_fused_t *fused, float soc);
/** TheveninEKF.applySOCMeasurement: one scalar Kalman update of the EKF with a direct SOC
 *  measurement `z` of variance `r` (the fusion's step; any state count). Returns 1, or 0 with nothing
 *  changed when z or r is not finite or r <= 0 (or ekf is NULL). */
int bms_soc_ekf_apply_soc_measurement(bms_soc_ekf_t *ekf, float z, float r);

#ifdef __cplusplus
}
#endif
#endif /* BMS_FUSED_H */
