#!/usr/bin/python3
"""momcheck.py — month over month (issue 15) recomputed independently of churnscore's C code.

Reads two consecutive months' outputs (numpy and h5py, no shared code):
  LAST_LISTS LAST_SCORES.h5   last month's lists directory and SCORES.h5
  LISTS SCORES.h5             this month's, scored with --previous-scores LAST_SCORES.h5
and checks
  - every list row (lists, control groups, every queue): new_on_list is 1 exactly when the id was on
    none of last month's lists (LAST_LISTS' files, the control groups included), months_on_list is
    last month's /subscribers/months_on_list + 1, prev_probability and prev_phase are last month's
    probability ("%.6f") and phase, empty for an id last month did not score;
  - this month's /subscribers/months_on_list: last month's + 1 for every id on this month's lists,
    0 for every other row;
  - last month's own months_on_list against its lists: > 0 exactly for the ids on them (with
    --first: exactly 1, a month scored without last month's scores);
  - summary.csv: per region (by name) last month's subscribers, listed, expected leavers, value at
    risk, alarm and warning from last month's SCORES.h5 rows and lists, this month's the same from
    this month's, the change as this month's minus last month's, new_on_list the region's listed
    rows new this month; the total row the regions' sums.
Prints "momcheck ok ..." and exits 0, or raises AssertionError with what differs.
"""
import argparse
import csv
import glob
import os

import h5py
import numpy as np

PHASES = {"en": ["healthy", "warning", "alarm"], "zh": ["健康期", "预警期", "告警期"]}
# the list columns this script reads, in both languages
COLS = {"en": {"id": "id", "region": "region", "new": "new_on_list", "months": "months_on_list",
               "pprob": "prev_probability", "pphase": "prev_phase"},
        "zh": {"id": "用户编号", "region": "地区", "new": "本月新上榜", "months": "连续上榜月数",
               "pprob": "上月流失概率", "pphase": "上月预警状态"}}


def scores(path):
    with h5py.File(path, "r") as f:
        s = {k: f["/subscribers/" + k][()] for k in ("id", "region", "probability", "phase", "value_at_risk",
                                                     "months_on_list")}
        s["regions"] = [x.decode() if isinstance(x, bytes) else x for x in f["/regions/name"][()]]
        s["month"] = f.attrs["month"]
    s["at"] = {int(i): k for k, i in enumerate(s["id"])}
    return s


def lists(d):
    """Every list row of a lists directory, per file, as dicts; the language from the header."""
    out = {}
    for path in sorted(glob.glob(os.path.join(d, "*.csv"))):
        name = os.path.basename(path)
        if name in ("summary.csv", "drift.csv"):
            continue
        out[name] = list(csv.DictReader(open(path, encoding="utf-8-sig")))
    return out


def lang_of(rows):
    for rs in rows.values():
        if rs:
            return "zh" if "用户编号" in rs[0] else "en"
    return "en"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("last_lists")
    ap.add_argument("last_scores")
    ap.add_argument("lists")
    ap.add_argument("scores")
    ap.add_argument("--first", action="store_true", help="last month was scored without --previous-scores")
    a = ap.parse_args()
    s0, s1 = scores(a.last_scores), scores(a.scores)
    l0, l1 = lists(a.last_lists), lists(a.lists)
    lang = lang_of(l1)
    C = COLS[lang]
    ids0 = {int(r[COLS[lang_of(l0)]["id"]]) for rs in l0.values() for r in rs}
    # last month's months on the lists against its lists
    m0 = s0["months_on_list"].astype(np.int64)
    on0 = np.array([int(i) in ids0 for i in s0["id"]])
    assert np.all((m0 > 0) == on0), "last month's months_on_list > 0 is not its lists' ids"
    if a.first:
        assert np.all(m0[on0] == 1), "a first month's months_on_list is not 1 on its lists"
    # every row of this month's lists
    rows = 0
    new_per_region = {}
    ids1 = set()
    for name, rs in l1.items():
        for r in rs:
            i = int(r[C["id"]])
            assert i not in ids1, "%s: id %d on two lists" % (name, i)
            ids1.add(i)
            k = s0["at"].get(i)
            prev_m = int(m0[k]) if k is not None else 0
            assert r[C["new"]] == ("1" if i not in ids0 else "0"), (name, i, r[C["new"]], i in ids0)
            assert int(r[C["months"]]) == prev_m + 1, (name, i, r[C["months"]], prev_m)
            if k is None:
                assert r[C["pprob"]] == "" and r[C["pphase"]] == "", (name, i, "not scored last month")
            else:
                assert r[C["pprob"]] == "%.6f" % s0["probability"][k], (name, i, r[C["pprob"]], s0["probability"][k])
                assert r[C["pphase"]] == PHASES[lang][int(s0["phase"][k])], (name, i, r[C["pphase"]])
            if i not in ids0:
                new_per_region[r[C["region"]]] = new_per_region.get(r[C["region"]], 0) + 1
            rows += 1
    # this month's stored months
    m1 = s1["months_on_list"].astype(np.int64)
    for k, i in enumerate(s1["id"]):
        i = int(i)
        if i in ids1:
            j = s0["at"].get(i)
            want = (int(m0[j]) if j is not None else 0) + 1
        else:
            want = 0
        assert m1[k] == want, ("months_on_list of id", i, int(m1[k]), want)
    # summary.csv
    summ = list(csv.reader(open(os.path.join(a.lists, "summary.csv"), encoding="utf-8-sig")))
    head, body = summ[0], summ[1:]
    total, body = body[-1], body[:-1]
    H = {"en": ["subscribers", "listed", "expected_leavers", "value_at_risk", "alarm", "warning"],
         "zh": ["用户数", "名单合计", "预计流失人数", "风险价值", "告警期人数", "预警期人数"]}[lang]
    col = {h: k for k, h in enumerate(head)}
    last = {"en": "%s_last_month", "zh": "上月%s"}[lang]
    change = {"en": "%s_change", "zh": "%s增减"}[lang]
    newc = {"en": "new_on_list", "zh": "本月新上榜人数"}[lang]

    def figures(s, listed_ids):
        out = {}
        listed = np.array([int(i) in listed_ids for i in s["id"]])
        for g, name in enumerate(s["regions"]):
            m = s["region"] == g
            out[name] = [int(m.sum()), int((m & listed).sum()), float(s["probability"][m].sum()),
                         float(s["value_at_risk"][m].sum()), int((m & (s["phase"] == 2)).sum()),
                         int((m & (s["phase"] == 1)).sum())]
        return out

    f0, f1 = figures(s0, ids0), figures(s1, ids1)
    tol = [0, 0, 2e-6, 0.02, 0, 0]  # the sums' last printed digits (%.6f, %.2f), summed in another order
    sums = np.zeros((3, 6))
    for r in body:
        name = r[col[head[1]]]
        now, then = f1[name], f0.get(name)
        for k, h in enumerate(H):
            got_now = float(r[col[h]])
            assert abs(got_now - now[k]) <= tol[k] + 1e-12 * abs(now[k]), (name, h, got_now, now[k])
            if then is None:
                assert r[col[last % h]] == "", (name, h, "a region last month did not have")
                continue
            got_last, got_change = float(r[col[last % h]]), float(r[col[change % h]])
            assert abs(got_last - then[k]) <= tol[k] + 1e-12 * abs(then[k]), (name, last % h, got_last, then[k])
            assert abs(got_change - (now[k] - then[k])) <= 2 * tol[k] + 1e-9 * abs(now[k]), \
                (name, change % h, got_change, now[k] - then[k])
            sums[:, k] += [got_now, got_last, got_change]
        assert int(r[col[newc]]) == new_per_region.get(name, 0), (name, "new_on_list", r[col[newc]])
    assert total[0] == "" and total[1] == {"en": "total", "zh": "合计"}[lang], total[:2]
    n = len(body)
    for k, h in enumerate(H):
        for w, c in enumerate((h, last % h, change % h)):
            assert abs(float(total[col[c]]) - sums[w, k]) <= (n + 1) * max(tol[k], 1e-9) + 1e-9 * abs(sums[w, k]), \
                ("total", c, total[col[c]], sums[w, k])
    assert int(total[col[newc]]) == sum(new_per_region.values()), ("total", "new_on_list")
    print("momcheck ok: %d list rows of %s against %s (%d new), %d regions" %
          (rows, s1["month"], s0["month"], sum(new_per_region.values()), n))


if __name__ == "__main__":
    main()
