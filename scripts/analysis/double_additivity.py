"""How additive a screen's doubles are: per double A+B whose singles A and B are in the data, the Pearson correlation
over genes between its observed delta and the sum of its singles' deltas (deltas = condition mean - control mean,
log1p), beside the same double's split-half agreement (its cells split in two, each half's delta against the other,
Spearman-Brown corrected): the share of the reliable signal that the sum of the singles explains. A model that
composes by adding (linear, additive, latent-additive) has the right bias where this is near the reliability.
Usage: .venv-ref/bin/python scripts/analysis/double_additivity.py DATA.h5ad --pert-col perturbation --control control
       [--keep dataset=norman19]
"""

import numpy as np

from screen_data import load, parser


def main():
    a = parser(__doc__.splitlines()[0]).parse_args()
    x, labels = load(a)
    control = x[labels == a.control].mean(0)
    means = {label: x[labels == label].mean(0) - control for label in set(labels)}
    rng = np.random.default_rng(0)
    additive, reliable = [], []
    for label in sorted(means):
        parts = [m for m in label.replace("_", "+").split("+") if m != a.control and m != "ctrl"]
        if len(parts) != 2 or not all(m in means for m in parts):
            continue
        cells = x[labels == label]
        additive.append(np.corrcoef(means[label], means[parts[0]] + means[parts[1]])[0, 1])
        order = rng.permutation(len(cells))
        half = len(cells) // 2
        r = np.corrcoef(cells[order[:half]].mean(0) - control, cells[order[half:]].mean(0) - control)[0, 1]
        reliable.append(2 * r / (1 + r))
    additive, reliable = np.array(additive), np.array(reliable)
    print(f"{a.data}: {len(additive)} doubles with both singles")
    print(f"  median pearson(delta AB, delta A + delta B)  {np.median(additive):.3f}")
    print(f"  median split-half reliability of delta AB    {np.median(reliable):.3f}")
    print(f"  median ratio                                  {np.median(additive / reliable):.3f}")


if __name__ == "__main__":
    main()
