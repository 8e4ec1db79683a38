#!/bin/bash
# perturb fit on the CPU and on CUDA at fp32 / bf16 / fp16, side by side on one machine (docs/BENCHMARKS.md,
# "The CUDA path and mixed precision"). Needs a perturb built against a CUDA libtorch (LIBTORCH=… swift build).
# Usage: scripts/bench/cuda_fit_bench.sh PERTURB WORKDIR
set -euo pipefail
P=$(realpath "$1"); W=$2
mkdir -p "$W" && cd "$W"
[ -f prep.h5ad ] || {
  $P simulate --perturbations 100 --cells-per 200 --genes 2000 --seed 1 -o sim.h5ad --quiet
  $P prep sim.h5ad --normalize --log1p -o prep.h5ad --quiet
  $P split prep.h5ad --strategy unseen-perturbation --test 0.2 -o split.json --quiet
}
fit() { # label, then perturb fit arguments
  local label=$1; shift
  local s=$(date +%s.%N)
  $P fit prep.h5ad --split split.json --param seed=1 "$@" 2>&1 | grep -E "kept|Error" | sed "s/^/$label: /"
  echo "$label: wall $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $s }") s"
}
for m in latent-additive state-transition; do
  for run in "cpu fp32" "cpu bf16" "cuda fp32" "cuda bf16" "cuda fp16"; do
    set -- $run
    fit "$m $1 $2" --model $m --param epochs=3 --device $1 --precision $2 -o "m-$m-$1-$2"
  done
done
fit "latent-additive cpu fp32 threads=1" --model latent-additive --param epochs=3 --threads 1 -o m-la-t1
for p in fp32 bf16 fp16; do
  fit "state-transition hidden=512 set_size=256 cuda $p" --model state-transition --param epochs=2 --param hidden=512 \
    --param set_size=256 --device cuda --precision $p -o "m-big-$p"
done
