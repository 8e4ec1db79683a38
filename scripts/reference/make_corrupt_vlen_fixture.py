"""Tests/Fixtures/corrupt/vlen-length.h5ad: a small simulated .h5ad whose first obs/_index string claims a length
of 3.7 GB (the 4-byte sequence length of its variable-length record, set to 0xE0000000). libhdf5 1.10.8 allocates
and fills that much before it reads the string: 7.5 GB peak for a 48 KB file. Issue 26.

Usage: perturb simulate --perturbations 3 --cells-per 10 --controls 10 --genes 30 --seed 5 -o small.h5ad
       .venv-ref/bin/python scripts/reference/make_corrupt_vlen_fixture.py small.h5ad Tests/Fixtures/corrupt/vlen-length.h5ad
"""
import struct
import sys

import h5py

source, target = sys.argv[1], sys.argv[2]
with h5py.File(source, "r") as f:
    offset = f["obs/_index"].id.get_offset()  # contiguous: the records start here, 16 bytes each
data = bytearray(open(source, "rb").read())
struct.pack_into("<I", data, offset, 0xE0000000)
open(target, "wb").write(data)
