#!/usr/bin/env bash
# Builds the C99 runtime standalone with strict warnings, then runs its host test
# (golden vectors, window API, truncated and corrupted blobs) under ASan + UBSan, on the
# version-1 golden model, on the version-2 one with the charge counter and prior (also with a
# prior capacity set at run time every 500 steps, Fixtures/golden-charge-prior), and on
# the version-3 one (the version-1 model with interleaved kernels, same expected outputs), the
# version-5 one (a prior-SOC input, with start-SOC and prior-capacity schedules, Fixtures/golden-start) and
# the version-6 one (an uncertainty head: the log variance of every step, bms_lstm_log_variance_q11);
# then the C estimators (Sources/CBMSSoc, strict build plus their own host tests under ASan +
# UBSan with the cell models and LSTM blob of Examples/c/model; built without hysteresis and
# without the charge-transfer term, -DBMS_SOC_HYSTERESIS=0 / -DBMS_SOC_CHARGE_TRANSFER=0; the EKF on
# two R-C pairs, also built without it, -DBMS_SOC_TWO_RC=0; ekf+lstm, bms_soc_fused.c; the LSTM wrapper's training-envelope flags,
# also built without them, -DBMS_SOC_ENVELOPE=0; the current
# sensor's auto-zero, bms_soc_current_offset.c, the plausibility checks, bms_soc_plausibility.c, the
# estimator bank's gating, bms_soc_bank.c, and the protection state machine, bms_soc_protection.c, each on
# its own) and the host examples
# (Examples/c/host: its Makefile, run on the fixture recording; firmware_host, the whole firmware
# tick, under ASan + UBSan through Examples/c/host/check-firmware.sh). The runtime is also built
# without its optional blob features (-DBMS_LSTM_START_SOC=0 -DBMS_LSTM_UNCERTAINTY=0): the
# golden replays of blobs that need neither, and Tests/CRuntime/bms_runtime_compiled_out_test.c.
# Usage: Scripts/test-c-runtime.sh   (from the package root; needs cc, and clang or gcc
# with sanitizer runtimes)
set -euo pipefail
cd "$(dirname "$0")/.."
src=Sources/CBMSRuntime
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CC=${CC:-cc}
echo "== strict C99 build ($CC)"
for f in "$src"/*.c; do
  "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -Wconversion -Wno-sign-conversion -O2 \
    -I"$src/include" -c "$f" -o "$out/$(basename "$f" .c).o"
done
"$CC" -std=c99 -Wall -Wextra -Werror -pedantic -O2 -DBMS_PORTABLE_KERNELS -I"$src/include" \
  -c "$src/bms_step.c" -o "$out/portable.o"
echo "== host test under ASan + UBSan"
"$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -I"$src/include" "$src"/*.c Tests/CRuntime/bms_runtime_test.c -o "$out/bms_runtime_test"
"$out/bms_runtime_test" Fixtures/golden
echo "== host test, version-2 blob (charge_drawn input + coulomb-count prior)"
"$out/bms_runtime_test" Fixtures/golden-charge
echo "== host test, version-2 blob with a prior-capacity schedule (golden-steps.bin version 2: bms_lstm_set_prior_capacity every 500 steps)"
"$out/bms_runtime_test" Fixtures/golden-charge-prior
echo "== host test, version-3 blob (interleaved kernels; must reproduce Fixtures/golden's outputs)"
"$out/bms_runtime_test" Fixtures/golden-v3
echo "== host test, version-5 blob (prior-SOC input) with start-SOC and prior-capacity schedules (golden-steps.bin version 4: bms_lstm_set_start_soc every 500 steps)"
"$out/bms_runtime_test" Fixtures/golden-start
cmp Fixtures/golden-v3/golden-steps.bin Fixtures/golden/golden-steps.bin
echo "== host test, version-6 blob (uncertainty head: SOC and log sigma^2 of every step, golden-steps.bin version 3)"
"$out/bms_runtime_test" Fixtures/golden-nll
echo "== host test, version-3 blob, AVX2 and AVX-512 paths compiled out (each build above runs every kernel the CPU has)"
"$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -DBMS_NO_AVX2 -DBMS_NO_AVX512 -I"$src/include" "$src"/*.c Tests/CRuntime/bms_runtime_test.c -o "$out/bms_runtime_test_sse2"
"$out/bms_runtime_test_sse2" Fixtures/golden-v3
echo "== host test, version-3 blob, portable kernel (no SSE2 path)"
"$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -DBMS_PORTABLE_KERNELS -I"$src/include" "$src"/*.c Tests/CRuntime/bms_runtime_test.c -o "$out/bms_runtime_test_portable"
"$out/bms_runtime_test_portable" Fixtures/golden-v3
"$out/bms_runtime_test_portable" Fixtures/golden
"$out/bms_runtime_test_portable" Fixtures/golden-nll
"$out/bms_runtime_test_portable" Fixtures/golden-start
echo "== runtime built without its optional blob features (-DBMS_LSTM_START_SOC=0 -DBMS_LSTM_UNCERTAINTY=0): golden replays bit for bit, v5/v6 blobs refused"
"$CC" -std=c99 -Wall -Wextra -Werror -pedantic -Wconversion -Wno-sign-conversion -O2 -DBMS_LSTM_START_SOC=0 -DBMS_LSTM_UNCERTAINTY=0 \
  -I"$src/include" -c "$src/bms_loader.c" -o "$out/loader_compiled_out.o"
"$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -DBMS_LSTM_START_SOC=0 -DBMS_LSTM_UNCERTAINTY=0 -I"$src/include" "$src"/*.c Tests/CRuntime/bms_runtime_test.c \
  -o "$out/bms_runtime_test_compiled_out"
for golden in Fixtures/golden Fixtures/golden-charge Fixtures/golden-charge-prior Fixtures/golden-v3; do
  "$out/bms_runtime_test_compiled_out" "$golden"
done
"$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra -Werror \
  -DBMS_LSTM_START_SOC=0 -DBMS_LSTM_UNCERTAINTY=0 -I"$src/include" "$src"/*.c Tests/CRuntime/bms_runtime_compiled_out_test.c \
  -o "$out/bms_runtime_compiled_out_test"
"$out/bms_runtime_compiled_out_test" Fixtures/models/lstm-anystart.bmsq Fixtures/golden-nll/golden-model.bmsq \
  Fixtures/golden-v3/golden-model.bmsq
echo "== C estimators (bms_soc): strict C99 build"
soc=Sources/CBMSSoc
model=Examples/c/model
for f in "$soc"/*.c "$model"/cell_model.c "$model"/cell_model_charge_transfer.c "$model"/cell_model_2rc.c; do
  "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -Wconversion -Wno-sign-conversion -Wdouble-promotion -O2 \
    -I"$soc/include" -I"$src/include" -I"$model" -c "$f" -o "$out/soc_$(basename "$f" .c).o"
done
echo "== C estimators: host test under ASan + UBSan (bad inputs, bad tables, a synthetic drive)"
"$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -Wall -Wextra -Werror -I"$soc/include" -I"$src/include" -I"$model" \
  "$soc"/*.c "$src"/*.c "$model"/cell_model.c "$model"/lstm_model.c Tests/CRuntime/bms_soc_test.c -lm -o "$out/bms_soc_test"
"$out/bms_soc_test"
# The firmware's measurement path and protection, each built from its own file (none needs another
# .c file; the bank includes bms_plausibility.h for the flags) with its host test.
for unit in "current_offset:the current sensor's auto-zero" "plausibility:the plausibility checks" \
            "bank:the estimator bank's gating" "protection:the protection state machine"; do
  name=${unit%%:*}
  echo "== C estimators: ${unit#*:} under ASan + UBSan, built from its own file"
  "$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
    -Wall -Wextra -Werror -pedantic -I"$soc/include" -I"$src/include" \
    "$soc/bms_soc_$name.c" "Tests/CRuntime/bms_soc_${name}_test.c" -lm -o "$out/bms_soc_${name}_test"
  "$out/bms_soc_${name}_test"
done
echo "== C estimators: ekf+lstm (bms_fused.h) under ASan + UBSan (the fusion's gating, a wrong start pulled, refusals)"
"$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -Wall -Wextra -Werror -pedantic -I"$soc/include" -I"$src/include" -I"$model" \
  "$soc"/*.c "$src"/*.c "$model"/cell_model.c "$model"/lstm_model.c Tests/CRuntime/bms_soc_fused_test.c \
  -lm -o "$out/bms_soc_fused_test"
"$out/bms_soc_fused_test"
echo "== C estimators: the charge-transfer term under ASan + UBSan (bad groups, a = 0, the term as R0 + eta/I)"
"$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -Wall -Wextra -Werror -I"$soc/include" -I"$src/include" -I"$model" \
  "$soc"/*.c "$src"/*.c "$model"/cell_model.c "$model"/cell_model_charge_transfer.c Tests/CRuntime/bms_soc_charge_transfer_test.c \
  -lm -o "$out/bms_soc_charge_transfer_test"
"$out/bms_soc_charge_transfer_test"
# Two optional parts, each built as is and with its switch off: the EKF on two R-C pairs under
# ASan + UBSan (refusals, 4 states with h, a drive; with -DBMS_SOC_TWO_RC=0 refused, the 1RC filter
# never reading the 2RC tables) and the LSTM wrapper's training-envelope flags (with
# -DBMS_SOC_ENVELOPE=0 an envelope refused, the wrapper without one unchanged).
for part in "two_rc:BMS_SOC_TWO_RC:cell_model_2rc.c:the EKF on two R-C pairs" \
            "envelope:BMS_SOC_ENVELOPE:lstm_model.c:the LSTM wrapper's training-envelope flags"; do
  IFS=: read -r name switch extra what <<< "$part"
  for flags in "" "-D$switch=0"; do
    echo "== C estimators: $what under ASan + UBSan${flags:+, built with $flags}"
    # shellcheck disable=SC2086
    "$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
      -Wall -Wextra -Werror -pedantic $flags -I"$soc/include" -I"$src/include" -I"$model" \
      "$soc"/*.c "$src"/*.c "$model"/cell_model.c "$model/$extra" "Tests/CRuntime/bms_soc_${name}_test.c" \
      -lm -o "$out/bms_soc_${name}_test"
    "$out/bms_soc_${name}_test"
  done
done
echo "== C estimators over the runtime built without its optional blob features (the example blob needs neither)"
"$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -Wall -Wextra -Werror -DBMS_LSTM_START_SOC=0 -DBMS_LSTM_UNCERTAINTY=0 -I"$soc/include" -I"$src/include" -I"$model" \
  "$soc"/*.c "$src"/*.c "$model"/cell_model.c "$model"/lstm_model.c Tests/CRuntime/bms_soc_test.c -lm -o "$out/bms_soc_test_min"
"$out/bms_soc_test_min"
echo "== C estimators built with -DBMS_SOC_HYSTERESIS=0 (no hysteresis state): strict build and their test"
"$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -Wall -Wextra -Werror -pedantic -DBMS_SOC_HYSTERESIS=0 -I"$soc/include" -I"$src/include" -I"$model" \
  "$soc"/*.c "$src"/*.c "$model"/cell_model.c Tests/CRuntime/bms_soc_nohysteresis_test.c -lm -o "$out/bms_soc_nohysteresis_test"
"$out/bms_soc_nohysteresis_test"
echo "== C estimators built with -DBMS_SOC_CHARGE_TRANSFER=0 (and without hysteresis and 2RC): strict builds and their test"
for f in "$soc"/*.c; do
  "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -Wconversion -Wno-sign-conversion -Wdouble-promotion -O2 \
    -DBMS_SOC_CHARGE_TRANSFER=0 -DBMS_SOC_HYSTERESIS=0 -DBMS_SOC_TWO_RC=0 -I"$soc/include" -I"$src/include" -c "$f" -o "$out/soc_nct_$(basename "$f" .c).o"
done
"$CC" -std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -Wall -Wextra -Werror -pedantic -DBMS_SOC_CHARGE_TRANSFER=0 -I"$soc/include" -I"$src/include" -I"$model" \
  "$soc"/*.c "$src"/*.c "$model"/cell_model.c "$model"/cell_model_charge_transfer.c Tests/CRuntime/bms_soc_nochargetransfer_test.c \
  -lm -o "$out/bms_soc_nochargetransfer_test"
"$out/bms_soc_nochargetransfer_test"
echo "== host example (Examples/c/host): build with its Makefile and run on the fixture recording"
make -s -C Examples/c/host CC="$CC" BUILD="$out/host-example" >/dev/null
"$out/host-example/soc_host" Fixtures/recordings/synthetic-cycle.csv > "$out/host-example.csv"
echo "$(wc -l < "$out/host-example.csv") lines: $(head -1 "$out/host-example.csv") ... $(tail -1 "$out/host-example.csv")"
echo "== host example firmware_host (Examples/c/host/firmware.c, the whole C firmware tick) under ASan + UBSan: clean, faulted and bad input"
make -s -C Examples/c/host CC="$CC" BUILD="$out/host-firmware" \
  CFLAGS="-std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra -Werror -pedantic" \
  "$out/host-firmware/firmware_host" >/dev/null
make -s -C Examples/c/host CC="$CC" BUILD="$out/host-firmware-nmc" FIRMWARE_MODEL=cell_model_charge_transfer \
  CFLAGS="-std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra -Werror -pedantic" \
  "$out/host-firmware-nmc/firmware_host" >/dev/null
Examples/c/host/check-firmware.sh "$out/host-firmware/firmware_host" "$out/host-firmware/check" \
  "$out/host-firmware-nmc/firmware_host"
