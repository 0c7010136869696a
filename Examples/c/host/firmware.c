/* Examples/c/host/firmware.c — the whole C firmware tick on a desktop, as a template for a
 * firmware: over a generic recording CSV (Docs/DataFormats.md, section 1) every base tick runs
 *
 *   the plausibility checks (bms_plausibility.h)  ->  the current auto-zero (bms_current_offset.h)
 *   ->  protection (bms_protection.h)  ->  the estimator bank (bms_bank.h)
 *   ->  the Ah counter (every tick), the 1RC EKF (every --ekf-every ticks), the LSTM wrapper
 *       (every tick; its model steps every 10 s) (bms_soc.h) and ekf+lstm (bms_fused.h)
 *
 * in that order, as Sources/Firmware's BMSFirmware does (Docs/BMSLoop.md; the C loop of
 * Tests/EstimatorsTests/CFirmwareLoopTests.swift, which checks these parts against the Swift
 * firmware tick by tick).
 *
 *   make && build/firmware_host [--base-tick S] [--ekf-every N] [--initial-soc X] recording.csv
 *
 * The recording is the plant, sampled as `bmsim replay` samples it (PlantTimeline): base ticks
 * from the first row's time, the values interpolated linearly between rows of one operation; two
 * rows more than an hour apart, or rows labelled `gap`, are a sleep (no ticks; every part is told
 * it woke). Where the `operation` (or `nasa_cycle`) column changes, the last row of the old
 * operation holds until the first of the new one, as a tester logs a step from its start, when
 * that row comes within two of the log's intervals (a longer pause is a sleep); the new
 * operation's first row may repeat the last time, and then carries the plant on from there.
 * A tick on a row's time takes that row (the last one with that time). An empty field is a channel
 * whose frame did not arrive (BMS_MISSING_*), a `nan` one a non-finite reading: the checks flag
 * both and hand on the last good value. Without --initial-soc the history is unknown, so the
 * power-up is a wake-up from an unknown sleep: the first confirmed reading anchors the
 * estimators (a rested one at the OCV).
 *
 * The LSTM is the compiled-in blob firmware_lstm (../model/firmware_lstm.{c,h}, `bmsim export
 * model.bmsq --c-source firmware_lstm`; default: the shipped lstm-soh-shrunk), set up as `bmsim
 * replay` sets up `lstm`: with the Ah + OCV counter between its runs, the learned prior when the
 * blob wants it (FIRMWARE_LSTM_LEARNED_PRIOR) and its training envelope (FIRMWARE_LSTM_ENVELOPE):
 * every estimate says where its inputs left what the network was trained on. ekf+lstm is its own
 * EKF and LSTM wrapper on firmware_fusion_lstm (the shipped lstm-soh-nll: its uncertainty head
 * gives the sigma), as replay sets up `ekf+lstm`.
 *
 * Output CSV, one line per tick:
 *   time_s,flags,protection,offset_mA,soc_ah,soc_ekf,sigma_ekf,soc_lstm,envelope_lstm,soc_ekf_lstm,soc_reference
 * (flags: BMS_FAULT_* in hex; protection: 0 standby, 1 charge, 2 discharge, 3 fault;
 * envelope_lstm: the flags' names joined by `|`, as replay's telemetry; soc_reference: the file's
 * `soc` column, empty when it has none). A summary goes to stderr: ticks, flagged ticks by kind,
 * sleeps, auto-zero calibrations, protection events, updates and withheld updates per estimator,
 * each estimator's RMSE against the `soc` column when there is one, and the LSTM's ticks outside
 * its training envelope by flag. Exit status: 0, 1 on an unreadable file or a bad row, 2 on bad
 * arguments.
 *
 * The firmware itself (its state, set-up, tick and wake-up: firmware_tick.h, shared with the
 * Cortex-M4 image) takes one reading per tick, allocates nothing and reads no file; this file is
 * the desktop around it: the recording, the output, the summary. Settings: firmware_tick.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "recording_csv.h"
#include "firmware_tick.h"

#define SLEEP_AFTER_S 3600.0   /* PlantTimeline.maximumSampleIntervalS */
#define BOUNDARY_INTERVALS 2.0 /* PlantTimeline.boundaryIntervalFactor */
#define ENVELOPE_FLAGS 4       /* BMS_SOC_ENVELOPE_* */
#define FAULT_KINDS 6          /* the low six bits of the flags */

#define OPERATION_KEY 40   /* room for the `operation` and `nasa_cycle` fields of a row */

/* One row of the recording. */
typedef struct row {
    double time_s, voltage_V, current_A, temperature_C;
    double soc;                       /* the reference, NaN when there is none */
    uint8_t missing;                  /* BMS_MISSING_*: an empty or unreadable field */
    char operation[OPERATION_KEY];    /* "operation|nasa_cycle" as written; empty without the columns */
} row_t;

/* What the run saw, for the summary. */
typedef struct tally {
    unsigned long ticks, flagged, by_kind[FAULT_KINDS], sleeps, scored[ESTIMATORS];
    double squared_error[ESTIMATORS];
    unsigned long outside, outside_by_flag[ENVELOPE_FLAGS];   /* ticks the LSTM's estimate was flagged */
} tally_t;

static const char *const fault_names[FAULT_KINDS] = {"dropout", "not finite", "stuck", "spike", "timestamp jump",
                                                     "resync"};
static const char *const estimator_names[ESTIMATORS] = {"ah", "ekf", "lstm", "ekf+lstm"};
static const char *const envelope_names[ENVELOPE_FLAGS] = {"current", "temperature", "start", "soc"};
static const char *const condition_names[BMS_PROTECTION_CONDITIONS] = {
    "over-voltage", "under-voltage", "charge over-current", "discharge over-current", "over-temperature",
    "under-temperature"};

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
    if (fw->updated[3]) printf("%.5f,", (double)fw->estimates[3].soc);
    else printf(",");
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

/* Runs the firmware on every base tick before `until_s` (and on it when `inclusive`), the plant
 * between rows `a` and `b` interpolated linearly, or `a` held when `hold` (a change of operation);
 * the reference SOC is interpolated in both cases (a state runs on). */
static void run_ticks(firmware_t *fw, tally_t *tally, uint32_t *tick, double start_s, double base_tick_s,
                      const row_t *a, const row_t *b, double until_s, int inclusive, int hold) {
    for (;;) {
        double t = start_s + (double)*tick * base_tick_s, span = b->time_s - a->time_s, w;
        bms_plausibility_reading_t raw;
        uint16_t flags;
        if (inclusive ? t > until_s : t >= until_s) break;
        w = span > 0.0 ? (t - a->time_s) / span : 0.0;
        w = w < 0.0 ? 0.0 : (w > 1.0 ? 1.0 : w);
        raw.voltage_V = (float)lerp(a->voltage_V, b->voltage_V, hold ? 0.0 : w);
        raw.current_A = (float)lerp(a->current_A, b->current_A, hold ? 0.0 : w);
        raw.temperature_C = (float)lerp(a->temperature_C, b->temperature_C, hold ? 0.0 : w);
        raw.dt_s = (float)base_tick_s;
        /* A channel missing on either row has no frame between them (an exact hit needs only its row). */
        raw.missing_mask = (uint8_t)(w <= 0.0 || hold ? a->missing : a->missing | b->missing);
        flags = firmware_tick(fw, &raw, *tick);
        report_tick(fw, tally, t, flags, lerp(a->soc, b->soc, w));
        (*tick)++;
    }
}

/* Sleeps from the current tick to the first tick at or after `wake_s` (a hole or a gap). */
static void sleep_until(firmware_t *fw, tally_t *tally, uint32_t *tick, double start_s, double base_tick_s,
                        double wake_s) {
    uint32_t wake = (uint32_t)ceil((wake_s - start_s) / base_tick_s - 1e-9);
    if (wake <= *tick) return;
    firmware_wake(fw, (float)((double)(wake - *tick) * base_tick_s));
    tally->sleeps++;
    *tick = wake;
}

/* The row's operation key: its `operation` and `nasa_cycle` fields. */
static void operation_key(char *key, const recording_layout_t *layout, char **fields, int n) {
    snprintf(key, OPERATION_KEY, "%s|%s", layout->operation >= 0 && n > layout->operation ? fields[layout->operation] : "",
             layout->nasa_cycle >= 0 && n > layout->nasa_cycle ? fields[layout->nasa_cycle] : "");
}

int main(int argc, char **argv) {
    static firmware_t fw;
    static bms_soc_config_t config;
    tally_t tally;
    char line[RECORDING_MAX_LINE];
    char *fields[RECORDING_MAX_COLUMNS];
    recording_layout_t layout = RECORDING_LAYOUT_INIT;
    int have_previous = 0, have_last = 0, in_gap = 0, have_interval = 0, status, a;
    unsigned long line_number = 0;
    double base_tick_s = 1.0, initial_soc = NAN, start_s = 0.0, last_time_s = 0.0;
    double interval_s = 0.0;   /* between the last two rows, when nothing broke the log there (have_interval) */
    char last_operation[OPERATION_KEY] = "";
    uint32_t ekf_every = 1, tick = 0;
    row_t previous = {0.0, 0.0, 0.0, 0.0, 0.0, 0, ""}, current = previous;
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
    if (!firmware_setup(&fw, &config, base_tick_s, ekf_every, initial_soc)) {
        fprintf(stderr, "cannot set up the firmware\n");
        return 1;
    }
    memset(&tally, 0, sizeof tally);

    file = fopen(path, "r");
    if (file == NULL) {
        perror(path);
        return 1;
    }
    printf("time_s,flags,protection,offset_mA,soc_ah,soc_ekf,sigma_ekf,soc_lstm,envelope_lstm,soc_ekf_lstm,soc_reference\n");
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
        operation_key(current.operation, &layout, fields, n);
        /* Time increases; an operation's first row may repeat the last time (a continuous boundary). */
        if (n <= layout.time || !parse_field(fields[layout.time], &current.time_s) || !isfinite(current.time_s)
            || (have_last && (current.time_s < last_time_s
                              || (current.time_s == last_time_s && strcmp(current.operation, last_operation) == 0)))) {
            fprintf(stderr, "%s:%lu: time_s missing, not finite or not increasing\n", path, line_number);
            fclose(file);
            return 1;
        }
        have_last = 1;
        last_time_s = current.time_s;
        memcpy(last_operation, current.operation, OPERATION_KEY);
        current.missing = 0;
        current.voltage_V = current.current_A = current.temperature_C = 0.0;   /* a missing channel's value is ignored */
        if (n > layout.voltage && parse_field(fields[layout.voltage], &value)) current.voltage_V = value;
        else current.missing |= BMS_MISSING_VOLTAGE;
        if (n > layout.current && parse_field(fields[layout.current], &value)) current.current_A = layout.sign * value;
        else current.missing |= BMS_MISSING_CURRENT;
        if (n > layout.temperature && parse_field(fields[layout.temperature], &value)) current.temperature_C = value;
        else current.missing |= BMS_MISSING_TEMPERATURE;
        current.soc = layout.soc >= 0 && n > layout.soc && parse_field(fields[layout.soc], &value) ? value : NAN;

        if (strncmp(current.operation, "gap|", 4) == 0) {
            /* Time the log did not capture: the firmware sleeps from the last row to the next. */
            in_gap = 1;
            continue;
        }
        if (!have_previous) {
            start_s = current.time_s;
            previous = current;
            have_previous = 1;
            in_gap = 0;   /* a gap before the first row is no sleep */
            continue;
        }
        {
            double pause_s = current.time_s - previous.time_s;
            int change = strcmp(current.operation, previous.operation) != 0;
            /* A change of operation continues the log when the new row comes within two of the
             * log's intervals (or repeats the last time); a longer pause was not recorded. */
            int continues = !change || pause_s == 0.0 || (have_interval && pause_s <= BOUNDARY_INTERVALS * interval_s);
            if (in_gap || pause_s > SLEEP_AFTER_S || !continues) {
                /* A gap, a hole or a pause in the log: the ticks up to the last row, then a sleep
                 * until the tick at or after this row. */
                run_ticks(&fw, &tally, &tick, start_s, base_tick_s, &previous, &previous, previous.time_s, 1, 0);
                sleep_until(&fw, &tally, &tick, start_s, base_tick_s, current.time_s);
                in_gap = 0;
                have_interval = 0;
            } else {
                /* Every base tick before this row; across a change of operation the last row holds. */
                run_ticks(&fw, &tally, &tick, start_s, base_tick_s, &previous, &current, current.time_s, 0, change);
                if (pause_s > 0.0) {
                    interval_s = pause_s;
                    have_interval = 1;
                }
            }
        }
        previous = current;
    }
    /* The tick on the last row's time, if there is one. */
    if (have_previous) run_ticks(&fw, &tally, &tick, start_s, base_tick_s, &previous, &previous, previous.time_s, 1, 0);
    fclose(file);
    if (!layout.have_header || !have_previous) {
        fprintf(stderr, "%s: no header or no rows\n", path);
        return 1;
    }
    report_summary(&fw, &tally, path);
    return 0;
}
