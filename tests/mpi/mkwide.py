#!/usr/bin/python3
# mkwide.py — writes a labelled snapshot the way an h5py user would, for tests/mpi/test_costs.sh:
#   mkwide.py OUT.h5 ROWS INDICATORS [CHUNK_ROWS CHUNK_COLS]
# ROWS x INDICATORS float32 indicators (a few latent factors plus noise, so the correlation and the
# factor analysis have work to do), churned from a logistic model of two of them, ids 1..ROWS, one
# region and one brand. With CHUNK_ROWS CHUNK_COLS the features are gzip-compressed in chunks of
# that shape (h5py's own chunking otherwise: contiguous). Run with Debian's python3-h5py.
import sys
import h5py
import numpy as np

out, n, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
chunks = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else None
rng = np.random.default_rng(20261201)
f = rng.standard_normal((n, 4)).astype(np.float32)
load = rng.uniform(0.3, 0.9, (4, p)).astype(np.float32) * (rng.random((4, p)) < 0.4)
x = f @ load + rng.standard_normal((n, p)).astype(np.float32)
eta = 0.8 * x[:, 0] - 0.6 * x[:, 1] - 1.5
y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.int8)
s = h5py.string_dtype()
with h5py.File(out, "w") as h:
    h.attrs["format"] = "churnscore-snapshot"
    h.attrs["format_version"] = np.int64(1)
    h.attrs["month"] = "2026-10"
    h.attrs["churn_window_months"] = np.int64(1)
    g = h.create_group("subscribers")
    g.create_dataset("id", data=np.arange(1, n + 1, dtype=np.uint64))
    g.create_dataset("region", data=np.zeros(n, dtype=np.uint16))
    g.create_dataset("brand", data=np.zeros(n, dtype=np.uint8))
    g.create_dataset("churned", data=y)
    g.create_dataset("feature_names", data=["x%05d" % j for j in range(p)], dtype=s)
    if chunks:
        g.create_dataset("features", data=x, chunks=chunks, compression="gzip", compression_opts=1)
    else:
        g.create_dataset("features", data=x)
    h.create_group("regions").create_dataset("name", data=["all"], dtype=s)
    h.create_group("brands").create_dataset("name", data=["all"], dtype=s)
