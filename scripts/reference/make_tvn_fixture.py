#!/usr/bin/env python3
"""Golden values for `tvn` (issue 28): Tx-Evaluation's typical variation normalization (`tvn_on_controls`,
biomodalities/data/post_process.py at 1f24de0) computed with the same library calls it makes — scikit-learn's
StandardScaler and PCA, numpy's covariance and scipy's fractional_matrix_power — on the embedding fixture.

Pinned: scikit-learn 1.9.1, scipy (scripts/reference/requirements-eval.txt, `scripts/setup-reference --eval`).
Run from the repository root:

    .venv-eval/bin/python scripts/reference/make_tvn_fixture.py Tests/Fixtures/embed

Reads cells.csv (cell, batch, label, e0..e5) with label P0 as the control, and writes tvn.csv: case, cell,
t0..t5 for two cases:
- all: every cell (20 controls per batch, more than the 6 dimensions);
- few: every cell but only the first 3 controls of each batch (fewer controls per batch than dimensions; 9 in all).
The steps: StandardScaler fit on all controls; PCA fit on the controls (all components); StandardScaler on the
controls again; per batch, multiply by (cov(batch controls, ddof 1) + 0.5 I)^(-1/2).
"""
import os
import sys

import numpy as np
import pandas as pd
from scipy import linalg
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler


def tvn(x, batches, control):
    x = StandardScaler().fit(x[control]).transform(x)
    x = PCA().fit(x[control]).transform(x)
    x = StandardScaler().fit(x[control]).transform(x)
    for b in np.unique(batches):
        rows = batches == b
        cov = np.cov(x[rows & control], rowvar=False, ddof=1) + 0.5 * np.eye(x.shape[1])
        x[rows] = x[rows] @ np.real(linalg.fractional_matrix_power(cov, -0.5))
    return x


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/embed"
    cells = pd.read_csv(os.path.join(out, "cells.csv"))
    columns = [c for c in cells.columns if c.startswith("e")]
    rows = []
    keep_all = np.ones(len(cells), dtype=bool)
    first_controls = cells[cells.label == "P0"].groupby("batch").head(3).index
    keep_few = (cells.label != "P0").values | cells.index.isin(first_controls)
    for case, keep in (("all", keep_all), ("few", keep_few)):
        subset = cells[keep].reset_index(drop=True)
        x = subset[columns].to_numpy(dtype=np.float64)
        result = tvn(x, subset.batch.to_numpy(), (subset.label == "P0").to_numpy())
        for cell, values in zip(subset.cell, result):
            rows.append([case, cell] + [f"{v:.17g}" for v in values])
    pd.DataFrame(rows, columns=["case", "cell"] + [f"t{i}" for i in range(len(columns))]).to_csv(
        os.path.join(out, "tvn.csv"), index=False)


if __name__ == "__main__":
    main()
