#!/usr/bin/python3
# modelbad.py — copies a model file and makes it inconsistent in one way, with h5py, for
# tests/mpi/test_inputs.sh:  modelbad.py GOOD.h5 OUT.h5 FORM
# FORM: nbrands nbrands_small nfactors beta_nan fa_idx tenure ncoef
import sys, shutil, h5py, numpy as np
src, dst, form = sys.argv[1:4]
shutil.copy(src, dst)
with h5py.File(dst, "r+") as f:
    if form == "nbrands": f.attrs["n_brands"] = np.int64(f.attrs["n_brands"] + 2)
    if form == "nbrands_small": f.attrs["n_brands"] = np.int64(1)
    if form == "nfactors": f.attrs["n_factors"] = np.int64(f.attrs["n_factors"] + 1)
    if form == "beta_nan":
        b = f["/logit/beta"][()]; b[2] = np.nan; f["/logit/beta"][...] = b
    if form == "fa_idx":
        b = f["/inputs/indicator_index"][()]; b[1] = 999; f["/inputs/indicator_index"][...] = b
    if form == "tenure": f.attrs["tenure_index"] = np.int64(-5)
    if form == "ncoef":
        n = f["/logit/names"][()]; del f["/logit/names"]; f.create_dataset("/logit/names", data=n[:-1])
