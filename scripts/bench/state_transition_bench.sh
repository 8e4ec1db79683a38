#!/usr/bin/env bash
# Training throughput of `state-transition` against the same network and step in PyTorch, side by side, for
# S = 32, 128, 512 (8 sets per step, 600 genes on 50 principal axes, 2 blocks × 4 heads, 128 wide, the same thread count).
#   scripts/bench/state_transition_bench.sh PREPPED.h5ad SPLIT.json [THREADS, default 1: libtorch's own default here]
# perturb: 3 epochs × 10 steps, the trainer's cells/s (steps only, validation excluded), peak RSS of `perturb fit`.
# PyTorch: scripts/bench/state_transition_torch.py, 30 timed steps after one warm-up, random data of the same shape,
# on Debian's python3-torch (the libtorch 1.13.1 perturb links; `scripts/setup-reference --torch` installs it).
set -euo pipefail
data="$1"; split="$2"; threads="${3:-1}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
perturb="$root/.build/release/perturb"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| S | perturb cells/s | perturb peak RSS | PyTorch cells/s | PyTorch peak RSS |"
echo "|---:|---:|---:|---:|---:|"
for S in 32 128 512; do
  /usr/bin/time -f "%M" -o "$work/rss" "$perturb" fit "$data" --split "$split" --model state-transition --threads "$threads" \
    --param set_size=$S --param epochs=3 --param steps_per_epoch=10 --param patience=0 -o "$work/m-$S" 2> "$work/log"
  ours=$(grep -o "kept epoch.*" "$work/log" | grep -o "[0-9]* cells/s" | awk '{print $1}')
  ours_rss=$(awk '{printf "%.0f", $1 / 1024}' "$work/rss")
  theirs=$(/usr/bin/python3 "$root/scripts/bench/state_transition_torch.py" --set-size $S --threads "$threads")
  echo "| $S | $ours | $ours_rss MiB | $(echo "$theirs" | grep -o "[0-9]* cells/s" | awk '{print $1}') | $(echo "$theirs" | grep -o "peak [0-9]*" | awk '{print $2}') MiB |"
done
