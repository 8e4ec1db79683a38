#!/usr/bin/env python3
"""Mean ± sample sd over seeds of `perturb embed-eval` tables (each embedding's best variant per seed).

    python3 scripts/analysis/embed_seeds.py embed_s0/table.csv embed_s1/table.csv ... > table.md

Prints a markdown table: task, metric, then per embedding "mean ± sd" and the variant that was best most often.
Counts (tested, pairs_*, null_from_unexpressed_genes) are shown once. Standard library only.
"""
import csv
import statistics
import sys
from collections import Counter

INFORMATIONAL = ("tested", "null_from_unexpressed_genes")


def main(paths):
    tables = [list(csv.reader(open(p))) for p in paths]
    header = tables[0][0]
    names = header[2::2]
    print("| task | metric | " + " | ".join(f"{n} | variant" for n in names) + " |")
    print("|---|---|" + "---|---|" * len(names))
    for r, row in enumerate(tables[0][1:], start=1):
        cells = []
        for i in range(len(names)):
            values = [t[r][2 + 2 * i] for t in tables]
            variants = Counter(t[r][3 + 2 * i] for t in tables if t[r][3 + 2 * i])
            if row[1] in INFORMATIONAL or row[1].startswith("pairs_"):
                cells += [f"{float(values[0]):g}", ""]
                continue
            numbers = [float(v) for v in values if v != "nan"]
            if not numbers:
                cells += ["nan", ""]
                continue
            sd = statistics.stdev(numbers) if len(numbers) > 1 else 0.0
            cells += [f"{statistics.mean(numbers):.3f} ± {sd:.3f}", variants.most_common(1)[0][0] if variants else ""]
        print(f"| {row[0]} | {row[1]} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
