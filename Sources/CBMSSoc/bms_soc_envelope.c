/* bms_soc_envelope.c — the LSTM wrapper's training envelope (TrainingEnvelope.swift): the check of
 * an envelope, bms_soc_lstm_settings_use_envelope, and the flags of a run's inputs, its start and
 * its SOC. The comparisons are the Swift ones, in double, on the same values, so the C wrapper
 * flags the same ticks (Tests/EstimatorsTests/CEnvelopeAgreementTests). Not linked by a build
 * with BMS_SOC_ENVELOPE 0 (bms_soc_lstm.c then never calls it). */
#include <math.h>
#include "bms_soc_internal.h"

int bms_soc_envelope_ok(const bms_soc_envelope_t *e) {
    return isfinite(e->current_min_A) && isfinite(e->current_max_A) && e->current_min_A <= e->current_max_A
        && isfinite(e->temperature_min_C) && isfinite(e->temperature_max_C) && e->temperature_min_C <= e->temperature_max_C
        && isfinite(e->start_voltage_min_V) && isfinite(e->soc_min) && isfinite(e->soc_max) && e->soc_min <= e->soc_max;
}

bms_soc_status_t bms_soc_lstm_settings_use_envelope(bms_soc_lstm_settings_t *s, const bms_soc_envelope_t *envelope) {
    if (s == NULL || envelope == NULL) return BMS_SOC_ERR_ARGUMENT;
    if (!bms_soc_envelope_ok(envelope)) return BMS_SOC_ERR_CONFIG;
    s->has_envelope = 1;
    s->envelope = *envelope;
    s->full_start_min_rest_voltage_V = envelope->start_voltage_min_V - s->envelope_tolerance_voltage_V;
    s->run_through_charge = envelope->current_max_A > s->discharge_threshold_A;
    return BMS_SOC_OK;
}

/* TrainingEnvelope.flags: CURRENT and TEMPERATURE outside the bounds widened by the tolerances. */
uint8_t bms_soc_envelope_input_flags(const bms_soc_lstm_settings_t *s, double current_A, double temperature_C) {
    const bms_soc_envelope_t *e = &s->envelope;
    uint8_t f = 0;
    double ti = s->envelope_tolerance_current_A, tt = s->envelope_tolerance_temperature_C;
    if (!(current_A >= e->current_min_A - ti && current_A <= e->current_max_A + ti)) f |= BMS_SOC_ENVELOPE_CURRENT;
    if (!(temperature_C >= e->temperature_min_C - tt && temperature_C <= e->temperature_max_C + tt)) {
        f |= BMS_SOC_ENVELOPE_TEMPERATURE;
    }
    return f;
}

/* TrainingEnvelope.socFlags: SOC outside the labels' range widened by the tolerance. */
uint8_t bms_soc_envelope_soc_flags(const bms_soc_lstm_settings_t *s, double soc) {
    double t = s->envelope_tolerance_soc;
    return soc >= s->envelope.soc_min - t && soc <= s->envelope.soc_max + t ? 0 : BMS_SOC_ENVELOPE_SOC;
}

/* LSTMEstimator.startFlags: a run starts outside within rest_before_discharge_s of a charging
 * current (`rested` 0), or from a rested voltage (0 uV when none is held) below the training starts'. */
uint8_t bms_soc_envelope_start_flags(const bms_soc_lstm_settings_t *s, int rested, int32_t rest_voltage_uV) {
    double rested_V = (double)rest_voltage_uV / 1e6;
    if (!rested) return BMS_SOC_ENVELOPE_START;
    return rested_V >= s->envelope.start_voltage_min_V - s->envelope_tolerance_voltage_V ? 0 : BMS_SOC_ENVELOPE_START;
}
