#!/usr/bin/python3
"""selectcheck.py — the rows `churnscore select` should write, computed independently with numpy
from the snapshot and SCORES.h5 (tests/mpi/test_select.sh).

  selectcheck.py SNAP.h5 SCORES.h5 CASE OUT.csv [--top K]

CASE names one of the hand-written conditions below; each is written here as a numpy mask, not
parsed from the text the test gives select, so the two cannot share a mistake. The expected order
is the lists' (docs/formats.md, "select"): queue retention, collections, billing, then none; in
each queue band descending (retention: alarm; collections: an arrears suspension; billing: every
row), then the queue's key descending (retention p_voluntary, collections p_involuntary, billing
the value at risk p x ARPU x horizon; no queue: probability), then id ascending. Compares the id,
queue, region and area columns of every row; exit 1 naming the first difference.
"""
import csv
import sys

import h5py
import numpy as np


def strs(d):
    return [x.decode() if isinstance(x, bytes) else x for x in d[:]]


def main():
    snap, scores, case, out = sys.argv[1:5]
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 0
    m = h5py.File(snap, "r")
    s = h5py.File(scores, "r")
    names = strs(m["/subscribers/feature_names"])
    X = m["/subscribers/features"][:]
    col = lambda n: X[:, names.index(n)].astype(np.float64)
    sub = s["/subscribers"]
    ids = sub["id"][:]
    assert (ids == m["/subscribers/id"][:]).all()
    region_names = strs(s["/regions/name"])
    area_names = strs(m["/areas/name"])
    brand_names = strs(s["/brands/name"])
    region = sub["region"][:].astype(int)
    area = m["/subscribers/area"][:].astype(int)
    brand = sub["brand"][:].astype(int)
    phase = sub["phase"][:].astype(int)
    stage = sub["stage"][:].astype(int)
    tier = sub["tier"][:].astype(int)
    queue = sub["queue"][:].astype(int)
    prob = sub["probability"][:]
    pvol = sub["p_voluntary"][:] if "p_voluntary" in sub else prob
    pinv = sub["p_involuntary"][:] if "p_involuntary" in sub else np.full(len(prob), np.nan)
    arpu = sub["arpu"][:].astype(np.float64)
    tags = sub["tags"][:]
    tag_keys = strs(s["/tags/key"])
    horizon = float(s.attrs["horizon_months"])
    by_value = s.attrs["rank_by"] in (b"value_at_risk", "value_at_risk")
    has_tag = lambda k: (tags >> np.uint64(tag_keys.index(k))) & np.uint64(1) == 1
    R = lambda n: region == region_names.index(n)
    A = lambda n: np.isin(area, [i for i, a in enumerate(area_names) if a == n])
    Bn = lambda n: brand == brand_names.index(n)
    arrears = col("suspended_arrears") > 0

    masks = {
        # phase = alarm and suspended_arrears = 1 and region = 广东
        "issue": (phase == 2) & (col("suspended_arrears") == 1) & R("广东"),
        # area in (朝阳区, '海淀区') or (brand = 全球通 and tier <= 2)
        "areas": A("朝阳区") | A("海淀区") | (Bn("全球通") & (tier <= 2)),
        # tags has sensitive and not queue = none and region != 江苏
        "tags": has_tag("sensitive") & (queue != 0) & ~R("江苏"),
        # stage = 衰退期 and probability > 0.2 or grade = 1 and mean(arpu) > 90
        "stage": ((stage == 3) & (prob > 0.2))
        | ((tier == 1) & (np.nanmean(np.stack([col("arpu_m1"), col("arpu_m2"), col("arpu_m3")]), axis=0) > 90)),
        # queue = retention and region = 上海
        "retention": (queue == 1) & R("上海"),
    }
    mask = masks[case]
    idx = np.nonzero(mask)[0]

    def key_band(i):
        q = queue[i]
        if q == 1:
            qp = pvol[i]
        elif q == 2:
            qp = prob[i] if np.isnan(pinv[i]) else pinv[i]
        else:
            qp = prob[i]
        risk = qp * arpu[i] * horizon if arpu[i] > 0 else 0.0
        if q == 1:
            return (risk if by_value else qp), int(phase[i] == 2)
        if q == 2:
            return qp, int(arrears[i])
        if q == 3:
            return risk, 1
        return (risk if by_value else qp), 0

    group = {1: 0, 2: 1, 3: 2, 0: 3}
    rows = []
    for i in idx:
        k, b = key_band(i)
        # NaN keys last within their band (model/topk.h)
        rows.append((group[queue[i]], -b, 1 if np.isnan(k) else 0, -k if not np.isnan(k) else 0.0, int(ids[i]), int(i)))
    rows.sort()
    if top:
        rows = rows[:top]
    qnames = {0: "none", 1: "retention", 2: "collections", 3: "billing check"}
    with open(out, encoding="utf-8-sig", newline="") as f:
        got = list(csv.DictReader(f))
    if len(got) != len(rows):
        sys.exit(f"selectcheck: {case}: {len(got)} rows written, {len(rows)} expected")
    for n, (r, g) in enumerate(zip(rows, got)):
        i = r[-1]
        want = {"rank": str(n + 1), "id": str(ids[i]), "queue": qnames[queue[i]], "region": region_names[region[i]],
                "area": area_names[area[i]]}
        for k, v in want.items():
            if g[k] != v:
                sys.exit(f"selectcheck: {case}: row {n + 1}: {k} {g[k]!r}, expected {v!r}")
    print(f"selectcheck: {case}: {len(rows)} rows as expected")


main()
