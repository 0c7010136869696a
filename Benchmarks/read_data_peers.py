#!/usr/bin/env python3
"""Peer timing for `bmsim data timing`: the same files read with pandas.read_csv and
scipy.io.loadmat. Prints JSON (median of --repeats runs). Usage:

    python3 Benchmarks/read_data_peers.py ../shared/data/nasa_pcoe_battery --repeats 5
"""
import argparse
import json
import os
import statistics
import time
import zlib
from pathlib import Path

import pandas as pd
import scipy
import scipy.io


CPU = {}


def median_time(fn, repeats, name=None):
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.thread_time()
        fn()
        cpu.append(time.thread_time() - c0)
        times.append(time.perf_counter() - t0)
    if name:
        CPU[name] = min(cpu)  # CPU seconds of this thread: robust to other processes
    return [min(times), statistics.median(times)]  # shared machine: the minimum is the least disturbed run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    root = Path(a.root)
    index = root / "cycles_index.csv"
    cells = list(dict.fromkeys(pd.read_csv(index)["cell"]))
    files = [root / k / f"{c}_{k}.csv" for c in cells for k in ("discharge", "charge")]
    files = [f for f in files if f.exists()]

    def read_csvs():
        n = len(pd.read_csv(index))
        for f in files:
            n += len(pd.read_csv(f))
        return n

    rows = read_csvs()
    csv_s = median_time(read_csvs, a.repeats, "pandas_read_csv_thread_cpu_min_s")
    mat_path = root / "mat" / "B0025.mat"
    mat_s = median_time(lambda: scipy.io.loadmat(mat_path), a.repeats, "scipy_loadmat_B0025_thread_cpu_min_s")
    plain_path = root / "mat" / "B0025_uncompressed.mat"
    plain_s = median_time(lambda: scipy.io.loadmat(plain_path), a.repeats, "scipy_loadmat_B0025_uncompressed_thread_cpu_min_s")
    with open(mat_path, "rb") as f:
        compressed = f.read()[136:]  # the one miCOMPRESSED element's zlib stream
    median_time(lambda: zlib.decompress(compressed), a.repeats, "zlib_decompress_B0025_element_thread_cpu_min_s")
    print(json.dumps({
        "csv_files": len(files) + 1,
        "csv_bytes": sum(os.path.getsize(f) for f in files + [index]),
        "csv_rows": rows,
        "repeats": a.repeats,
        "times": "[min, median] s",
        "pandas_read_csv_s": csv_s,
        "scipy_loadmat_B0025_s": mat_s,
        "scipy_loadmat_B0025_uncompressed_s": plain_s,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        **CPU,
    }, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
