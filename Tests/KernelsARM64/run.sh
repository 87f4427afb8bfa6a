#!/usr/bin/env bash
# Builds the kernels and parity.c for ARM64 with the cross compiler and runs them under user-mode emulation:
# once for the ARMv8.0 baseline (Cortex-A53: Pi Zero 2 W, Pi 3) and once with the dot-product instructions
# (ARMv8.2: Cortex-A76, Pi 5). Needs gcc-aarch64-linux-gnu and qemu-user-static (Board/install-deps.sh).
# Usage: Tests/KernelsARM64/run.sh [SCRATCH_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
kernels="$here/../../Sources/SLMKernels"
scratch="${1:-$(mktemp -d)}"
mkdir -p "$scratch"
for march in armv8-a armv8.2-a+dotprod; do
    binary="$scratch/parity-${march//+/-}"
    aarch64-linux-gnu-gcc -std=gnu11 -O2 -march="$march" -static -I "$kernels/include" -I "$kernels" \
        "$kernels"/*.c "$here/parity.c" -lm -lpthread -o "$binary"
    echo "== $march"
    qemu-aarch64-static "$binary"
done
