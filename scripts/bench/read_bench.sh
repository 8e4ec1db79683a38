#!/usr/bin/env bash
# Time and peak memory to read X (and obs/var) of an h5ad: `perturb inspect` (release build) vs anndata.read_h5ad.
#   scripts/bench/read_bench.sh FILE.h5ad
# Prints one Markdown table row per tool: wall seconds and peak RSS (GNU time's "Maximum resident set size").
set -euo pipefail
file="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
perturb="$root/.build/release/perturb"
python="$root/.venv-ref/bin/python"
measure() {
  local label="$1"; shift
  local log; log=$(mktemp)
  /usr/bin/time -v "$@" > /dev/null 2> "$log"
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  printf '| %s | %s | %.2f GiB |\n' "$label" "$wall" "$(awk -v k="$rss" 'BEGIN { print k / 1048576 }')"
  rm -f "$log"
}
echo "| tool | wall (m:ss) | peak RSS |"
echo "|---|---|---|"
measure "perturb inspect (PerturbKit $("$perturb" --version))" "$perturb" inspect "$file" --quiet
measure "anndata.read_h5ad ($("$python" -c 'import importlib.metadata as m; print(m.version("anndata"))'))" \
  "$python" -c "import anndata, sys; a = anndata.read_h5ad(sys.argv[1]); print(a.X.nnz)" "$file"
