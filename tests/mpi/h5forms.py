#!/usr/bin/python3
# h5forms.py — rewrites a churnscore snapshot with h5py (Debian python3-h5py) in the integer, float
# and string forms operators' files really have, for tests/mpi/test_inputs.sh.
#   h5forms.py IN.h5 OUT.h5 FORM[,FORM...]
# Accepted forms (the result must equal the native file's): ids_i64 region_i32 region_u8
# region_i64 brand_i16 brand_u64 churned_i32 churned_u8ok features_f64 names_S names_fixed_utf8
# names_spacepad names_nullterm month_S month_fixed_utf8 month_vlen_ascii version_i8 window_f64
# churn_type_u32; v1 writes a snapshot of format version 1 (no churn_type, no type truth);
# ids_rowno_u64, ids_rowno_i16, ids_rowno_u16 number the subscribers 1..N (equal to each other)
# Refused forms: id_neg region_neg brand_neg churned_255 region_gbk region_dup brand_dup month_int
# feat_inf feat_ninf; nolabels drops /subscribers/churned; constant makes every
# indicator constant (NaN and Inf land in row 7 unless ROW=... is set in the environment).
import os
import sys

import h5py
import numpy as np

src, dst, forms = sys.argv[1], sys.argv[2], set(sys.argv[3].split(","))
ROW = int(os.environ.get("ROW", "7"))


def fixed_utf8(n):
    t = h5py.string_dtype("utf-8", n)
    return t


def names(values, form, ds):
    b = [v.encode("utf-8") for v in values]
    w = max(len(x) for x in b)
    if form == "names_S":  # numpy 'S': NULLPAD, exactly as wide as the longest name
        return np.array(b, dtype="S%d" % w), None
    if form == "names_fixed_utf8":
        return np.array(b, dtype=fixed_utf8(w)), None
    if form in ("names_spacepad", "names_nullterm"):
        return None, w
    return None, None


with h5py.File(src, "r") as fi, h5py.File(dst, "w") as fo:
    for k, v in fi.attrs.items():
        fo.attrs[k] = v
    m = fi.attrs["month"]
    m = m.decode() if isinstance(m, bytes) else m
    if "month_S" in forms:
        fo.attrs["month"] = np.bytes_(m.encode())
    if "month_fixed_utf8" in forms:
        fo.attrs.create("month", m.encode(), dtype=fixed_utf8(len(m.encode())))
    if "month_vlen_ascii" in forms:
        fo.attrs.create("month", m, dtype=h5py.string_dtype("ascii"))
    if "month_int" in forms:
        fo.attrs["month"] = np.int64(202610)
    if "version_i8" in forms:
        fo.attrs["format_version"] = np.int8(fi.attrs["format_version"])
    if "v1" in forms:  # a snapshot of format version 1: no churn types, no truth of them
        fo.attrs["format_version"] = np.int64(1)
    if "window_f64" in forms:
        fo.attrs["churn_window_months"] = np.float64(fi.attrs["churn_window_months"])

    def copy(path, data):
        fo.create_dataset(path, data=data)

    for path in ["/subscribers/feature_names", "/regions/name", "/brands/name"]:
        vals = [x.decode("utf-8") if isinstance(x, bytes) else x for x in fi[path][()]]
        if path == "/regions/name" and "region_dup" in forms:
            vals[2] = vals[1]
        if path == "/brands/name" and "brand_dup" in forms:
            vals[-1] = vals[0]
        done = False
        for f in ("names_S", "names_fixed_utf8", "names_spacepad", "names_nullterm"):
            if f in forms:
                data, w = names(vals, f, path)
                if data is not None:
                    copy(path, data)
                else:  # a padding h5py does not write itself: build the type by hand
                    tid = h5py.h5t.C_S1.copy()
                    tid.set_size(w)
                    tid.set_cset(h5py.h5t.CSET_UTF8)
                    tid.set_strpad(h5py.h5t.STR_SPACEPAD if f == "names_spacepad" else h5py.h5t.STR_NULLTERM)
                    if f == "names_nullterm":
                        tid.set_size(w + 1)
                        w += 1
                    pad = b" " if f == "names_spacepad" else b"\0"
                    arr = np.array([x.encode() + pad * (w - len(x.encode())) for x in vals], dtype="S%d" % w)
                    sp = h5py.h5s.create_simple((len(vals),))
                    grp = path.rsplit("/", 1)[0]
                    fo.require_group(grp)
                    d = h5py.h5d.create(fo.id, path.encode(), tid, sp)
                    d.write(h5py.h5s.ALL, h5py.h5s.ALL, arr, mtype=tid)
                done = True
        if not done:
            if path == "/regions/name" and "region_gbk" in forms:
                b = [v.encode("utf-8") for v in vals]
                b[3] = vals[3].encode("gbk")
                copy(path, np.array(b, dtype=h5py.string_dtype("ascii")))
            else:
                copy(path, np.array(vals, dtype=h5py.string_dtype("utf-8")))

    sub = fi["/subscribers"]
    ids = sub["id"][()]
    if "ids_i64" in forms or "id_neg" in forms:
        ids = ids.astype(np.int64)
    if "ids_rowno_u64" in forms:  # ids 1..N, so that narrower types can hold them
        ids = np.arange(1, len(ids) + 1, dtype=np.uint64)
    if "ids_rowno_i16" in forms:
        ids = np.arange(1, len(ids) + 1, dtype=np.int16)
    if "ids_rowno_u16" in forms:
        ids = np.arange(1, len(ids) + 1, dtype=np.uint16)
    if "id_neg" in forms:
        ids[ROW] = -7
    copy("/subscribers/id", ids)
    reg = sub["region"][()]
    for f, t in (("region_i32", np.int32), ("region_u8", np.uint8), ("region_i64", np.int64),
                 ("region_neg", np.int16)):
        if f in forms:
            reg = reg.astype(t)
    if "region_neg" in forms:
        reg[ROW] = -1
    copy("/subscribers/region", reg)
    br = sub["brand"][()]
    for f, t in (("brand_i16", np.int16), ("brand_u64", np.uint64), ("brand_neg", np.int8)):
        if f in forms:
            br = br.astype(t)
    if "brand_neg" in forms:
        br[ROW] = -3
    copy("/subscribers/brand", br)
    x = sub["features"][()]
    if "features_f64" in forms:
        x = x.astype(np.float64)
    if "constant" in forms:  # every indicator the same value for every subscriber
        x[:, :] = 2.385
    if "feat_inf" in forms:
        x[ROW, 3] = np.inf
    if "feat_ninf" in forms:
        x[ROW, 3] = -np.inf
    copy("/subscribers/features", x)
    if "churned" in sub and "nolabels" not in forms:
        c = sub["churned"][()]
        if "churned_i32" in forms:
            c = c.astype(np.int32)
        if "churned_u8ok" in forms:  # unsigned labels: -1 (unknown) cannot be held, so none may be
            c = np.where(c < 0, 0, c).astype(np.uint8)
        if "churned_255" in forms:
            c = c.astype(np.uint8)
            c[ROW] = 255
        copy("/subscribers/churned", c)
        if "churn_type" in sub and "v1" not in forms:  # snapshot v2: how each leaver left, any integer type
            t = sub["churn_type"][()]
            if "churn_type_u32" in forms:
                t = t.astype(np.uint32)
            copy("/subscribers/churn_type", t)
    if "truth" in fi:
        fi.copy("truth", fo)
        if "v1" in forms:
            for d in ("p_voluntary", "p_involuntary"):
                if d in fo["truth"]:
                    del fo["truth/" + d]
