#!/usr/bin/python3
"""calibration-check.py SCORES SNAPSHOT [--holdout SHARE]

Expected against observed leavers of a scores file (churnscore score) on its snapshot's labelled
rows: overall and in each of the top three deciles of the probability, the figures of issue 21's
calibration criterion (within 5% overall, 10% per decile). With --holdout SHARE only the rows train
held out (idhash_unit(id, SALT_HOLDOUT) < SHARE, as mpi/train_pass.c: score the training snapshot
itself). Where the snapshot has /truth/churn_prob (churnscore generate) the expected leavers are
also set against the true probabilities' sum, which has no label noise: on a decile of 80 leavers
the observed count alone is uncertain by +-11%. Needs h5py and numpy.
"""
import argparse
import h5py
import numpy as np

M64 = (1 << 64) - 1
SALT_HOLDOUT = 0x686f6c646f7574  # mpi/salts.h


def unit(ids, salt):
    """model/idhash.h idhash_unit, vectorised in uint64 (wrapping multiplication)."""
    with np.errstate(over="ignore"):
        x = (ids.astype(np.uint64) ^ np.uint64(salt)) + np.uint64(0x9e3779b97f4a7c15)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xbf58476d1ce4e5b9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94d049bb133111eb)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scores")
    ap.add_argument("snapshot")
    ap.add_argument("--holdout", type=float, default=None)
    a = ap.parse_args()
    with h5py.File(a.scores, "r") as f:
        sid = f["/subscribers/id"][()]
        p = f["/subscribers/probability"][()]
    with h5py.File(a.snapshot, "r") as f:
        nid = f["/subscribers/id"][()]
        y = f["/subscribers/churned"][()]
        truth = f["/truth/churn_prob"][()] if "/truth/churn_prob" in f else None
    if not np.array_equal(sid, nid):
        raise SystemExit("the scores and the snapshot hold different ids (or orders)")
    keep = (y == 0) | (y == 1)
    if a.holdout is not None:
        keep &= unit(nid, SALT_HOLDOUT) < a.holdout
    p, y = p[keep], y[keep].astype(float)
    t = truth[keep] if truth is not None else None
    o = np.argsort(-p, kind="stable")
    n = len(p)

    def line(name, idx):
        s = "%-10s n %8d  observed %7d  expected %9.1f  E/O %.3f" % (name, len(idx), y[idx].sum(), p[idx].sum(),
                                                                     p[idx].sum() / max(y[idx].sum(), 1e-12))
        if t is not None:
            s += "  true %9.1f  E/true %.3f" % (t[idx].sum(), p[idx].sum() / t[idx].sum())
        print(s)

    line("all", np.arange(n))
    for d in range(3):
        line("decile %d" % (10 - d), o[d * n // 10:(d + 1) * n // 10])


if __name__ == "__main__":
    main()
