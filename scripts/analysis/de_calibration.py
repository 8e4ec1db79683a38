"""Per tier and model: how many DE genes the predicted cells have against how many the real cells have, the DE
overlap and pearson_delta beside the noise ceiling — from the files `perturb benchmark` wrote (one or more output
directories, e.g. one run with `--cells resample` and one with `--cells shift`).

    python3 scripts/analysis/de_calibration.py bench-resample bench-shift [--truth sim.h5ad]

Counts are significant genes (fdr < 0.05) of `pred_de.csv` / `real_de.csv` (the vcc profile's DE, cell-eval's
definition); medians are over every (seed, test condition) of the tier. With `--truth` (a simulated file written by
`perturb simulate` / `perturb demo`; needs anndata, e.g. .venv-ref/bin/python), the predicted and the real
significant sets are also scored against the simulation's true DE set: genes with |true log fold change| ≥ log 1.5.
Prints Markdown tables.
"""
import argparse
import csv
import glob
import json
import math
import os
import statistics
from collections import defaultdict


def significant(path):
    out = defaultdict(set)
    with open(path) as f:
        for row in csv.DictReader(f):
            if float(row["fdr"]) < 0.05:
                out[row["target"]].add(row["feature"])
    return out


def column(path, name):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return {r["perturbation"]: float(r[name]) for r in csv.DictReader(f) if r.get(name, "") not in ("", None)}


def truth_sets(path):
    import anndata

    uns = anndata.read_h5ad(path).uns["perturbkit_simulation"]
    genes = list(anndata.read_h5ad(path, backed="r").var_names)
    lfc = uns["true_log_fold_change"]
    return {p: {g for g, v in zip(genes, lfc[i]) if abs(v) >= math.log(1.5)} for i, p in enumerate(uns["perturbations"])}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("outputs", nargs="+")
    parser.add_argument("--truth")
    args = parser.parse_args()
    truth = truth_sets(args.truth) if args.truth else None
    print("| run | tier | model | conditions | DE genes real (median) | DE genes predicted (median) | ratio | overlap_at_N | pearson_delta | pearson_delta_ceiling |"
          + (" predicted DE precision vs truth | predicted DE recall vs truth | real DE recall vs truth |" if truth else ""))
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|---:|" if truth else ""))
    for output in args.outputs:
        rows = defaultdict(lambda: defaultdict(list))
        for seed_dir in sorted(glob.glob(os.path.join(output, "runs", "*", "seed*"))):
            split = json.load(open(os.path.join(seed_dir, "split.json")))
            tier_of = {"all": None}
            tiers = {c: t for t, cs in split.get("tiers", {}).get("test", {}).items() for c in cs}
            real = significant(os.path.join(seed_dir, "real_de.csv"))
            for model_dir in sorted(glob.glob(os.path.join(seed_dir, "*", ""))):
                model = os.path.basename(model_dir.rstrip("/"))
                pred_path = os.path.join(model_dir, "eval-vcc", "pred_de.csv")
                if not os.path.exists(pred_path):
                    continue
                pred = significant(pred_path)
                overlap = column(os.path.join(model_dir, "eval-vcc", "results.csv"), "overlap_at_N")
                pearson = column(os.path.join(model_dir, "eval-perturbench", "results.csv"), "pearson_delta")
                ceiling = column(os.path.join(model_dir, "eval-extended", "results.csv"), "pearson_delta_ceiling")
                features = None
                for condition in overlap:
                    for tier in ["all", tiers.get(condition)]:
                        if tier is None:
                            continue
                        r = rows[(tier, model)]
                        r["real"].append(len(real.get(condition, ())))
                        r["pred"].append(len(pred.get(condition, ())))
                        r["overlap"].append(overlap[condition])
                        if condition in pearson:
                            r["pearson"].append(pearson[condition])
                        if condition in ceiling:
                            r["ceiling"].append(ceiling[condition])
                        if truth is not None and condition in truth:
                            if features is None:
                                with open(pred_path) as f:
                                    features = {row["feature"] for row in csv.DictReader(f)}
                            true = truth[condition] & features
                            p = pred.get(condition, set())
                            if p:
                                r["precision"].append(len(p & true) / len(p))
                            if true:
                                r["recall"].append(len(p & true) / len(true))
                                r["real_recall"].append(len(real.get(condition, set()) & true) / len(true))
        order = ["all", "single", "seen2", "seen1", "seen0"]
        for (tier, model) in sorted(rows, key=lambda k: (order.index(k[0]) if k[0] in order else 9, k[1])):
            r = rows[(tier, model)]
            mean = lambda xs: f"{statistics.fmean(xs):.3f}" if xs else "–"
            real_median, pred_median = statistics.median(r["real"]), statistics.median(r["pred"])
            ratio = f"{pred_median / real_median:.2f}" if real_median > 0 else "–"
            line = (f"| {os.path.basename(output.rstrip('/'))} | {tier} | {model} | {len(r['real'])} | {real_median:g} | {pred_median:g} | {ratio} | "
                    f"{mean(r['overlap'])} | {mean(r['pearson'])} | {mean(r['ceiling'])} |")
            if truth is not None:
                line += f" {mean(r['precision'])} | {mean(r['recall'])} | {mean(r['real_recall'])} |"
            print(line)


if __name__ == "__main__":
    main()
