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
#include "recording_csv.h"

#define SLEEP_AFTER_S 3600.0

int main(int argc, char **argv) {
    static int16_t workspace[LSTM_MODEL_WORKSPACE_WORDS];
    static bms_soc_config_t config;
    static bms_soc_lstm_settings_t settings;
    static bms_lstm_model_t lstm_net;
    static bms_soc_ah_t ah;
    static bms_soc_ekf_t ekf, ekf_h, ekf_ct, ekf_2rc;
    static bms_cell_model_t hysteresis_model, charge_transfer_model;
    static bms_soc_lstm_t lstm;
    char line[RECORDING_MAX_LINE];
    char *fields[RECORDING_MAX_COLUMNS];
    recording_layout_t layout = RECORDING_LAYOUT_INIT;
    int first = 1;
    double previous_time = 0.0;
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
        n = recording_layout_read(&layout, line, argv[1]);
        if (n < 0) {
            fclose(file);
            return 1;
        }
        if (n == 0) continue;
        n = recording_split(line, fields);
        if (n <= layout.time || n <= layout.voltage || n <= layout.current || n <= layout.temperature) continue;
        time_s = strtod(fields[layout.time], NULL);
        voltage_V = strtof(fields[layout.voltage], NULL);
        current_A = (float)(layout.sign * strtod(fields[layout.current], NULL));
        temperature_C = strtof(fields[layout.temperature], NULL);
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
               layout.soc >= 0 && n > layout.soc ? fields[layout.soc] : "");
        previous_time = time_s;
    }
    fclose(file);
    return 0;
}
