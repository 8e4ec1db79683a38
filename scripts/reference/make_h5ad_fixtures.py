#!/usr/bin/env python3
"""Golden h5ad fixtures written by the reference anndata, and a checker for files PerturbKit writes.

    python scripts/reference/make_h5ad_fixtures.py make [OUTDIR]   # default Tests/Fixtures/h5ad
    python scripts/reference/make_h5ad_fixtures.py legacy [OUTDIR] # the two old layouts, written with h5py
    python scripts/reference/make_h5ad_fixtures.py check FILE EXPECTED.json
    python scripts/reference/make_h5ad_fixtures.py scanpy FILE GROUP_COLUMN

`make` writes small .h5ad files that together cover every encoding the reader supports, and beside each
one a JSON file with the values anndata holds after reading it back (the expectation the Swift tests
compare against). `check` opens a file written by PerturbKit with anndata and compares it to the JSON
description PerturbKit's test wrote; it exits non-zero with a message on any difference. `scanpy` runs what users
run first on a file we wrote — sc.pp.pca and sc.tl.rank_genes_groups (wilcoxon and t-test) — and checks that a
sparse X stores indices and indptr with one integer type, as scipy does (mixed types break scikit-learn's kernels).

Pinned versions: scripts/reference/requirements.txt.
"""
import json
import sys
from pathlib import Path

import anndata as ad
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp


def describe(adata):
    """The JSON expectation of an AnnData object: dense X, obs/var columns with kinds, obsm."""
    X = adata.X
    dense = X.toarray() if sp.issparse(X) else np.asarray(X)
    out = {
        "shape": list(adata.shape),
        "X": dense.astype(np.float64).tolist(),
        "obs_names": [str(x) for x in adata.obs_names],
        "var_names": [str(x) for x in adata.var_names],
        "obs": {}, "var": {}, "obsm": {}, "layers": {},
    }
    for frame_name, frame in (("obs", adata.obs), ("var", adata.var)):
        for col in frame.columns:
            s = frame[col]
            if isinstance(s.dtype, pd.CategoricalDtype):
                entry = {"kind": "categorical", "ordered": bool(s.cat.ordered),
                         "categories": [str(c) for c in s.cat.categories],
                         "codes": s.cat.codes.astype(int).tolist()}
            elif pd.api.types.is_bool_dtype(s.dtype) and not pd.api.types.is_extension_array_dtype(s.dtype):
                entry = {"kind": "boolean", "values": s.astype(bool).tolist()}
            elif isinstance(s.dtype, pd.BooleanDtype):
                entry = {"kind": "nullable-boolean", "values": [bool(v) if not pd.isna(v) else False for v in s],
                         "missing": s.isna().tolist()}
            elif isinstance(s.dtype, pd.core.arrays.integer.IntegerDtype):
                entry = {"kind": "nullable-integer", "values": [int(v) if not pd.isna(v) else 0 for v in s],
                         "missing": s.isna().tolist()}
            elif isinstance(s.dtype, pd.StringDtype):
                entry = {"kind": "nullable-string", "values": [str(v) if not pd.isna(v) else "" for v in s],
                         "missing": s.isna().tolist()}
            elif pd.api.types.is_numeric_dtype(s.dtype):
                entry = {"kind": "numeric", "dtype": str(s.dtype), "values": s.astype(np.float64).tolist()}
            else:
                entry = {"kind": "string", "values": [str(v) for v in s]}
            out[frame_name][col] = entry
    for key, value in adata.obsm.items():
        out["obsm"][key] = np.asarray(value, dtype=np.float64).tolist()
    for key, value in adata.layers.items():
        out["layers"][key] = (value.toarray() if sp.issparse(value) else np.asarray(value)).astype(np.float64).tolist()
    return out


def base_object(rng, n_obs=12, n_vars=8, dtype=np.float32, density=0.4):
    dense = rng.poisson(2.0, size=(n_obs, n_vars)).astype(dtype)
    dense[rng.random((n_obs, n_vars)) > density] = 0
    obs = pd.DataFrame(index=[f"cell{i}" for i in range(n_obs)])
    labels = np.array(["non-targeting", "GENE1", "GENE2", "GENE1+GENE2"])[rng.integers(0, 4, n_obs)]
    obs["target_gene"] = pd.Categorical(labels)
    var = pd.DataFrame(index=[f"GENE{j}" for j in range(n_vars)])
    return dense, obs, var


def make(outdir: Path):
    outdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261121)
    if hasattr(ad.settings, "allow_write_nullable_strings"):
        ad.settings.allow_write_nullable_strings = True
    written = {}

    # 1. Dense float32 X and every obs/var column encoding; obsm arrays; uns contents to be skipped.
    dense, obs, var = base_object(rng)
    n = obs.shape[0]
    obs["dose"] = pd.Categorical(rng.choice([1, 10, 100], n))               # numeric categories
    obs["phase"] = pd.Categorical(rng.choice(["G1", "S", "G2M"], n), categories=["G1", "S", "G2M"], ordered=True)
    obs["sparse_cat"] = pd.Categorical(["a", None] * (n // 2))              # missing values (code -1)
    obs["donor"] = [f"d{i % 3}" for i in range(n)]                          # plain strings
    obs["n_counts"] = rng.random(n) * 1000                                  # float64
    obs["score32"] = (rng.random(n)).astype(np.float32)                    # float32
    obs["n_genes"] = rng.integers(0, 500, n).astype(np.int64)              # int64
    obs["small_int"] = rng.integers(0, 5, n).astype(np.int32)              # int32
    obs["is_control"] = rng.random(n) > 0.5                                 # bool
    obs["guides"] = pd.array([1, None, 3] * (n // 3), dtype="Int64")       # nullable integer
    obs["flag"] = pd.array([True, None, False] * (n // 3), dtype="boolean")  # nullable boolean
    obs["barcode"] = [f"AAAC{i:04d}" for i in range(n)]                    # unique strings stay string-array
    obs["note_cat"] = pd.array(["x", None, "z"] * (n // 3), dtype="string")  # becomes categorical of nullable strings
    var["highly_variable"] = rng.random(var.shape[0]) > 0.5
    var["gene_ids"] = [f"ENSG{j:05d}" for j in range(var.shape[0])]
    a = ad.AnnData(X=dense, obs=obs, var=var)
    a.obsm["X_pca"] = rng.normal(size=(n, 3))
    a.obsm["X_umap32"] = rng.normal(size=(n, 2)).astype(np.float32)
    a.uns["nested"] = {"a": 1, "b": "text", "c": {"d": np.arange(3)}}
    a.uns["df"] = pd.DataFrame({"x": [1, 2]})
    written["dense_f32_all_columns"] = a

    # 2. Dense float64 and dense integer X.
    dense, obs, var = base_object(rng, dtype=np.float64)
    written["dense_f64"] = ad.AnnData(X=dense + 0.25 * (dense > 0), obs=obs, var=var)
    dense, obs, var = base_object(rng, dtype=np.int32)
    written["dense_int32"] = ad.AnnData(X=dense, obs=obs, var=var)

    # 3. CSR float32 with gzip, and an int64 counts layer.
    dense, obs, var = base_object(rng, n_obs=30, n_vars=20)
    a = ad.AnnData(X=sp.csr_matrix(np.log1p(dense)), obs=obs, var=var)
    a.layers["counts"] = sp.csr_matrix(dense.astype(np.int64))
    written["csr_gzip"] = (a, "gzip")

    # 4. CSC float32 with lzf (h5py's own filter).
    dense, obs, var = base_object(rng, n_obs=25, n_vars=15)
    written["csc_lzf"] = (ad.AnnData(X=sp.csc_matrix(dense), obs=obs, var=var), "lzf")

    # 5. CSR float64 with lzf, with a stored explicit zero, unsorted indices and a duplicate entry.
    dense, obs, var = base_object(rng, n_obs=10, n_vars=6, dtype=np.float64)
    m = sp.csr_matrix(dense)
    data, indices, indptr = list(m.data), list(m.indices), list(m.indptr)
    # Row 0 gets entries written out of order, one explicit zero and one duplicated column.
    row0 = [(5, 1.5), (1, 0.0), (3, 2.0), (5, 0.5)]
    start, end = indptr[0], indptr[1]
    data = [v for _, v in row0] + data[end:]
    indices = [c for c, _ in row0] + indices[end:]
    shift = len(row0) - (end - start)
    indptr = [0] + [p + shift for p in indptr[1:]]
    m = sp.csr_matrix((np.array(data), np.array(indices, dtype=np.int32), np.array(indptr)), shape=m.shape)
    m.has_sorted_indices = False
    written["csr_f64_lzf_messy"] = (ad.AnnData(X=m, obs=obs, var=var), "lzf")

    # 6. Empty var frame columns and a CSR matrix with an empty row.
    dense, obs, var = base_object(rng, n_obs=6, n_vars=5)
    dense[2, :] = 0
    written["csr_empty_row"] = ad.AnnData(X=sp.csr_matrix(dense), obs=obs, var=var)

    for name, item in written.items():
        a, compression = item if isinstance(item, tuple) else (item, None)
        path = outdir / f"{name}.h5ad"
        a.write_h5ad(path, compression=compression)
        if name == "dense_f32_all_columns":
            # write_h5ad turns string columns into categoricals; add a true nullable-string column by hand.
            with h5py.File(path, "r+") as f:
                n = a.n_obs
                ad.io.write_elem(f["obs"], "note", pd.array([f"n{i}" if i != 1 else None for i in range(n)], dtype="string"))
                order = list(f["obs"].attrs["column-order"]) + ["note"]
                f["obs"].attrs["column-order"] = np.array(order, dtype=object)
        back = ad.read_h5ad(path)
        (outdir / f"{name}.json").write_text(json.dumps(describe(back), indent=None, sort_keys=True))

    # Error fixtures: HDF5 that is not AnnData, and an X with an encoding we do not read.
    with h5py.File(outdir / "not_anndata.h5", "w") as f:
        f.create_group("measurements").create_dataset("values", data=np.arange(4))
    dense, obs, var = base_object(rng, n_obs=4, n_vars=3)
    path = outdir / "unsupported_x.h5ad"
    ad.AnnData(X=sp.csr_matrix(dense), obs=obs, var=var).write_h5ad(path)
    with h5py.File(path, "r+") as f:
        f["X"].attrs["encoding-type"] = "coo_matrix"
    print(f"wrote {len(written) + 2} fixtures to {outdir}")


def make_legacy(outdir: Path):
    """Files in the layouts older anndata wrote, built with h5py as those versions laid them out (their writers
    need Python packages too old to install), and beside each the JSON of what today's anndata reads from them.

    legacy_v06: anndata < 0.7 — obs and var are compound datasets whose first field is the index, strings are
    fixed-length bytes, booleans are HDF5 enums, categorical columns are integer codes with their categories in
    uns['<column>_categories'], X is a group marked with h5sparse_format/h5sparse_shape and no encoding-type.
    legacy_v07: anndata 0.7 — obs and var are groups with `_index` and `column-order`, and a categorical column is
    an integer dataset whose `categories` attribute is an object reference to obs/__categories/<column>.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261204)
    n, m = 10, 6
    dense = rng.poisson(2.0, size=(n, m)).astype(np.float32)
    dense[rng.random((n, m)) > 0.5] = 0
    X = sp.csr_matrix(dense)
    labels = np.array(["non-targeting", "GENE1", "GENE2"])[rng.integers(0, 3, n)]
    categories = np.array(sorted(set(labels)))
    codes = np.searchsorted(categories, labels).astype(np.int8)
    cells = [f"cell{i}" for i in range(n)]
    genes = [f"GENE{j}" for j in range(m)]

    path = outdir / "legacy_v06.h5ad"
    with h5py.File(path, "w") as f:
        obs = np.zeros(n, dtype=[("index", "S8"), ("target_gene", "i1"), ("n_counts", "f4"), ("donor", "S3"),
                                 ("is_control", "?")])
        obs["index"] = [c.encode() for c in cells]
        obs["target_gene"] = codes
        obs["n_counts"] = dense.sum(axis=1)
        obs["donor"] = [f"d{i % 3}".encode() for i in range(n)]
        obs["is_control"] = labels == "non-targeting"
        f.create_dataset("obs", data=obs)
        var = np.zeros(m, dtype=[("index", "S6"), ("gene_ids", "S10"), ("n_cells", "i8")])
        var["index"] = [g.encode() for g in genes]
        var["gene_ids"] = [f"ENSG{j:05d}".encode() for j in range(m)]
        var["n_cells"] = (dense > 0).sum(axis=0)
        f.create_dataset("var", data=var)
        x = f.create_group("X")
        x.attrs["h5sparse_format"] = "csr"
        x.attrs["h5sparse_shape"] = np.array([n, m])
        x.create_dataset("data", data=X.data)
        x.create_dataset("indices", data=X.indices)
        x.create_dataset("indptr", data=X.indptr)
        f.create_group("uns").create_dataset("target_gene_categories", data=categories.astype("S"))

    path = outdir / "legacy_v07.h5ad"
    strings = h5py.string_dtype()
    with h5py.File(path, "w") as f:
        for name, index, columns in (("obs", cells, {"target_gene": codes, "n_counts": dense.sum(axis=1)}),
                                     ("var", genes, {"n_cells": (dense > 0).sum(axis=0)})):
            g = f.create_group(name)
            g.attrs["encoding-type"] = "dataframe"
            g.attrs["encoding-version"] = "0.1.0"
            g.attrs["_index"] = "index"
            g.attrs["column-order"] = np.array(list(columns), dtype="S")
            g.create_dataset("index", data=np.array(index, dtype=object), dtype=strings)
            for column, values in columns.items():
                d = g.create_dataset(column, data=values)
                if column == "target_gene":
                    c = g.create_group("__categories").create_dataset(
                        column, data=np.array(list(categories), dtype=object), dtype=strings)
                    d.attrs["categories"] = c.ref
        x = f.create_group("X")
        x.attrs["encoding-type"] = "csr_matrix"
        x.attrs["encoding-version"] = "0.1.0"
        x.attrs["shape"] = np.array([n, m])
        x.create_dataset("data", data=X.data)
        x.create_dataset("indices", data=X.indices)
        x.create_dataset("indptr", data=X.indptr)

    for name in ("legacy_v06", "legacy_v07"):
        back = ad.read_h5ad(outdir / f"{name}.h5ad")
        assert list(back.obs["target_gene"]) == list(labels), name
        (outdir / f"{name}.json").write_text(json.dumps(describe(back), indent=None, sort_keys=True))
    print(f"wrote legacy_v06 and legacy_v07 to {outdir}")


def check(path, expected_path):
    """Compares what anndata reads from PerturbKit's file with the JSON description PerturbKit wrote."""
    expected = json.loads(Path(expected_path).read_text())
    got = describe(ad.read_h5ad(path))
    problems = []
    if got["shape"] != expected["shape"]:
        problems.append(f"shape {got['shape']} != {expected['shape']}")
    elif not np.allclose(np.array(got["X"]), np.array(expected["X"]), rtol=0, atol=1e-6):
        problems.append("X differs")
    for key in ("obs_names", "var_names"):
        if got[key] != expected[key]:
            problems.append(f"{key} differ")
    for frame in ("obs", "var"):
        for col, want in expected[frame].items():
            have = got[frame].get(col)
            if have is None:
                problems.append(f"{frame}['{col}'] missing")
                continue
            for field, value in want.items():
                if field == "values" and want["kind"] == "numeric":
                    if not np.allclose(have["values"], value, rtol=1e-6, atol=1e-6):
                        problems.append(f"{frame}['{col}'] values differ")
                elif have.get(field) != value:
                    problems.append(f"{frame}['{col}'].{field}: anndata read {have.get(field)!r}, expected {value!r}")
    for key, value in expected.get("obsm", {}).items():
        if key not in got["obsm"] or not np.allclose(got["obsm"][key], value, atol=1e-9):
            problems.append(f"obsm['{key}'] differs")
    for key, value in expected.get("layers", {}).items():
        if key not in got["layers"] or not np.allclose(got["layers"][key], value, atol=1e-6):
            problems.append(f"layers['{key}'] differs")
    if problems:
        print(f"{path}: " + "; ".join(problems))
        sys.exit(1)
    print(f"{path}: anndata {ad.__version__} reads it as expected")


def scanpy_check(path, group):
    """Runs scanpy's PCA and marker-gene tests on a file PerturbKit wrote; exits non-zero when one fails."""
    import warnings

    warnings.filterwarnings("ignore")
    import scanpy as sc

    with h5py.File(path) as f:
        if isinstance(f["X"], h5py.Group):
            kinds = (f["X/indices"].dtype, f["X/indptr"].dtype)
            if kinds[0] != kinds[1]:
                print(f"{path}: X/indices is {kinds[0]} but X/indptr is {kinds[1]}")
                sys.exit(1)
    adata = sc.read_h5ad(path)
    try:
        sc.pp.pca(adata, n_comps=min(5, min(adata.shape) - 1))
        for method in ["wilcoxon", "t-test"]:
            sc.tl.rank_genes_groups(adata, group, method=method)
    except Exception as error:  # the message is what the test reports
        print(f"{path}: scanpy {sc.__version__} failed: {type(error).__name__}: {error}")
        sys.exit(1)
    print(f"{path}: scanpy {sc.__version__} runs PCA and rank_genes_groups")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "make":
        make(Path(sys.argv[2]) if len(sys.argv) > 2 else Path("Tests/Fixtures/h5ad"))
    elif len(sys.argv) >= 2 and sys.argv[1] == "legacy":
        make_legacy(Path(sys.argv[2]) if len(sys.argv) > 2 else Path("Tests/Fixtures/h5ad"))
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "scanpy":
        scanpy_check(sys.argv[2], sys.argv[3])
    else:
        print(__doc__)
        sys.exit(2)
