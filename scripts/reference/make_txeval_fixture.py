#!/usr/bin/env python3
"""Golden values for `perturb embed-eval`'s reference definitions (issue 28), computed by Tx-Evaluation's own code.

Tx-Evaluation (valence-labs/Tx-Evaluation, "one PCA still rules them all") is not on PyPI and is not copied into
this repository: pass a checkout of it. Its modules are loaded from that checkout by file path (so its
biomodalities/eval/__init__.py, which pulls in plotting and scVI, is not needed):
  biomodalities/data/data_split.py      train_test1_test2_split
  biomodalities/eval/knn.py             WeightedKNNClassifier
  biomodalities/eval/ilisi.py           TorchILISIMetric
  biomodalities/eval/linear_probing.py  LinearModel (with utils/lr_scheduler.py, utils/metrics.py)
  biomodalities/eval/reconstruction.py  DecoderModel, and utils/metrics.py's evaluate_reconstruction_metrics and
                                        StructuralTranscriptomeDistance
  biomodalities/eval/bmdb.py            pert_signal_consistency_benchmark, aggregate, known_relationship_benchmark
  biomodalities/data/post_process.py    center_embeddings, centerscale_on_controls, tvn_on_controls

Environment (not the test suite's; nothing in CI runs this): Debian's python3 with torch, plus pip's scikit-learn,
pandas, anndata, torchmetrics, pytorch-lightning, geomloss, joblib, tqdm. Seen working with torch
2.15.0, pytorch-lightning 2.6.6, torchmetrics 1.9.0, scikit-learn 1.9.1, anndata 0.12.19.

    python3 -m venv --system-site-packages /tmp/txvenv
    /tmp/txvenv/bin/pip install scikit-learn pandas anndata torchmetrics pytorch-lightning geomloss joblib tqdm
    /tmp/txvenv/bin/python scripts/reference/make_txeval_fixture.py PATH/TO/Tx-Evaluation Tests/Fixtures/txeval

Writes into the output folder:
- cells.h5ad: 820 cells (10 plates; 12 gene perturbations × 6 cells and 10 `non-targeting` controls per plate),
  30 genes of counts (G9–G11 nearly unexpressed: the consistency null), obsm['emb'] (40 dimensions: perturbation
  signal + plate offset + noise);
- CORUM.txt: known pairs as the reference's relation tables (entity1,entity2; with a reversed duplicate and a
  self-pair that its filter drops);
- split.csv: part,cell — the reference split (70 % of plates and perturbations, numpy seed 42), each part in the
  reference's row order (perturbed cells, then the controls of its plates);
- reference.csv: task,metric,setting,seed,value — fractions (the reference's percents / 100).

What is run how (main_eval.py's calls, with these settings):
- knn: train (controls kept) → test1 (controls kept), k = int(sqrt(n_train)) made odd, cosine votes T = 0.07
  (setting `code`: eval_args.py defaults); k = 251, Euclidean, PCA 32 (setting `paper`: cfg/config/*_eval.yaml).
- knn on each post-processing (setting `code-centered`, `code-center-scaled`, `code-tvn`): the embedding of
  all cells processed by post_process.py with the plate as batch (10 controls per plate, fewer than the 40
  dimensions; 100 in all), then kNN as above. Cosine kNN is blind to the sign of TVN's principal axes.
- ilisi: test1 (controls kept), k = int(sqrt(n_test1)) made odd, perplexity k // 3, without (`code`) and with
  (`paper`) its PCA.
- linear_probe: LinearModel trained by Lightning on train without controls (AdamW 1e-3, weight decay 1e-6,
  warm-up cosine per step, 250 epochs, batches of 64 — the configs' 64,768 exceeds these cells and the reference
  loader then yields no batch), tested on all of test1 without controls in one batch; seeds 0–4.
- reconstruction: DecoderModel (depth 3) trained on train (controls kept) with MSE, AdamW 1e-2, weight decay 1e-6,
  30 epochs, batches of 16 (with the reconstruction config's 1e-4 and 512 a decoder on 406 cells takes 30 steps and
  does not even reach the targets' mean of ~6; at 1e-3 it still does not); targets
  normalize_total(1e4) + log1p of all genes, as AnnDataset(hvg=True) prepares them
  (scanpy's formula, written here with numpy: scanpy is not needed). Its metric functions are applied
  to all of test2 (its test_step keeps only every 100th batch). Spearman: the reference's mean (`spearman`, NaN when
  a gene is constant) and the mean over the genes where it is defined (`spearman_defined`); seeds 0–4.
- consistency: pert_signal_consistency_benchmark over all cells without controls; unexpressed genes = mean of X
  over all cells < 0.15 (main_eval.py); fraction of perturbations with p <= 0.05 among those with a p-value.
- relations: known_relationship_benchmark on aggregate(...) of the non-control cells, CORUM.txt, (0.05, 0.95).
"""
import importlib.util
import math
import os
import sys

import anndata
import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch


def load(checkout, relative, name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(checkout, relative))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Loader:
    """AnnLoader's batching (full batches only, reshuffled with numpy each epoch) over in-memory rows."""

    def __init__(self, x, obs, batch_size, shuffle, y=None):
        self.x, self.obs, self.y = x, obs, y
        self.batch_size, self.shuffle = batch_size, shuffle

    def __len__(self):
        return len(self.x) // self.batch_size

    def __iter__(self):
        indices = np.arange(len(self.x))
        if self.shuffle:
            np.random.shuffle(indices)
        for b in range(len(self)):
            rows = np.sort(indices[b * self.batch_size:(b + 1) * self.batch_size])
            obs = self.obs.iloc[rows]
            xb = torch.from_numpy(self.x[rows]).float()
            if self.y is None:
                yield xb, obs
            else:
                yield xb, [torch.from_numpy(self.y[rows]).float(), obs]


def make_data(rng):
    plates, perts, per, controls, genes, dims = 10, 12, 6, 10, 30, 40
    signal = rng.normal(size=(perts, dims))
    signal[1] = signal[0] + 0.3 * rng.normal(size=dims)  # G0 ~ G1
    signal[3] = signal[2] + 0.3 * rng.normal(size=dims)  # G2 ~ G3
    signal[5] = -signal[4] + 0.3 * rng.normal(size=dims)  # G4 ~ -G5
    signal[9:] = 0  # G9-G11: no effect (unexpressed targets)
    offsets = 0.7 * rng.normal(size=(plates, dims))
    labels, batches, emb = [], [], []
    for p in range(plates):
        for g in range(perts):
            for _ in range(per):
                labels.append(f"G{g}")
                batches.append(f"plate{p}")
                emb.append(signal[g] + offsets[p] + rng.normal(size=dims))
        for _ in range(controls):
            labels.append("non-targeting")
            batches.append(f"plate{p}")
            emb.append(offsets[p] + rng.normal(size=dims))
    emb = np.array(emb)
    loadings = 0.2 * rng.normal(size=(dims, genes))
    base = np.log(rng.uniform(5, 30, size=genes))
    base[9:12] = np.log(0.01)
    library = rng.uniform(0.6, 1.6, size=len(labels))
    rate = library[:, None] * np.exp(base[None, :] + np.clip(emb @ loadings, -3, 3))
    counts = rng.poisson(rate).astype(np.float32)
    obs = pd.DataFrame(
        {"gene_name": labels, "plate": batches, "is_control": [l == "non-targeting" for l in labels]},
        index=[f"c{i}" for i in range(len(labels))])
    var = pd.DataFrame({"gene_name": [f"G{j}" for j in range(genes)]}, index=[f"G{j}" for j in range(genes)])
    adata = anndata.AnnData(X=sp.csr_matrix(counts), obs=obs, var=var)
    adata.obsm["emb"] = emb.astype(np.float32)
    return adata


def original_index(names):
    return [int(n.rsplit("-", 1)[0][1:]) for n in names]


def main():
    checkout, out = sys.argv[1], sys.argv[2]
    sys.path.insert(0, checkout)  # the eval modules import biomodalities.utils.*
    split_mod = load(checkout, "biomodalities/data/data_split.py", "tx_split")
    knn_mod = load(checkout, "biomodalities/eval/knn.py", "tx_knn")
    ilisi_mod = load(checkout, "biomodalities/eval/ilisi.py", "tx_ilisi")
    probe_mod = load(checkout, "biomodalities/eval/linear_probing.py", "tx_probe")
    recon_mod = load(checkout, "biomodalities/eval/reconstruction.py", "tx_recon")
    bmdb = load(checkout, "biomodalities/eval/bmdb.py", "tx_bmdb")
    post = load(checkout, "biomodalities/data/post_process.py", "tx_post")
    metrics_mod = load(checkout, "biomodalities/utils/metrics.py", "tx_metrics")
    import pytorch_lightning as pl

    os.makedirs(out, exist_ok=True)
    adata = make_data(np.random.default_rng(7))
    adata.write_h5ad(os.path.join(out, "cells.h5ad"))
    pairs = pd.DataFrame({"entity1": ["G0", "G3", "G4", "G6", "G7", "G1", "G8"],
                          "entity2": ["G1", "G2", "G5", "G7", "G8", "G0", "G8"]})
    pairs.to_csv(os.path.join(out, "CORUM.txt"), index=False)

    train, test1, test2 = split_mod.train_test1_test2_split(
        adata.copy(), "plate", "gene_name", "is_control", True, train_size=0.7, random_state=42)
    parts = {"train": train, "test1": test1, "test2": test2}
    with open(os.path.join(out, "split.csv"), "w") as f:
        f.write("part,cell\n")
        for name, part in parts.items():
            for i in original_index(part.obs_names):
                f.write(f"{name},{i}\n")

    rows = []

    def record(task, metric, setting, seed, value):
        rows.append((task, metric, setting, seed, float(value)))

    emb = adata.obsm["emb"]
    x_train = emb[original_index(train.obs_names)]
    x_test1 = emb[original_index(test1.obs_names)]
    x_test2 = emb[original_index(test2.obs_names)]

    # kNN, both settings.
    train_labels = train.obs["gene_name"].unique()
    for setting, k, distance, pca in [("code", None, "cosine", False), ("paper", 251, "euclidean", True)]:
        if k is None:
            k = int(math.sqrt(len(train)))
        if k % 2 == 0:
            k += 1
        knn = knn_mod.WeightedKNNClassifier(unique_labels=train_labels, k=k, T=0.07, distance_fx=distance, use_pca=pca)
        knn.update(train_features=torch.from_numpy(x_train), train_targets=train.obs["gene_name"])
        knn.update(test_features=torch.from_numpy(x_test1), test_targets=test1.obs["gene_name"])
        top1, top5 = knn.compute()
        record("knn", "top1", setting, 0, top1 / 100)
        record("knn", "top5", setting, 0, top5 / 100)

    # kNN after each post-processing of all cells.
    for variant, process in [("centered", post.center_embeddings), ("center-scaled", post.centerscale_on_controls),
                             ("tvn", post.tvn_on_controls)]:
        processed = process(emb.astype(np.float64), adata.obs, "gene_name", "non-targeting", batch_col="plate")
        processed = processed.astype(np.float32)
        k = int(math.sqrt(len(train)))
        k += 1 if k % 2 == 0 else 0
        knn = knn_mod.WeightedKNNClassifier(unique_labels=train_labels, k=k, T=0.07, distance_fx="cosine")
        knn.update(train_features=torch.from_numpy(processed[original_index(train.obs_names)]),
                   train_targets=train.obs["gene_name"])
        knn.update(test_features=torch.from_numpy(processed[original_index(test1.obs_names)]),
                   test_targets=test1.obs["gene_name"])
        top1, top5 = knn.compute()
        record("knn", "top1", "code-" + variant, 0, top1 / 100)
        record("knn", "top5", "code-" + variant, 0, top5 / 100)

    # iLISI on test1.
    k = int(math.sqrt(len(test1)))
    if k % 2 == 0:
        k += 1
    for setting, pca in [("code", False), ("paper", True)]:
        metric = ilisi_mod.TorchILISIMetric(perplexity=k // 3, unique_labels=test1.obs["plate"].unique(), use_pca=pca)
        metric.update(torch.from_numpy(x_test1), test1.obs["plate"])
        record("ilisi", "mean", setting, 0, metric.compute().item())

    # Linear probe: controls dropped on both sides.
    keep_train = ~train.obs["is_control"].values
    keep_test = ~test1.obs["is_control"].values
    probe_labels = train.obs["gene_name"][keep_train].unique()
    for seed in range(5):
        np.random.seed(seed)
        model = probe_mod.LinearModel(
            input_dim=emb.shape[1], num_classes=len(probe_labels), optimizer_name="adamw", lr=1e-3, weight_decay=1e-6,
            batch_size=64, scheduler_name="warmup_cosine", min_lr=0.0, warmup_start_lr=3e-5, warmup_epochs=10,
            lr_decay_steps=None, scheduler_interval="step", seed=seed, label_key="gene_name",
            unique_labels=list(probe_labels))
        trainer = pl.Trainer(max_epochs=250, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                             enable_progress_bar=False, enable_model_summary=False)
        trainer.fit(model, train_dataloaders=Loader(x_train[keep_train], train.obs[keep_train], 64, True))
        result = trainer.test(model, Loader(x_test1[keep_test], test1.obs[keep_test], int(keep_test.sum()), False),
                              verbose=False)[0]
        record("linear_probe", "top1", "code", seed, result["test_acc1"] / 100)
        record("linear_probe", "top5", "code", seed, result["test_acc5"] / 100)

    # Reconstruction: train -> test2, every gene, normalize_total(1e4) + log1p.
    def targets(part):
        x = np.asarray(part.X.todense(), dtype=np.float64)
        total = x.sum(axis=1, keepdims=True)
        return np.log1p(np.divide(x * 1e4, total, out=np.zeros_like(x), where=total > 0)).astype(np.float32)

    y_train, y_test2 = targets(train), targets(test2)
    depth, d, g = 3, emb.shape[1], y_train.shape[1]
    hidden = [int(d + (g - d) * i / (depth + 1)) for i in range(1, depth + 1)]
    for seed in range(5):
        pl.seed_everything(seed)
        model = recon_mod.DecoderModel(
            control_label=True, embedding_dim=d, output_dim=g, hidden_dims=hidden, optimizer_name="adamw",
            scheduler_name="warmup_cosine", lr=1e-2, weight_decay=1e-6, loss_type="mse", norm_type="log",
            batch_key="plate", control_key="is_control", scheduler_interval="step", warmup_start_lr=3e-5,
            min_lr=0.0, warmup_epochs=10, lr_decay_steps=[60, 80])
        trainer = pl.Trainer(max_epochs=30, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                             enable_progress_bar=False, enable_model_summary=False)
        trainer.fit(model, train_dataloaders=Loader(x_train, train.obs, 16, True, y=y_train))
        with torch.no_grad():
            predicted = model(torch.from_numpy(x_test2)).float()
        actual = torch.from_numpy(y_test2)
        result = metrics_mod.evaluate_reconstruction_metrics(predicted, actual)
        import torchmetrics
        per_gene = torchmetrics.functional.spearman_corrcoef(predicted, actual).numpy()
        distance = metrics_mod.StructuralTranscriptomeDistance()
        distance.update(predicted, actual, test2.obs["plate"].to_numpy(), test2.obs["is_control"].to_list(), control_label=True)
        record("reconstruction", "spearman", "code", seed, result["Average Spearman Correlation"])
        record("reconstruction", "spearman_defined", "code", seed, np.nanmean(per_gene))
        record("reconstruction", "structural_integrity", "code", seed, distance.compute())

    # Consistency over all cells, controls dropped; unexpressed genes by mean expression.
    x_all = np.asarray(adata.X.todense())
    means = pd.Series(x_all.sum(axis=0) / adata.shape[0], index=adata.var["gene_name"])
    unexpressed = list(means[means < 0.15].index)
    result = bmdb.pert_signal_consistency_benchmark(
        emb.astype(np.float64), adata.obs, pert_col="gene_name", neg_ctrl_perts=unexpressed,
        keys_to_drop=["non-targeting"], n_jobs=1)
    record("consistency", "fraction_consistent", "code", 0, sum(result.pval <= 0.05) / sum(~pd.isna(result.pval)))
    record("consistency", "tested", "code", 0, sum(~pd.isna(result.pval)))

    # Relation recall on the mean embedding of each perturbation.
    perturbed = adata[~adata.obs["is_control"].values]
    map_data = bmdb.aggregate(perturbed.obsm["emb"].astype(np.float64), perturbed.obs, pert_col="gene_name")
    result = bmdb.known_relationship_benchmark(
        map_data, pert_col="gene_name", benchmark_sources=["CORUM"], recall_thr_pairs=[(0.05, 0.95)],
        benchmark_data_dir=out)
    record("relations", "recall_CORUM", "code", 0, result["recall_0.05_0.95"].iloc[0])
    record("relations", "pairs_CORUM", "code", 0, result["query_distribution_size"].iloc[0])

    pd.DataFrame(rows, columns=["task", "metric", "setting", "seed", "value"]).to_csv(
        os.path.join(out, "reference.csv"), index=False, float_format="%.10g")


if __name__ == "__main__":
    main()
