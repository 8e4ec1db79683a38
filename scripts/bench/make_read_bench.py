#!/usr/bin/env python3
"""Writes the h5ad used by the read benchmark in docs/BENCHMARKS.md, with the reference anndata.

    python scripts/bench/make_read_bench.py OUT.h5ad [--cells 100000] [--genes 18080] [--density 0.055] [--gzip]

Counts (float32) with ~density non-zeros per row, CSR, obs['target_gene'] categorical with 200 perturbations and
'non-targeting'. Deterministic (seed 0).
"""
import argparse

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--cells", type=int, default=100_000)
p.add_argument("--genes", type=int, default=18_080)
p.add_argument("--density", type=float, default=0.055)
p.add_argument("--gzip", action="store_true")
args = p.parse_args()

rng = np.random.default_rng(0)
blocks = []
step = 2_000
for start in range(0, args.cells, step):
    rows = min(step, args.cells - start)
    mask = rng.random((rows, args.genes), dtype=np.float32) < args.density
    values = np.zeros((rows, args.genes), dtype=np.float32)
    values[mask] = rng.poisson(3.0, size=int(mask.sum())).astype(np.float32) + 1
    blocks.append(sp.csr_matrix(values))
X = sp.vstack(blocks, format="csr")
labels = np.array(["non-targeting"] + [f"GENE{i}" for i in range(200)])
obs = pd.DataFrame({"target_gene": pd.Categorical(labels[rng.integers(0, len(labels), args.cells)])},
                   index=[f"cell{i}" for i in range(args.cells)])
var = pd.DataFrame(index=[f"GENE{i}" for i in range(args.genes)])
ad.AnnData(X=X, obs=obs, var=var).write_h5ad(args.out, compression="gzip" if args.gzip else None)
print(f"wrote {args.out}: {args.cells} x {args.genes}, nnz {X.nnz}")
