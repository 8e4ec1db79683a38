#!/usr/bin/env python3
"""Golden fixtures for `perturb prep`: scanpy's normalize_total/log1p values and highly-variable-gene tables,
and scikit-misc's LOESS fitted values.

Pinned: scanpy 1.11.5, scikit-misc 0.5.3, anndata 0.12.19 (scripts/reference/requirements-eval.txt, installed
into .venv-eval by `scripts/setup-reference --eval`). Run from the repository root:

    .venv-eval/bin/python scripts/reference/make_prep_fixtures.py Tests/Fixtures/prep

Inputs
- Tests/Fixtures/prep/sim_counts.h5ad (committed): `perturb simulate --perturbations 12 --doubles 6
  --cells-per 20 --controls 80 --genes 400 --batches 2 --library-size 1500 --seed 7 --gzip 9`.
- ../shared/realdata/sceptre_papalexi_lowmoi/papalexi2021_lowmoi_subset.h5ad (raw UMI counts; batches are
  `bio_rep`), when present. Its outputs are small CSVs; the h5ad itself is never copied.

Outputs per dataset D (`sim`, `papalexi`)
- norm_D_cells.csv: normalize_total (median target) + log1p values of about 40 evenly spaced cells.
- norm_D_gene_sums.csv: per-gene float64 sums of the normalized log1p values over all cells.
- hvg_D_CASE.csv: scanpy's per-gene table (inplace=False) for each case below.
Plus loess_CASE.csv: x, y and skmisc's fitted values (span 0.3, degree 2).
"""
import os
import sys

import anndata as ad
import numpy as np
import pandas as pd
import scanpy as sc
from skmisc.loess import loess

PAPALEXI = "../shared/realdata/sceptre_papalexi_lowmoi/papalexi2021_lowmoi_subset.h5ad"
TOP = 100

CASES = [
    # name, flavor, input, batched, extra kwargs
    ("seurat_top", "seurat", "log", False, {"n_top_genes": TOP}),
    ("seurat_cutoffs", "seurat", "log", False, {}),
    ("cell_ranger_top", "cell_ranger", "log", False, {"n_top_genes": TOP}),
    ("seurat_v3_top", "seurat_v3", "counts", False, {"n_top_genes": TOP}),
    ("seurat_batch", "seurat", "log", True, {"n_top_genes": TOP}),
    ("cell_ranger_batch", "cell_ranger", "log", True, {"n_top_genes": TOP}),
    ("seurat_v3_batch", "seurat_v3", "counts", True, {"n_top_genes": TOP}),
    ("seurat_v3_paper_batch", "seurat_v3_paper", "counts", True, {"n_top_genes": TOP}),
]


def write_csv(frame, path):
    frame.to_csv(path, float_format="%.17g")
    print("wrote", path, frame.shape)


def dataset(out, name, counts, batch_key):
    counts.X = counts.X.astype(np.float32)
    log = counts.copy()
    sc.pp.normalize_total(log)
    sc.pp.log1p(log)
    X = log.X.tocsr()
    rows = list(range(0, log.n_obs, max(1, log.n_obs // 40)))
    dense = pd.DataFrame(X[rows].toarray().astype(np.float64), index=log.obs_names[rows], columns=log.var_names)
    dense.to_csv(os.path.join(out, f"norm_{name}_cells.csv"), float_format="%.9g")  # float32 values
    sums = np.asarray(X.astype(np.float64).sum(axis=0)).ravel()
    write_csv(pd.DataFrame({"sum": sums}, index=log.var_names), os.path.join(out, f"norm_{name}_gene_sums.csv"))
    for case, flavor, source, batched, kwargs in CASES:
        data = (log if source == "log" else counts).copy()
        try:
            frame = sc.pp.highly_variable_genes(data, flavor=flavor, inplace=False,
                                                batch_key=batch_key if batched else None, **kwargs)
        except ValueError as error:
            print(f"skip {name}/{case}: scanpy raised {error}")
            continue
        frame = frame.drop(columns=[c for c in ("mean_bin", "gene_name") if c in frame.columns])
        frame.index = data.var_names
        frame.index.name = "gene"
        write_csv(frame, os.path.join(out, f"hvg_{name}_{case}.csv"))


def loess_cases(out):
    rng = np.random.default_rng(20261121)
    x = rng.uniform(-2, 3, 300)
    y = np.sin(2 * x) + 0.3 * rng.standard_normal(300)
    xt = np.round(rng.gamma(2.0, 2.0, 400), 1)  # many ties: x to one decimal
    yt = np.log1p(xt) + 0.2 * rng.standard_normal(400)
    for case, (a, b) in {"random": (x, y), "ties": (xt, yt)}.items():
        model = loess(a, b, span=0.3, degree=2)
        model.fit()
        frame = pd.DataFrame({"x": a, "y": b, "fitted": model.outputs.fitted_values})
        frame.to_csv(os.path.join(out, f"loess_{case}.csv"), index=False, float_format="%.17g")
        print("wrote", f"loess_{case}.csv")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/prep"
    os.makedirs(out, exist_ok=True)
    loess_cases(out)
    sim = ad.read_h5ad(os.path.join(out, "sim_counts.h5ad"))
    dataset(out, "sim", sim, "batch")
    if os.path.exists(PAPALEXI):
        dataset(out, "papalexi", ad.read_h5ad(PAPALEXI), "bio_rep")
    else:
        print("skip papalexi: not found at", PAPALEXI)


if __name__ == "__main__":
    main()
