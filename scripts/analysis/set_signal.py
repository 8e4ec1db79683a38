"""How much of a set-vs-set distance a perturbation's mean shift is, per dataset (issue 20's diagnosis).

For each perturbed condition with >= 16 cells (sets of S, or half its cells when it has fewer than 2S), on the top 50 principal axes of the data (log1p, as given):
  shift  = |mean(condition) - mean(controls)|            (the signal a set model has to learn)
  spread = sqrt(mean within-condition squared distance / 2)  (per-cell scatter, sqrt of the summed variances)
  floor  = energy MMD^2 between two disjoint random S-cell sets of the same condition  (the loss at a perfect model)
  gap    = energy MMD^2 between an S-cell set of the condition and one of controls (the loss of predicting
           "no change")
Prints the medians: a set model trained on MMD of S-cell sets learns the shift only where gap stands out of floor.
Usage: .venv-ref/bin/python scripts/analysis/set_signal.py DATA.h5ad --pert-col perturbation --control control
       [--keep dataset=norman19] [--set-size 64]
"""

import numpy as np

from screen_data import load, parser


def energy(x, y):
    def mean_distance(a, b):
        d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
        return np.sqrt(np.maximum(d, 0) + 1e-8).mean()

    return 2 * mean_distance(x, y) - mean_distance(x, x) - mean_distance(y, y)


def main():
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--set-size", type=int, default=64)
    p.add_argument("--hvg", type=int, default=0, help="use the N most variable genes (0: all)")
    a = p.parse_args()
    x, labels = load(a)
    if a.hvg:
        x = x[:, np.argsort(-x.var(0))[: a.hvg]]
    centered = x - x.mean(0)
    _, _, vt = np.linalg.svd(centered[np.random.default_rng(0).permutation(len(x))[:5000]], full_matrices=False)
    z = x @ vt[:50].T
    controls = z[labels == a.control]
    rng = np.random.default_rng(1)
    s = a.set_size
    rows = []
    for label in sorted(set(labels) - {a.control}):
        cells = z[labels == label]
        s = min(a.set_size, len(cells) // 2)
        if s < 8 or len(controls) < s:
            continue
        shift = np.linalg.norm(cells.mean(0) - controls.mean(0))
        spread = np.sqrt(((cells - cells.mean(0)) ** 2).sum(1).mean())
        order = rng.permutation(len(cells))
        floor = energy(cells[order[:s]], cells[order[s : 2 * s]])
        gap = energy(cells[order[:s]], controls[rng.permutation(len(controls))[:s]])
        rows.append((shift, spread, floor, gap))
    r = np.array(rows)
    print(f"{a.data}: {len(r)} conditions, sets of up to {a.set_size} cells (half the condition's when it has fewer)")
    print(f"  median shift/spread {np.median(r[:, 0] / r[:, 1]):.3f}")
    print(f"  median MMD^2 floor (two sets of the same condition) {np.median(r[:, 2]):.4f}")
    print(f"  median MMD^2 condition vs controls                 {np.median(r[:, 3]):.4f}")
    print(f"  share of conditions whose gap exceeds 2x the floor  {np.mean(r[:, 3] > 2 * r[:, 2]):.2f}")


if __name__ == "__main__":
    main()
