#!/usr/bin/env python3
"""Golden fixtures for `perturb embed-eval`: harmonypy's LISI, scikit-learn's LogisticRegression probe and
KNeighborsClassifier on a small embedding with batches.

Pinned: harmonypy 0.0.10, scikit-learn 1.9.1 (scripts/reference/requirements-eval.txt, installed into .venv-eval
by `scripts/setup-reference --eval`). Run from the repository root:

    .venv-eval/bin/python scripts/reference/make_embed_fixtures.py Tests/Fixtures/embed

Writes
- cells.csv: cell, batch, label, e0..e5 — 3 batches × 6 labels × 18–22 cells; label centres plus a batch shift
  plus noise, so batches mix partly and labels are partly separable.
- lisi.csv: per-cell LISI over batches (harmonypy.compute_lisi, perplexity 30).
- folds.csv: leave-one-batch-out predictions for every cell of the held-out batch: the probe's top-5 classes
  (LogisticRegression(C=1), lbfgs to tol 1e-10) and the kNN prediction (KNeighborsClassifier,
  k = floor(sqrt(number of reference cells))).
"""
import os
import sys

import numpy as np
import pandas as pd
from harmonypy import compute_lisi
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/embed"
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261121)
    labels = [f"P{i}" for i in range(6)]
    centres = rng.normal(0, 1.2, (6, 6))
    shifts = rng.normal(0, 0.8, (3, 6))
    rows = []
    for b in range(3):
        for li, label in enumerate(labels):
            for _ in range(int(rng.integers(18, 23))):
                rows.append((f"b{b}", label, centres[li] + shifts[b] + rng.normal(0, 1.0, 6)))
    cells = pd.DataFrame([r[2] for r in rows], columns=[f"e{i}" for i in range(6)])
    cells.insert(0, "label", [r[1] for r in rows])
    cells.insert(0, "batch", [r[0] for r in rows])
    cells.insert(0, "cell", [f"c{i}" for i in range(len(rows))])
    cells.to_csv(os.path.join(out, "cells.csv"), index=False, float_format="%.17g")
    X = cells[[f"e{i}" for i in range(6)]].to_numpy()

    lisi = compute_lisi(X, cells[["batch"]], ["batch"], perplexity=30)[:, 0]
    pd.DataFrame({"cell": cells["cell"], "lisi": lisi}).to_csv(os.path.join(out, "lisi.csv"), index=False,
                                                                float_format="%.17g")

    records = []
    for held in ["b0", "b1", "b2"]:
        train = cells["batch"] != held
        probe = LogisticRegression(C=1.0, max_iter=10000, tol=1e-10).fit(X[train], cells["label"][train])
        proba = probe.predict_proba(X[~train])
        top = np.argsort(-proba, axis=1, kind="stable")[:, :5]
        k = int(np.floor(np.sqrt(train.sum())))
        knn = KNeighborsClassifier(n_neighbors=k).fit(X[train], cells["label"][train]).predict(X[~train])
        for j, cell in enumerate(cells["cell"][~train]):
            records.append({"cell": cell, "held_out": held, "k": k,
                            "probe_top5": ";".join(probe.classes_[top[j]]), "knn": knn[j]})
    pd.DataFrame(records).to_csv(os.path.join(out, "folds.csv"), index=False)
    print("wrote", out)


if __name__ == "__main__":
    main()
