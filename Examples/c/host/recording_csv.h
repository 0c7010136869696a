/* Examples/c/host/recording_csv.h — the two host examples' reader of a generic recording CSV
 * (Docs/DataFormats.md, section 1): `#` comment lines (one of them states the current sign),
 * a header naming the columns, then one row per sample. Host code only: a firmware gets its
 * readings from its sensors, not from a file. */
#ifndef RECORDING_CSV_H
#define RECORDING_CSV_H

#include <stdio.h>
#include <string.h>

#define RECORDING_MAX_LINE 1024
#define RECORDING_MAX_COLUMNS 32

/* Index of `name` among the header's comma-separated fields, or -1. */
static int recording_column(const char *header, const char *name) {
    char copy[RECORDING_MAX_LINE];
    char *field;
    int index = 0;
    strncpy(copy, header, sizeof copy - 1);
    copy[sizeof copy - 1] = '\0';
    for (field = strtok(copy, ",\r\n"); field != NULL; field = strtok(NULL, ",\r\n"), index++) {
        if (strcmp(field, name) == 0) return index;
    }
    return -1;
}

/* Splits a data line in place; empty fields stay empty strings. Returns the field count. */
static int recording_split(char *line, char **fields) {
    int n = 0;
    char *p = line;
    while (n < RECORDING_MAX_COLUMNS) {
        fields[n++] = p;
        p = strchr(p, ',');
        if (p == NULL) break;
        *p++ = '\0';
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (n > 0) fields[n - 1][strcspn(fields[n - 1], "\r\n")] = '\0';
    return n;
}

/* What the comment lines and the header say: the columns and the current sign. */
typedef struct recording_layout {
    int time, voltage, current, temperature, soc;   /* column indices; -1 absent (soc is optional) */
    int operation, nasa_cycle;                      /* optional: where an operation starts */
    double sign;                                    /* 1 charge positive, -1 discharge positive, 0 not stated */
    int have_header;
} recording_layout_t;

#define RECORDING_LAYOUT_INIT {-1, -1, -1, -1, -1, -1, -1, 0.0, 0}

/* Reads one line before the data: returns 0 when it was a comment or the header, 1 when it is a
 * data row, -1 when the header lacks a required column or no `# current_sign:` line came before
 * it (after printing why, with `path`). */
static int recording_layout_read(recording_layout_t *layout, const char *line, const char *path) {
    if (line[0] == '#') {
        if (strstr(line, "current_sign: charge_positive") != NULL) layout->sign = 1.0;
        if (strstr(line, "current_sign: discharge_positive") != NULL) layout->sign = -1.0;
        return 0;
    }
    if (layout->have_header) return 1;
    layout->time = recording_column(line, "time_s");
    layout->voltage = recording_column(line, "voltage_v");
    layout->current = recording_column(line, "current_a");
    layout->temperature = recording_column(line, "temperature_c");
    layout->soc = recording_column(line, "soc");
    layout->operation = recording_column(line, "operation");
    layout->nasa_cycle = recording_column(line, "nasa_cycle");
    layout->have_header = 1;
    if (layout->time < 0 || layout->voltage < 0 || layout->current < 0 || layout->temperature < 0
        || layout->sign == 0.0) {
        fprintf(stderr, "%s: needs time_s, voltage_v, current_a, temperature_c and a # current_sign line\n", path);
        return -1;
    }
    return 0;
}

#endif /* RECORDING_CSV_H */
