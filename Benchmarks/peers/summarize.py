#!/usr/bin/env python3
"""Summarises Benchmarks/peers/run-same-sitting.sh's output folder as one Markdown table.

Usage: summarize.py OUT_DIR ROUNDS
"""
import csv
import json
import re
import statistics
import sys
from pathlib import Path


def bmsim_epochs(path: Path):
    """Median train-only wall and CPU seconds of epochs 2..N from bmsim's history CSV."""
    rows = list(csv.DictReader(open(path)))[1:]
    return (statistics.median(float(r["train_s"]) for r in rows),
            statistics.median(float(r["train_cpu_s"]) for r in rows),
            max(float(r["loadavg_1m"]) for r in rows))


def torch_epochs(path: Path):
    d = json.load(open(path))
    rows = d["epochs"][1:]
    return (statistics.median(r["train_s"] for r in rows),
            statistics.median(r["process_cpu_s"] for r in rows),
            max(r["loadavg_1m"] for r in rows), d["n_train_windows_used"])


def bmsim_lstm(path: Path):
    text = open(path).read()
    swift = re.search(r"Swift engine\s+step\s+(\d+) ns\s+50-step window\s+([\d.]+) µs", text)
    c = re.search(r"C runtime\s+step\s+(\d+) ns\s+50-step window\s+([\d.]+) µs", text)
    return (int(swift[1]) / 1000, float(swift[2]), int(c[1]) / 1000, float(c[2]))


def main():
    out, rounds = Path(sys.argv[1]), int(sys.argv[2])
    print("| round | PyTorch s/epoch (CPU s) | BMSim s/epoch (CPU s) | throughput BMSim/PyTorch (wall) "
          "| LiteRT int8 window ms | TFLite float window ms | BMSim Swift window µs (step µs) "
          "| BMSim C window µs (step µs) | LiteRT/BMSim Swift | TFLite float/BMSim Swift "
          "| LiteRT/BMSim C | TFLite float/BMSim C |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    loads, n = [], None
    for r in range(1, rounds + 1):
        cells = [str(r)]
        if (out / f"torch-{r}.json").exists():   # PARTS without "train" leaves these out
            tw, tc, tl, n = torch_epochs(out / f"torch-{r}.json")
            bw, bc, bl = bmsim_epochs(out / f"bmsim-train-{r}.history.csv")
            loads += [tl, bl]
            cells += [f"{tw:.2f} ({tc:.1f})", f"{bw:.2f} ({bc:.1f})", f"{tw / bw:.2f}×"]
        else:
            cells += ["—", "—", "—"]
        if (out / f"tflite-{r}.json").exists():
            tfl = json.load(open(out / f"tflite-{r}.json"))["tflite"]
            lite = tfl["int8"]["latency_single_thread"]["median_ms"]
            flt = tfl["float32"]["latency_single_thread"]["median_ms"]
            ss, sw, cs, cw = bmsim_lstm(out / f"bmsim-lstm-{r}.txt")
            cells += [f"{lite:.2f}", f"{flt:.2f}", f"{sw:.0f} ({ss:.1f})", f"{cw:.0f} ({cs:.1f})",
                      f"{lite * 1000 / sw:.1f}×", f"{flt * 1000 / sw:.1f}×",
                      f"{lite * 1000 / cw:.1f}×", f"{flt * 1000 / cw:.1f}×"]
        else:
            cells += ["—"] * 8
        print("| " + " | ".join(cells) + " |")
    if n is not None:
        print(f"\n{n} training windows per epoch; load average at most {max(loads):.1f} during training.")


if __name__ == "__main__":
    main()
