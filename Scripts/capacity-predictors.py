#!/usr/bin/env python3
"""One-step-ahead prediction of each discharge's NASA capacity_Ah from the cell's earlier
discharges in the same (temperature, current) band, as CapacityLearner does it, against
simple alternatives. Reads only cycles_index.csv and the discharge CSVs (first sample's
temperature). Usage:
    Scripts/capacity-predictors.py [DATA_DIR]   (default $BMSIM_DATA/nasa_pcoe_battery)
Prints the RMS relative error (%) per predictor on the train + validation cells and on the
test cells of the benchmark split (Docs/Benchmark.md; Docs/notebook/2026-12-results-history.md,
"What a known capacity would give").
"""
import csv, functools, json, os, sys
import numpy as np

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.environ.get("BMSIM_DATA", "../shared/data"), "nasa_pcoe_battery")
TRAIN_VAL = "B0005 B0006 B0025 B0026 B0029 B0030 B0033 B0036 B0042 B0046 B0007 B0028 B0031 B0034".split()
TEST = "B0039 B0043 B0044 B0047 B0053".split()
# The model's capacity-vs-temperature table, read from the bundled cell model.
_model = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "models", "cell-default.json")))
TABLE_T, TABLE_AH = _model["capacityByTemperature"]["temperaturesC"], _model["capacityByTemperature"]["capacityAh"]

rows = [r for r in csv.DictReader(open(os.path.join(root, "cycles_index.csv"))) if r["type"] == "discharge"]

def band(t, i):
    return (0 if t < 14 else 1 if t < 34 else 2, 0 if i < 1.5 else 1 if i < 3 else 2)

@functools.lru_cache(maxsize=None)
def first_temperatures(cell):
    """Cycle → temperature of the discharge's first sample (each CSV read once)."""
    first = {}
    for r in csv.DictReader(open(os.path.join(root, "discharge", f"{cell}_discharge.csv"))):
        first.setdefault(int(r["cycle"]), float(r["Temperature_measured"]))
    return first

def sequences(cells, full_start_only):
    """Per (cell, band): [(capacity, start temperature)] in life order."""
    out = {}
    for cell in cells:
        first = first_temperatures(cell)
        for r in rows:
            if r["cell"] != cell or r["capacity_Ah"] == "":
                continue
            cap, cycle = float(r["capacity_Ah"]), int(r["cycle"])
            if cap < 0.3 or cycle not in first or (full_start_only and float(r["v_max_V"]) < 4.15):
                continue
            t0 = first[cycle]
            b = band(float(r["ambient_temperature_C"]) if not full_start_only else t0,
                     float(r["i_mean_when_loaded_A"] or 0))
            out.setdefault((cell, b), []).append((cap, t0))
    return out

def rms(cells, predict, full_start_only=False):
    errors = []
    for seq in sequences(cells, full_start_only).values():
        for j in range(1, len(seq)):
            errors.append((predict(seq[:j], seq[j][1]) - seq[j][0]) / seq[j][0])
    e = np.array(errors)
    return 100 * np.sqrt((e ** 2).mean()), len(e)

def latest(h, t): return h[-1][0]
def mean_of(k): return lambda h, t: np.mean([c for c, _ in h[-k:]])
def ewma(a):
    def f(h, t):
        m = h[0][0]
        for c, _ in h[1:]: m = a * c + (1 - a) * m
        return m
    return f
def trend(k):
    def f(h, t):
        y = [c for c, _ in h[-k:]]
        if len(y) < 3: return y[-1]
        x = np.arange(len(y)); return np.polyval(np.polyfit(x, y, 1), len(y))
    return f
def carried(h, t):
    c, t_then = h[-1]
    return c * np.interp(t, TABLE_T, TABLE_AH) / np.interp(t_then, TABLE_T, TABLE_AH)

print("predictor | train+validation RMS % (n) | test RMS % (n)")
for name, p in [("latest", latest), ("mean of last 2", mean_of(2)), ("mean of last 3", mean_of(3)),
                ("mean of last 4", mean_of(4)), ("exp. smoothing 0.7", ewma(0.7)), ("exp. smoothing 0.5", ewma(0.5)),
                ("exp. smoothing 0.3", ewma(0.3)), ("linear trend, last 4", trend(4)), ("linear trend, last 10", trend(10))]:
    a, na = rms(TRAIN_VAL, p); b, nb = rms(TEST, p)
    print(f"{name} | {a:.2f} ({na}) | {b:.2f} ({nb})")
print("discharges from a full rest (V ≥ 4.15 V), bands by start temperature, as CapacityLearner:")
for name, p in [("latest", latest), ("latest carried by the model's temperature table", carried)]:
    a, na = rms(TRAIN_VAL, p, True); b, nb = rms(TEST, p, True)
    print(f"{name} | {a:.2f} ({na}) | {b:.2f} ({nb})")
print("RMS of the step from one discharge's capacity_Ah to the next in the same band, % of the later one:")
for cell in TEST:
    steps = [(b[0] - a[0]) / b[0] for seq in sequences([cell], False).values() for a, b in zip(seq, seq[1:])]
    print(f"{cell} | {100 * np.sqrt(np.mean(np.square(steps))):.2f} ({len(steps)})")

# Two more ideas, not kept (Docs/notebook/2026-12-results-history.md): a charge balance from the preceding charge, and a
# recovery factor after storage.
def charge_balance(cells):
    """Latest vs latest + (Ah in by the charge since − Ah out of the previous discharge), for
    consecutive discharges at the same chamber temperature and current."""
    index = {(r["cell"], int(r["cycle"])): r for r in csv.DictReader(open(os.path.join(root, "cycles_index.csv")))}
    def f(x):
        try: return float(x)
        except ValueError: return None
    pairs = []
    for cell in cells:
        ds = [r for r in rows if r["cell"] == cell and (f(r["capacity_Ah"]) or 0) > 0.3]
        for a, b in zip(ds, ds[1:]):
            charge = index.get((cell, int(b["preceding_charge_cycle"]))) if b["preceding_charge_cycle"] else None
            if (not charge or f(charge["ah_in_trapz_Ah"]) is None or int(charge["cycle"]) < int(a["cycle"])
                    or a["ambient_temperature_C"] != b["ambient_temperature_C"]
                    or abs(f(a["i_mean_when_loaded_A"]) - f(b["i_mean_when_loaded_A"])) > 0.5):
                continue
            pairs.append((f(a["capacity_Ah"]), f(b["capacity_Ah"]), f(charge["ah_in_trapz_Ah"]), f(a["ah_out_trapz_Ah"])))
    eta = float(np.median([out / q_in for _, _, q_in, out in pairs]))
    e_latest = [(qa - qb) / qb for qa, qb, _, _ in pairs]
    e_balance = [(qa + eta * q_in - out - qb) / qb for qa, qb, q_in, out in pairs]
    return eta, 100 * np.sqrt(np.mean(np.square(e_latest))), 100 * np.sqrt(np.mean(np.square(e_balance))), len(pairs)

eta, a, b, n = charge_balance(TRAIN_VAL)
print(f"charge balance (train+validation, η = {eta:.4f}): latest {a:.2f} %, balance {b:.2f} % ({n})")
after_storage = []
for cell in TRAIN_VAL:
    ds = [r for r in rows if r["cell"] == cell and r["capacity_Ah"] and float(r["capacity_Ah"]) > 0.3]
    for a_, b_ in zip(ds, ds[1:]):
        if b_["rest_before_s"] and float(b_["rest_before_s"]) >= 86400:
            after_storage.append(float(b_["capacity_Ah"]) / float(a_["capacity_Ah"]))
print(f"capacity after a rest ≥ 1 day / the discharge before (train+validation): "
      f"{min(after_storage):.2f} … {max(after_storage):.2f}, median {np.median(after_storage):.3f} ({len(after_storage)})")
