/* bms_soc_model.c — cell-model lookups (float32) and the model checks done once at init.
 * Each lookup mirrors the Swift function named in bms_soc_internal.h, operation for
 * operation, so the C and Swift estimators differ only by float32 rounding. */
#include <math.h>
#include "bms_soc_internal.h"

/* Swift's min and max (y < x ? y : x, y >= x ? y : x): the same as fminf/fmaxf for numbers. */
static float swift_min(float x, float y) { return y < x ? y : x; }
static float swift_max(float x, float y) { return y >= x ? y : x; }

/* The inverse extrapolates at most this far beyond the SOC grid (OCVCurve.inverseExtrapolationLimit). */
#define BMS_SOC_INVERSE_LIMIT 0.2f

/* SOCTemperatureTable.segment: index i with points[i] <= x < points[i+1] inside the grid,
 * and the fraction (clamped to [0, 1] when asked). */
static int segment(const float *points, uint16_t n, float x, int clamp, float *fraction) {
    int lo = 0, hi = (int)n - 1;
    if (n == 1) { *fraction = 0.0f; return 0; }
    if (x <= points[0]) {
        lo = 0;
    } else if (x >= points[n - 1]) {
        lo = (int)n - 2;
    } else {
        while (hi - lo > 1) {
            int mid = (lo + hi) >> 1;
            if (points[mid] <= x) lo = mid; else hi = mid;
        }
    }
    {
        float f = (x - points[lo]) / (points[lo + 1] - points[lo]);
        if (clamp) f = swift_min(swift_max(f, 0.0f), 1.0f);
        *fraction = f;
    }
    return lo;
}

static void row_value(const bms_soc_table_t *table, int row, float soc, int extrapolate, float *value, float *slope) {
    float f;
    uint16_t n = table->soc_count;
    int s = segment(table->soc_points, n, soc, !extrapolate, &f);
    const float *v = table->values + (size_t)row * n;
    float v0 = v[s], v1 = v[s + 1];
    float width = table->soc_points[s + 1] - table->soc_points[s];
    int outside = soc < table->soc_points[0] || soc > table->soc_points[n - 1];
    *slope = (!extrapolate && outside) ? 0.0f : (v1 - v0) / width;
    *value = v0 + f * (v1 - v0);
}

void bms_soc_table_value_slope(const bms_soc_table_t *table, float soc, float temperature_C, int extrapolate,
                               float *value, float *slope) {
    float g, av, as, bv, bs;
    int t = segment(table->temperatures_C, table->temperature_count, temperature_C, 1, &g);
    if (table->temperature_count == 1) {
        row_value(table, 0, soc, extrapolate, value, slope);
        return;
    }
    row_value(table, t, soc, extrapolate, &av, &as);
    row_value(table, t + 1, soc, extrapolate, &bv, &bs);
    *value = av + g * (bv - av);
    *slope = as + g * (bs - as);
}

void bms_soc_table_locate(const bms_soc_table_t *table, float soc, float temperature_C, bms_soc_location_t *location) {
    location->t = segment(table->temperatures_C, table->temperature_count, temperature_C, 1, &location->g);
    location->s = segment(table->soc_points, table->soc_count, soc, 1, &location->f);
}

/* bms_soc_table_value_slope(table, soc, T, 0, ...)'s value at a location, the same operations. */
float bms_soc_table_at(const bms_soc_table_t *table, const bms_soc_location_t *location) {
    const uint16_t n = table->soc_count;
    const int s = location->s;
    const float f = location->f;
    const float *a = table->values + (size_t)location->t * n, *b = a + n;
    float av = a[s] + f * (a[s + 1] - a[s]);
    return table->temperature_count == 1 ? av : av + location->g * ((b[s] + f * (b[s + 1] - b[s])) - av);
}

int bms_soc_tables_share_grid(const bms_soc_table_t *a, const bms_soc_table_t *b) {
    return a->soc_points == b->soc_points && a->temperatures_C == b->temperatures_C && a->soc_count == b->soc_count
        && a->temperature_count == b->temperature_count;
}

static float ocv_voltage(const bms_cell_model_t *model, float soc, float temperature_C) {
    float v, s;
    bms_soc_table_value_slope(&model->ocv_V, soc, temperature_C, 1, &v, &s);
    return v;
}

static float ocv_slope(const bms_cell_model_t *model, float soc, float temperature_C) {
    float v, s;
    bms_soc_table_value_slope(&model->ocv_V, soc, temperature_C, 1, &v, &s);
    return s;
}

float bms_soc_ocv_inverse(const bms_cell_model_t *model, float voltage_V, float temperature_C) {
    const bms_soc_table_t *table = &model->ocv_V;
    const float *points = table->soc_points;
    uint16_t n = table->soc_count;
    float g, v0, v1, soc;
    int t = segment(table->temperatures_C, table->temperature_count, temperature_C, 1, &g);
    int row1 = table->temperature_count == 1 ? 0 : t + 1;
    const float *a = table->values + (size_t)t * n;
    const float *b = table->values + (size_t)row1 * n;
    int seg = (int)n - 2, s;
    for (s = 1; s < (int)n; s++) {
        if (voltage_V < a[s] + g * (b[s] - a[s])) {
            seg = s - 1;
            break;
        }
    }
    v0 = a[seg] + g * (b[seg] - a[seg]);
    v1 = a[seg + 1] + g * (b[seg + 1] - a[seg + 1]);
    soc = points[seg] + (voltage_V - v0) / (v1 - v0) * (points[seg + 1] - points[seg]);
    return swift_min(swift_max(soc, points[0] - BMS_SOC_INVERSE_LIMIT), points[n - 1] + BMS_SOC_INVERSE_LIMIT);
}

static int ocv_flat(const bms_cell_model_t *model, int seg, float temperature_C, float minimum_slope) {
    const float *points = model->ocv_V.soc_points;
    float v0 = ocv_voltage(model, points[seg], temperature_C);
    float v1 = ocv_voltage(model, points[seg + 1], temperature_C);
    return (v1 - v0) / (points[seg + 1] - points[seg]) < minimum_slope;
}

float bms_soc_rested_soc(const bms_cell_model_t *model, float voltage_V, float temperature_C, float prior,
                         float minimum_slope_V_per_soc) {
    const float *points = model->ocv_V.soc_points;
    int n = (int)model->ocv_V.soc_count;
    float target = swift_min(bms_soc_ocv_inverse(model, voltage_V, temperature_C), 1.0f);
    float lower, upper;
    int seg = 0, first, last;
    if (model->has_rested_ocv_floor && target < model->rested_ocv_trusted_from_soc) {
        return swift_min(swift_max(prior, points[0] - BMS_SOC_INVERSE_LIMIT), model->rested_ocv_trusted_from_soc);
    }
    if (!(ocv_slope(model, target, temperature_C) < minimum_slope_V_per_soc)) return target;
    while (seg < n - 2 && target >= points[seg + 1]) seg++;
    first = seg;
    last = seg;
    while (first > 0 && ocv_flat(model, first - 1, temperature_C, minimum_slope_V_per_soc)) first--;
    while (last < n - 2 && ocv_flat(model, last + 1, temperature_C, minimum_slope_V_per_soc)) last++;
    lower = first == 0 ? points[0] - BMS_SOC_INVERSE_LIMIT : points[first];
    upper = last == n - 2 ? swift_min(points[n - 1] + BMS_SOC_INVERSE_LIMIT, 1.0f) : points[last + 1];
    return swift_min(swift_max(prior, swift_min(lower, target)), swift_max(upper, target));
}

float bms_soc_rest_corrected_full_voltage(const bms_cell_model_t *model, float voltage_V, float rest_s,
                                          float temperature_C, float full_rest_voltage_V) {
    const bms_soc_curve_t *slope = &model->relaxation_slope_V_per_log_s;
    const bms_soc_curve_t *ref = &model->relaxation_reference_rest_s;
    const float *temps = slope->temperatures_C;
    uint16_t n = slope->count;
    float b, log_ref, t;
    if (!(voltage_V >= full_rest_voltage_V) || n == 0) return voltage_V;
    if (!(rest_s > 0.0f) || !isfinite(rest_s) || !isfinite(temperature_C)) return voltage_V + 0.0f;
    t = swift_min(swift_max(rest_s, model->relaxation_minimum_rest_s), model->relaxation_maximum_rest_s);
    if (n == 1 || !(temperature_C > temps[0])) {
        b = slope->values[0];
        log_ref = logf(ref->values[0]);
    } else if (temperature_C >= temps[n - 1]) {
        b = slope->values[n - 1];
        log_ref = logf(ref->values[n - 1]);
    } else {
        int i = 0;
        float f, la, lb;
        while (temperature_C > temps[i + 1]) i++;
        f = (temperature_C - temps[i]) / (temps[i + 1] - temps[i]);
        b = slope->values[i] + f * (slope->values[i + 1] - slope->values[i]);
        la = logf(ref->values[i]);
        lb = logf(ref->values[i + 1]);
        log_ref = la + f * (lb - la);
    }
    return voltage_V + b * (log_ref - logf(t));
}

float bms_soc_curve_value(const bms_soc_curve_t *curve, float temperature_C) {
    float f;
    int i;
    if (curve->count == 1) return curve->values[0];
    i = segment(curve->temperatures_C, curve->count, temperature_C, 1, &f);
    return curve->values[i] + f * (curve->values[i + 1] - curve->values[i]);
}

float bms_soc_default_capacity_Ah(const bms_cell_model_t *model, float temperature_C) {
    if (model->capacity_by_temperature.count == 0) return model->capacity_Ah;
    return bms_soc_curve_value(&model->capacity_by_temperature, temperature_C);
}

float bms_soc_design_capacity_Ah(const bms_cell_model_t *model, float temperature_C) {
    if (model->design_capacity.count == 0) return bms_soc_default_capacity_Ah(model, temperature_C);
    return bms_soc_curve_value(&model->design_capacity, temperature_C);
}

float bms_soc_initial_capacity_Ah(const bms_cell_model_t *model, float temperature_C) {
    return model->design_capacity.count == 0 ? model->capacity_Ah : bms_soc_design_capacity_Ah(model, temperature_C);
}

float bms_cell_model_initial_capacity_Ah(const bms_cell_model_t *model, float temperature_C) {
    return model == NULL ? 0.0f : bms_soc_initial_capacity_Ah(model, temperature_C);
}

void bms_soc_counter_add(bms_soc_counter_t *counter, float ampere_seconds) {
    float sum = counter->sum_As;
    float t = sum + ampere_seconds;
    if (fabsf(sum) >= fabsf(ampere_seconds)) {
        counter->compensation_As += (sum - t) + ampere_seconds;
    } else {
        counter->compensation_As += (ampere_seconds - t) + sum;
    }
    counter->sum_As = t;
}

float bms_soc_counter_value(const bms_soc_counter_t *counter) {
    return counter->sum_As + counter->compensation_As;
}

/* ---- checks ---- */

static int increasing(const float *a, uint16_t n) {
    uint16_t i;
    for (i = 0; i < n; i++) {
        if (!isfinite(a[i])) return 0;
        if (i > 0 && !(a[i] > a[i - 1])) return 0;
    }
    return 1;
}

/* 0, or the status for a table: shape, grid, then values (finite and, when asked, each row
 * strictly increasing, or all >= minimum with `strict_minimum` meaning > minimum). */
static bms_soc_status_t check_table(const bms_soc_table_t *t, int rows_increasing, float minimum, int strict_minimum) {
    size_t i, count;
    if (t->soc_points == NULL || t->temperatures_C == NULL || t->values == NULL || t->soc_count < 2
        || t->temperature_count < 1) {
        return BMS_SOC_ERR_MODEL_TABLE;
    }
    if (!increasing(t->soc_points, t->soc_count) || !increasing(t->temperatures_C, t->temperature_count)) {
        return BMS_SOC_ERR_MODEL_GRID;
    }
    count = (size_t)t->soc_count * t->temperature_count;
    for (i = 0; i < count; i++) {
        float v = t->values[i];
        if (!isfinite(v)) return BMS_SOC_ERR_MODEL_VALUE;
        if (rows_increasing) {
            if (i % t->soc_count != 0 && !(v > t->values[i - 1])) return BMS_SOC_ERR_MODEL_VALUE;
        } else if (strict_minimum ? !(v > minimum) : !(v >= minimum)) {
            return BMS_SOC_ERR_MODEL_VALUE;
        }
    }
    return BMS_SOC_OK;
}

/* A temperature curve: count 0 (none) or a finite increasing grid with values above
 * `minimum` (strictly when `strict`; `any` accepts every finite value). */
static int curve_ok(const bms_soc_curve_t *c, int any, float minimum, int strict) {
    uint16_t i;
    if (c->count == 0) return 1;
    if (c->temperatures_C == NULL || c->values == NULL || !increasing(c->temperatures_C, c->count)) return 0;
    for (i = 0; i < c->count; i++) {
        float v = c->values[i];
        if (!isfinite(v)) return 0;
        if (!any && (strict ? !(v > minimum) : !(v >= minimum))) return 0;
    }
    return 1;
}

bms_soc_status_t bms_cell_model_check(const bms_cell_model_t *model) {
    bms_soc_status_t s;
    if (model == NULL) return BMS_SOC_ERR_ARGUMENT;
    if ((s = check_table(&model->ocv_V, 1, 0.0f, 0)) != BMS_SOC_OK) return s;
    if ((s = check_table(&model->r0_ohm, 0, 0.0f, 0)) != BMS_SOC_OK) return s;
    if ((s = check_table(&model->r1_ohm, 0, 0.0f, 0)) != BMS_SOC_OK) return s;
    if ((s = check_table(&model->tau1_s, 0, 0.0f, 1)) != BMS_SOC_OK) return s;
    if (!(isfinite(model->capacity_Ah) && model->capacity_Ah > 0.0f)
        || !(model->coulombic_efficiency > 0.0f && model->coulombic_efficiency <= 1.0f)
        || !curve_ok(&model->capacity_by_temperature, 0, 0.0f, 1) || !curve_ok(&model->design_capacity, 0, 0.0f, 1)) {
        return BMS_SOC_ERR_MODEL_CAPACITY;
    }
    if (model->relaxation_slope_V_per_log_s.count != model->relaxation_reference_rest_s.count
        || !curve_ok(&model->relaxation_slope_V_per_log_s, 1, 0.0f, 0)
        || !curve_ok(&model->relaxation_reference_rest_s, 0, 0.0f, 1)) {
        return BMS_SOC_ERR_MODEL_RELAXATION;
    }
    if (model->relaxation_slope_V_per_log_s.count > 0) {
        uint16_t i;
        for (i = 0; i < model->relaxation_slope_V_per_log_s.count; i++) {
            if (model->relaxation_slope_V_per_log_s.temperatures_C[i] != model->relaxation_reference_rest_s.temperatures_C[i]) {
                return BMS_SOC_ERR_MODEL_RELAXATION;
            }
        }
        if (!(model->relaxation_minimum_rest_s > 0.0f && model->relaxation_maximum_rest_s > model->relaxation_minimum_rest_s
              && isfinite(model->relaxation_maximum_rest_s))) {
            return BMS_SOC_ERR_MODEL_RELAXATION;
        }
    }
    if ((model->has_rested_ocv_floor && !isfinite(model->rested_ocv_trusted_from_soc))
        || (model->has_soc_zero_loaded_voltage && !isfinite(model->soc_zero_loaded_voltage_V))) {
        return BMS_SOC_ERR_MODEL_VALUE;
    }
    if (!(isfinite(model->residual_1rc_mV) && model->residual_1rc_mV >= 0.0f)
        || !curve_ok(&model->residual_1rc_mV_by_temperature, 0, 0.0f, 0)) {
        return BMS_SOC_ERR_MODEL_NOISE;
    }
#if BMS_SOC_CHARGE_TRANSFER
    if ((s = bms_soc_charge_transfer_check(model->charge_transfer)) != BMS_SOC_OK) return s;
#endif
#if BMS_SOC_TWO_RC
    /* The 2RC tables, as the 1RC ones; its residuals as residual_1rc_mV. Built without the 2RC
     * filter they are never read. */
    if (model->two_rc != NULL) {
        const bms_soc_two_rc_t *t = model->two_rc;
        if ((s = check_table(&t->r0_ohm, 0, 0.0f, 0)) != BMS_SOC_OK) return s;
        if ((s = check_table(&t->r1_ohm, 0, 0.0f, 0)) != BMS_SOC_OK) return s;
        if ((s = check_table(&t->tau1_s, 0, 0.0f, 1)) != BMS_SOC_OK) return s;
        if ((s = check_table(&t->r2_ohm, 0, 0.0f, 0)) != BMS_SOC_OK) return s;
        if ((s = check_table(&t->tau2_s, 0, 0.0f, 1)) != BMS_SOC_OK) return s;
        if (!(isfinite(t->residual_mV) && t->residual_mV >= 0.0f) || !curve_ok(&t->residual_mV_by_temperature, 0, 0.0f, 0)) {
            return BMS_SOC_ERR_MODEL_NOISE;
        }
    }
#endif
    /* Built without the charge-transfer term its groups are never read (the EKF refuses a
     * model that has one at init; the Ah counter and the LSTM wrapper do not use it). */
#if BMS_SOC_HYSTERESIS
    return bms_soc_hysteresis_check(&model->hysteresis);
#else
    /* Built without hysteresis: the groups are never read (a model that has them is refused
     * at the estimators' init unless config->use_model_hysteresis is 0). */
    return BMS_SOC_OK;
#endif
}

bms_soc_status_t bms_soc_check_model_and_config(const bms_cell_model_t *model, const bms_soc_config_t *config) {
    bms_soc_status_t s;
    if (model == NULL || config == NULL) return BMS_SOC_ERR_ARGUMENT;
    if ((s = bms_cell_model_check(model)) != BMS_SOC_OK) return s;
    return bms_soc_config_check(config);
}

const char *bms_soc_status_name(bms_soc_status_t status) {
    switch (status) {
    case BMS_SOC_OK: return "ok";
    case BMS_SOC_ERR_ARGUMENT: return "argument";
    case BMS_SOC_ERR_CONFIG: return "config";
    case BMS_SOC_ERR_MODEL_TABLE: return "model table";
    case BMS_SOC_ERR_MODEL_GRID: return "model grid";
    case BMS_SOC_ERR_MODEL_VALUE: return "model value";
    case BMS_SOC_ERR_MODEL_CAPACITY: return "model capacity";
    case BMS_SOC_ERR_MODEL_RELAXATION: return "model relaxation";
    case BMS_SOC_ERR_MODEL_NOISE: return "model noise";
    case BMS_SOC_ERR_LSTM: return "lstm";
    case BMS_SOC_ERR_MODEL_HYSTERESIS: return "model hysteresis";
    case BMS_SOC_ERR_MODEL_CHARGE_TRANSFER: return "model charge transfer";
    case BMS_SOC_ERR_CHARGE_TRANSFER_COMPILED_OUT: return "charge transfer compiled out";
    case BMS_SOC_ERR_MODEL_TWO_RC: return "model has no 2RC tables";
    case BMS_SOC_ERR_TWO_RC_COMPILED_OUT: return "2RC compiled out";
    case BMS_SOC_ERR_ENVELOPE_COMPILED_OUT: return "training envelope compiled out";
    }
    return "unknown";
}
