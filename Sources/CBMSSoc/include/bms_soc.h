/*
 * bms_soc.h — BMSim's firmware SOC estimators in C99: the Ah counter with OCV correction at
 * rest (plus capacity learning and the end-of-discharge anchor), the extended Kalman filter on
 * the 1RC or (with the model's bms_soc_two_rc_t) the 2RC Thevenin model, and the wrapper that makes the integer LSTM (bms_lstm.h) an estimator. Ports of
 * Sources/Estimators (AhCounterEstimator, TheveninEKF with FilterCommon, CapacityLearner,
 * EmptyAnchor, LSTMEstimator); the math is Docs/Estimators.md, the C API Docs/CEstimators.md.
 * With a cell model that has hysteresis (bms_soc_hysteresis_t, count > 0) the Ah counter and
 * the EKF carry Plett's one-state hysteresis h as the Swift ones do (EKF: one state more); with a
 * charge-transfer term (bms_soc_charge_transfer_t) the EKF's predicted voltage adds
 * a asinh(I / I_ref) as the Swift one does. In front of them, optionally, the current sensor's
 * auto-zero (the firmware's CurrentOffsetLearner, Docs/BMSLoop.md § 2).
 *
 * - No malloc, no I/O. The caller owns every state struct (sizeof is a compile-time
 *   constant); the model, the config and the LSTM blob are read-only and must outlive it.
 * - Ah counter and EKF compute in float32 (single precision, as on a Cortex-M4F). The LSTM
 *   runs in integers (bms_lstm.h); its wrapper keeps its timers and its coulomb count in
 *   double, so that it decides exactly as the Swift LSTMEstimator (a few double operations
 *   per tick); so does the auto-zero keep its sums (about ten per reading).
 * - Sign convention: current_A > 0 charging, < 0 discharging. SOC is a fraction (1 = full).
 * - A tick whose inputs are not finite or outside the config's ranges changes nothing: the
 *   previous estimate is returned with holding = 1 (status BMS_SOC_OK).
 * - The cell model is compiled in: `bmsim export --cell-model cell.json --c-source NAME`
 *   writes NAME.c / NAME.h with const tables and a `const bms_cell_model_t NAME`.
 *   bms_soc_*_init checks it (BMS_SOC_ERR_MODEL_*), so a tick runs without checks.
 *
 * Usage:
 *   #include "bms_soc.h"
 *   #include "cell_model.h"                  // from bmsim export --cell-model ... --c-source cell_model
 *   bms_soc_config_t config;
 *   bms_soc_config_default(&config);
 *   static bms_soc_ah_t ah;
 *   static bms_soc_ekf_t ekf;
 *   if (bms_soc_ah_init(&ah, &cell_model, &config, 1.0f) != BMS_SOC_OK) { ... }
 *   if (bms_soc_ekf_init(&ekf, &cell_model, &config, 1.0f) != BMS_SOC_OK) { ... }
 *   every tick:  bms_soc_estimate_t e;
 *                bms_soc_ah_tick(&ah, voltage_V, current_A, temperature_C, dt_s, &e);
 *                bms_soc_ekf_tick(&ekf, voltage_V, current_A, temperature_C, dt_s, &e);   // e.sigma
 *   after a sleep of s seconds without measuring: bms_soc_ah_wake(&ah, s); bms_soc_ekf_wake(&ekf, s);
 *   the EKF on two R-C pairs, on a model exported with --two-rc:
 *                bms_soc_ekf_init_pairs(&ekf_2rc, &cell_model, &config, 1.0f, 2);   then as ekf
 *
 * In front of them, the firmware's measurement path: the plausibility checks on the raw
 * readings (bms_plausibility.h), the current sensor's auto-zero (bms_current_offset.h) and the
 * estimator bank's gating (bms_bank.h); beside them, protection (bms_protection.h).
 */
#ifndef BMS_SOC_H
#define BMS_SOC_H

#include <stdint.h>
#include "bms_lstm.h"
#include "bms_soc_model.h"   /* the cell-model types: bms_soc_table_t ... bms_cell_model_t */

#ifdef __cplusplus
extern "C" {
#endif

/** API version of this header (2: the hysteresis state in the model, config, Ah and EKF structs;
 *  3: the charge-transfer term, bms_cell_model_t.charge_transfer; 4: the current sensor's
 *  auto-zero, bms_current_offset_*; 5: the 2RC model, bms_cell_model_t.two_rc, and the EKF on
 *  it, bms_soc_ekf_init_pairs; 6: the LSTM wrapper's training envelope, bms_soc_envelope_t,
 *  bms_soc_lstm_settings_t.envelope and bms_soc_estimate_t.envelope). */
#define BMS_SOC_VERSION 6
/** 1 (default): the Ah counter and the EKF run a model's hysteresis state. Build with
 *  -DBMS_SOC_HYSTERESIS=0 for a firmware whose cells have none: the 3-state filter and the
 *  hysteresis law are compiled out (about 3 KiB of Thumb-2), and a model with hysteresis is
 *  refused at init (BMS_SOC_ERR_MODEL_HYSTERESIS) unless config->use_model_hysteresis is 0. */
#ifndef BMS_SOC_HYSTERESIS
#define BMS_SOC_HYSTERESIS 1
#endif
/** 1 (default): the EKF runs a model's charge-transfer term a asinh(I / I_ref). Build with
 *  -DBMS_SOC_CHARGE_TRANSFER=0 for a firmware whose cell model has none: the term (and asinhf)
 *  is compiled out, and the EKF refuses a model that has one at init
 *  (BMS_SOC_ERR_CHARGE_TRANSFER_COMPILED_OUT). The Ah counter and the LSTM wrapper never read it. */
#ifndef BMS_SOC_CHARGE_TRANSFER
#define BMS_SOC_CHARGE_TRANSFER 1
#endif
/** 1 (default): the EKF can run on the 2RC model (bms_soc_ekf_init_pairs(..., 2)). Build with
 *  -DBMS_SOC_TWO_RC=0 for a firmware that runs the 1RC filter only: the 3- and 4-state 2RC
 *  filters are compiled out, a model's two_rc tables are never read (nor checked), and
 *  bms_soc_ekf_init_pairs(..., 2) returns BMS_SOC_ERR_TWO_RC_COMPILED_OUT. */
#ifndef BMS_SOC_TWO_RC
#define BMS_SOC_TWO_RC 1
#endif
/** 1 (default): the LSTM wrapper flags where its inputs leave the blob's training envelope
 *  (bms_soc_lstm_settings_use_envelope, bms_soc_estimate_t.envelope). -DBMS_SOC_ENVELOPE=0 compiles
 *  the flags out; an envelope is then refused at init (BMS_SOC_ERR_ENVELOPE_COMPILED_OUT). */
#ifndef BMS_SOC_ENVELOPE
#define BMS_SOC_ENVELOPE 1
#endif

/** bms_soc_estimate_t.envelope bits (EnvelopeFlags in Swift: the same bits). */
#define BMS_SOC_ENVELOPE_CURRENT     0x01u  /**< the current left the training range (a charge or regeneration
                                                 during a run of a model trained on discharges, a heavier load) */
#define BMS_SOC_ENVELOPE_TEMPERATURE 0x02u  /**< the temperature left the training range */
#define BMS_SOC_ENVELOPE_START       0x04u  /**< the run started within rest_before_discharge_s of a charging
                                                 current, or from a rested voltage below every training start */
#define BMS_SOC_ENVELOPE_SOC         0x08u  /**< the model's SOC left its training labels' range */
/** Capacity-learning bands: 3 temperature bands x 3 current bands. */
#define BMS_SOC_CAPACITY_BANDS 9

/** Status codes. */
typedef enum bms_soc_status {
    BMS_SOC_OK = 0,
    BMS_SOC_ERR_ARGUMENT = 1,        /**< a NULL pointer */
    BMS_SOC_ERR_CONFIG = 2,          /**< a config or settings field is out of range (bms_soc_config_check,
                                          bms_current_offset_settings_check) */
    BMS_SOC_ERR_MODEL_TABLE = 3,     /**< a table has a NULL array, fewer than 2 SOC points or no temperature */
    BMS_SOC_ERR_MODEL_GRID = 4,      /**< a grid (SOC, temperature) is not finite and strictly increasing */
    BMS_SOC_ERR_MODEL_VALUE = 5,     /**< a table value is not finite, an OCV row not strictly increasing,
                                          a resistance negative or a time constant not positive */
    BMS_SOC_ERR_MODEL_CAPACITY = 6,  /**< capacity, capacity table or coulombic efficiency invalid */
    BMS_SOC_ERR_MODEL_RELAXATION = 7,/**< rest-relaxation law invalid */
    BMS_SOC_ERR_MODEL_NOISE = 8,     /**< fit residuals invalid */
    BMS_SOC_ERR_LSTM = 9,            /**< the LSTM runtime refused the model or workspace */
    BMS_SOC_ERR_MODEL_HYSTERESIS = 10,/**< hysteresis groups invalid (grid, M, M0 or gamma) */
    BMS_SOC_ERR_MODEL_CHARGE_TRANSFER = 11, /**< charge-transfer groups invalid: count 0, a NULL array,
                                                 temperatures not finite and strictly increasing,
                                                 a not in [0, 2] V or I_ref not in [1e-6, 1e5] A (NaN fails) */
    BMS_SOC_ERR_CHARGE_TRANSFER_COMPILED_OUT = 12, /**< EKF: the model has a charge-transfer term and
                                                       this build has BMS_SOC_CHARGE_TRANSFER 0 */
    BMS_SOC_ERR_MODEL_TWO_RC = 13,   /**< EKF: two R-C pairs asked for and the model has no 2RC tables
                                          (two_rc NULL) */
    BMS_SOC_ERR_TWO_RC_COMPILED_OUT = 14, /**< EKF: two R-C pairs asked for and this build has
                                              BMS_SOC_TWO_RC 0 */
    BMS_SOC_ERR_ENVELOPE_COMPILED_OUT = 15 /**< LSTM wrapper: settings with a training envelope and this
                                                build has BMS_SOC_ENVELOPE 0 */
} bms_soc_status_t;

/** Estimator settings (EstimatorConfig in Swift); bms_soc_config_default gives the Swift
 *  defaults. "<= 0: ..." marks what Swift spells nil. */
typedef struct bms_soc_config {
    float capacity_Ah;                      /**< count against this until learned; <= 0: the model's */
    uint8_t use_learned_capacity;           /**< 1 */
    uint8_t learned_capacity_follows_temperature; /**< 1 */
    float capacity_measurement_low;         /**< 0.65 (fraction of the expected capacity) */
    float capacity_measurement_high;        /**< 1.25 */
    float coulombic_efficiency;             /**< <= 0: the model's */
    uint8_t ocv_correction_at_rest;         /**< Ah counter: 1 ("ah"), 0 = pure counting ("ah-pure") */
    float rest_current_A;                   /**< 0.05; bmsim replay uses max(0.02, design capacity / 36 h) */
    float rest_minimum_s;                   /**< 300 */
    float rest_voltage_slope_V_per_s;       /**< 2e-4 */
    float minimum_ocv_slope_V_per_soc;      /**< 0.1 */
    float ocv_blend_time_constant_s;        /**< 120 */
    uint8_t correct_wake_up_for_rest;       /**< 1 */
    float voltage_noise_V;                  /**< <= 0: per_residual x the fit residual */
    float voltage_noise_per_residual;       /**< 10 */
    float voltage_noise_reference_s;        /**< 10; <= 0: R = sigma^2 at every dt */
    uint8_t voltage_noise_by_temperature_group; /**< 1 */
    float rest_voltage_noise_V;             /**< 0.03 */
    uint8_t filter_updates_at_later_rests;  /**< 0 */
    float rest_anchor_s;                    /**< 1800; <= 0: never */
    uint8_t filter_voltage_updates_while_charging; /**< 0 */
    float soc_process_noise_per_s;          /**< 1e-8 */
    float branch_process_noise_V2_per_s;    /**< 1e-7 */
    float initial_soc_sigma;                /**< 0.2 */
    float ekf_initial_soc_sigma;            /**< 1.0; <= 0: initial_soc_sigma */
    int32_t rest_update_iterations;         /**< 3 (values below 1 count as 1) */
    float terminate_voltage_V;              /**< 2.7 */
    uint8_t empty_anchor;                   /**< 1: end-of-discharge anchor on */
    float empty_anchor_below_soc;           /**< 0.1 */
    float full_rest_voltage_V;              /**< 4.15 */
    float voltage_min_V, voltage_max_V;     /**< 0.5, 5.0: accepted voltages */
    float maximum_current_A;                /**< 50 */
    float temperature_min_C, temperature_max_C; /**< -40, 90 */
    float maximum_tick_s;                   /**< 86400 */
    uint8_t use_model_hysteresis;           /**< 1: the model's hysteresis when it has one (EKF state h, ah's rest reading) */
    float initial_hysteresis_sigma;         /**< 0.6: EKF, sigma of h at the start and after a reset */
    float hysteresis_process_noise_per_s;   /**< 1e-6: EKF, random walk of h, 1/s */
} bms_soc_config_t;

/** One estimate. */
typedef struct bms_soc_estimate {
    float soc;           /**< fraction (may leave [0, 1]; clamp for display) */
    float sigma;         /**< standard deviation, fraction (EKF); 0 when has_sigma is 0 */
    uint8_t has_sigma;
    uint8_t holding;     /**< 1: the last tick was refused and the previous estimate held */
    uint8_t envelope;    /**< BMS_SOC_ENVELOPE_*: where the LSTM wrapper's inputs left its training
                              envelope (0: inside, or no envelope; always 0 for the Ah counter and EKF) */
} bms_soc_estimate_t;

/* ---- state (read the members only through the functions below) ---- */

/** Compensated (Neumaier) sum, A*s. */
typedef struct bms_soc_counter { float sum_As, compensation_As; } bms_soc_counter_t;

/** Capacity learning (CapacityLearner). */
typedef struct bms_soc_learner {
    float learned_Ah[BMS_SOC_CAPACITY_BANDS];
    float learned_at_C[BMS_SOC_CAPACITY_BANDS];
    float held_back_Ah[BMS_SOC_CAPACITY_BANDS];
    float health_ratio[3];
    float anchor_counter_As, start_temperature_C, expected_Ah, loaded_s, last_measured_Ah;
    uint16_t measurement_count, rejected_count;
    int8_t start_band;   /**< -1: not read yet */
    uint8_t anchored;
} bms_soc_learner_t;

/** End-of-discharge anchor (EmptyAnchor). */
typedef struct bms_soc_empty_anchor { float discharge_s; uint8_t fired; } bms_soc_empty_anchor_t;

/** Ah counter with OCV correction at rest (AhCounterEstimator). */
typedef struct bms_soc_ah {
    const bms_cell_model_t *model;
    const bms_soc_config_t *config;
    bms_soc_counter_t counter, life_counter;
    bms_soc_learner_t learner;
    bms_soc_empty_anchor_t empty_anchor;
    bms_soc_estimate_t last;
    float soc_base, capacity_Ah, efficiency;
    float previous_current_A, previous_voltage_V /* low-passed (rest slope) */, rest_s, voltage_slope_V_per_s, pending_sleep_s;
    uint8_t has_previous_current, has_previous_voltage, has_pending_sleep, capacity_from_first_sample;
    uint8_t uses_hysteresis;                /**< model hysteresis, use_model_hysteresis and OCV correction */
    float hysteresis_h, hysteresis_sign;    /**< h in [-1, 1] and s, the sign of the last current above rest */
} bms_soc_ah_t;

/** Most states of the EKF: SOC, v1, v2 and the hysteresis h. */
#define BMS_SOC_EKF_MAX_STATES 4

/** Extended Kalman filter on the 1RC or 2RC Thevenin model (TheveninEKF with FilterCommon).
 *  State x = [SOC, v1] (1RC, states 2) or [SOC, v1, v2] (2RC, states 3), followed by h with the
 *  model's hysteresis (states 3 or 4; h at x[hysteresis_index] = x[1 + pairs]); p is
 *  states x states, row-major. */
typedef struct bms_soc_ekf {
    const bms_cell_model_t *model;
    const bms_soc_config_t *config;
    float x[BMS_SOC_EKF_MAX_STATES], p[BMS_SOC_EKF_MAX_STATES * BMS_SOC_EKF_MAX_STATES];
    float initial_p[BMS_SOC_EKF_MAX_STATES * BMS_SOC_EKF_MAX_STATES], process_noise[BMS_SOC_EKF_MAX_STATES];
    float wake_up_soc_variance, rest_voltage_variance;
    bms_soc_counter_t life_counter;
    bms_soc_learner_t learner;
    bms_soc_empty_anchor_t empty_anchor;
    bms_soc_estimate_t last;
    float capacity_Ah, efficiency;
    float previous_current_A, previous_voltage_V /* low-passed (rest slope) */, rest_s, voltage_slope_V_per_s, pending_sleep_s;
    float voltage_correction_V, step_s;
    uint32_t covariance_resets;
    uint8_t has_previous_current, has_previous_voltage, has_pending_sleep, capacity_from_first_sample;
    uint8_t anchored_this_rest, woke_up_uninformed;
    uint8_t states;                         /**< 1 + pairs, + 1 with the hysteresis state h */
    uint8_t pairs;                          /**< R-C pairs: 1, or 2 (bms_soc_ekf_init_pairs) */
    uint8_t hysteresis_index;               /**< index of h in x (1 + pairs), 0 without it */
    float hysteresis_sign;                  /**< s: the sign of the last current above rest (0: unknown) */
    float hysteresis_offset_V;              /**< M h + M0 s before this tick: taken off a rested reading */
} bms_soc_ekf_t;

/** A blob's training envelope (TrainingEnvelope: its metadata envelope_current_a,
 *  envelope_temperature_c, envelope_start_voltage_v, envelope_soc). `bmsim export model.bmsq
 *  --c-source NAME` writes it as NAME_ENVELOPE (with NAME_HAS_ENVELOPE 1) when the blob has one. */
typedef struct bms_soc_envelope {
    double current_min_A, current_max_A;          /**< A, + = charge */
    double temperature_min_C, temperature_max_C;  /**< degC */
    double start_voltage_min_V;                   /**< the lowest first-step voltage of a training sequence */
    double soc_min, soc_max;                      /**< the training labels' range, fraction */
} bms_soc_envelope_t;

/** The LSTM wrapper's settings (LSTMEstimatorSettings; double, see the file comment). */
typedef struct bms_soc_lstm_settings {
    double step_s;                        /**< 10: seconds of measurement time per model step */
    double discharge_threshold_A;         /**< 0.1 */
    double rest_before_discharge_s;       /**< 60 */
    double minimum_discharge_s;           /**< 60 */
    double capacity_Ah;                   /**< coulomb count between runs; <= 0: config's, else the model's */
    double charge_efficiency;             /**< <= 0: config's, else the model's */
    uint8_t learn_prior_capacity;         /**< 0; 1 for a blob trained with a learned prior (metadata
                                               prior_capacity=learned, lstm-soh): the wrapper's capacity
                                               learner on the cell model sets the model's prior capacity
                                               (LSTMEstimator with a CapacityLearner); needs the cell model */
    uint8_t decline_partial_starts;       /**< 1: a full-start blob does not start a run when the count puts
                                               the start below full_start_min_soc and the start is within
                                               rest_before_discharge_s of a charging current (regeneration) or
                                               from a rested voltage below full_start_min_rest_voltage_V; the
                                               count carries on (LSTMEstimatorSettings.declinePartialStarts) */
    double full_start_min_soc;            /**< 0.95 */
    double full_start_min_rest_voltage_V; /**< 0: no voltage test; else the blob's training envelope's lowest
                                               start voltage less the tolerance (Swift: TrainingEnvelope,
                                               envelope_start_voltage_v - 0.02) */
    uint8_t run_through_charge;           /**< 0: a charging current above +discharge_threshold_A ends a run at
                                               once; 1: the model steps through it (set it when the blob's training
                                               envelope current reaches above the threshold, as Swift's
                                               LSTMEstimatorSettings.runThroughCharge = nil does) */
    uint8_t has_envelope;                 /**< 0 (default): no flags; 1: flag against `envelope` (use_envelope) */
    bms_soc_envelope_t envelope;          /**< the blob's training envelope */
    /** How far outside a bound an input may be before it is flagged (TrainingEnvelope.Tolerance):
     *  0.1 A, 1.0 degC, 0.02 V (the start voltage), 0.02 (SOC). */
    double envelope_tolerance_current_A, envelope_tolerance_temperature_C, envelope_tolerance_voltage_V,
           envelope_tolerance_soc;
} bms_soc_lstm_settings_t;

/** The integer LSTM as an estimator (LSTMEstimator): one model run per discharge, 10 s
 *  steps, the coulomb count outside confirmed runs (or, with bms_soc_lstm_set_between_runs,
 *  an Ah counter with OCV correction at rest continued from each confirmed run's output). */
typedef struct bms_soc_lstm {
    bms_lstm_context_t context;
    const bms_soc_config_t *config;
    bms_soc_lstm_settings_t settings;     /**< resolved copy */
    double seconds_not_discharging, discharge_seconds_in_run, seconds_since_model_step;
    double soc_base, counter_sum_As, counter_compensation_As, previous_current_A, model_soc;
    bms_soc_estimate_t last;
    uint32_t model_steps, discharges_started;
    int32_t model_soc_centi_percent;      /**< the model's last output, 0.01 % */
    int32_t rest_voltage_uV, rest_current_mA, rest_temperature_dC;
    uint8_t in_discharge, has_rest_sample, has_previous_current;
    uint8_t declined_run;                 /**< the present discharge was not given a model run */
    uint8_t reads_prior_soc;              /**< the blob has a prior-SOC input: never declined */
    uint32_t declined_runs;               /**< discharges not given a model run since init */
    double seconds_since_charge;          /**< since the current was last above +discharge_threshold_A */
    bms_soc_ah_t *between;                /**< NULL, or the counter giving the estimate between runs */
    const bms_cell_model_t *cell;         /**< the learner's cell model (settings.learn_prior_capacity) */
    bms_soc_learner_t learner;            /**< the capacity the prior counts against, per band */
    bms_soc_counter_t life_counter;       /**< charge counted since init: the learner's counter (float32,
                                               as the C Ah counter's) */
    double count_capacity_Ah;             /**< capacity of the count between runs (the settings', or
                                               the prior the learner last settled on) */
    double loaded_model_soc;              /**< the model's last output under discharge current: what a
                                               learned-prior run reports and hands over */
    /** BMS_SOC_ENVELOPE_* of the present run's inputs (sticky) and those the count carries (the last
     *  confirmed run's, or START after a declined one); the run started from a held rest sample. */
    uint8_t run_envelope, carried_envelope, run_started_at_rest;
} bms_soc_lstm_t;

/* ---- functions ---- */

/** The Swift defaults (EstimatorConfig()). */
void bms_soc_config_default(bms_soc_config_t *config);
/** BMS_SOC_OK or BMS_SOC_ERR_CONFIG (a field not finite or out of its range), ERR_ARGUMENT on NULL. */
bms_soc_status_t bms_soc_config_check(const bms_soc_config_t *config);
/** Checks every table of a model once (what init calls). */
bms_soc_status_t bms_cell_model_check(const bms_cell_model_t *model);

/** Ah counter starting at `soc`. Checks the model and the config. */
bms_soc_status_t bms_soc_ah_init(bms_soc_ah_t *ah, const bms_cell_model_t *model,
                                 const bms_soc_config_t *config, float soc);
/** One tick: a measurement and the seconds since the previous one. */
bms_soc_status_t bms_soc_ah_tick(bms_soc_ah_t *ah, float voltage_V, float current_A, float temperature_C,
                                 float dt_s, bms_soc_estimate_t *estimate);
/** The BMS slept `sleep_s` (may be INFINITY; negative or NaN = 0): the next tick is the
 *  wake-up reading (a rested one after at least rest_minimum_s pulls towards the OCV). */
bms_soc_status_t bms_soc_ah_wake(bms_soc_ah_t *ah, float sleep_s);
/** Restarts at `soc`; the learned capacity is kept. */
bms_soc_status_t bms_soc_ah_reset(bms_soc_ah_t *ah, float soc);
/** The capacity counted against now, Ah (0 on NULL). */
float bms_soc_ah_capacity_Ah(const bms_soc_ah_t *ah);
/** Moves the estimate to `soc` and counts on from there, keeping everything else (learned
 *  capacity, rest timer, hysteresis, empty anchor): AhCounterEstimator.continueCounting(from:). */
bms_soc_status_t bms_soc_ah_continue_from(bms_soc_ah_t *ah, float soc);

/** 1RC EKF starting at `soc` (bms_soc_ekf_init_pairs with one pair). */
bms_soc_status_t bms_soc_ekf_init(bms_soc_ekf_t *ekf, const bms_cell_model_t *model,
                                  const bms_soc_config_t *config, float soc);
/** EKF on `pairs` R-C pairs (1, or 2: the model's two_rc tables, TheveninEKF(pairs: 2) in Swift)
 *  starting at `soc`. BMS_SOC_ERR_ARGUMENT for another count; with 2, BMS_SOC_ERR_MODEL_TWO_RC
 *  when the model has no two_rc and BMS_SOC_ERR_TWO_RC_COMPILED_OUT in a build with
 *  BMS_SOC_TWO_RC 0. */
bms_soc_status_t bms_soc_ekf_init_pairs(bms_soc_ekf_t *ekf, const bms_cell_model_t *model,
                                        const bms_soc_config_t *config, float soc, int pairs);
bms_soc_status_t bms_soc_ekf_tick(bms_soc_ekf_t *ekf, float voltage_V, float current_A, float temperature_C,
                                  float dt_s, bms_soc_estimate_t *estimate);
/** As bms_soc_ah_wake (a rested wake-up after at least the rest time re-anchors the filter). */
bms_soc_status_t bms_soc_ekf_wake(bms_soc_ekf_t *ekf, float sleep_s);
/** Restarts at `soc` with the initial covariance; the learned capacity is kept. */
bms_soc_status_t bms_soc_ekf_reset(bms_soc_ekf_t *ekf, float soc);
float bms_soc_ekf_capacity_Ah(const bms_soc_ekf_t *ekf);

/** The LSTM wrapper's defaults (LSTMEstimatorSettings(); capacity and efficiency <= 0, no envelope). */
void bms_soc_lstm_settings_default(bms_soc_lstm_settings_t *settings);
/** Flags against `envelope` (a blob's: NAME_ENVELOPE from `bmsim export`), and derives what Swift's
 *  LSTMEstimator derives from it: full_start_min_rest_voltage_V = start_voltage_min_V less the
 *  voltage tolerance, and run_through_charge = 1 when current_max_A is above discharge_threshold_A
 *  (set the tolerances and the threshold first). BMS_SOC_ERR_CONFIG when a bound is not finite
 *  or a minimum is above its maximum (nothing written); ERR_ARGUMENT on NULL. */
bms_soc_status_t bms_soc_lstm_settings_use_envelope(bms_soc_lstm_settings_t *settings,
                                                    const bms_soc_envelope_t *envelope);
/** Binds a loaded model (bms_lstm_load_blob) and a workspace of
 *  bms_lstm_workspace_words(lstm_model) int16 words. `cell` and `config` give the coulomb
 *  count's capacity and efficiency when the settings leave them <= 0; `cell` may be NULL
 *  when the settings give both. `config` must outlive the state; `settings` is copied. */
bms_soc_status_t bms_soc_lstm_init(bms_soc_lstm_t *lstm, const bms_lstm_model_t *lstm_model,
                                   int16_t *workspace, size_t workspace_words,
                                   const bms_cell_model_t *cell, const bms_soc_config_t *config,
                                   const bms_soc_lstm_settings_t *settings, float soc);
bms_soc_status_t bms_soc_lstm_tick(bms_soc_lstm_t *lstm, float voltage_V, float current_A, float temperature_C,
                                   float dt_s, bms_soc_estimate_t *estimate);
/** The sleep counts as time not discharging; the LSTM does not read the OCV (the counter
 *  between runs, when attached, wakes too). */
bms_soc_status_t bms_soc_lstm_wake(bms_soc_lstm_t *lstm, float sleep_s);
/** Restarts at `soc` (the counter between runs too, when attached). */
bms_soc_status_t bms_soc_lstm_reset(bms_soc_lstm_t *lstm, float soc);
/** Attaches `ah` (initialised by the caller at the wrapper's SOC, OCV correction at rest on in
 *  its config; NULL detaches): between confirmed runs the estimate is then that counter,
 *  continued from each run's last output, which it sees every accepted tick of, as
 *  `makeEstimator(.lstm, …)` builds LSTMEstimator.betweenRuns. Call after init. */
bms_soc_status_t bms_soc_lstm_set_between_runs(bms_soc_lstm_t *lstm, bms_soc_ah_t *ah);

/** Human-readable name of a status code. */
const char *bms_soc_status_name(bms_soc_status_t status);

#ifdef __cplusplus
}
#endif
#endif /* BMS_SOC_H */
