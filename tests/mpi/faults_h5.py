#!/usr/bin/python3
"""faults_h5.py SNAP.h5 MODEL.h5 OUTDIR — writes, with h5py (as an operator's Python would), the odd
HDF5 files of tests/mpi/test_faults.sh: copies of a generated snapshot or a trained model with one
dataset or attribute rewritten in another integer width or signedness, another string form
(fixed-length null- or space-padded, exact length, fixed UTF-8, not UTF-8), a duplicated name, a
non-finite value, or counts that disagree. Each bad value sits in the LAST row, which the last rank
reads when there are several. Debian's python3-h5py (run with /usr/bin/python3)."""
import shutil
import sys

import h5py
import numpy as np

snap, model, out = sys.argv[1:4]


def variant(name, base, fn):
    path = "%s/%s.h5" % (out, name)
    shutil.copyfile(base, path)
    with h5py.File(path, "r+") as f:
        fn(f)


def retype(f, path, dtype, edit=None):
    """Rewrite dataset PATH with numpy DTYPE (values converted), then apply EDIT(array) to it."""
    a = f[path][()]
    del f[path]
    a = a.astype(dtype)
    if edit:
        edit(a)
    f.create_dataset(path, data=a)


def last(v):
    def e(a):
        a[-1] = v
    return e


def names(f, path):
    return [s.decode() if isinstance(s, bytes) else s for s in f[path][()]]


def put_strings(f, path, vals, kind):
    """Rewrite string dataset PATH: 'S' fixed-length ASCII/bytes null-padded with the exact length of
    the longest (no terminator), 'U8' fixed-length UTF-8, 'space' fixed-length space-padded,
    'vlen-bytes' variable-length ASCII-flagged bytes."""
    del f[path]
    b = [v.encode() if isinstance(v, str) else v for v in vals]
    n = max(len(x) for x in b)
    if kind == "S":
        f.create_dataset(path, data=np.array(b, dtype="S%d" % n))
    elif kind in ("U8", "space"):
        size = n if kind == "U8" else n + 3
        tid = h5py.h5t.C_S1.copy()
        tid.set_size(size)
        tid.set_strpad(h5py.h5t.STR_SPACEPAD if kind == "space" else h5py.h5t.STR_NULLPAD)
        tid.set_cset(h5py.h5t.CSET_UTF8)
        pad = b" " if kind == "space" else b"\0"
        arr = np.array([x + pad * (size - len(x)) for x in b], dtype="S%d" % size)
        space = h5py.h5s.create_simple((len(b),))
        ds = h5py.h5d.create(f.id, path.encode(), tid, space)
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, arr, mtype=tid)
    elif kind == "vlen-bytes":
        f.create_dataset(path, data=np.array(b, dtype=object), dtype=h5py.string_dtype("ascii"))


def set_attr_fixed(f, name, s):
    del f.attrs[name]
    f.attrs.create(name, np.bytes_(s.encode()), dtype="S%d" % len(s.encode()))


# integers of other widths and signedness: in range (accepted) and out of range (refused)
variant("id_i64_neg", snap, lambda f: retype(f, "subscribers/id", "i8", last(-7)))
def small_ids(a):
    a[:] = np.arange(1, len(a) + 1) * 7
variant("id_i32", snap, lambda f: retype(f, "subscribers/id", "i4", small_ids))
variant("id_f64", snap, lambda f: retype(f, "subscribers/id", "f8"))
variant("region_i8_neg", snap, lambda f: retype(f, "subscribers/region", "i1", last(-1)))
variant("region_i64", snap, lambda f: retype(f, "subscribers/region", "i8"))
variant("region_u32_big", snap, lambda f: retype(f, "subscribers/region", "u4", last(70000)))
variant("brand_i16_neg", snap, lambda f: retype(f, "subscribers/brand", "i2", last(-3)))
variant("brand_u64", snap, lambda f: retype(f, "subscribers/brand", "u8"))
variant("brand_u64_big", snap, lambda f: retype(f, "subscribers/brand", "u8", last(2**40)))
variant("churned_u8_255", snap, lambda f: retype(f, "subscribers/churned", "u1", last(255)))
variant("churned_i32", snap, lambda f: retype(f, "subscribers/churned", "i4"))
variant("churned_i64_2", snap, lambda f: retype(f, "subscribers/churned", "i8", last(2)))
variant("churned_f32", snap, lambda f: retype(f, "subscribers/churned", "f4"))

# strings in the forms HDF5 files really have (all accepted, padding removed)
def regions_as(kind):
    return lambda f: put_strings(f, "regions/name", names(f, "regions/name"), kind)
variant("regions_S", snap, regions_as("S"))
variant("regions_U8", snap, regions_as("U8"))
variant("regions_space", snap, regions_as("space"))
variant("regions_vlen_ascii", snap, lambda f: put_strings(f, "regions/name",
        ["north", "south", "east", "west"][:len(f["regions/name"])], "vlen-bytes"))
variant("fnames_S", snap, lambda f: put_strings(f, "subscribers/feature_names",
        names(f, "subscribers/feature_names"), "S"))
variant("brands_space", snap, lambda f: put_strings(f, "brands/name", names(f, "brands/name"), "space"))
variant("month_S", snap, lambda f: set_attr_fixed(f, "month", "2026-10"))
variant("format_S", snap, lambda f: set_attr_fixed(f, "format", "churnscore-snapshot"))

# strings that are wrong: not UTF-8 (GBK), duplicated
def gbk_regions(f):
    n = names(f, "regions/name")
    n[-1] = "广州"
    del f["regions/name"]
    f.create_dataset("regions/name", data=np.array([s.encode("gbk") if i == len(n) - 1 else s.encode()
                                                     for i, s in enumerate(n)], dtype=object),
                     dtype=h5py.string_dtype("utf-8"))
variant("regions_gbk", snap, gbk_regions)
def latin1_feature(f):
    n = names(f, "subscribers/feature_names")
    b = [s.encode() for s in n]
    b[-1] = b"d\xe9bit_m3"
    del f["subscribers/feature_names"]
    f.create_dataset("subscribers/feature_names", data=np.array(b, dtype=object),
                     dtype=h5py.string_dtype("utf-8"))
variant("fnames_latin1", snap, latin1_feature)
def dup(path, i, j):
    def fn(f):
        n = names(f, path)
        n[j] = n[i]
        put_strings(f, path, n, "vlen-bytes")
    return fn
variant("regions_dup", snap, dup("regions/name", 0, 2))
variant("brands_dup", snap, dup("brands/name", 0, 1))
variant("fnames_dup", snap, dup("subscribers/feature_names", 4, 9))
variant("month_int", snap, lambda f: (f.attrs.__delitem__("month"), f.attrs.create("month", 202610, dtype="i4")))

# non-finite and constant indicators
def feat(v, col=3):
    def fn(f):
        f["subscribers/features"][-1, col] = v
    return fn
variant("feat_inf", snap, feat(np.inf))
variant("feat_ninf", snap, feat(-np.inf, 7))
def unlabelled(v):
    def fn(f):
        del f["subscribers/churned"]
        if "subscribers/churn_type" in f:  # only beside churned (snapshot v2)
            del f["subscribers/churn_type"]
        f["subscribers/features"][-1, 3] = v
    return fn
variant("unl_inf", snap, unlabelled(np.inf))
variant("unl_ninf", snap, unlabelled(-np.inf))
def constant(f):
    x = f["subscribers/features"][()]
    x[:] = x[0]
    f["subscribers/features"][...] = x
variant("constant", snap, constant)
def one_class(f):
    f["subscribers/churned"][...] = 0
    if "subscribers/churn_type" in f:  # nobody left, so nobody left in either way
        f["subscribers/churn_type"][...] = 0
variant("one_class", snap, one_class)

# churn types (snapshot v2): the last row's type disagreeing with its label (as int32), a uint8 255
def ctype_disagree(f):
    t = f["subscribers/churn_type"][()].astype("i4")
    t[-1] = 2 if f["subscribers/churned"][-1] == 0 else 0
    del f["subscribers/churn_type"]
    f.create_dataset("subscribers/churn_type", data=t)
variant("ctype_disagree", snap, ctype_disagree)
variant("ctype_u8_255", snap, lambda f: retype(f, "subscribers/churn_type", "u1", last(255)))

# model files whose parts disagree
def mattr(name, v):
    def fn(f):
        f.attrs[name] = v
    return fn
variant("model_nbrands", model, mattr("n_brands", np.int64(7)))
variant("model_nbrands0", model, mattr("n_brands", np.int64(1)))
variant("model_nfactors", model, mattr("n_factors", np.int64(40)))
variant("model_tenure", model, mattr("tenure_index", np.int64(999)))
def beta_nan(f):
    f["logit/beta"][1] = np.nan
variant("model_beta_nan", model, beta_nan)
def scale_zero(f):
    f["inputs/scale"][0] = 0
variant("model_scale0", model, scale_zero)
def no_beta(f):
    del f["logit/beta"]
def types_nan(f):
    f["types/voluntary/beta"][2] = np.nan
variant("model_types_nan", model, types_nan)
def types_short(f):
    b = f["types/involuntary/beta"][()]
    del f["types/involuntary/beta"]
    f.create_dataset("types/involuntary/beta", data=b[:-1])
variant("model_types_short", model, types_short)
variant("model_nobeta", model, no_beta)
