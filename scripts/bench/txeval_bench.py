#!/usr/bin/env python3
"""Tx-Evaluation's own code timed on one embedding and one post-processing, beside `perturb embed-eval`.

    /tmp/txvenv/bin/python scripts/bench/txeval_bench.py PATH/TO/Tx-Evaluation pap_qc.h5ad perturbation bio_rep \
        non-targeting OUT_DIR

(the environment of scripts/reference/make_txeval_fixture.py). Computes PCA (50 components, scikit-learn) of the
normalize_total + log1p data untimed and writes OUT_DIR/with_pca.h5ad with it in obsm['X_pca'] for
`perturb embed-eval OUT_DIR/with_pca.h5ad --embedding X_pca --no-pca --no-random`. Then times the reference's
tasks on the raw embedding, as main_eval.py runs them (kNN and iLISI with the eval_args defaults; the probe and the
decoder with the configs' optimizer settings, the probe on one full batch, since the configs' 64,768 exceeds the
cells and the loader would yield no batch; the decoder on all genes with batches of 512; consistency with
n_jobs = 1). Prints one line per task and the total, in seconds, on CPU.
"""
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import make_txeval_fixture as fx  # noqa: E402


def main():
    checkout, path, pert_col, batch_col, control, out = sys.argv[1:7]
    sys.path.insert(0, checkout)
    import anndata
    import pytorch_lightning as pl
    from sklearn.decomposition import PCA

    split_mod = fx.load(checkout, "biomodalities/data/data_split.py", "tx_split")
    knn_mod = fx.load(checkout, "biomodalities/eval/knn.py", "tx_knn")
    ilisi_mod = fx.load(checkout, "biomodalities/eval/ilisi.py", "tx_ilisi")
    probe_mod = fx.load(checkout, "biomodalities/eval/linear_probing.py", "tx_probe")
    recon_mod = fx.load(checkout, "biomodalities/eval/reconstruction.py", "tx_recon")
    bmdb = fx.load(checkout, "biomodalities/eval/bmdb.py", "tx_bmdb")
    metrics_mod = fx.load(checkout, "biomodalities/utils/metrics.py", "tx_metrics")

    adata = anndata.read_h5ad(path)
    adata.obs_names = [f"c{i}" for i in range(adata.n_obs)]
    adata.obs["is_control"] = (adata.obs[pert_col] == control).values
    x = np.asarray(adata.X.todense(), dtype=np.float64)
    total = x.sum(axis=1, keepdims=True)
    logn = np.log1p(np.divide(x * 1e4, total, out=np.zeros_like(x), where=total > 0)).astype(np.float32)
    emb = PCA(n_components=50, random_state=0).fit_transform(logn).astype(np.float32)
    adata.obsm["X_pca"] = emb
    os.makedirs(out, exist_ok=True)
    adata.write_h5ad(os.path.join(out, "with_pca.h5ad"))

    times = {}
    started = time.perf_counter()
    train, test1, test2 = split_mod.train_test1_test2_split(
        adata.copy(), batch_col, pert_col, "is_control", True, train_size=0.7, random_state=42)
    times["split"] = time.perf_counter() - started
    x_train, x_test1, x_test2 = (emb[fx.original_index(p.obs_names)] for p in (train, test1, test2))

    started = time.perf_counter()
    k = int(math.sqrt(len(train)))
    k += 1 if k % 2 == 0 else 0
    knn = knn_mod.WeightedKNNClassifier(unique_labels=train.obs[pert_col].unique(), k=k, T=0.07)
    knn.update(train_features=torch.from_numpy(x_train), train_targets=train.obs[pert_col])
    knn.update(test_features=torch.from_numpy(x_test1), test_targets=test1.obs[pert_col])
    print("knn", knn.compute())
    times["knn"] = time.perf_counter() - started

    started = time.perf_counter()
    k = int(math.sqrt(len(test1)))
    k += 1 if k % 2 == 0 else 0
    metric = ilisi_mod.TorchILISIMetric(perplexity=k // 3, unique_labels=test1.obs[batch_col].unique())
    metric.update(torch.from_numpy(x_test1), test1.obs[batch_col])
    print("ilisi", metric.compute().item())
    times["ilisi"] = time.perf_counter() - started

    started = time.perf_counter()
    keep_train, keep_test = ~train.obs["is_control"].values, ~test1.obs["is_control"].values
    labels = list(train.obs[pert_col][keep_train].unique())
    model = probe_mod.LinearModel(
        input_dim=50, num_classes=len(labels), optimizer_name="adamw", lr=1e-3, weight_decay=1e-6,
        batch_size=int(keep_train.sum()), scheduler_name="warmup_cosine", min_lr=0.0, warmup_start_lr=3e-5,
        warmup_epochs=10, lr_decay_steps=None, scheduler_interval="step", seed=0, label_key=pert_col,
        unique_labels=labels)
    trainer = pl.Trainer(max_epochs=250, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dataloaders=fx.Loader(x_train[keep_train], train.obs[keep_train], int(keep_train.sum()), True))
    print("probe", trainer.test(model, fx.Loader(x_test1[keep_test], test1.obs[keep_test], int(keep_test.sum()), False),
                                verbose=False))
    times["probe"] = time.perf_counter() - started

    started = time.perf_counter()
    y_train, y_test2 = logn[fx.original_index(train.obs_names)], logn[fx.original_index(test2.obs_names)]
    g = y_train.shape[1]
    hidden = [int(50 + (g - 50) * i / 4) for i in range(1, 4)]
    model = recon_mod.DecoderModel(
        control_label=True, embedding_dim=50, output_dim=g, hidden_dims=hidden, optimizer_name="adamw",
        scheduler_name="warmup_cosine", lr=1e-4, weight_decay=1e-6, batch_key=batch_col, control_key="is_control",
        scheduler_interval="step", warmup_start_lr=3e-5, min_lr=0.0, warmup_epochs=10)
    trainer = pl.Trainer(max_epochs=30, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dataloaders=fx.Loader(x_train, train.obs, 512, True, y=y_train))
    with torch.no_grad():
        predicted = model(torch.from_numpy(x_test2)).float()
    result = metrics_mod.evaluate_reconstruction_metrics(predicted, torch.from_numpy(y_test2))
    distance = metrics_mod.StructuralTranscriptomeDistance()
    distance.update(predicted, torch.from_numpy(y_test2), test2.obs[batch_col].to_numpy(),
                    test2.obs["is_control"].to_list(), control_label=True)
    print("decoder", result["Average Spearman Correlation"], distance.compute())
    times["decoder"] = time.perf_counter() - started

    started = time.perf_counter()
    result = bmdb.pert_signal_consistency_benchmark(
        emb.astype(np.float64), adata.obs, pert_col=pert_col, neg_ctrl_perts=[], keys_to_drop=[control], n_jobs=1)
    times["consistency"] = time.perf_counter() - started

    for task, seconds in times.items():
        print(f"time {task} {seconds:.2f}")
    print(f"time total {sum(times.values()):.2f}")


if __name__ == "__main__":
    main()
