"""Cross-check of `clustering_agreement` against cell-eval 0.8.2 on random real/pred pairs of growing size.

Each case: P perturbations in G latent groups (shared effect programs), 30 cells each plus controls, 80 genes,
log1p values; the prediction is the truth with its group structure partly scrambled. Writes the pairs to a
temporary directory, runs cell-eval's ClusteringAgreement and `perturb eval --profile full` on each, and prints
a Markdown table. Run from the repository root after `swift build` and `scripts/setup-reference --eval`:

    .venv-eval/bin/python scripts/reference/check_clustering_agreement.py .build/debug/perturb
"""
import csv
import os
import subprocess
import sys
import tempfile
import warnings

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

warnings.filterwarnings("ignore")
from cell_eval._types import PerturbationAnndataPair  # noqa: E402
from cell_eval.metrics._anndata import ClusteringAgreement  # noqa: E402

CONTROL = "non-targeting"


def case(rng, perts, groups, scramble, genes=80, cells=30, controls=120):
    programs = rng.normal(0, 0.8, size=(groups, genes)) * (rng.random((groups, genes)) < 0.3)
    base = rng.gamma(2.0, 1.0, size=genes)
    group_of = rng.integers(0, groups, size=perts)
    def cells_for(effect, n):
        lam = np.exp(np.log(base)[None, :] + effect[None, :]) * rng.gamma(4, 0.25, size=(n, 1))
        return np.log1p(rng.poisson(lam)).astype(np.float32)
    def side(group_of):
        blocks, labels = [cells_for(np.zeros(genes), controls)], [CONTROL] * controls
        for p in range(perts):
            blocks.append(cells_for(programs[group_of[p]] + rng.normal(0, 0.1, genes), cells))
            labels += [f"P{p:03d}"] * cells
        obs = pd.DataFrame({"target_gene": pd.Categorical(labels)}, index=[f"c{i}" for i in range(len(labels))])
        return ad.AnnData(X=sp.csr_matrix(np.vstack(blocks)), obs=obs, var=pd.DataFrame(index=[f"G{j}" for j in range(genes)]))
    scrambled = group_of.copy()
    flip = rng.random(perts) < scramble
    scrambled[flip] = rng.integers(0, groups, size=flip.sum())
    return side(group_of), side(scrambled)


def main():
    binary = sys.argv[1]
    rng = np.random.default_rng(19)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (perts, groups, scramble) in enumerate(
            [(6, 2, 0.0), (8, 3, 0.3), (12, 3, 0.2), (20, 4, 0.3), (30, 5, 0.5), (50, 6, 0.3), (80, 8, 0.4), (120, 10, 0.3),
             (40, 20, 1.0), (60, 1, 1.0), (150, 30, 0.8)]
        ):
            real, pred = case(rng, perts, groups, scramble)
            rp, pp = os.path.join(tmp, f"real{i}.h5ad"), os.path.join(tmp, f"pred{i}.h5ad")
            real.write_h5ad(rp)
            pred.write_h5ad(pp)
            theirs = ClusteringAgreement()(PerturbationAnndataPair(real=real, pred=pred, control_pert=CONTROL, pert_col="target_gene"))
            out = os.path.join(tmp, f"eval{i}")
            subprocess.run([binary, "eval", "--real", rp, "--pred", pp, "--profile", "full", "-o", out, "--quiet"], check=True)
            with open(os.path.join(out, "results.csv")) as f:
                ours = float(next(csv.DictReader(f))["clustering_agreement"])
            rows.append((perts, groups, scramble, theirs, ours))
    print("| perturbations | groups | scrambled | cell-eval 0.8.2 | perturb eval | equal |")
    print("|---:|---:|---:|---:|---:|---|")
    for perts, groups, scramble, theirs, ours in rows:
        print(f"| {perts} | {groups} | {scramble} | {theirs:.6f} | {ours:.6f} | {'yes' if abs(theirs - ours) < 1e-9 else 'no'} |")


if __name__ == "__main__":
    main()
