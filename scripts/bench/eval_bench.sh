#!/usr/bin/env bash
# `perturb eval` vs `cell-eval run` on the same synthetic files (docs/BENCHMARKS.md). Needs .venv-eval
# (scripts/setup-reference --eval) and a release build (make release). Usage: scripts/bench/eval_bench.sh [tool]
# with tool = both (default), perturb or cell-eval. Prints one line per run: case profile tool seconds peak-GiB.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$root/bench-data/eval"
tool="${1:-both}"
mkdir -p "$data/a" "$data/b"
[ -f "$data/a/pred.h5ad" ] || "$root/.venv-eval/bin/python" "$root/scripts/bench/make_eval_bench.py" "$data/a" 150 100 100 18080 1
[ -f "$data/b/pred.h5ad" ] || "$root/.venv-eval/bin/python" "$root/scripts/bench/make_eval_bench.py" "$data/b" 50 1000 5000 18080 2
measure() {  # label command...
  local label="$1"; shift
  /usr/bin/time -v "$@" > /dev/null 2> "$data/time.log" || { tail -20 "$data/time.log"; exit 1; }
  awk -v label="$label" '/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); s = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
       /Maximum resident/ { kb = $NF } END { printf "%s %.1f s %.2f GiB\n", label, s, kb / 1048576 }' "$data/time.log"
}
for run in "a vcc" "a full" "b vcc"; do
  set -- $run
  if [ "$tool" != "perturb" ]; then
    measure "$1 $2 cell-eval" "$root/.venv-eval/bin/cell-eval" run -ap "$data/$1/pred.h5ad" -ar "$data/$1/real.h5ad" \
      -o "$data/$1/cell-eval-$2" --profile "$2" --num-threads 2
  fi
  if [ "$tool" != "cell-eval" ]; then
    measure "$1 $2 perturb" "$root/.build/release/perturb" eval --real "$data/$1/real.h5ad" --pred "$data/$1/pred.h5ad" \
      -o "$data/$1/perturb-$2" --profile "$2" --threads 2 --quiet
  fi
done
