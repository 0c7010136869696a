#!/bin/sh
# The C estimators on a Cortex-M4F under QEMU (mps2-an386): cross-compiles main.c with the
# estimators (Sources/CBMSSoc), the LSTM runtime (Sources/CBMSRuntime) and the compiled-in
# models (Examples/c/model), reusing Benchmarks/CortexM's startup code and linker script; runs
# the recording through it; checks the SOCs against the host example's on the same recording;
# prints code size, RAM and instructions per tick. Then two more images: the measurement path
# (measurement_path.c) and the whole firmware (firmware_image.c: ../host/firmware_tick.h, checked
# tick by tick against the host example firmware_host).
# Usage (from anywhere): Examples/c/cortex-m4/run.sh [recording.csv]
# Needs: gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm (Scripts/install-deps.sh --cortex-m),
# python3, a host C compiler and make.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
recording=${1:-$root/Fixtures/recordings/synthetic-cycle.csv}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
shift_n=4
python3 "$here/make-input.py" "$recording" "$out/input_rows.h"
soc="$root/Sources/CBMSSoc"
runtime="$root/Sources/CBMSRuntime"
model="$root/Examples/c/model"
board="$root/Benchmarks/CortexM"
# -ffp-contract=off: no fused multiply-adds, so float32 results follow C's rounding, as on the host.
CF="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2 -std=c99 -Wall -Wextra -Werror -ffp-contract=off -ffunction-sections -fdata-sections"
# Compiled for size (-Os; the last -O wins): code that runs once at init (the blob loader, the
# configuration's defaults and checks, the EKF's init and reset), the LSTM wrapper's own logic (timers, the count, the
# learner's hand-over, the partial-start decline: a few dozen instructions per tick beside the
# model step it calls), the capacity learner, the Ah counter and the cell-model lookups
# (Docs/Performance.md: per 10 s tick Ah 323 -> 339, EKF 982 -> 963 instructions).
size_flags() { case "$(basename "$1")" in bms_loader.c|bms_soc_config.c|bms_soc_ekf_init.c|bms_soc_lstm.c|bms_soc_envelope.c|bms_soc_learner.c|bms_soc_ah.c|bms_soc_model.c) echo -Os ;; esac; }
objs=""
for f in "$soc/bms_soc_ah.c" "$soc/bms_soc_config.c" "$soc/bms_soc_ekf.c" "$soc/bms_soc_ekf_init.c" "$soc/bms_soc_filter_common.c" \
         "$soc/bms_soc_hysteresis.c" "$soc/bms_soc_learner.c" "$soc/bms_soc_lstm.c" "$soc/bms_soc_envelope.c" "$soc/bms_soc_model.c" \
         "$soc/bms_soc_charge_transfer.c" \
         "$runtime/bms_loader.c" "$runtime/bms_step.c" "$runtime/bms_fixed.c" "$runtime/bms_tables.c" \
         "$model/cell_model.c" "$model/cell_model_2rc.c" "$model/lstm_model.c"; do
  o="$out/$(basename "$f" .c).o"
  arm-none-eabi-gcc $CF $(size_flags "$f") -I"$soc/include" -I"$runtime/include" -I"$model" -c "$f" -o "$o"
  objs="$objs $o"
done
arm-none-eabi-gcc $CF -DICOUNT_SHIFT=$shift_n -nostdlib -nostartfiles -T "$board/mps2.ld" -Wl,--gc-sections \
  -I"$soc/include" -I"$runtime/include" -I"$model" -I"$out" -I"$board" -I"$root/Examples/c/host" \
  "$board/startup.c" "$here/main.c" $objs -lc -lm -lgcc -o "$out/fw.elf"
echo "== Cortex-M4 object sizes (text = code + const tables, bytes; the models' tables are their .o)"
arm-none-eabi-size $objs | sed "s|$out/||"
arm-none-eabi-size "$out/fw.elf" | sed "s|$out/||"
# The same image built without hysteresis and/or without the charge-transfer term
# (-DBMS_SOC_HYSTERESIS=0: no 3-state filter, no hysteresis law; -DBMS_SOC_CHARGE_TRANSFER=0: no
# asinh term, no asinhf), linked only to measure its flash: the 32 KiB goal is for Ah + EKF + LSTM
# wrapper without the blob and the compiled-in recording, in the build for cells without hysteresis.
variant() {  # variant NAME FLAGS...: objects in $out/NAME, image $out/fw-NAME.elf
  name=$1; shift
  mkdir -p "$out/$name"
  vobjs=""
  for o in $objs; do
    f=$(basename "$o" .o)
    src="$soc/$f.c"; [ -f "$src" ] || src="$runtime/$f.c"; [ -f "$src" ] || src="$model/$f.c"
    arm-none-eabi-gcc $CF "$@" $(size_flags "$src") -I"$soc/include" -I"$runtime/include" -I"$model" -c "$src" -o "$out/$name/$f.o"
    vobjs="$vobjs $out/$name/$f.o"
  done
  arm-none-eabi-gcc $CF "$@" -DICOUNT_SHIFT=$shift_n -nostdlib -nostartfiles -T "$board/mps2.ld" -Wl,--gc-sections \
    -I"$soc/include" -I"$runtime/include" -I"$model" -I"$out" -I"$board" -I"$root/Examples/c/host" \
    "$board/startup.c" "$here/main.c" $vobjs -lc -lm -lgcc -o "$out/fw-$name.elf"
}
variant nct -DBMS_SOC_CHARGE_TRANSFER=0
variant n2 -DBMS_SOC_TWO_RC=0
variant nh -DBMS_SOC_HYSTERESIS=0 -DBMS_SOC_TWO_RC=0
variant nh-nct -DBMS_SOC_HYSTERESIS=0 -DBMS_SOC_CHARGE_TRANSFER=0 -DBMS_SOC_TWO_RC=0
# ... and the firmware for the shipped blob (lstm-soh, format version 4: no prior-SOC input, no
# uncertainty head) on cells without hysteresis: the configuration the 32 KiB goal is for.
variant min -DBMS_SOC_HYSTERESIS=0 -DBMS_SOC_CHARGE_TRANSFER=0 -DBMS_SOC_TWO_RC=0 -DBMS_LSTM_START_SOC=0 -DBMS_LSTM_UNCERTAINTY=0 -DBMS_SOC_ENVELOPE=0
for elf in fw.elf fw-nct.elf fw-n2.elf fw-nh.elf fw-nh-nct.elf fw-min.elf; do
  arm-none-eabi-size "$out/$elf" | tail -n 1 > "$out/$elf.size"
  arm-none-eabi-nm -S --defined-only "$out/$elf" > "$out/$elf.nm"
done
python3 - "$out" <<'PY'
import sys
out = sys.argv[1]
for elf, what in (("fw.elf", "with hysteresis, the charge-transfer term and the 2RC EKF (this run)"),
                  ("fw-nct.elf", "built with -DBMS_SOC_CHARGE_TRANSFER=0"),
                  ("fw-n2.elf", "built with -DBMS_SOC_TWO_RC=0"),
                  ("fw-nh.elf", "built with -DBMS_SOC_HYSTERESIS=0 -DBMS_SOC_TWO_RC=0"),
                  ("fw-nh-nct.elf", "built with -DBMS_SOC_HYSTERESIS=0 -DBMS_SOC_CHARGE_TRANSFER=0 -DBMS_SOC_TWO_RC=0"),
                  ("fw-min.elf", "built with those and -DBMS_LSTM_START_SOC=0 -DBMS_LSTM_UNCERTAINTY=0 -DBMS_SOC_ENVELOPE=0")):
    text = int(open(f"{out}/{elf}.size").read().split()[0])
    sizes = {}
    for line in open(f"{out}/{elf}.nm"):
        parts = line.split()
        if len(parts) == 4: sizes[parts[3]] = int(parts[1], 16)
    data = sum(sizes.get(k, 0) for k in ("input_time_s", "input_vit", "lstm_model"))
    print(f"flash without the blob and the recording, {what}: {text - data} B (goal 32 KiB = 32768 B)")
    if elf == "fw-min.elf" and text - data > 32768:
        sys.exit(f"the 32 KiB goal is for this build, and it is {text - data - 32768} B over")
PY
echo "== QEMU run ($(basename "$recording"))"
timeout 600 qemu-system-arm -M mps2-an386 -cpu cortex-m4 -nographic -monitor none -serial none \
  -chardev stdio,id=sh0 -semihosting-config enable=on,target=native,chardev=sh0 \
  -icount shift=$shift_n -kernel "$out/fw.elf" > "$out/m4.csv"
grep '^#' "$out/m4.csv"
echo "== against the host example on the same recording"
make -s -C "$root/Examples/c/host" BUILD="$out/host" CFLAGS="-std=c99 -Wall -Wextra -Werror -O2 -ffp-contract=off"
"$out/host/soc_host" "$recording" > "$out/host.csv"
python3 - "$out/m4.csv" "$out/host.csv" <<'PY'
import csv, sys
m4 = [r for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#"))]
host = list(csv.DictReader(open(sys.argv[2])))
assert len(m4) == len(host), (len(m4), len(host))
worst = {k: max(abs(float(a[k]) - float(b[k])) for a, b in zip(m4, host)) for k in ("soc_ah", "soc_ekf", "soc_lstm", "soc_ekf_hysteresis", "soc_ekf_charge_transfer", "soc_ekf_2rc")}
print(f"{len(m4)} ticks; max |Cortex-M4 - host| SOC: " + ", ".join(f"{k[4:]} {v:.5f}" for k, v in worst.items()))
# Both print five decimals; allow one unit of the last digit for a different rounding of a tie.
sys.exit(0 if all(v <= 1.1e-5 for v in worst.values()) else 1)
PY
# link_image NAME SOURCE OBJECTS...: links $out/NAME.elf, prints its size, keeps its size line and symbols.
link_image() {
  name=$1; src=$2; shift 2
  arm-none-eabi-gcc $CF -DICOUNT_SHIFT=$shift_n -nostdlib -nostartfiles -T "$board/mps2.ld" -Wl,--gc-sections \
    -I"$soc/include" -I"$runtime/include" -I"$model" -I"$out" -I"$board" -I"$root/Examples/c/host" \
    "$board/startup.c" "$src" "$@" -lc -lm -lgcc -o "$out/$name.elf"
  arm-none-eabi-size "$out/$name.elf" | sed "s|$out/||"
  arm-none-eabi-size "$out/$name.elf" | tail -n 1 > "$out/$name.elf.size"
  arm-none-eabi-nm -S --defined-only "$out/$name.elf" > "$out/$name.elf.nm"
}
# flash NAME SYMBOL...: NAME.elf's text + data less the named symbols' sizes, bytes.
flash() {
  name=$1; shift
  python3 - "$out/$name.elf" "$@" <<'PY'
import sys
elf, names = sys.argv[1], set(sys.argv[2:])
text = int(open(f"{elf}.size").read().split()[0])
print(text - sum(int(p[1], 16) for p in (l.split() for l in open(f"{elf}.nm")) if len(p) == 4 and p[3] in names))
PY
}
# run_image NAME: runs NAME.elf under QEMU, its semihosting output on stdout.
run_image() {
  timeout 600 qemu-system-arm -M mps2-an386 -cpu cortex-m4 -nographic -monitor none -serial none \
    -chardev stdio,id=sh0 -semihosting-config enable=on,target=native,chardev=sh0 \
    -icount shift=$shift_n -kernel "$out/$1.elf"
}
# The measurement path (plausibility checks, auto-zero, protection, the bank's gating) as its own image:
# its instructions per tick and its flash, beside the estimators' (measurement_path.c).
echo "== the measurement path on the Cortex-M4 (checks, auto-zero, protection, bank)"
pobjs=""
for f in "$soc/bms_soc_plausibility.c" "$soc/bms_soc_current_offset.c" "$soc/bms_soc_protection.c" "$soc/bms_soc_bank.c"; do
  o="$out/path_$(basename "$f" .c).o"
  arm-none-eabi-gcc $CF -I"$soc/include" -I"$runtime/include" -c "$f" -o "$o"
  pobjs="$pobjs $o"
done
arm-none-eabi-size $pobjs | sed "s|$out/||"
link_image path "$here/measurement_path.c" $pobjs
echo "flash of the measurement-path image without the recording: $(flash path input_time_s input_vit) B (soft-float double routines included)"
run_image path > "$out/path.txt"
cat "$out/path.txt"
grep -q '^# measurement path, instructions per tick' "$out/path.txt"
# The whole firmware (../host/firmware_tick.h: checks, auto-zero, protection, bank, Ah, EKF, the LSTM
# wrapper with the shipped blob and its envelope, ekf+lstm) as a third image, checked tick by tick against the
# host example built from the same code (firmware_host --base-tick 10: one row a tick).
echo "== the whole firmware on the Cortex-M4 (firmware_image.c = ../host/firmware_tick.h)"
for f in "$model/firmware_lstm.c" "$model/firmware_fusion_lstm.c" "$soc/bms_soc_fused.c"; do
  arm-none-eabi-gcc $CF -Os -I"$soc/include" -I"$runtime/include" -I"$model" -c "$f" -o "$out/$(basename "$f" .c).o"
done
link_image firmware "$here/firmware_image.c" $objs $pobjs "$out/firmware_lstm.o" "$out/firmware_fusion_lstm.o" "$out/bms_soc_fused.o"
without_recording=$(flash firmware input_time_s input_vit)
without_blob=$(flash firmware input_time_s input_vit firmware_lstm firmware_fusion_lstm)
echo "flash of the whole-firmware image: $without_recording B without the recording, of which the two LSTM blobs" \
     "$((without_recording - without_blob)) B (code and the cell model $without_blob B)"
run_image firmware > "$out/firmware-m4.csv"
grep '^#' "$out/firmware-m4.csv"
make -s -C "$root/Examples/c/host" BUILD="$out/host" CFLAGS="-std=c99 -Wall -Wextra -Werror -O2 -ffp-contract=off" \
  "$out/host/firmware_host"
"$out/host/firmware_host" --base-tick 10 "$recording" > "$out/firmware-host.csv" 2> /dev/null
python3 - "$out/firmware-m4.csv" "$out/firmware-host.csv" <<'PY'
import csv, sys
m4 = [r for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#"))]
host = list(csv.DictReader(open(sys.argv[2])))
assert len(m4) == len(host) > 0, (len(m4), len(host))
same = sum(int(a["flags"]) == int(b["flags"], 16) and a["protection"] == b["protection"]
           and a["envelope_lstm"] == b["envelope_lstm"] for a, b in zip(m4, host))
def gap(k):
    return max((abs(float(a[k]) - float(b[k])) for a, b in zip(m4, host) if a[k] or b[k]), default=0.0)
worst = {k: gap(k) for k in ("soc_ah", "soc_ekf", "soc_lstm", "soc_ekf_lstm")}
print(f"{len(m4)} ticks; flags, protection and envelope equal on {same}; max |Cortex-M4 - host| SOC: "
      + ", ".join(f"{k[4:]} {v:.5f}" for k, v in worst.items()))
# Both print five decimals; allow one unit of the last digit for a different rounding of a tie.
sys.exit(0 if same == len(m4) and all(v <= 1.1e-5 for v in worst.values()) else 1)
PY
