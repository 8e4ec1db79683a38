"""Copies PerturBench's golden fixture (../shared/fixtures/perturbench) into Tests/Fixtures/perturbench with every
array gzip-compressed (level 9): the values, dtypes and attributes are unchanged, the files ~4× smaller.
Run from the repository root with the reference environment:  .venv-ref/bin/python Tests/Fixtures/perturbench/recompress.py
"""
import pathlib
import shutil

import h5py

SOURCE = pathlib.Path("../shared/fixtures/perturbench")
TARGET = pathlib.Path("Tests/Fixtures/perturbench")


def copy(src: h5py.Group, dst: h5py.Group) -> None:
    for key, value in src.attrs.items():
        dst.attrs[key] = value
    for name, item in src.items():
        if isinstance(item, h5py.Group):
            copy(item, dst.create_group(name))
        else:
            data = item[()]
            if item.shape == ():
                out = dst.create_dataset(name, data=data, dtype=item.dtype)
            else:
                out = dst.create_dataset(name, data=data, dtype=item.dtype, compression="gzip", compression_opts=9)
            for key, value in item.attrs.items():
                out.attrs[key] = value


for case in ["no_ties", "all_tied"]:
    (TARGET / case).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE / case / "perturbench_reference.csv", TARGET / case / "perturbench_reference.csv")
    for side in ["real", "pred"]:
        with h5py.File(SOURCE / case / f"{side}.h5ad") as src, h5py.File(TARGET / case / f"{side}.h5ad", "w") as dst:
            copy(src, dst)
