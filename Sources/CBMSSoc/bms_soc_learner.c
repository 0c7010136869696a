/* bms_soc_learner.c — capacity learning (CapacityLearner.swift) and the end-of-discharge
 * anchor (EmptyAnchor.swift), float32. Docs/Estimators.md, "Capacity (SOH) learning". */
#include <math.h>
#include "bms_soc_internal.h"

/* CapacityLearner constants. */
#define TEMPERATURE_EDGE_LOW_C 14.0f
#define TEMPERATURE_EDGE_HIGH_C 34.0f
#define CURRENT_EDGE_LOW_A 1.5f
#define CURRENT_EDGE_HIGH_A 3.0f
#define BAND_SETTLE_S 30.0f
#define PLAUSIBLE_ABOVE_BASE 1.2f
/* EmptyAnchor.settleSeconds. */
#define EMPTY_SETTLE_S 30.0f

void bms_soc_learner_init(bms_soc_learner_t *l) {
    int i;
    for (i = 0; i < BMS_SOC_CAPACITY_BANDS; i++) {
        l->learned_Ah[i] = 0.0f;
        l->learned_at_C[i] = 25.0f;
        l->held_back_Ah[i] = 0.0f;
    }
    for (i = 0; i < 3; i++) l->health_ratio[i] = 0.0f;
    l->anchor_counter_As = 0.0f;
    l->start_temperature_C = 25.0f;
    l->expected_Ah = 0.0f;
    l->loaded_s = 0.0f;
    l->last_measured_Ah = 0.0f;
    l->measurement_count = 0;
    l->rejected_count = 0;
    l->start_band = -1;
    l->anchored = 0;
}

static int band(float temperature_C, float current_A) {
    int t = temperature_C < TEMPERATURE_EDGE_LOW_C ? 0 : (temperature_C < TEMPERATURE_EDGE_HIGH_C ? 1 : 2);
    float a = fabsf(current_A);
    int i = a < CURRENT_EDGE_LOW_A ? 0 : (a < CURRENT_EDGE_HIGH_A ? 1 : 2);
    return t * 3 + i;
}

/* The capacity before anything is learned: design capacity, or the configured one scaled by
 * the default's temperature dependence. */
static float base_capacity_Ah(const bms_cell_model_t *model, const bms_soc_config_t *config, float temperature_C) {
    if (!(config->capacity_Ah > 0.0f)) return bms_soc_design_capacity_Ah(model, temperature_C);
    return bms_soc_default_capacity_Ah(model, temperature_C) * config->capacity_Ah / model->capacity_Ah;
}

static float capacity_for(const bms_soc_learner_t *l, const bms_cell_model_t *model, const bms_soc_config_t *config,
                          float current_A, float temperature_C) {
    int b = band(temperature_C, current_A);
    float learned = l->learned_Ah[b];
    float base = base_capacity_Ah(model, config, temperature_C);
    if (!(learned > 0.0f)) {
        float ratio = l->health_ratio[b % 3];
        return base * (ratio > 0.0f ? ratio : 1.0f);
    }
    if (!config->learned_capacity_follows_temperature) return learned;
    return learned * base / base_capacity_Ah(model, config, l->learned_at_C[b]);
}

float bms_soc_learner_capacity_Ah(const bms_soc_learner_t *l, const bms_cell_model_t *model,
                                  const bms_soc_config_t *config, float current_A, float temperature_C) {
    return capacity_for(l, model, config, current_A, temperature_C);
}

int bms_soc_learner_observe(bms_soc_learner_t *l, const bms_cell_model_t *model, const bms_soc_config_t *config,
                            float voltage_V, float current_A, float temperature_C, float dt_s, float counter_As,
                            float *learned) {
    int started = 0;
    if (fabsf(current_A) <= config->rest_current_A) {
        if (voltage_V >= config->full_rest_voltage_V) {
            l->anchored = 1;
            l->anchor_counter_As = counter_As;
            l->start_band = -1;
            l->loaded_s = 0.0f;
        }
        return 0;
    }
    if (!l->anchored) return 0;
    if (current_A > 0.0f) {
        l->anchored = 0;
        return 0;
    }
    if (l->start_band < 0) {
        if (l->loaded_s == 0.0f) l->start_temperature_C = temperature_C;
        /* The first loaded update may span the rest before the load (a withheld stretch):
           its mean current is no band's; the band is read from a later one. */
        const int first_loaded = l->loaded_s == 0.0f;
        l->loaded_s += dt_s;
        if ((l->loaded_s >= BAND_SETTLE_S && !first_loaded) || voltage_V < config->terminate_voltage_V) {
            l->start_band = (int8_t)band(l->start_temperature_C, current_A);
            *learned = capacity_for(l, model, config, current_A, l->start_temperature_C);
            l->expected_Ah = *learned;
            started = 1;
        }
    }
    if (voltage_V < config->terminate_voltage_V && l->start_band >= 0) {
        int b = l->start_band;
        float measured = (l->anchor_counter_As - counter_As) / 3600.0f;
        float base = base_capacity_Ah(model, config, l->start_temperature_C);
        float low = config->capacity_measurement_low, high = config->capacity_measurement_high;
        if (measured > 0.2f * base && measured < PLAUSIBLE_ABOVE_BASE * base) {
            float held = l->held_back_Ah[b];
            if ((measured >= low * l->expected_Ah && measured <= high * l->expected_Ah)
                || (held > 0.0f && measured >= low * held && measured <= high * held)) {
                l->held_back_Ah[b] = 0.0f;
                l->learned_Ah[b] = measured;
                l->learned_at_C[b] = l->start_temperature_C;
                l->health_ratio[b % 3] = measured / base;
                if (l->measurement_count < UINT16_MAX) l->measurement_count++;
                l->last_measured_Ah = measured;
            } else {
                l->held_back_Ah[b] = measured;
                if (l->rejected_count < UINT16_MAX) l->rejected_count++;
            }
        }
        l->anchored = 0;
    }
    return started;
}

void bms_soc_empty_anchor_reset(bms_soc_empty_anchor_t *anchor) {
    anchor->discharge_s = 0.0f;
    anchor->fired = 0;
}

int bms_soc_empty_anchor_observe(bms_soc_empty_anchor_t *anchor, const bms_cell_model_t *model,
                                 const bms_soc_config_t *config, float voltage_V, float current_A,
                                 float dt_s, float soc) {
    if (!config->empty_anchor || !model->has_soc_zero_loaded_voltage || !(current_A < -config->rest_current_A)) {
        bms_soc_empty_anchor_reset(anchor);
        return 0;
    }
    anchor->discharge_s += dt_s;
    if (anchor->fired || !(anchor->discharge_s >= EMPTY_SETTLE_S) || !(voltage_V < model->soc_zero_loaded_voltage_V)
        || !(soc <= config->empty_anchor_below_soc)) {
        return 0;
    }
    anchor->fired = 1;
    return 1;
}
