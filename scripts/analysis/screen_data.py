"""Shared reading for the analysis scripts: DATA.h5ad with --pert-col, --control and --keep COLUMN=VALUE."""

import argparse

import anndata
import numpy as np


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with DATA, --pert-col, --control and --keep."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("data")
    p.add_argument("--pert-col", default="perturbation")
    p.add_argument("--control", default="control")
    p.add_argument("--keep", help="COLUMN=VALUE: only the cells whose obs COLUMN holds VALUE")
    return p


def load(a: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    """X (dense float64, cells x genes) and the perturbation label of each cell."""
    ad = anndata.read_h5ad(a.data)
    if a.keep:
        column, value = a.keep.split("=")
        ad = ad[ad.obs[column].astype(str) == value].copy()
    x = ad.X.toarray() if hasattr(ad.X, "toarray") else np.asarray(ad.X)
    return x.astype(np.float64), ad.obs[a.pert_col].astype(str).values
