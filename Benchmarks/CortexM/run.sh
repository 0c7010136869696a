#!/bin/sh
# Cross-compiles the C runtime for Cortex-M4 (arm-none-eabi-gcc -O2), runs the golden
# vectors bare-metal under QEMU (mps2-an386) and prints instructions per step, code size
# and RAM. Usage (from the package root): Benchmarks/CortexM/run.sh [steps] [portable]
#   steps     golden steps to replay (default 10000)
#   portable  build the portable C kernel instead of the SXTB16/SMLAD one
# Needs: gcc-arm-none-eabi, qemu-system-arm, python3, and a built bmsim (swift build).
# GOLDEN_DIR=dir replays another golden-model.bmsq / golden-steps.bin pair (bmsim golden),
# e.g. GOLDEN_DIR=Fixtures/golden-v3 for the version-3 (interleaved-kernel) blob, or
# GOLDEN_DIR=Fixtures/golden-start for the version-5 blob with start-SOC and capacity schedules.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
steps=${1:-10000}
golden=${GOLDEN_DIR:-$root/Fixtures/golden}
variant=${2:-dsp}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
shift_n=4
bmsim="$root/.build/debug/bmsim"
[ -x "$bmsim" ] || bmsim="$root/.build/release/bmsim"
"$bmsim" export "$golden/golden-model.bmsq" --c-header "$out/golden_model.h" >/dev/null
python3 "$here/make-vectors.py" "$golden/golden-steps.bin" "$out/golden_vectors.h" "$steps"
extra=""
[ "$variant" = portable ] && extra="-DBMS_PORTABLE_KERNELS"
CF="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2 -std=c99 -Wall -Wextra -ffunction-sections -fdata-sections -fstack-usage $extra"
src="$root/Sources/CBMSRuntime"
objs=""
for f in bms_loader bms_step bms_fixed bms_tables; do
  arm-none-eabi-gcc $CF -I"$src/include" -c "$src/$f.c" -o "$out/$f.o"
  objs="$objs $out/$f.o"
done
arm-none-eabi-gcc $CF -DICOUNT_SHIFT=$shift_n -fno-tree-loop-distribute-patterns -nostdlib -nostartfiles \
  -T "$here/mps2.ld" -Wl,--gc-sections -I"$src/include" -I"$out" -I"$here" \
  "$here/startup.c" "$here/main.c" $objs -lc -lgcc -o "$out/fw.elf"
echo "== runtime object sizes (text = code + tables, bytes)"
arm-none-eabi-size $objs | sed "s|$out/||"
echo "== stack usage of the step path (bytes per function, -fstack-usage)"
cat "$out"/bms_step.su "$out"/bms_loader.su | sed "s|.*/||"
[ "$variant" = portable ] || echo "bms_units_cm4.h:bms_lstm_units_cm4	120	static (assembly, called by bms_lstm_step_s8: 9 registers + an 84-byte frame)"
echo "== QEMU run ($variant kernel, $steps steps)"
timeout 600 qemu-system-arm -M mps2-an386 -cpu cortex-m4 -nographic -monitor none -serial none \
  -chardev stdio,id=sh0 -semihosting-config enable=on,target=native,chardev=sh0 \
  -icount shift=$shift_n -kernel "$out/fw.elf"
