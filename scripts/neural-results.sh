#!/usr/bin/env bash
# Regenerates the issue-8 numbers (neural models) in docs/RESULTS.md and docs/BENCHMARKS.md on the release build:
# the simulator covariate-transfer benchmark, the Norman combo benchmark (skipped without ../shared) and the
# training throughput of each neural model on a 2,000-gene simulated screen.
#   bash scripts/neural-results.sh            # outputs under $OUT (default /tmp/neural-results)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product perturb >/dev/null
P=.build/release/perturb
OUT=${OUT:-/tmp/neural-results}
mkdir -p "$OUT"

# 1. Simulator, covariate transfer (cell type type2 held out but for 30 % of its perturbations).
$P simulate --perturbations 40 --cells-per 150 --cell-types 3 --genes 1000 --log1p --seed 1 -o sim-celltypes.h5ad --quiet
/usr/bin/time -f "simulator benchmark: %e s" $P benchmark examples/simulator_covariate_neural.toml -o "$OUT/bench-sim" --quiet

# 2. Norman 2019 doubles, combo split.
if [ -f ../shared/realdata/perturbench_devel/devel.h5ad ]; then
  /usr/bin/time -f "norman benchmark: %e s" $P benchmark examples/norman_combo_neural.toml -o "$OUT/bench-norman" --quiet
fi

# 3. Training throughput on 2,000 genes: 60 perturbations x 100 cells + 300 controls, 5 epochs, no early stop.
$P simulate --perturbations 60 --cells-per 100 --genes 2000 --log1p --seed 2 -o "$OUT/sim2000.h5ad" --quiet
$P split "$OUT/sim2000.h5ad" --seed 0 -o "$OUT/split2000.json" --quiet
for spec in "latent-additive" "decoder-only" "decoder-only inputs=covariates" "cpa" "cpa adversary=false"; do
  read -r model extra <<<"$spec"
  params=(--param epochs=5 --param patience=0)
  [ -n "${extra:-}" ] && params+=(--param "$extra")
  threads_list="1 2"
  for threads in $threads_list; do
    line=$($P fit "$OUT/sim2000.h5ad" --split "$OUT/split2000.json" --model "$model" "${params[@]}" --param threads=$threads \
             -o "$OUT/model-$model-$threads" 2>&1 | grep "kept epoch")
    echo "throughput | $spec | threads $threads | $line"
  done
done
