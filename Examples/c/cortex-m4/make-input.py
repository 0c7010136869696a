#!/usr/bin/env python3
"""Turns a generic recording CSV (Docs/DataFormats.md section 1) into input_rows.h for the
Cortex-M4 example: {time_s, voltage_V, current_A (+ = charge), temperature_C} per row.
Usage: make-input.py recording.csv out.h"""
import csv
import sys

src, dst = sys.argv[1], sys.argv[2]
sign = None
lines = []
with open(src) as f:
    for line in f:
        if line.startswith("#"):
            if "current_sign: charge_positive" in line:
                sign = 1.0
            if "current_sign: discharge_positive" in line:
                sign = -1.0
            continue
        lines.append(line)
if sign is None:
    sys.exit(f"{src}: no '# current_sign:' line")
rows = list(csv.DictReader(lines))


def c_float(text):
    """A C float literal of a decimal number (`0` → `0.0f`)."""
    x = repr(float(text))
    return x + ("f" if ("." in x or "e" in x) else ".0f")

with open(dst, "w") as o:
    o.write(f"/* made by make-input.py from {src.split('/')[-1]}: {len(rows)} rows */\n")
    o.write(f"#define INPUT_ROWS {len(rows)}\n")
    o.write("static const double input_time_s[INPUT_ROWS] = {\n")
    o.write(",\n".join(r["time_s"] for r in rows) + "};\n")
    o.write("static const float input_vit[INPUT_ROWS][3] = {\n")
    o.write(",\n".join("{%s, %s, %s}" % (c_float(r["voltage_v"]), c_float(sign * float(r["current_a"])),
                                          c_float(r["temperature_c"])) for r in rows) + "};\n")
