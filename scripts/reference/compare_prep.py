#!/usr/bin/env python3
"""Cross-check `perturb prep` against scanpy 1.11.5 end to end and print a markdown table for docs/RESULTS.md.

For each dataset (the committed simulator output; Papalexi 2021 when ../shared/realdata is present) and each
highly-variable-gene case, runs `perturb prep --no-subset` (so every gene keeps its HVG columns), runs scanpy's
normalize_total + log1p + highly_variable_genes on the same input, and compares: the HVG sets, the largest
relative difference of every numeric HVG column, and the largest absolute difference of the normalized values.

    .venv-eval/bin/python scripts/reference/compare_prep.py .build/release/perturb
"""
import os
import subprocess
import sys
import tempfile

import anndata as ad
import numpy as np
import scanpy as sc

CASES = [
    ("seurat top 100", ["--hvg", "100", "--hvg-flavor", "seurat"], "seurat", "log", False),
    ("seurat cutoffs", ["--hvg-cutoffs", "--hvg-flavor", "seurat"], "seurat", "log", False),
    ("cell_ranger top 100", ["--hvg", "100", "--hvg-flavor", "cell_ranger"], "cell_ranger", "log", False),
    ("seurat_v3 top 100", ["--hvg", "100", "--hvg-flavor", "seurat_v3"], "seurat_v3", "counts", False),
    ("seurat per batch", ["--hvg", "100", "--hvg-flavor", "seurat"], "seurat", "log", True),
    ("cell_ranger per batch", ["--hvg", "100", "--hvg-flavor", "cell_ranger"], "cell_ranger", "log", True),
    ("seurat_v3 per batch", ["--hvg", "100", "--hvg-flavor", "seurat_v3"], "seurat_v3", "counts", True),
    ("seurat_v3_paper per batch", ["--hvg", "100", "--hvg-flavor", "seurat_v3_paper"], "seurat_v3_paper", "counts", True),
]
DATASETS = [
    ("simulator (440 × 400)", "Tests/Fixtures/prep/sim_counts.h5ad", "target_gene", "non-targeting", "batch"),
    ("Papalexi 2021 (20,729 × 299)", "../shared/realdata/sceptre_papalexi_lowmoi/papalexi2021_lowmoi_subset.h5ad",
     "perturbation", "non-targeting", "bio_rep"),
]


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/perturb"
    print("| data | case | HVGs (ours / scanpy / shared) | max rel. diff of HVG columns | max abs. diff of log1p values |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for label, path, pert, control, batch in DATASETS:
            if not os.path.exists(path):
                print(f"| {label} | absent: {path} | | | |")
                continue
            counts = ad.read_h5ad(path)
            counts.X = counts.X.astype(np.float32)
            log = counts.copy()
            sc.pp.normalize_total(log)
            sc.pp.log1p(log)
            for name, flags, flavor, source, batched in CASES:
                out = os.path.join(tmp, "out.h5ad")
                args = [binary, "prep", path, "--pert-col", pert, "--control", control, "--normalize", "--log1p",
                        "--min-cells-per-condition", "0", "--min-cells-per-combination", "0", "--no-subset", "--quiet",
                        "-o", out] + flags + (["--batch-key", batch] if batched else [])
                subprocess.run(args, check=True)
                ours = ad.read_h5ad(out)
                ref_input = (log if source == "log" else counts).copy()
                kwargs = {} if "--hvg-cutoffs" in flags else {"n_top_genes": 100}
                ref = sc.pp.highly_variable_genes(ref_input, flavor=flavor, inplace=False,
                                                  batch_key=batch if batched else None, **kwargs)
                ref.index = ref_input.var_names
                a = set(ours.var_names[ours.var["highly_variable"].to_numpy()])
                b = set(ref.index[ref["highly_variable"].to_numpy()])
                worst = 0.0
                for column in ours.var.columns:
                    if column == "highly_variable" or column not in ref.columns:
                        continue
                    x = ours.var[column].to_numpy(np.float64)
                    y = ref[column].to_numpy(np.float64)
                    both = ~(np.isnan(x) | np.isnan(y))
                    assert (np.isnan(x) == np.isnan(y)).all() or column == "highly_variable_rank", column
                    if column == "highly_variable_rank":
                        both &= x == x  # ranks of exactly tied genes may swap (numpy's unstable argsort)
                        continue
                    rel = np.abs(x[both] - y[both]) / np.maximum(1, np.abs(y[both]))
                    worst = max(worst, float(rel.max()) if rel.size else 0.0)
                diff = abs(ours.X - log.X.tocsr()).max()
                print(f"| {label} | {name} | {len(a)} / {len(b)} / {len(a & b)} | {worst:.1e} | {diff:.1e} |")


if __name__ == "__main__":
    main()
