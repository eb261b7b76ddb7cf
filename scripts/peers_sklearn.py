#!/usr/bin/env python3
"""The churnscore pipeline written the way an analyst would in scikit-learn, for bench-peers.sh.

Reads the snapshot with h5py, imputes with the mean, StandardScaler, FactorAnalysis (varimax, the
same number of factors as churnscore chose), LogisticRegression (newton-cholesky) on the factor
scores plus the same hard signals, lifecycle flags and brand dummies, predict_proba for every row,
per-region top K with numpy. The holdout is the same rows as churnscore's (the same id hash).
Prints one line per stage: "stage seconds" and finally "auc VALUE".
Usage: peers_sklearn.py SNAPSHOT.h5 N_FACTORS [TOPK]
"""
import sys, time
import numpy as np
import h5py
from sklearn.preprocessing import StandardScaler
from sklearn.decomposition import FactorAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

SIGNALS = ["dual_sim", "competitor_service_calls_m3", "forward_to_competitor_m3", "suspended_voluntary",
           "suspended_arrears", "suspended_high_bill", "days_no_outgoing_m3"]
LIFE = ["tenure_months", "contract_months_left", "contract_ending", "new_subscriber"]
M64 = (1 << 64) - 1

def unit(ids, salt):
    """train_unit() of mpi/cmd_train.c: splitmix64 finaliser of (id ^ salt) + golden, top 53 bits."""
    with np.errstate(over="ignore"):
        x = (ids ^ np.uint64(salt)) + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) / 9007199254740992.0

def stage(name, t0):
    print("%s %.3f" % (name, time.time() - t0), flush=True)
    return time.time()

def main():
    path, k = sys.argv[1], int(sys.argv[2])
    topk = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    t = time.time()
    with h5py.File(path, "r") as f:
        X = f["subscribers/features"][:]
        names = [s.decode() if isinstance(s, bytes) else s for s in f["subscribers/feature_names"][:]]
        ids = f["subscribers/id"][:]
        y = f["subscribers/churned"][:]
        region = f["subscribers/region"][:]
        brand = f["subscribers/brand"][:]
        nreg = len(f["regions/name"])
    t = stage("read", t)
    hold = unit(ids, 0x686f6c646f7574) < 0.2
    fit = ~hold & (y >= 0)
    col = {n: i for i, n in enumerate(names)}
    sig = [col[s] for s in SIGNALS if s in col]
    pool = [i for i, n in enumerate(names) if n not in SIGNALS and n not in LIFE]
    mean = np.nanmean(X[fit][:, pool], axis=0)
    Z = X[:, pool]
    nan = np.isnan(Z)
    Z[nan] = np.take(mean, np.nonzero(nan)[1])
    # drop near-constant and collinear columns the simple way an analyst would
    sd = Z[fit].std(axis=0)
    keep = sd > 0
    Z = Z[:, keep]
    scaler = StandardScaler().fit(Z[fit])
    Z = scaler.transform(Z)
    t = stage("prepare", t)
    fa = FactorAnalysis(n_components=k, rotation="varimax", random_state=0).fit(Z[fit])
    F = fa.transform(Z)
    t = stage("factor_analysis", t)
    S = np.nan_to_num(X[:, sig])
    ten = X[:, col["tenure_months"]] <= 3 if "tenure_months" in col else np.zeros(len(X), bool)
    cml = X[:, col["contract_months_left"]] if "contract_months_left" in col else np.full(len(X), -1.0)
    ending = (cml >= 0) & (cml <= 1)
    B = np.stack([(brand == b) for b in range(1, brand.max() + 1)], axis=1)
    D = np.column_stack([F, S, ten, ending, B]).astype(np.float64)
    lr = LogisticRegression(solver="newton-cholesky", C=1e6, max_iter=100).fit(D[fit], y[fit])
    t = stage("logistic", t)
    p = lr.predict_proba(D)[:, 1]
    t = stage("score", t)
    lists = []
    for r in range(nreg):
        idx = np.nonzero(region == r)[0]
        if len(idx) == 0:
            continue
        order = np.lexsort((ids[idx], -p[idx]))[:topk]
        lists.append(idx[order])
    t = stage("lists", t)
    h = hold & (y >= 0)
    print("auc %.6f" % roc_auc_score(y[h], p[h]))

if __name__ == "__main__":
    main()
