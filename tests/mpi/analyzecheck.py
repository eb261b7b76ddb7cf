#!/usr/bin/python3
"""analyzecheck.py — every figure of `churnscore analyze` computed again, independently, with numpy
from the snapshots and the scores (h5py reads them; no code shared with churnscore), and compared
with the CSV files; the JSON files must hold the same numbers as the CSV.

usage: analyzecheck.py SNAP.h5 OUTDIR [--previous LAST.h5] [--scores SCORES.h5] [--traffic-change N]

Counts must be equal; sums agree to a relative 1e-9 (churnscore sums by a fixed tree of blocks,
numpy pairwise: the same real number, other roundings), the traffic profile's standard deviations and
standardised differences to 1e-7 (they come from sums of squares). Exit 0 when everything agrees,
else 1 with the first differences.
"""
import argparse
import csv
import json
import math
import sys

import h5py
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("snap")
ap.add_argument("out")
ap.add_argument("--previous")
ap.add_argument("--scores")
ap.add_argument("--traffic-change", type=float, default=30.0)
a = ap.parse_args()
errors = []


def err(msg):
    errors.append(msg)


def strs(ds):
    return [x.decode() if isinstance(x, bytes) else x for x in ds[:]]


class Snap:
    def __init__(self, path):
        f = h5py.File(path, "r")
        self.month = f.attrs["month"]
        self.month = self.month.decode() if isinstance(self.month, bytes) else str(self.month)
        self.id = f["/subscribers/id"][:].astype(np.uint64)
        self.region = f["/subscribers/region"][:].astype(np.int64)
        self.brand = f["/subscribers/brand"][:].astype(np.int64)
        self.X = f["/subscribers/features"][:].astype(np.float32)
        self.names = strs(f["/subscribers/feature_names"])
        self.regions = strs(f["/regions/name"])
        self.brands = strs(f["/brands/name"])
        self.has_labels = "/subscribers/churned" in f
        self.churned = f["/subscribers/churned"][:].astype(np.int64) if self.has_labels else np.full(len(self.id), -1)
        self.has_types = "/subscribers/churn_type" in f
        self.ctype = f["/subscribers/churn_type"][:].astype(np.int64) if self.has_types else np.zeros(len(self.id), np.int64)
        if "/subscribers/area" in f:
            self.area = f["/subscribers/area"][:].astype(np.int64)
            self.areas = strs(f["/areas/name"])
            self.area_region = f["/areas/region"][:].astype(np.int64)
        else:
            self.area = None
            self.areas = []

    def col(self, name):
        """The column as float64 (NaN where missing or absent)."""
        if name not in self.names:
            return np.full(len(self.id), np.nan)
        return self.X[:, self.names.index(name)].astype(np.float64)

    def on(self, name):
        return np.nan_to_num(self.col(name), nan=0.0) > 0


cur = Snap(a.snap)
prev = Snap(a.previous) if a.previous else None
has_areas = cur.area is not None
N = len(cur.id)

# the keys of each row: region name, area name ("" without areas), brand name
def keys_of(s):
    r = np.array(s.regions, dtype=object)[s.region]
    ar = np.array(s.areas, dtype=object)[s.area] if (has_areas and s.area is not None) else np.full(len(s.id), "", dtype=object)
    b = np.array(s.brands, dtype=object)[s.brand]
    return r, ar, b


cr, ca, cb = keys_of(cur)
if prev is not None:
    pr, pa, pb = keys_of(prev)


def specs():
    """(level, region, area, brand) of every drill-down row: '' is all."""
    out = []
    for b in [""] + cur.brands:
        out.append(("total", "", "", b))
    for ri, r in enumerate(cur.regions):
        for b in [""] + cur.brands:
            out.append(("region", r, "", b))
        if has_areas:
            for ai, an in enumerate(cur.areas):
                if cur.area_region[ai] != ri:
                    continue
                for b in [""] + cur.brands:
                    out.append(("area", r, an, b))
    return out


def mask(R, A, B, spec):
    lv, r, ar, b = spec
    m = np.ones(len(R), bool)
    if r:
        m &= R == r
    if ar:
        m &= A == ar
    if b:
        m &= B == b
    return m


def ratio(x, y):
    return x / y if y > 0 else math.nan


def read_csv(name):
    with open(f"{a.out}/{name}.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def num(s):
    return math.nan if s == "" else float(s)


def close(x, y, rel):
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return abs(x - y) <= rel * max(1.0, abs(x), abs(y))


def compare(name, nkeys, expect, rel=1e-9):
    """expect: {key tuple: {column: value}}; the CSV must have exactly these rows."""
    head, rows = read_csv(name)
    got = {}
    for row in rows:
        got[tuple(row[:nkeys])] = dict(zip(head[nkeys:], map(num, row[nkeys:])))
    if set(got) != set(expect):
        err(f"{name}: rows differ: missing {sorted(set(expect) - set(got))[:3]}, extra {sorted(set(got) - set(expect))[:3]}")
        return
    for k, cols in expect.items():
        for c, v in cols.items():
            if c not in got[k]:
                err(f"{name}: no column {c}")
                return
            if not close(got[k][c], v, rel):
                err(f"{name} {k} {c}: churnscore {got[k][c]!r}, numpy {v!r}")
    # the JSON holds the same rows and numbers
    with open(f"{a.out}/{name}.json", encoding="utf-8") as f:
        j = json.load(f)
    if j["kind"] != name or j["month"] != cur.month or len(j["rows"]) != len(rows):
        err(f"{name}.json: kind, month or row count differs from the CSV")
    for jr, row in zip(j["rows"], rows):
        for c, s in zip(head, row):
            v = jr[c]
            if c in head[:nkeys]:
                if (v or "") != s:
                    err(f"{name}.json: key {c} {v!r} but CSV {s!r}")
            elif not close(math.nan if v is None else float(v), num(s), 1e-15):
                err(f"{name}.json: {c} {v!r} but CSV {s!r}")


arpu = np.nan_to_num(cur.col("arpu_m3"), nan=0.0)
lab = (cur.churned == 0) | (cur.churned == 1)
left = cur.churned == 1
tenure_new = cur.col("tenure_months") <= 1
if prev is not None:
    parpu = np.nan_to_num(prev.col("arpu_m3"), nan=0.0)
    plab = (prev.churned == 0) | (prev.churned == 1)
    pleft = prev.churned == 1
    ptenure_new = prev.col("tenure_months") <= 1
    prev_ids = set(prev.id.tolist())
    cur_ids = set(cur.id.tolist())
    new = tenure_new | np.array([i not in prev_ids for i in cur.id.tolist()])
    gone = np.array([i not in cur_ids for i in prev.id.tolist()])
else:
    new = tenure_new

S = specs()
NAN = math.nan

# ---- churn
exp = {}
for sp in S:
    m = mask(cr, ca, cb, sp)
    subs, nw, l_, lv = m.sum(), (m & new).sum(), (m & lab).sum(), (m & left).sum()
    vol = (m & left & (cur.ctype == 1)).sum() if cur.has_types else NAN
    inv = (m & left & (cur.ctype == 2)).sum() if cur.has_types else NAN
    cr_ = ratio(lv, l_) if cur.has_labels else NAN
    e = {"subscribers": subs, "new": nw, "new_rate": ratio(nw, subs), "labelled": l_,
         "leavers": lv if cur.has_labels else NAN, "churn_rate": cr_, "voluntary": vol, "involuntary": inv,
         "monthly_value": arpu[m].sum(), "leavers_value": arpu[m & left].sum() if cur.has_labels else NAN}
    if prev is not None:
        pm = mask(pr, pa, pb, sp)
        ps, pn = pm.sum(), (pm & ptenure_new).sum()
        e.update({"subscribers_change": subs - ps, "new_change": nw - pn,
                  "new_rate_change": ratio(nw, subs) - ratio(pn, ps),
                  "leavers_change": lv - (pm & pleft).sum() if cur.has_labels else NAN,
                  "churn_rate_change": cr_ - ratio((pm & pleft).sum(), (pm & plab).sum()) if cur.has_labels else NAN,
                  "voluntary_change": vol - (pm & pleft & (prev.ctype == 1)).sum() if cur.has_types else NAN,
                  "involuntary_change": inv - (pm & pleft & (prev.ctype == 2)).sum() if cur.has_types else NAN,
                  "gone_since_last": (pm & gone).sum()})
    else:
        for c in ["subscribers_change", "new_change", "new_rate_change", "leavers_change", "churn_rate_change",
                  "voluntary_change", "involuntary_change", "gone_since_last"]:
            e[c] = NAN
    exp[sp] = {k: float(v) for k, v in e.items()}
compare("churn", 4, exp)

# ---- suspension
exp = {}
for ty, col in [("voluntary", "suspended_voluntary"), ("arrears", "suspended_arrears"), ("high_bill", "suspended_high_bill")]:
    on = cur.on(col)
    pon = prev.on(col) if prev is not None else None
    for sp in S:
        m = mask(cr, ca, cb, sp) & on
        e = {"suspended": m.sum(), "monthly_value": arpu[m].sum(), "labelled": (m & lab).sum(),
             "left": (m & left).sum() if cur.has_labels else NAN,
             "share_left": ratio((m & left).sum(), (m & lab).sum()) if cur.has_labels else NAN}
        if prev is not None:
            pm = mask(pr, pa, pb, sp) & pon
            e["suspended_change"] = e["suspended"] - pm.sum()
            e["monthly_value_change"] = e["monthly_value"] - parpu[pm].sum()
        else:
            e["suspended_change"] = e["monthly_value_change"] = NAN
        exp[(ty,) + sp] = {k: float(v) for k, v in e.items()}
compare("suspension", 5, exp)

# ---- forwarding
comps = [n[11:-3] for n in cur.names if n.startswith("forward_to_") and n.endswith("_m3") and n != "forward_to_competitor_m3"]


def fw_cols(s, k):
    if k != "all":
        return s.on(f"forward_to_{k}_m3"), s.on(f"competitor_service_calls_{k}_m3"), s.on(f"dual_sim_{k}")
    f = s.on("forward_to_competitor_m3") if "forward_to_competitor_m3" in cur.names else np.any([s.on(f"forward_to_{c}_m3") for c in comps] or [np.zeros(len(s.id), bool)], axis=0)
    c = s.on("competitor_service_calls_m3") if "competitor_service_calls_m3" in cur.names else np.any([s.on(f"competitor_service_calls_{c}_m3") for c in comps] or [np.zeros(len(s.id), bool)], axis=0)
    d = s.on("dual_sim") if "dual_sim" in cur.names else np.any([s.on(f"dual_sim_{c}") for c in comps] or [np.zeros(len(s.id), bool)], axis=0)
    return f, c, d


exp = {}
for k in comps + ["all"]:
    f, c, d = fw_cols(cur, k)
    if prev is not None:
        pf, _, _ = fw_cols(prev, k)
    for sp in S:
        m = mask(cr, ca, cb, sp)
        mf = m & f
        e = {"forwarding": mf.sum(), "monthly_value": arpu[mf].sum(), "service_calls": (m & c).sum(),
             "dual_sim": (m & d).sum(), "labelled": (mf & lab).sum(),
             "left": (mf & left).sum() if cur.has_labels else NAN,
             "share_left": ratio((mf & left).sum(), (mf & lab).sum()) if cur.has_labels else NAN}
        if prev is not None:
            pm = mask(pr, pa, pb, sp) & pf
            e["forwarding_change"] = e["forwarding"] - pm.sum()
            e["monthly_value_change"] = e["monthly_value"] - parpu[pm].sum()
        else:
            e["forwarding_change"] = e["monthly_value_change"] = NAN
        exp[(k,) + sp] = {kk: float(v) for kk, v in e.items()}
compare("forwarding", 5, exp)

# ---- traffic change
t = a.traffic_change / 100.0


def change(prefix):
    m1, m2, m3 = (cur.col(f"{prefix}{i}") for i in (1, 2, 3))
    base = 0.5 * (m1 + m2)
    ok = ~np.isnan(m1) & ~np.isnan(m2) & ~np.isnan(m3) & (base > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, (m3 - base) / np.where(ok, base, 1.0), np.nan)


dm, dd = change("mou_m"), change("data_mb_m")
eps = 1e-9
rose = ((~np.isnan(dm)) & (dm >= t - eps)) | ((~np.isnan(dd)) & (dd >= t - eps))
fell = ((~np.isnan(dm)) & (dm <= -t + eps)) | ((~np.isnan(dd)) & (dd <= -t + eps))
comparable = ~(np.isnan(dm) & np.isnan(dd))
steady = comparable & ~rose & ~fell
exp = {}
X64 = cur.X.astype(np.float64)


def moments(m, j):
    v = X64[m, j]
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return NAN, NAN, 0
    return v.mean(), v.std(), len(v)


for gname, g in [("rose", rose), ("fell", fell)]:
    for j, name in enumerate(cur.names):
        mg, sg, ng = moments(g, j)
        mr, sr, nr = moments(steady, j)
        pooled = math.sqrt(0.5 * (sg * sg + sr * sr)) if not (math.isnan(sg) or math.isnan(sr)) else NAN
        d = (mg - mr) / pooled if pooled > 0 else NAN
        exp[(gname, name)] = {"mean_group": mg, "mean_steady": mr, "sd_group": sg, "sd_steady": sr,
                              "std_diff": d, "present_group": float(ng), "present_steady": float(nr)}
compare("traffic-change", 2, exp, rel=1e-7)
head, rows = read_csv("traffic-change")
for gname in ("rose", "fell"):
    ds = [abs(num(r[7])) for r in rows if r[0] == gname]
    ranks = [int(float(r[2])) for r in rows if r[0] == gname]
    if ranks != list(range(1, len(ranks) + 1)):
        err(f"traffic-change {gname}: ranks are not 1..n in order")
    for x, y in zip(ds, ds[1:]):
        if not math.isnan(y) and (math.isnan(x) or x < y - 1e-9):
            err(f"traffic-change {gname}: not ranked by |d| ({x} before {y})")
            break
with open(f"{a.out}/traffic-change.json", encoding="utf-8") as f:
    tj = json.load(f)
for gj, g in zip(tj["groups"], [rose, fell, steady]):
    if gj["subscribers"] != g.sum() or gj["labelled"] != (g & lab).sum():
        err(f"traffic-change.json {gj['group']}: {gj['subscribers']} subscribers, numpy {g.sum()}")
    if cur.has_labels and not close(math.nan if gj["churn_rate"] is None else gj["churn_rate"], ratio((g & left).sum(), (g & lab).sum()), 1e-12):
        err(f"traffic-change.json {gj['group']}: churn rate {gj['churn_rate']}")

# ---- grid
exp = {}
if a.scores:
    f = h5py.File(a.scores, "r")
    if not np.array_equal(f["/subscribers/id"][:], cur.id):
        err("the scores' ids are not the snapshot's")
    band = f["/subscribers/phase"][:].astype(np.int64)
    tier = f["/subscribers/tier"][:].astype(np.int64)
    prob = f["/subscribers/probability"][:].astype(np.float64)
    var = f["/subscribers/value_at_risk"][:].astype(np.float64)
    val = np.nan_to_num(f["/subscribers/arpu"][:].astype(np.float64), nan=0.0)
else:
    band, tier = np.full(N, 3), np.zeros(N, np.int64)
    val = arpu
bands = ["healthy", "warning", "alarm", "unscored"]
# the product of the grid: the first of plan, product, tariff, package that has NAME=LEVEL columns;
# a row's product is the first level whose column is > 0, else "other"
plan_col = next((c for n in cur.names for c in ("plan", "product", "tariff", "package")
                 if n.startswith(c + "=") and len(n) > len(c) + 1), None)
plans = [n[len(plan_col) + 1:] for n in cur.names if plan_col and n.startswith(plan_col + "=")][:32]
product = np.full(N, len(plans))
for k in reversed(range(len(plans))):
    product[cur.on(plan_col + "=" + plans[k])] = k
pnames = plans + ["other"]
for bi in range(4):
    for ti in range(6):
        for br, bn in enumerate(cur.brands):
          for pk in range(len(pnames) if plans else 1):
            m = (band == bi) & (tier == ti) & (cur.brand == br) & ((product == pk) if plans else True)
            if not m.any():
                continue
            key = (bands[bi], str(ti), bn) + ((pnames[pk],) if plans else ())
            exp[key] = {
                "subscribers": float(m.sum()), "monthly_value": val[m].sum(),
                "value_at_risk": var[m].sum() if a.scores else NAN,
                "expected_leavers": prob[m].sum() if a.scores else NAN,
                "labelled": float((m & lab).sum()), "leavers": float((m & left).sum()) if cur.has_labels else NAN,
                "churn_rate": ratio((m & left).sum(), (m & lab).sum()) if cur.has_labels else NAN}
compare("grid", 4 if plans else 3, exp)

if errors:
    for e in errors[:20]:
        print("analyzecheck:", e, file=sys.stderr)
    print(f"analyzecheck: {len(errors)} differences", file=sys.stderr)
    sys.exit(1)
print(f"analyzecheck: every figure of {a.out} agrees ({N} subscribers{', with last month' if prev else ''}"
      f"{', with scores' if a.scores else ''})")
