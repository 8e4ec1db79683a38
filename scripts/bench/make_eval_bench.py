#!/usr/bin/env python3
"""Synthetic real/pred .h5ad pairs for the `perturb eval` vs `cell-eval run` benchmark (docs/BENCHMARKS.md).

    python make_eval_bench.py OUT_DIR PERTS CELLS_PER_PERT CONTROLS GENES SEED

Writes OUT_DIR/real.h5ad and OUT_DIR/pred.h5ad: log1p-normalized (normalize to 1e4) float32 CSR, obs column
`target_gene` (categorical, control `non-targeting`), gene names GENE00000…; every perturbation knocks down one
gene and shifts a random module of 100 genes; the prediction has the same structure with damped effects and
fresh sampling noise. Generated in row blocks so memory stays near the size of the CSR.
"""
import sys

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp


def block(rng, n, means):
    lam = rng.gamma(shape=1.5, scale=means[None, :] / 1.5, size=(n, means.size)).astype(np.float32)
    x = rng.poisson(lam).astype(np.float32)
    totals = x.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1
    return sp.csr_matrix(np.log1p(x / totals * 1e4).astype(np.float32))


def make(out, perts, cells, controls, genes, seed):
    rng = np.random.default_rng(seed)
    base = np.exp(rng.normal(-1.2, 1.3, size=genes)).astype(np.float32)
    names = [f"GENE{i:05d}" for i in range(genes)]
    labels = [f"GENE{i:05d}" for i in rng.choice(genes, size=perts, replace=False)]
    effects = []
    for p in labels:
        m = base.copy()
        m[int(p[4:])] *= 0.1
        module = rng.choice(genes, size=100, replace=False)
        m[module] *= np.exp(rng.normal(0, 0.7, size=100)).astype(np.float32)
        effects.append(m)
    for which, damp, s in (("real", 1.0, seed + 1), ("pred", 0.6, seed + 2)):
        r = np.random.default_rng(s)
        blocks, obs = [], []
        for start in range(0, controls, 1000):
            n = min(1000, controls - start)
            blocks.append(block(r, n, base))
            obs += ["non-targeting"] * n
        for p, m in zip(labels, effects):
            target = base * (m / base) ** damp
            for start in range(0, cells, 1000):
                n = min(1000, cells - start)
                blocks.append(block(r, n, target))
                obs += [p] * n
        X = sp.vstack(blocks, format="csr")
        a = ad.AnnData(X, obs=pd.DataFrame({"target_gene": pd.Categorical(obs)}, index=[f"c{i}" for i in range(len(obs))]),
                       var=pd.DataFrame(index=names))
        a.write_h5ad(f"{out}/{which}.h5ad")
        print(f"{which}: {X.shape[0]} cells x {X.shape[1]} genes, density {X.nnz / (X.shape[0] * X.shape[1]):.3f}")


if __name__ == "__main__":
    o, p, c, k, g, s = sys.argv[1:7]
    make(o, int(p), int(c), int(k), int(g), int(s))
