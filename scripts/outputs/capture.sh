#!/usr/bin/env bash
# Captures the outputs a refactor must leave byte-identical: perturb demo, the Norman combo benchmark (needs
# ../shared), perturb eval (full and perturbench) on the eval fixtures, and simulate/split/reverse/fit/predict/
# screen/embed-eval on a small simulated screen.
# usage: scripts/outputs/capture.sh PERTURB_BINARY OUTDIR   (OUTDIR absolute; capture both sides into the same
# path, e.g. /tmp/out, moving the first away, since run keys and manifests record paths)
set -euo pipefail
P=$(realpath "$1"); O=$2
rm -rf "$O"; mkdir -p "$O"
cd "$(dirname "$0")/../.."
$P demo -o "$O/demo" --quiet > "$O/demo.stdout"
$P benchmark examples/norman_combo.toml -o "$O/norman" --quiet > "$O/norman.stdout"
for c in basic celltype counts ties; do
  d=Tests/Fixtures/eval/$c
  for prof in full perturbench; do
    extra=""; [ "$c" = celltype ] && extra="--celltype-col celltype"
    $P eval --real $d/real.h5ad --pred $d/pred.h5ad --profile $prof $extra -o "$O/eval-$c-$prof" --quiet > "$O/eval-$c-$prof.stdout" 2>&1 || echo "eval $c $prof failed rc=$?" >> "$O/errors"
  done
done
S=$O/demo
ls $S > "$O/demo.ls"
# reverse + neural fit/predict on a small simulated screen
$P simulate --perturbations 20 --doubles 6 --cells-per 40 --genes 300 --seed 3 --log1p -o "$O/small.h5ad" --quiet
$P split "$O/small.h5ad" --strategy combo --seed 0 -o "$O/small-split.json" --quiet
$P reverse "$O/small.h5ad" --split "$O/small-split.json" --model pca-knn --model xgboost --model 'forward-retrieval:forward=additive' -o "$O/reverse" --quiet > "$O/reverse.stdout" 2>&1
$P fit "$O/small.h5ad" --split "$O/small-split.json" --model latent-additive --param epochs=2 --seed 3 -o "$O/la-model" --quiet
$P predict "$O/la-model" --data "$O/small.h5ad" --split "$O/small-split.json" -o "$O/la-pred.h5ad" --quiet
$P fit "$O/small.h5ad" --split "$O/small-split.json" --model linear-pca -o "$O/lp-model" --quiet
$P predict "$O/lp-model" --data "$O/small.h5ad" --split "$O/small-split.json" -o "$O/lp-pred.h5ad" --real-output "$O/lp-real.h5ad" --quiet
$P screen "$O/lp-model" --from "$O/small.h5ad" --from-group non-targeting --to "$O/small.h5ad" --to-group G0004 -o "$O/screen.csv" --quiet > /dev/null 2>&1 || echo "screen failed" >> "$O/errors"
$P embed-eval "$O/small.h5ad" --batch-col batch -o "$O/embed" --quiet > /dev/null 2>&1 || echo "embed-eval failed" >> "$O/errors"
echo done
