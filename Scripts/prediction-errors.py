#!/usr/bin/env python3
"""Per-cell errors of `bmsim evaluate --predictions` files, and of their average.

    python3 Scripts/prediction-errors.py A.csv [B.csv …]

Each file has the columns cell, cycle, step, soc_reference, soc_predicted (one row per scored
step). With several files (the same model recipe with other seeds, evaluated on the same cells)
the rows must match one for one, and the figures are those of the step-by-step average of the
predictions — an ensemble. Per cell and over all rows it prints, in SOC points:

    rmse          RMSE of the (averaged) prediction
    below0 share  the share of steps whose reference SOC is below 0, and their share of the
                  squared error (NASA's 4 °C 2 A cells: the label's capacity is less than the
                  charge delivered, so the reference ends below empty)
    rmse ≥0       RMSE and mean error (prediction − reference) on the steps with reference ≥ 0

With several files it also prints each file's own RMSE per cell. Standard library only.
"""
import csv
import math
import sys


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or not {"cell", "cycle", "step", "soc_reference", "soc_predicted"} <= rows[0].keys():
        sys.exit(f"{path}: not a bmsim evaluate --predictions file (cell,cycle,step,soc_reference,soc_predicted)")
    return rows


def rmse(errors):
    return math.sqrt(sum(e * e for e in errors) / len(errors)) * 100 if errors else float("nan")


def main(paths):
    if not paths:
        sys.exit(__doc__)
    files = [read(p) for p in paths]
    first = files[0]
    keys = [(r["cell"], r["cycle"], r["step"]) for r in first]
    for path, rows in zip(paths[1:], files[1:]):
        if [(r["cell"], r["cycle"], r["step"]) for r in rows] != keys:
            sys.exit(f"{path}: its rows are not those of {paths[0]} (evaluate both on the same cells and style)")
    reference = [float(r["soc_reference"]) for r in first]
    predicted = [[float(r["soc_predicted"]) for r in rows] for rows in files]
    average = [sum(p[k] for p in predicted) / len(predicted) for k in range(len(first))]
    cells = list(dict.fromkeys(r["cell"] for r in first))
    groups = [(c, [k for k, key in enumerate(keys) if key[0] == c]) for c in cells] + [("all", range(len(keys)))]
    print(f"{'cell':>6} {'steps':>8} {'rmse':>7} {'below0':>7} {'sq.err':>7} {'rmse≥0':>7} {'mean≥0':>7}"
          + ("".join(f" {'file ' + str(i + 1):>7}" for i in range(len(paths))) if len(paths) > 1 else ""))
    for name, index in groups:
        index = list(index)
        errors = [average[k] - reference[k] for k in index]
        below = [e for e, k in zip(errors, index) if reference[k] < 0]
        above = [e for e, k in zip(errors, index) if reference[k] >= 0]
        squared = sum(e * e for e in errors)
        line = (f"{name:>6} {len(index):>8} {rmse(errors):7.2f} {len(below) / len(index):7.1%} "
                f"{(sum(e * e for e in below) / squared if squared else 0):7.1%} {rmse(above):7.2f} "
                f"{(sum(above) / len(above) * 100 if above else float('nan')):7.2f}")
        if len(paths) > 1:
            line += "".join(f" {rmse([p[k] - reference[k] for k in index]):7.2f}" for p in predicted)
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
