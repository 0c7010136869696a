/* The LSTM wrapper's training-envelope flags in C (bms_soc_lstm_settings_use_envelope,
 * bms_soc_estimate_t.envelope) on hand-made drives: each flag raised where it must be and not
 * elsewhere, sticky for a run, carried by the count after a confirmed run, START after a declined
 * one, cleared by a reset; the refusals. Built twice by Scripts/test-c-runtime.sh: as is, and
 * with -DBMS_SOC_ENVELOPE=0, where settings with an envelope are refused
 * (BMS_SOC_ERR_ENVELOPE_COMPILED_OUT) and the wrapper without one runs as before. Against the
 * Swift LSTMEstimator, tick by tick: Tests/EstimatorsTests/CEnvelopeAgreementTests. */
#include <math.h>
#include <stdio.h>
#include "bms_soc.h"
#include "cell_model.h"
#include "lstm_model.h"

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf("\n"); failures++; } } while (0)

static bms_lstm_model_t net;
static int16_t workspace[LSTM_MODEL_WORKSPACE_WORDS];
static bms_soc_config_t config;

/* Discharge-trained: -4..0.05 A, 10..40 degC, starts from 4.0 V rested, SOC 0.3..1. */
static const bms_soc_envelope_t envelope = {-4.0, 0.05, 10.0, 40.0, 4.0, 0.3, 1.0};

static bms_soc_status_t start(bms_soc_lstm_t *lstm, int with_envelope) {
    bms_soc_lstm_settings_t settings;
    bms_soc_lstm_settings_default(&settings);
    if (with_envelope && bms_soc_lstm_settings_use_envelope(&settings, &envelope) != BMS_SOC_OK) return BMS_SOC_ERR_CONFIG;
    return bms_soc_lstm_init(lstm, &net, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config, &settings, 1.0f);
}

/* `seconds` ticks of 1 s; returns the union of the flags and writes the last estimate. */
static uint8_t run(bms_soc_lstm_t *lstm, float voltage_V, float current_A, float temperature_C, int seconds,
                   bms_soc_estimate_t *last) {
    uint8_t seen = 0;
    int k;
    for (k = 0; k < seconds; k++) {
        CHECK(bms_soc_lstm_tick(lstm, voltage_V, current_A, temperature_C, 1.0f, last) == BMS_SOC_OK, "tick");
        seen |= last->envelope;
    }
    return seen;
}

static void test_settings(void) {
    bms_soc_lstm_settings_t s, before;
    bms_soc_envelope_t bad = envelope;
    bms_soc_lstm_settings_default(&s);
    CHECK(s.has_envelope == 0 && s.envelope_tolerance_current_A == 0.1 && s.envelope_tolerance_temperature_C == 1.0
          && s.envelope_tolerance_voltage_V == 0.02 && s.envelope_tolerance_soc == 0.02, "defaults");
    CHECK(bms_soc_lstm_settings_use_envelope(&s, &envelope) == BMS_SOC_OK, "use_envelope");
    CHECK(s.has_envelope == 1 && s.full_start_min_rest_voltage_V == 4.0 - 0.02 && s.run_through_charge == 0,
          "derived: start voltage %g, run through charge %d", s.full_start_min_rest_voltage_V, s.run_through_charge);
    bms_soc_lstm_settings_default(&s);
    before = s;
    bad.current_min_A = 1.0;   /* above the maximum */
    CHECK(bms_soc_lstm_settings_use_envelope(&s, &bad) == BMS_SOC_ERR_CONFIG, "min above max refused");
    bad = envelope;
    bad.soc_max = NAN;
    CHECK(bms_soc_lstm_settings_use_envelope(&s, &bad) == BMS_SOC_ERR_CONFIG, "NaN refused");
    bad = envelope;
    bad.start_voltage_min_V = -INFINITY;
    CHECK(bms_soc_lstm_settings_use_envelope(&s, &bad) == BMS_SOC_ERR_CONFIG, "infinite start voltage refused");
    CHECK(s.has_envelope == before.has_envelope && s.full_start_min_rest_voltage_V == before.full_start_min_rest_voltage_V,
          "a refused envelope writes nothing");
    CHECK(bms_soc_lstm_settings_use_envelope(NULL, &envelope) == BMS_SOC_ERR_ARGUMENT, "NULL settings");
    CHECK(bms_soc_lstm_settings_use_envelope(&s, NULL) == BMS_SOC_ERR_ARGUMENT, "NULL envelope");
}

#if BMS_SOC_ENVELOPE
static void test_flags(void) {
    static bms_soc_lstm_t lstm;
    bms_soc_estimate_t e;
    uint8_t seen;
    CHECK(start(&lstm, 1) == BMS_SOC_OK, "init with an envelope");
    /* Rested full at 25 degC, then a 2 A discharge inside the envelope: no flag. */
    seen = run(&lstm, 4.15f, 0.0f, 25.0f, 120, &e) | run(&lstm, 3.95f, -2.0f, 25.0f, 300, &e);
    CHECK(seen == 0, "inside: flags 0x%x", seen);
    /* A 5 A load: CURRENT from its first tick, sticky while the run lasts (back at 2 A too). */
    seen = run(&lstm, 3.9f, -5.0f, 25.0f, 1, &e);
    CHECK(e.envelope == BMS_SOC_ENVELOPE_CURRENT, "5 A: 0x%x", e.envelope);
    run(&lstm, 3.9f, -2.0f, 25.0f, 60, &e);
    CHECK(e.envelope & BMS_SOC_ENVELOPE_CURRENT, "sticky for the run: 0x%x", e.envelope);
    /* 45 degC, beyond 40 + 1 degC of tolerance: TEMPERATURE too. */
    run(&lstm, 3.9f, -2.0f, 45.0f, 10, &e);
    CHECK((e.envelope & (BMS_SOC_ENVELOPE_CURRENT | BMS_SOC_ENVELOPE_TEMPERATURE))
          == (BMS_SOC_ENVELOPE_CURRENT | BMS_SOC_ENVELOPE_TEMPERATURE), "45 degC: 0x%x", e.envelope);
    /* The run ends at rest: the count carries the run's flags. */
    run(&lstm, 3.95f, 0.0f, 25.0f, 120, &e);
    CHECK(e.envelope & BMS_SOC_ENVELOPE_CURRENT, "carried after the run: 0x%x", e.envelope);
    /* A reset clears everything; the next run inside starts clean. */
    CHECK(bms_soc_lstm_reset(&lstm, 1.0f) == BMS_SOC_OK && lstm.last.envelope == 0, "reset clears");
    seen = run(&lstm, 4.15f, 0.0f, 25.0f, 120, &e) | run(&lstm, 3.95f, -2.0f, 40.9f, 120, &e);
    CHECK(seen == 0, "40.9 degC is within the tolerance: 0x%x", seen);
    /* Regeneration 20 s before a discharge: the run starts outside (START), whatever the count. */
    run(&lstm, 3.95f, 0.0f, 25.0f, 120, &e);
    CHECK(bms_soc_lstm_reset(&lstm, 1.0f) == BMS_SOC_OK, "reset");
    run(&lstm, 4.15f, 0.0f, 25.0f, 120, &e);
    run(&lstm, 4.18f, 1.0f, 25.0f, 20, &e);
    seen = run(&lstm, 4.0f, -2.0f, 25.0f, 120, &e);
    CHECK(e.envelope & BMS_SOC_ENVELOPE_START, "a start within 60 s of a charge: 0x%x", e.envelope);
    /* From a 3.7 V rest with the count low (a partial start, declined: the count carries START). */
    CHECK(bms_soc_lstm_reset(&lstm, 0.5f) == BMS_SOC_OK, "reset at 0.5");
    run(&lstm, 3.7f, 0.0f, 25.0f, 120, &e);
    run(&lstm, 3.6f, -2.0f, 25.0f, 120, &e);
    CHECK(lstm.declined_runs == 1 && e.envelope == BMS_SOC_ENVELOPE_START, "declined: %u runs, 0x%x",
          (unsigned)lstm.declined_runs, e.envelope);
    run(&lstm, 3.65f, 0.0f, 25.0f, 120, &e);
    CHECK(e.envelope == BMS_SOC_ENVELOPE_START, "the declined run's count stays START: 0x%x", e.envelope);
    /* A deep discharge takes the model's SOC below 0.3 - 0.02: SOC. */
    CHECK(bms_soc_lstm_reset(&lstm, 1.0f) == BMS_SOC_OK, "reset");
    run(&lstm, 4.15f, 0.0f, 25.0f, 120, &e);
    seen = 0;
    {
        int k;
        for (k = 0; k < 3600; k++) seen |= run(&lstm, 4.0f - 0.0003f * (float)k, -2.0f, 25.0f, 1, &e);
    }
    CHECK(seen & BMS_SOC_ENVELOPE_SOC, "SOC below the labels' range: 0x%x (SOC %g)", seen, (double)e.soc);
    /* A held tick keeps the flags. */
    CHECK(bms_soc_lstm_tick(&lstm, NAN, -2.0f, 25.0f, 1.0f, &e) == BMS_SOC_OK && e.holding == 1
          && (e.envelope & BMS_SOC_ENVELOPE_SOC), "held tick: 0x%x", e.envelope);
}
#endif

int main(void) {
    static bms_soc_lstm_t lstm;
    bms_soc_estimate_t e;
    bms_soc_config_default(&config);
    CHECK(bms_lstm_load_blob(lstm_model, LSTM_MODEL_SIZE, &net) == BMS_OK, "blob loads");
    test_settings();
#if BMS_SOC_ENVELOPE
    test_flags();
#else
    CHECK(start(&lstm, 1) == BMS_SOC_ERR_ENVELOPE_COMPILED_OUT, "an envelope is refused when compiled out");
#endif
    /* Without an envelope: never a flag, in either build. */
    CHECK(start(&lstm, 0) == BMS_SOC_OK, "init without an envelope");
    CHECK((run(&lstm, 4.15f, 0.0f, 25.0f, 60, &e) | run(&lstm, 3.9f, -6.0f, 60.0f, 600, &e)) == 0, "no envelope, no flags");
    if (failures) {
        printf("bms_soc_envelope_test (BMS_SOC_ENVELOPE %d): %d failure(s)\n", BMS_SOC_ENVELOPE, failures);
        return 1;
    }
    printf("bms_soc_envelope_test (BMS_SOC_ENVELOPE %d): ok\n", BMS_SOC_ENVELOPE);
    return 0;
}
