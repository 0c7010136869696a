/*
 * bms_soc_model.h — the cell-model types of bms_soc.h: what `bmsim export --cell-model cell.json
 * --c-source NAME` fills in as a `const bms_cell_model_t NAME` (CellModelParameters in Swift).
 * Included by bms_soc.h; a firmware includes bms_soc.h only.
 */
#ifndef BMS_SOC_MODEL_H
#define BMS_SOC_MODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A quantity over SOC x temperature, read bilinearly (SocTemperatureTable in Swift):
 *  values[t * soc_count + s]. Outside the SOC grid: extrapolated (OCV) or held (R, tau);
 *  outside the temperature grid: held at the nearest row. */
typedef struct bms_soc_table {
    const float *soc_points;        /**< strictly increasing, soc_count >= 2 */
    const float *temperatures_C;    /**< strictly increasing, temperature_count >= 1 */
    const float *values;            /**< temperature_count x soc_count */
    uint16_t soc_count;
    uint16_t temperature_count;
} bms_soc_table_t;

/** A quantity over temperature only (linear, held beyond the ends); count 0 = none. */
typedef struct bms_soc_curve {
    const float *temperatures_C;    /**< strictly increasing */
    const float *values;
    uint16_t count;
} bms_soc_curve_t;

/** Plett's one-state hysteresis (Hysteresis in Swift; Docs/Estimators.md, "Hysteresis (Plett
 *  one-state)"), per temperature group, linear between the groups and held beyond:
 *    A = exp(-|eta I dt gamma / (3600 Q)|),  h' = A h + (1 - A) sgn(I),
 *    s = sgn(I) when |I| > rest current,  V = OCV + M h + M0 s + R0 I + v1.
 *  count 0 = no hysteresis (the estimators run as without it). */
typedef struct bms_soc_hysteresis {
    const float *temperatures_C;    /**< strictly increasing */
    const float *maximum_V;         /**< M, V, in [0, 1] */
    const float *instantaneous_V;   /**< M0, V, in [0, 1] */
    const float *rate_constant;     /**< gamma, in [1e-3, 1e5] */
    uint16_t count;
} bms_soc_hysteresis_t;

/** The charge-transfer (Butler-Volmer) overpotential (ChargeTransfer in Swift; Docs/Estimators.md,
 *  "Charge-transfer term"), one (a, I_ref) per temperature group; the voltages of the two groups
 *  around T are interpolated linearly (not a and I_ref), held beyond the first and last group:
 *    eta_g(I) = a_g asinh(I / I_ref,g),  eta(I, T) = (1 - f) eta_g(I) + f eta_g+1(I),
 *    V = OCV + R0 I + eta(I, T) + v1 (+ M h + M0 s).
 *  It depends on I and T only, so the EKF's Jacobian H does not change (the C EKF has no bias state). */
typedef struct bms_soc_charge_transfer {
    const float *temperatures_C;        /**< strictly increasing */
    const float *coefficient_V;         /**< a, V, in [0, 2] */
    const float *reference_current_A;   /**< I_ref, A, in [1e-6, 1e5] */
    uint16_t count;                     /**< >= 1 */
} bms_soc_charge_transfer_t;

/** The 2RC Thevenin model (the cell.json's 2RC fit, TheveninParameters with two pairs in Swift),
 *  for the EKF run with two R-C pairs (bms_soc_ekf_init_pairs(..., 2)): its own R0 and two
 *  branches over SOC x temperature, and its fit residuals (the 2-pair filter's voltage noise, as
 *  residual_1rc_mV is the 1-pair filter's). The Ah counter and the LSTM wrapper never read it. */
typedef struct bms_soc_two_rc {
    bms_soc_table_t r0_ohm;                 /**< series resistance */
    bms_soc_table_t r1_ohm;                 /**< first branch: resistance */
    bms_soc_table_t tau1_s;                 /**< first branch: time constant R1*C1 at the nodes */
    bms_soc_table_t r2_ohm;                 /**< second branch: resistance */
    bms_soc_table_t tau2_s;                 /**< second branch: time constant R2*C2 at the nodes */
    float residual_mV;                      /**< the 2RC fit's overall RMS residual (20 when unknown) */
    bms_soc_curve_t residual_mV_by_temperature; /**< per OCV temperature group (count 0: none) */
} bms_soc_two_rc_t;

/** Everything the estimators need about a cell type (CellModelParameters in Swift),
 *  written by `bmsim export --cell-model cell.json --c-source NAME`. */
typedef struct bms_cell_model {
    float capacity_Ah;                      /**< default capacity, Ah (> 0) */
    bms_soc_curve_t capacity_by_temperature;/**< default capacity over T, Ah (count 0: capacity_Ah) */
    bms_soc_curve_t design_capacity;        /**< design (new-cell) capacity over T, Ah (count 0: none) */
    float coulombic_efficiency;             /**< charge efficiency, (0, 1] */
    bms_soc_table_t ocv_V;                  /**< OCV, rows strictly increasing in SOC */
    bms_soc_table_t r0_ohm;                 /**< 1RC model: series resistance */
    bms_soc_table_t r1_ohm;                 /**< 1RC model: branch resistance */
    bms_soc_table_t tau1_s;                 /**< 1RC model: branch time constant R1*C1 at the nodes */
    /** Rest relaxation of a full cell: correction b(T) (ln t_ref(T) - ln t), t clamped to
     *  [relaxation_minimum_rest_s, relaxation_maximum_rest_s]; group count 0 = none. */
    float relaxation_minimum_rest_s;
    float relaxation_maximum_rest_s;
    bms_soc_curve_t relaxation_slope_V_per_log_s;   /**< b over T */
    bms_soc_curve_t relaxation_reference_rest_s;    /**< t_ref over T (same temperatures, > 0) */
    uint8_t has_rested_ocv_floor;           /**< rested readings trusted only from ... */
    float rested_ocv_trusted_from_soc;      /**< ... this SOC up */
    uint8_t has_soc_zero_loaded_voltage;    /**< the SOC scale's zero is a loaded voltage ... */
    float soc_zero_loaded_voltage_V;        /**< ... this one (end-of-discharge anchor) */
    float residual_1rc_mV;                  /**< the 1RC fit's overall RMS residual (20 when unknown) */
    bms_soc_curve_t residual_1rc_mV_by_temperature; /**< per OCV temperature group (count 0: none) */
    bms_soc_hysteresis_t hysteresis;        /**< count 0: none */
    /** NULL: none (a pointer, so that a model without the term costs 4 B of flash, not 16). */
    const bms_soc_charge_transfer_t *charge_transfer;
    /** NULL: none (the EKF runs with one R-C pair only); written by `bmsim export --cell-model
     *  cell.json --c-source NAME --two-rc`. */
    const bms_soc_two_rc_t *two_rc;
} bms_cell_model_t;

/** A new cell's capacity at `temperature_C`, Ah (CellModelParameters.initialCapacityAh): the design
 *  capacity table (linear between its points, held beyond), else capacity_Ah. What the estimators
 *  count against until they learn, and what a firmware sizes its current limits by. */
float bms_cell_model_initial_capacity_Ah(const bms_cell_model_t *model, float temperature_C);

#ifdef __cplusplus
}
#endif

#endif /* BMS_SOC_MODEL_H */
