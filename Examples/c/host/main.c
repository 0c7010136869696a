/* Examples/c/host/main.c — the C estimators (bms_soc.h) on a desktop: reads a generic
 * recording CSV (Docs/DataFormats.md, section 1), feeds every row to the Ah counter, the 1RC
 * EKF, the LSTM wrapper and the 2RC EKF as one firmware tick, and prints the SOC of each per tick.
 *
 *   make && build/soc_host ../../../Fixtures/recordings/synthetic-cycle.csv
 *
 * Output CSV: time_s,soc_ah,soc_ekf,sigma_ekf,soc_lstm,soc_ekf_hysteresis,soc_ekf_charge_transfer,
 * soc_ekf_2rc,soc_reference (the file's `soc` column, empty when it has none); two EKF variants
 * run the fixture model with an illustrative hysteresis law (hysteresis_demo.h) and
 * charge-transfer term (charge_transfer_demo.h); the 2RC EKF runs on two R-C pairs, the same
 * model exported with its 2RC tables (cell_model_2rc, `bmsim export ... --two-rc`). The first row is a power-up with an unknown history (dt = 0: a
 * rested reading anchors the Ah counter and the EKF); a jump of more than an hour between
 * rows is a sleep (bms_soc_*_wake). The LSTM's coulomb count starts from the Ah counter's
 * first estimate. The cell model and the LSTM blob are compiled in (Examples/c/model,
 * made by `bmsim export`). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bms_soc.h"
#include "cell_model.h"
#include "cell_model_2rc.h"
#include "lstm_model.h"
#include "hysteresis_demo.h"
#include "charge_transfer_demo.h"

#define MAX_LINE 1024
#define MAX_COLUMNS 32
#define SLEEP_AFTER_S 3600.0

/* Index of `name` among the header's comma-separated fields, or -1. */
static int column(char *header, const char *name) {
    char copy[MAX_LINE];
    char *field;
    int index = 0;
    strncpy(copy, header, sizeof copy - 1);
    copy[sizeof copy - 1] = '\0';
    for (field = strtok(copy, ",\r\n"); field != NULL; field = strtok(NULL, ",\r\n"), index++) {
        if (strcmp(field, name) == 0) return index;
    }
    return -1;
}

/* Splits a data line in place; empty fields stay empty strings. */
static int split(char *line, char **fields) {
    int n = 0;
    char *p = line;
    while (n < MAX_COLUMNS) {
        fields[n++] = p;
        p = strchr(p, ',');
        if (p == NULL) break;
        *p++ = '\0';
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (n > 0) fields[n - 1][strcspn(fields[n - 1], "\r\n")] = '\0';
    return n;
}

int main(int argc, char **argv) {
    static int16_t workspace[LSTM_MODEL_WORKSPACE_WORDS];
    static bms_soc_config_t config;
    static bms_soc_lstm_settings_t settings;
    static bms_lstm_model_t lstm_net;
    static bms_soc_ah_t ah;
    static bms_soc_ekf_t ekf, ekf_h, ekf_ct, ekf_2rc;
    static bms_cell_model_t hysteresis_model, charge_transfer_model;
    static bms_soc_lstm_t lstm;
    char line[MAX_LINE];
    char *fields[MAX_COLUMNS];
    int col_t = -1, col_v = -1, col_i = -1, col_temp = -1, col_soc = -1, have_header = 0, first = 1;
    double sign = 0.0, previous_time = 0.0;
    bms_soc_status_t status;
    FILE *file;
    if (argc != 2) {
        fprintf(stderr, "usage: %s recording.csv\n", argv[0]);
        return 2;
    }
    file = fopen(argv[1], "r");
    if (file == NULL) {
        perror(argv[1]);
        return 1;
    }
    bms_soc_config_default(&config);
    bms_soc_lstm_settings_default(&settings);
    hysteresis_model = hysteresis_demo_model(cell_model);
    charge_transfer_model = charge_transfer_demo_model(cell_model);
    if (bms_lstm_load_blob(lstm_model, LSTM_MODEL_SIZE, &lstm_net) != BMS_OK
        || (status = bms_soc_ah_init(&ah, &cell_model, &config, 1.0f)) != BMS_SOC_OK
        || (status = bms_soc_ekf_init(&ekf, &cell_model, &config, 1.0f)) != BMS_SOC_OK
        || (status = bms_soc_ekf_init(&ekf_h, &hysteresis_model, &config, 1.0f)) != BMS_SOC_OK
        || (status = bms_soc_ekf_init(&ekf_ct, &charge_transfer_model, &config, 1.0f)) != BMS_SOC_OK
        || (status = bms_soc_ekf_init_pairs(&ekf_2rc, &cell_model_2rc, &config, 1.0f, 2)) != BMS_SOC_OK) {
        fprintf(stderr, "cannot set up the estimators\n");
        fclose(file);
        return 1;
    }
    printf("time_s,soc_ah,soc_ekf,sigma_ekf,soc_lstm,soc_ekf_hysteresis,soc_ekf_charge_transfer,soc_ekf_2rc,soc_reference\n");
    while (fgets(line, sizeof line, file) != NULL) {
        bms_soc_estimate_t e_ah, e_ekf, e_lstm, e_ekf_h, e_ekf_ct, e_ekf_2rc;
        float voltage_V, current_A, temperature_C, dt_s;
        double time_s;
        int n;
        if (line[0] == '#') {
            if (strstr(line, "current_sign: charge_positive") != NULL) sign = 1.0;
            if (strstr(line, "current_sign: discharge_positive") != NULL) sign = -1.0;
            continue;
        }
        if (!have_header) {
            col_t = column(line, "time_s");
            col_v = column(line, "voltage_v");
            col_i = column(line, "current_a");
            col_temp = column(line, "temperature_c");
            col_soc = column(line, "soc");
            have_header = 1;
            if (col_t < 0 || col_v < 0 || col_i < 0 || col_temp < 0 || sign == 0.0) {
                fprintf(stderr, "%s: needs time_s, voltage_v, current_a, temperature_c and a # current_sign line\n", argv[1]);
                fclose(file);
                return 1;
            }
            continue;
        }
        n = split(line, fields);
        if (n <= col_t || n <= col_v || n <= col_i || n <= col_temp) continue;
        time_s = strtod(fields[col_t], NULL);
        voltage_V = strtof(fields[col_v], NULL);
        current_A = (float)(sign * strtod(fields[col_i], NULL));
        temperature_C = strtof(fields[col_temp], NULL);
        if (first) {
            dt_s = 0.0f;                                   /* power-up, history unknown */
        } else if (time_s - previous_time > SLEEP_AFTER_S) {
            float sleep_s = (float)(time_s - previous_time);
            bms_soc_ah_wake(&ah, sleep_s);
            bms_soc_ekf_wake(&ekf, sleep_s);
            bms_soc_ekf_wake(&ekf_h, sleep_s);
            bms_soc_ekf_wake(&ekf_ct, sleep_s);
            bms_soc_ekf_wake(&ekf_2rc, sleep_s);
            bms_soc_lstm_wake(&lstm, sleep_s);
            dt_s = 0.0f;
        } else {
            dt_s = (float)(time_s - previous_time);
        }
        bms_soc_ah_tick(&ah, voltage_V, current_A, temperature_C, dt_s, &e_ah);
        bms_soc_ekf_tick(&ekf, voltage_V, current_A, temperature_C, dt_s, &e_ekf);
        bms_soc_ekf_tick(&ekf_h, voltage_V, current_A, temperature_C, dt_s, &e_ekf_h);
        bms_soc_ekf_tick(&ekf_ct, voltage_V, current_A, temperature_C, dt_s, &e_ekf_ct);
        bms_soc_ekf_tick(&ekf_2rc, voltage_V, current_A, temperature_C, dt_s, &e_ekf_2rc);
        if (first) {
            status = bms_soc_lstm_init(&lstm, &lstm_net, workspace, LSTM_MODEL_WORKSPACE_WORDS, &cell_model, &config,
                                       &settings, e_ah.soc);
            if (status != BMS_SOC_OK) {
                fprintf(stderr, "lstm: %s\n", bms_soc_status_name(status));
                fclose(file);
                return 1;
            }
            first = 0;
        }
        bms_soc_lstm_tick(&lstm, voltage_V, current_A, temperature_C, dt_s, &e_lstm);
        printf("%.3f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%s\n", time_s, (double)e_ah.soc, (double)e_ekf.soc,
               (double)e_ekf.sigma, (double)e_lstm.soc, (double)e_ekf_h.soc, (double)e_ekf_ct.soc, (double)e_ekf_2rc.soc,
               col_soc >= 0 && n > col_soc ? fields[col_soc] : "");
        previous_time = time_s;
    }
    fclose(file);
    return 0;
}
