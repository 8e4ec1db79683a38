#!/usr/bin/env bash
# Reproduces the reverse-prediction figures of docs/RESULTS.md (issue 6) on the simulator and, when
# ../shared/realdata is present, on the Norman part of PerturBench's development file.
# Usage: scripts/reverse-results.sh [WORKDIR]   (needs the release build: swift build -c release)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
P="$ROOT/.build/release/perturb"
W="${1:-$ROOT/bench-reverse}"
mkdir -p "$W" && cd "$W"

# MRR over the conditions whose observed (masked) delta norm is at or above the median: the strong half.
strong() {  # per_condition.csv model
  awk -F, -v m="$2" 'NR > 1 && $1 == m { print $7, $9 }' "$1" | sort -g |
    awk -v m="$2" '{ v[NR] = $2 } END { for (i = 1; i <= NR; i++) { s += v[i]; if (i > NR / 2) { t += v[i]; n++ } }
                     printf "%s: MRR all %.3f, strong half %.3f (%d conditions)\n", m, s / NR, t / n, n }'
}
# Fraction of held-out perturbations whose own label the screen ranks in the top 5 (all, and the strong half
# by unperturbed source-to-target distance).
screen_rank() {  # model from to labels-file [screen options…]
  local model=$1 from=$2 to=$3 labels=$4; shift 4
  for L in $(cat "$labels"); do
    "$P" screen "$model" --from "$from" --from-group non-targeting --to "$to" --to-group "$L" -o screen.csv --quiet "$@" > screen.txt
    echo "$L $(head -1 screen.txt | awk '{ print $NF }') $(awk -F, -v L="$L" '$2 == L { print $1 }' screen.csv)"
  done | sort -k2 -g | awk '{ r[NR] = $3 } END { for (i = 1; i <= NR; i++) { if (r[i] <= 5) a++; if (r[i] == 1) o++;
         if (i > NR / 2) { n++; if (r[i] <= 5) s++ } } printf "top-5 %d/%d, top-1 %d/%d, strong half top-5 %d/%d\n", a, NR, o, NR, s, n }'
}

echo "== simulator, held-out batch (seen targets)"
"$P" simulate --perturbations 48 --cells-per 160 --genes 1000 --modules 16 --batches 4 --seed 1 --log1p -o sim4.h5ad --quiet
"$P" split sim4.h5ad --strategy batch --batch-col batch --n-val-batches 1 --seed 0 -o batch4.json --write-h5ad parts4 --quiet
"$P" reverse sim4.h5ad --split batch4.json --model pca-knn --model 'forward-retrieval:forward=additive' --model xgboost \
    --model random-forest --model cell-level -o rev4 --quiet
for m in pca-knn forward-retrieval:forward=additive xgboost random-forest cell-level; do strong rev4/per_condition.csv "$m"; done

echo "== simulator, unseen perturbations"
"$P" simulate --perturbations 96 --cells-per 100 --genes 1000 --modules 16 --seed 2 --log1p -o simu.h5ad --quiet
"$P" split simu.h5ad --strategy unseen-perturbation --seed 0 -o unseen.json --quiet
"$P" reverse simu.h5ad --split unseen.json --model pca-knn --model 'forward-retrieval:forward=linear-pca' \
    --model 'forward-retrieval:forward=ridge' -o revu --quiet
"$P" reverse simu.h5ad --split unseen.json --model 'forward-retrieval:forward=linear-pca' --universe genes -o revug --quiet

echo "== screen: held-out batch, additive model (the perturbation was seen in the training batches)"
awk -F, 'NR > 1 && $1 == "pca-knn" { print $2 }' rev4/per_condition.csv | sort -u > test4.txt
"$P" fit sim4.h5ad --split batch4.json --model additive -o additive4 --quiet
screen_rank additive4 parts4/test.h5ad parts4/test.h5ad test4.txt

echo "== screen: unseen perturbations, linear-pca; the 96-target library (cosine), and every gene (l2)"
awk -F, 'NR > 1 && $1 == "pca-knn" { print $2 }' revu/per_condition.csv | sort -u > testu.txt
# forward-retrieval scores every candidate of the universe (all 96 targets), so its rankings list the library.
awk -F, '$1 == "forward-retrieval:forward=linear-pca" { print $6 }' revu/rankings.csv | sort -u > library.txt
"$P" fit simu.h5ad --split unseen.json --model linear-pca -o lpca --quiet
screen_rank lpca simu.h5ad simu.h5ad testu.txt --distance cosine --candidates library.txt
screen_rank lpca simu.h5ad simu.h5ad testu.txt --distance l2

if [ -f "$ROOT/../shared/realdata/perturbench_devel/devel.h5ad" ]; then
  echo "== Norman 2019 (PerturBench development file), combo split, seeds 0-4"
  "$P" prep "$ROOT/../shared/realdata/perturbench_devel/devel.h5ad" --keep dataset=norman19 --pert-col perturbation \
      --control control -o norman.h5ad --quiet
  for s in 0 1 2 3 4; do
    "$P" split norman.h5ad --strategy combo --pert-col perturbation --control control --seed $s -o combo$s.json --quiet
    "$P" reverse norman.h5ad --split combo$s.json --seed $s --model pca-knn --model random-forest --model xgboost \
        --model 'forward-retrieval:forward=additive,pairs=seen' --model 'forward-retrieval:forward=linear' \
        --model 'forward-retrieval:forward=linear-pca' --model cell-level --model 'cell-level:base=xgboost' \
        -o norman$s --quiet > /dev/null
  done
  awk -F, -f "$ROOT/scripts/reverse-table.awk" norman{0,1,2,3,4}/metrics.csv
fi
