#!/usr/bin/env python3
"""Checks that BMSim's labelled, resampled discharges equal the peer benchmark's
(`shared/bench/soc_data.py`) value for value (exact float equality).

    swift run -c release bmsim data grid ../shared/data/nasa_pcoe_battery --cells train --out /tmp/grid.csv
    python3 Benchmarks/check_grid_vs_soc_data.py /tmp/grid.csv ../shared/bench
"""
import sys

import pandas as pd

grid_csv, bench = sys.argv[1], sys.argv[2]
sys.path.insert(0, bench)
import soc_data as s  # noqa: E402

ours = pd.read_csv(grid_csv)  # pandas 3 parses floats with round-trip precision by default
root = s.data_dir(None)
index = s.usable_discharges(root)
rows, mismatches = 0, 0
for cell, per_cell in ours.groupby("cell", sort=False):
    cycles = {c["cycle"]: c for c in s.load_cell_cycles(root, cell, index)}
    for cycle, g in per_cell.groupby("cycle", sort=False):
        f, soc = s.resample_cycle(cycles[cycle])
        assert len(g) == len(soc), (cell, cycle, len(g), len(soc))
        for col, ref in (("voltage_v", f[:, 0]), ("current_a", f[:, 1]), ("temperature_c", f[:, 2]), ("soc", soc)):
            mismatches += int((g[col].to_numpy() != ref).sum())
        rows += len(g)
    assert set(cycles) == set(per_cell["cycle"]), cell
print(f"{rows} grid steps x 4 values compared, {mismatches} differ")
sys.exit(1 if mismatches else 0)
