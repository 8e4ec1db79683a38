#!/usr/bin/env python3
"""Golden fixtures for `perturb eval` / `perturb score` / `perturb baseline`, produced by the reference tools.

Pinned: cell-eval 0.8.2, pdex 0.3.0 (scripts/reference/requirements-eval.txt, installed into .venv-eval by
`scripts/setup-reference --eval`). Writes small real/pred .h5ad pairs and cell-eval's own output files into
Tests/Fixtures/eval/<case>/. Run from the repository root:

    .venv-eval/bin/python scripts/reference/make_eval_fixtures.py Tests/Fixtures/eval

Cases
- basic:    log1p-normalized; perturbations named after genes (PDS target exclusion); a perturbation with no
            effect (no significant genes); an all-zero gene; genes silent in the control (+inf fold change)
            and silent in a perturbation (-inf). Also a cell-mean baseline, its evaluation and `score`.
- ties:     log1p of small raw counts without normalization, so almost every value is tied.
- celltype: two cell types evaluated separately (--celltype-col), prefixed outputs.
- embed:    the basic data with an obsm embedding, evaluated with --embed-key (l2 and cosine PDS on obsm).
- counts:   raw integer counts, which cell-eval normalizes itself (scanpy normalize_total + log1p).

Pass case names after the output directory to regenerate only those cases.
"""
import os
import subprocess
import sys

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

CONTROL = "non-targeting"


def counts(rng, n_cells, means):
    """Negative-binomial-like counts (Gamma-Poisson) for n_cells with per-gene means."""
    lam = rng.gamma(shape=2.0, scale=np.asarray(means)[None, :] / 2.0, size=(n_cells, len(means)))
    return rng.poisson(lam).astype(np.float32)


def lognorm(x, target=1000.0):
    totals = x.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1
    return np.log1p(x / totals * target).astype(np.float32)


def write(adata, path):
    adata.X = sp.csr_matrix(adata.X)
    adata.write_h5ad(path)


def frame(labels, extra=None):
    obs = pd.DataFrame({"target_gene": pd.Categorical(labels)}, index=[f"c{i}" for i in range(len(labels))])
    for k, v in (extra or {}).items():
        obs[k] = pd.Categorical(v)
    return obs


def make_basic(rng, genes=60):
    names = [f"G{i}" for i in range(genes)]
    base = rng.gamma(1.5, 2.0, size=genes)
    base[5] = 0.0            # all-zero gene everywhere
    base[6] = 0.0            # silent in control, switched on by one perturbation (+inf)
    perts = ["G1", "G2", "G3", "G10", "G20", "NOEFFECT", "SWITCH", "SILENCE"]
    real_blocks, pred_blocks, labels = [], [], []
    def effect(p, scale):
        m = base.copy()
        if p.startswith("G"):
            g = int(p[1:])
            m[g] *= 0.05
            m[(g * 7) % genes] *= 4 * scale
            m[(g * 11 + 3) % genes] *= 0.2
        elif p == "SWITCH":
            m[6] = 3.0
            m[10:14] *= 3 * scale
        elif p == "SILENCE":
            m[7] = 0.0
            m[20:24] *= 0.3
        return m
    for p, n in zip([CONTROL] + perts, [40] + [25] * len(perts)):
        real_blocks.append(counts(rng, n, effect(p, 1.0)))
        pred_blocks.append(counts(rng, n, effect(p, 0.6) if p not in ("G20",) else base))
        labels += [p] * n
    real = ad.AnnData(lognorm(np.vstack(real_blocks)), obs=frame(labels), var=pd.DataFrame(index=names))
    pred = ad.AnnData(lognorm(np.vstack(pred_blocks)), obs=frame(labels), var=pd.DataFrame(index=names))
    return real, pred


def make_ties(rng, genes=40):
    names = [f"T{i}" for i in range(genes)]
    base = rng.gamma(1.0, 1.0, size=genes)
    perts = ["T1", "T2", "PA", "PB", "PC"]
    real_blocks, pred_blocks, labels = [], [], []
    for p, n in zip([CONTROL] + perts, [50] + [30] * len(perts)):
        m = base.copy()
        if p.startswith("T"):
            m[int(p[1:])] *= 0.1
        m[(sum(map(ord, p)) % 7) * 3: (sum(map(ord, p)) % 7) * 3 + 4] *= 3.0
        real_blocks.append(np.log1p(rng.poisson(m, size=(n, genes))).astype(np.float32))
        pred_blocks.append(np.log1p(rng.poisson(m * 0.8 + 0.1, size=(n, genes))).astype(np.float32))
        labels += [p] * n
    real = ad.AnnData(np.vstack(real_blocks), obs=frame(labels), var=pd.DataFrame(index=names))
    pred = ad.AnnData(np.vstack(pred_blocks), obs=frame(labels), var=pd.DataFrame(index=names))
    return real, pred


def make_celltype(rng, genes=50):
    names = [f"C{i}" for i in range(genes)]
    perts = ["C1", "C4", "QA", "QB"]
    out = {}
    for which in ("real", "pred"):
        blocks, labels, types = [], [], []
        for cell_type, shift in (("typeA", 1.0), ("typeB", 2.5)):
            base = rng.gamma(1.5, 2.0, size=genes) * shift
            for p, n in zip([CONTROL] + perts, [30] + [20] * len(perts)):
                m = base.copy()
                if p.startswith("C"):
                    m[int(p[1:])] *= 0.05
                m[(len(p) * 5) % genes:(len(p) * 5) % genes + 5] *= (3.0 if which == "real" else 2.0)
                blocks.append(counts(rng, n, m))
                labels += [p] * n
                types += [cell_type] * n
        out[which] = ad.AnnData(lognorm(np.vstack(blocks)), obs=frame(labels, {"celltype": types}),
                                var=pd.DataFrame(index=names))
    return out["real"], out["pred"]


def cell_eval(*args):
    cmd = [os.path.join(os.path.dirname(sys.executable), "cell-eval"), *args]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_embed(rng):
    real, pred = make_basic(rng)
    projection = rng.normal(size=(real.n_vars, 8)).astype(np.float32)
    real.obsm["X_emb"] = real.X @ projection
    pred.obsm["X_emb"] = pred.X @ projection
    return real, pred


def make_counts(rng, genes=50):
    names = [f"K{i}" for i in range(genes)]
    base = rng.gamma(1.5, 2.0, size=genes)
    perts = ["K2", "K9", "RA", "RB"]
    real_blocks, pred_blocks, labels = [], [], []
    for p, n in zip([CONTROL] + perts, [40] + [25] * len(perts)):
        m = base.copy()
        if p.startswith("K"):
            m[int(p[1:])] *= 0.05
        m[(len(p) * 7) % genes:(len(p) * 7) % genes + 5] *= 3.0
        real_blocks.append(counts(rng, n, m))
        pred_blocks.append(counts(rng, n, m * 0.9))
        labels += [p] * n
    real = ad.AnnData(np.vstack(real_blocks), obs=frame(labels), var=pd.DataFrame(index=names))
    pred = ad.AnnData(np.vstack(pred_blocks), obs=frame(labels), var=pd.DataFrame(index=names))
    return real, pred


def main(root, only):
    for index, (case, maker) in enumerate((("basic", make_basic), ("ties", make_ties), ("celltype", make_celltype),
                                           ("embed", make_embed), ("counts", make_counts))):
        rng = np.random.default_rng(20261121 + index)
        if only and case not in only:
            continue
        d = os.path.join(root, case)
        os.makedirs(d, exist_ok=True)
        real, pred = maker(rng)
        write(real, os.path.join(d, "real.h5ad"))
        write(pred, os.path.join(d, "pred.h5ad"))
        out = os.path.join(d, "cell-eval")
        args = ["run", "-ap", os.path.join(d, "pred.h5ad"), "-ar", os.path.join(d, "real.h5ad"), "-o", out,
                "--control-pert", CONTROL, "--pert-col", "target_gene", "--profile", "full", "--num-threads", "1"]
        if case == "celltype":
            args += ["--celltype-col", "celltype"]
        if case == "embed":
            args += ["--embed-key", "X_emb"]
        cell_eval(*args)
        if case == "basic":
            cell_eval("baseline", "--adata", os.path.join(d, "real.h5ad"), "--output-path",
                      os.path.join(d, "baseline.h5ad"), "--output-de-path", os.path.join(d, "baseline_de.csv"),
                      "--control-pert", CONTROL, "--pert-col", "target_gene")
            base_out = os.path.join(d, "cell-eval-baseline")
            cell_eval("run", "-ap", os.path.join(d, "baseline.h5ad"), "-ar", os.path.join(d, "real.h5ad"), "-o",
                      base_out, "--control-pert", CONTROL, "--pert-col", "target_gene", "--profile", "full",
                      "--num-threads", "1")
            cell_eval("score", "-i", os.path.join(out, "agg_results.csv"), "-I",
                      os.path.join(base_out, "agg_results.csv"), "-o", os.path.join(d, "score.csv"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/eval", set(sys.argv[2:]))
