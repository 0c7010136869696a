#!/usr/bin/env bash
# Installs the Debian packages BMSim needs, skipping those already present.
# Usage: Scripts/install-deps.sh [--cortex-m]   (--cortex-m adds the ARM cross toolchain and QEMU)
set -euo pipefail
pkgs=(libopenblas-dev zlib1g-dev libdeflate-dev pkg-config make)   # make: Examples/c/host
if [ "${1:-}" = "--cortex-m" ]; then
  pkgs+=(gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages present: ${pkgs[*]}"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
