/* Examples/c/host/firmware.c — the whole C firmware tick on a desktop, as a template for a
 * firmware: over a generic recording CSV (Docs/DataFormats.md, section 1) every base tick runs
 *
 *   the plausibility checks (bms_plausibility.h)  ->  the current auto-zero (bms_current_offset.h)
 *   ->  protection (bms_protection.h)  ->  the estimator bank (bms_bank.h)
 *   ->  the Ah counter (every tick), the 1RC EKF (every --ekf-every ticks) and the LSTM wrapper
 *       (every tick; its model steps every 10 s) (bms_soc.h)
 *
 * in that order, as Sources/Firmware's BMSFirmware does (Docs/BMSLoop.md; the C loop of
 * Tests/EstimatorsTests/CFirmwareLoopTests.swift, which checks these parts against the Swift
 * firmware tick by tick).
 *
 *   make && build/firmware_host [--base-tick S] [--ekf-every N] [--initial-soc X] recording.csv
 *
 * The recording is the plant, sampled as `bmsim replay` samples it (PlantTimeline): base ticks
 * from the first row's time, the values interpolated linearly between rows; two rows more than
 * an hour apart are a sleep (no ticks; every part is told it woke). An empty field is a channel
 * whose frame did not arrive (BMS_MISSING_*), a `nan` one a non-finite reading: the checks flag
 * both and hand on the last good value. Without --initial-soc the history is unknown, so the
 * power-up is a wake-up from an unknown sleep: the first confirmed reading anchors the
 * estimators (a rested one at the OCV).
 *
 * The LSTM is the compiled-in blob firmware_lstm (../model/firmware_lstm.{c,h}, `bmsim export
 * model.bmsq --c-source firmware_lstm`; default: the shipped lstm-soh-shrunk), set up as `bmsim
 * replay` sets up `lstm`: with the Ah + OCV counter between its runs, the learned prior when the
 * blob wants it (FIRMWARE_LSTM_LEARNED_PRIOR) and its training envelope (FIRMWARE_LSTM_ENVELOPE):
 * every estimate says where its inputs left what the network was trained on.
 *
 * Output CSV, one line per tick:
 *   time_s,flags,protection,offset_mA,soc_ah,soc_ekf,sigma_ekf,soc_lstm,envelope_lstm,soc_reference
 * (flags: BMS_FAULT_* in hex; protection: 0 standby, 1 charge, 2 discharge, 3 fault;
 * envelope_lstm: the flags' names joined by `|`, as replay's telemetry; soc_reference: the file's
 * `soc` column, empty when it has none). A summary goes to stderr: ticks, flagged ticks by kind,
 * sleeps, auto-zero calibrations, protection events, updates and withheld updates per estimator,
 * each estimator's RMSE against the `soc` column when there is one, and the LSTM's ticks outside
 * its training envelope by flag. Exit status: 0, 1 on an unreadable file or a bad row, 2 on bad
 * arguments.
 *
 * The settings are the Swift defaults sized to the compiled-in cell as `bmsim replay` sizes them:
 * the current limits of the plausibility checks and of protection (PlausibilityLimits(),
 * ProtectionLimits(): NASA's 18650) scaled by the cell's design capacity over the 1.8 Ah they were
 * written for, the auto-zero's largest offset C/25, the estimators' rest current max(20 mA, C/36 h).
 * A firmware sets its own cell's limits; voltages and temperatures are not scaled.
 *
 * Only the per-tick part (firmware_tick) is firmware code: it takes one reading, allocates
 * nothing, and reads no file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bms_soc.h"
#include "bms_plausibility.h"
#include "bms_current_offset.h"
#include "bms_protection.h"
#include "bms_bank.h"
#include "recording_csv.h"
/* The compiled-in cell model: `make build/firmware_host CELL_DIR=DIR FIRMWARE_MODEL=NAME` builds with
 * DIR/NAME.c, NAME.h from `bmsim export --cell-model cell.json --c-source DIR/NAME` (default: the
 * bundled NASA model). */
#ifndef CELL_MODEL
#define CELL_MODEL cell_model
#define CELL_MODEL_HEADER "cell_model.h"
#endif
#include CELL_MODEL_HEADER
#include "firmware_lstm.h"

#define SLEEP_AFTER_S 3600.0   /* PlantTimeline.maximumSampleIntervalS */
/* What the default current limits (plausibility, protection) are sized for: the bundled model's
 * design capacity at 25 degC, as `bmsim replay`'s presets (CurrentSizing.referenceCell). */
#define LIMITS_SIZED_FOR_AH 1.8043
#define EVENT_RING 64
#define ESTIMATORS 3           /* 0: Ah counter, 1: EKF, 2: LSTM wrapper */
#define ENVELOPE_FLAGS 4       /* BMS_SOC_ENVELOPE_* */
#define FAULT_KINDS 6          /* the low six bits of the flags */

/* One row of the recording. */
typedef struct row {
    double time_s, voltage_V, current_A, temperature_C;
    double soc;        /* the reference, NaN when there is none */
    uint8_t missing;   /* BMS_MISSING_*: an empty or unreadable field */
} row_t;

/* Everything one tick touches; one static instance, set up once. */
typedef struct firmware {
    bms_plausibility_t checks;
    bms_current_offset_t zero;
    bms_protection_t protection;
    bms_protection_event_t ring[EVENT_RING];
    bms_bank_t bank;
    bms_bank_slot_t slots[ESTIMATORS];
    bms_soc_ah_t ah;
    bms_soc_ekf_t ekf;
    bms_soc_lstm_t lstm;
    bms_soc_ah_t lstm_between;                            /* the count between the LSTM's runs */
    bms_lstm_model_t net;
    int16_t workspace[FIRMWARE_LSTM_WORKSPACE_WORDS];
    bms_soc_estimate_t estimates[ESTIMATORS];
    uint8_t updated[ESTIMATORS];   /* the estimator has had a tick since power-up */
} firmware_t;

/* What the run saw, for the summary. */
typedef struct tally {
    unsigned long ticks, flagged, by_kind[FAULT_KINDS], sleeps, scored[ESTIMATORS];
    double squared_error[ESTIMATORS];
    unsigned long outside, outside_by_flag[ENVELOPE_FLAGS];   /* ticks the LSTM's estimate was flagged */
} tally_t;

static const char *const fault_names[FAULT_KINDS] = {"dropout", "not finite", "stuck", "spike", "timestamp jump",
                                                     "resync"};
static const char *const estimator_names[ESTIMATORS] = {"ah", "ekf", "lstm"};
static const char *const envelope_names[ENVELOPE_FLAGS] = {"current", "temperature", "start", "soc"};
static const char *const condition_names[BMS_PROTECTION_CONDITIONS] = {
    "over-voltage", "under-voltage", "charge over-current", "discharge over-current", "over-temperature",
    "under-temperature"};

/* One base tick: the reading as the sensors gave it in, the flags out. */
static uint16_t firmware_tick(firmware_t *fw, const bms_plausibility_reading_t *raw, uint32_t tick) {
    bms_plausibility_reading_t used;
    bms_bank_step_t steps[2];
    uint16_t flags = bms_plausibility_check(&fw->checks, raw, &used);
    int n, s, k;
    used.current_A = bms_current_offset_correct(&fw->zero, used.voltage_V, used.current_A, used.dt_s,
                                                (flags & BMS_FAULT_ANY) != 0);
    (void)bms_protection_update(&fw->protection, used.voltage_V, used.current_A, used.temperature_C, tick);
    n = bms_bank_feed(&fw->bank, &used, flags, tick, steps);
    for (s = 0; s < n; s++) {
        for (k = 0; k < ESTIMATORS; k++) {
            bms_bank_input_t in;
            if (!bms_bank_slot_step(&fw->slots[k], &steps[s], &in)) continue;
            if (k == 0) {
                bms_soc_ah_tick(&fw->ah, in.voltage_V, in.current_A, in.temperature_C, in.dt_s, &fw->estimates[0]);
            } else if (k == 1) {
                bms_soc_ekf_tick(&fw->ekf, in.voltage_V, in.current_A, in.temperature_C, in.dt_s, &fw->estimates[1]);
            } else {
                bms_soc_lstm_tick(&fw->lstm, in.voltage_V, in.current_A, in.temperature_C, in.dt_s, &fw->estimates[2]);
            }
            fw->updated[k] = 1;
        }
    }
    return flags;
}

/* The firmware slept `sleep_s` (INFINITY: power-up with an unknown history): every part wakes. */
static void firmware_wake(firmware_t *fw, float sleep_s) {
    int k;
    bms_plausibility_wake(&fw->checks);
    bms_current_offset_wake(&fw->zero);
    bms_bank_wake(&fw->bank);
    for (k = 0; k < ESTIMATORS; k++) bms_bank_slot_restart(&fw->slots[k]);
    bms_soc_ah_wake(&fw->ah, sleep_s);
    bms_soc_ekf_wake(&fw->ekf, sleep_s);
    bms_soc_lstm_wake(&fw->lstm, sleep_s);   /* and the count between its runs */
}

/* The model's design capacity at `temperature_C` (linear between its points, held beyond), or its
 * capacity when it has no design table, Ah (CellModelParameters.initialCapacityAh). */
static double design_capacity_Ah(const bms_cell_model_t *model, float temperature_C) {
    const bms_soc_curve_t *c = &model->design_capacity;
    uint16_t k;
    if (c->count == 0) return (double)model->capacity_Ah;
    if (c->count == 1 || temperature_C <= c->temperatures_C[0]) return (double)c->values[0];
    for (k = 1; k < c->count; k++) {
        if (temperature_C <= c->temperatures_C[k]) {
            double f = (double)(temperature_C - c->temperatures_C[k - 1]) / (double)(c->temperatures_C[k] - c->temperatures_C[k - 1]);
            return (double)c->values[k - 1] + f * (double)(c->values[k] - c->values[k - 1]);
        }
    }
    return (double)c->values[c->count - 1];
}

/* The Swift defaults, sized to a cell of `capacity_Ah` (ReplayScenario.scaledCurrents,
 * EstimatorConfig.scaledToCell, CurrentOffsetSettings.scaledToCell). */
static void size_to_cell(double capacity_Ah, bms_soc_config_t *config, bms_plausibility_limits_t *limits,
                         bms_current_offset_settings_t *zero, bms_protection_limits_t *protection) {
    double f = capacity_Ah / LIMITS_SIZED_FOR_AH;
    limits->current_min_A *= f;
    limits->current_max_A *= f;
    limits->max_current_step_A *= f;
    protection->over_current_charge_A *= f;
    protection->over_current_charge_release_A *= f;
    protection->over_current_discharge_A *= f;
    protection->over_current_discharge_release_A *= f;
    protection->standby_current_A *= f;
    bms_current_offset_settings_scale_to_cell(zero, capacity_Ah);
    config->rest_current_A = (float)(capacity_Ah / 36.0 > 0.02 ? capacity_Ah / 36.0 : 0.02);
}

/* Parses a number field: 1 and `value` set, or 0 when empty or not a number ("nan" is a number). */
static int parse_field(const char *text, double *value) {
    char *end;
    if (text == NULL || text[0] == '\0') return 0;
    *value = strtod(text, &end);
    return end != text;
}

/* a + w (b - a), exactly a at w = 0 and b at w = 1 (a NaN on the other row does not spread). */
static double lerp(double a, double b, double w) {
    return w >= 1.0 ? b : (w <= 0.0 ? a : a + w * (b - a));
}

/* The LSTM wrapper as `bmsim replay` runs `lstm` (makeEstimator): the compiled-in blob, the Ah +
 * OCV counter between its runs, the learned prior if the blob wants it, its training envelope. */
static int start_lstm(firmware_t *fw, const bms_soc_config_t *config, double initial_soc) {
    bms_soc_lstm_settings_t settings;
    float soc = isnan(initial_soc) ? 1.0f : (float)initial_soc;
    bms_soc_lstm_settings_default(&settings);
    settings.learn_prior_capacity = FIRMWARE_LSTM_LEARNED_PRIOR;
#if FIRMWARE_LSTM_HAS_ENVELOPE
    {
        static const bms_soc_envelope_t envelope = FIRMWARE_LSTM_ENVELOPE;
        if (bms_soc_lstm_settings_use_envelope(&settings, &envelope) != BMS_SOC_OK) return 0;
    }
#endif
    return bms_lstm_load_blob(firmware_lstm, FIRMWARE_LSTM_SIZE, &fw->net) == BMS_OK
        && bms_soc_ah_init(&fw->lstm_between, &CELL_MODEL, config, soc) == BMS_SOC_OK
        && bms_soc_lstm_init(&fw->lstm, &fw->net, fw->workspace, FIRMWARE_LSTM_WORKSPACE_WORDS, &CELL_MODEL, config,
                             &settings, soc) == BMS_SOC_OK
        && bms_soc_lstm_set_between_runs(&fw->lstm, &fw->lstm_between) == BMS_SOC_OK;
}

static int usage(const char *program) {
    fprintf(stderr, "usage: %s [--base-tick S] [--ekf-every N] [--initial-soc X] recording.csv\n"
                    "  --base-tick S    the firmware's base tick, s (default 1; 0.01 to 3600)\n"
                    "  --ekf-every N    the EKF's period in base ticks (default 1; the Ah counter runs every tick)\n"
                    "  --initial-soc X  a known SOC at power-up, 0 to 1 (default: unknown, anchored at the\n"
                    "                   first confirmed reading)\n", program);
    return 2;
}

/* Writes one tick's line and adds it to the tally. */
static void report_tick(const firmware_t *fw, tally_t *tally, double time_s, uint16_t flags, double reference) {
    int k;
    char reference_text[32] = "";
    tally->ticks++;
    if (flags & BMS_FAULT_ANY) tally->flagged++;
    if (fw->estimates[2].envelope) tally->outside++;
    for (k = 0; k < ENVELOPE_FLAGS; k++) {
        if (fw->estimates[2].envelope & (1u << k)) tally->outside_by_flag[k]++;
    }
    for (k = 0; k < FAULT_KINDS; k++) {
        if (flags & (1u << k)) tally->by_kind[k]++;
    }
    if (!isnan(reference)) {
        snprintf(reference_text, sizeof reference_text, "%.5f", reference);
        for (k = 0; k < ESTIMATORS; k++) {
            double error = (double)fw->estimates[k].soc - reference;
            if (!fw->updated[k]) continue;
            tally->squared_error[k] += error * error;
            tally->scored[k]++;
        }
    }
    printf("%.3f,0x%04x,%d,%.2f,", time_s, (unsigned)flags, (int)fw->protection.state,
           1000.0 * (double)bms_current_offset_A(&fw->zero));
    /* Before an estimator's first update (the power-up reading awaits confirmation): empty. */
    if (fw->updated[0]) printf("%.5f,", (double)fw->estimates[0].soc);
    else printf(",");
    if (fw->updated[1]) printf("%.5f,%.5f,", (double)fw->estimates[1].soc, (double)fw->estimates[1].sigma);
    else printf(",,");
    if (fw->updated[2]) {
        const char *separator = "";
        printf("%.5f,", (double)fw->estimates[2].soc);
        for (k = 0; k < ENVELOPE_FLAGS; k++) {
            if (!(fw->estimates[2].envelope & (1u << k))) continue;
            printf("%s%s", separator, envelope_names[k]);
            separator = "|";
        }
        printf(",");
    } else {
        printf(",,");
    }
    printf("%s\n", reference_text);
}

static void report_summary(const firmware_t *fw, const tally_t *tally, const char *path) {
    uint32_t e, first;
    int k;
    const char *separator = " (";
    fprintf(stderr, "%s: %lu ticks, %lu flagged", path, tally->ticks, tally->flagged);
    for (k = 0; k < FAULT_KINDS; k++) {
        if (!tally->by_kind[k]) continue;
        fprintf(stderr, "%s%lu %s", separator, tally->by_kind[k], fault_names[k]);
        separator = ", ";
    }
    fprintf(stderr, "%s, %lu sleeps\n", separator[0] == ',' ? ")" : "", tally->sleeps);
    fprintf(stderr, "auto-zero: %u calibrations, offset %+.1f mA\n", (unsigned)bms_current_offset_calibrations(&fw->zero),
            1000.0 * (double)bms_current_offset_A(&fw->zero));
    fprintf(stderr, "protection: %u events, state %d at the end\n", (unsigned)fw->protection.event_count,
            (int)fw->protection.state);
    first = fw->protection.event_count > EVENT_RING ? fw->protection.event_count - EVENT_RING : 0;
    for (e = first; e < fw->protection.event_count; e++) {
        const bms_protection_event_t *event = bms_protection_event(&fw->protection, e);
        if (event == NULL) continue;
        fprintf(stderr, "  tick %u: %s %s at %.3f\n", (unsigned)event->tick, condition_names[event->condition],
                event->tripped ? "tripped" : "released", (double)event->value);
    }
    for (k = 0; k < ESTIMATORS; k++) {
        fprintf(stderr, "%s: %u updates, %u withheld", estimator_names[k], (unsigned)fw->slots[k].updates,
                (unsigned)fw->slots[k].held_updates);
        if (tally->scored[k]) {
            fprintf(stderr, ", RMSE %.2f SOC points over %lu ticks", 100.0 * sqrt(tally->squared_error[k] / (double)tally->scored[k]),
                    tally->scored[k]);
        }
        fprintf(stderr, "\n");
    }
    fprintf(stderr, "lstm: %lu ticks outside its training envelope", tally->outside);
    for (k = 0; k < ENVELOPE_FLAGS; k++) {
        if (tally->outside_by_flag[k]) fprintf(stderr, ", %s %lu", envelope_names[k], tally->outside_by_flag[k]);
    }
    fprintf(stderr, "\n");
}

int main(int argc, char **argv) {
    static firmware_t fw;
    static bms_soc_config_t config;
    bms_plausibility_limits_t limits;
    bms_current_offset_settings_t zero_settings;
    bms_protection_limits_t protection_limits;
    tally_t tally;
    char line[RECORDING_MAX_LINE];
    char *fields[RECORDING_MAX_COLUMNS];
    recording_layout_t layout = RECORDING_LAYOUT_INIT;
    int have_previous = 0, status, a, k;
    unsigned long line_number = 0;
    double base_tick_s = 1.0, initial_soc = NAN, start_s = 0.0;
    uint32_t ekf_every = 1, tick = 0;
    row_t previous = {0.0, 0.0, 0.0, 0.0, 0.0, 0}, current = previous;
    const char *path = NULL;
    FILE *file;

    for (a = 1; a < argc; a++) {
        char *end = NULL;
        if (strcmp(argv[a], "--base-tick") == 0 && a + 1 < argc) {
            base_tick_s = strtod(argv[++a], &end);
            if (*end != '\0' || !(base_tick_s >= 0.01 && base_tick_s <= 3600.0)) return usage(argv[0]);
        } else if (strcmp(argv[a], "--ekf-every") == 0 && a + 1 < argc) {
            long every = strtol(argv[++a], &end, 10);
            if (*end != '\0' || every < 1 || every > 100000) return usage(argv[0]);
            ekf_every = (uint32_t)every;
        } else if (strcmp(argv[a], "--initial-soc") == 0 && a + 1 < argc) {
            initial_soc = strtod(argv[++a], &end);
            if (*end != '\0' || !(initial_soc >= 0.0 && initial_soc <= 1.0)) return usage(argv[0]);
        } else if (argv[a][0] == '-' || path != NULL) {
            return usage(argv[0]);
        } else {
            path = argv[a];
        }
    }
    if (path == NULL) return usage(argv[0]);

    /* Set-up, once: every part checks its settings here, never per tick. */
    bms_soc_config_default(&config);
    bms_plausibility_limits_default(&limits);
    bms_current_offset_settings_default(&zero_settings);
    bms_protection_limits_default(&protection_limits);
    size_to_cell(design_capacity_Ah(&CELL_MODEL, 25.0f), &config, &limits, &zero_settings, &protection_limits);
    if (bms_plausibility_init(&fw.checks, &limits, base_tick_s) != BMS_SOC_OK
        || bms_current_offset_init(&fw.zero, &zero_settings) != BMS_SOC_OK
        || bms_protection_init(&fw.protection, &protection_limits, fw.ring, EVENT_RING) != BMS_SOC_OK
        || bms_bank_init(&fw.bank) != BMS_SOC_OK || bms_bank_slot_init(&fw.slots[0], 1) != BMS_SOC_OK
        || bms_bank_slot_init(&fw.slots[1], ekf_every) != BMS_SOC_OK
        || bms_soc_ah_init(&fw.ah, &CELL_MODEL, &config, isnan(initial_soc) ? 1.0f : (float)initial_soc) != BMS_SOC_OK
        || bms_soc_ekf_init(&fw.ekf, &CELL_MODEL, &config, isnan(initial_soc) ? 1.0f : (float)initial_soc) != BMS_SOC_OK
        || bms_bank_slot_init(&fw.slots[2], 1) != BMS_SOC_OK || !start_lstm(&fw, &config, initial_soc)) {
        fprintf(stderr, "cannot set up the firmware\n");
        return 1;
    }
    for (k = 0; k < ESTIMATORS; k++) {
        fw.estimates[k].soc = (float)initial_soc;
        fw.updated[k] = !isnan(initial_soc);
    }
    if (isnan(initial_soc)) firmware_wake(&fw, INFINITY);
    memset(&tally, 0, sizeof tally);

    file = fopen(path, "r");
    if (file == NULL) {
        perror(path);
        return 1;
    }
    printf("time_s,flags,protection,offset_mA,soc_ah,soc_ekf,sigma_ekf,soc_lstm,envelope_lstm,soc_reference\n");
    while (fgets(line, sizeof line, file) != NULL) {
        double value;
        int n;
        line_number++;
        status = recording_layout_read(&layout, line, path);
        if (status < 0) {
            fclose(file);
            return 1;
        }
        if (status == 0) continue;
        n = recording_split(line, fields);
        if (n == 1 && fields[0][0] == '\0') continue;   /* a blank line */
        if (n <= layout.time || !parse_field(fields[layout.time], &current.time_s) || !isfinite(current.time_s)
            || (have_previous && current.time_s <= previous.time_s)) {
            fprintf(stderr, "%s:%lu: time_s missing, not finite or not increasing\n", path, line_number);
            fclose(file);
            return 1;
        }
        current.missing = 0;
        current.voltage_V = current.current_A = current.temperature_C = 0.0;   /* a missing channel's value is ignored */
        if (n > layout.voltage && parse_field(fields[layout.voltage], &value)) current.voltage_V = value;
        else current.missing |= BMS_MISSING_VOLTAGE;
        if (n > layout.current && parse_field(fields[layout.current], &value)) current.current_A = layout.sign * value;
        else current.missing |= BMS_MISSING_CURRENT;
        if (n > layout.temperature && parse_field(fields[layout.temperature], &value)) current.temperature_C = value;
        else current.missing |= BMS_MISSING_TEMPERATURE;
        current.soc = layout.soc >= 0 && n > layout.soc && parse_field(fields[layout.soc], &value) ? value : NAN;

        if (!have_previous) {
            start_s = current.time_s;
            previous = current;
            have_previous = 1;
        } else if (current.time_s - previous.time_s > SLEEP_AFTER_S) {
            /* A hole in the log: the firmware sleeps until the tick at or after this row. */
            uint32_t wake = (uint32_t)ceil((current.time_s - start_s) / base_tick_s - 1e-9);
            if (wake > tick) {
                firmware_wake(&fw, (float)((double)(wake - tick) * base_tick_s));
                tally.sleeps++;
                tick = wake;
            }
            previous = current;
        }
        /* Every base tick up to this row, interpolated between the previous row and this one. */
        for (;;) {
            double t = start_s + (double)tick * base_tick_s, span = current.time_s - previous.time_s, w;
            bms_plausibility_reading_t raw;
            uint16_t flags;
            if (t > current.time_s + 1e-9 * base_tick_s) break;
            w = span > 0.0 ? (t - previous.time_s) / span : 1.0;
            w = w < 0.0 ? 0.0 : (w > 1.0 ? 1.0 : w);
            raw.voltage_V = (float)lerp(previous.voltage_V, current.voltage_V, w);
            raw.current_A = (float)lerp(previous.current_A, current.current_A, w);
            raw.temperature_C = (float)lerp(previous.temperature_C, current.temperature_C, w);
            raw.dt_s = (float)base_tick_s;
            /* A channel missing on either row has no frame between them (an exact hit needs only its row). */
            raw.missing_mask = (uint8_t)(w >= 1.0 ? current.missing : (w <= 0.0 ? previous.missing
                                                                               : previous.missing | current.missing));
            flags = firmware_tick(&fw, &raw, tick);
            report_tick(&fw, &tally, t, flags, lerp(previous.soc, current.soc, w));
            tick++;
        }
        previous = current;
    }
    fclose(file);
    if (!layout.have_header || !have_previous) {
        fprintf(stderr, "%s: no header or no rows\n", path);
        return 1;
    }
    report_summary(&fw, &tally, path);
    return 0;
}
