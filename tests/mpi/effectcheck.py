#!/usr/bin/env python3
"""effectcheck.py — an independent check of the control groups and the retention effect (issue 15).

Standard library only (CI has no h5py): the snapshots through `h5dump -b LE` and `h5dump -a`, the
lists through the csv module. No code is shared with churnscore.

  effectcheck.py split UNSPLIT_DIR SPLIT_DIR SHARE
      the control files and the retention lists are disjoint, their union is the unsplit list (every
      column but the action's: the rank, id, probabilities, phase, tier, reasons), the control rows
      are marked (action code "control", no channel), the held-out share of every region x phase x
      tier is within one subscriber of SHARE x its size, and summary.json counts them.
  effectcheck.py effect LISTS_DIR LATER.h5 EFFECT.csv [--truth TRUTH.h5 | --truth-zero]
      the overall uplift of the listed against the control group, recomputed from the lists and
      the later month's ids (absent = left), equals EFFECT.csv's, and its 95% interval covers the
      true effect: TRUTH.h5's treated_expected_uplift (generate --treated), or 0.
  effectcheck.py actions LISTS_DIR LATER.h5 EFFECT.csv SCORES.h5
      the effect by playbook action (evaluate --scores): SCORES.h5's /subscribers/action of every
      listed row is the action code its list shows, a control row's is the action it would have had;
      per action the treated and control counts, leavers (absent = left) and uplift recomputed from
      the lists, SCORES.h5 and the later month's ids equal EFFECT.csv's "action" rows, and the
      actions together are the overall row.
"""
import csv
import glob
import json
import math
import os
import re
import struct
import subprocess
import sys
import tempfile


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def ids_of(path):
    with tempfile.NamedTemporaryFile(suffix=".bin") as tmp:
        subprocess.run(["h5dump", "-d", "/subscribers/id", "-b", "LE", "-o", tmp.name, path], check=True,
                       stdout=subprocess.DEVNULL)
        data = open(tmp.name, "rb").read()
    return set(struct.unpack("<%dQ" % (len(data) // 8), data))


def attr(path, name):
    out = subprocess.run(["h5dump", "-m", "%.17g", "-a", "/" + name, path], check=True,
                         capture_output=True).stdout.decode()
    return float(out.split("(0):")[1].split()[0])


ACTION_COLS = ("action_code", "action", "channel")


def split(unsplit, splitdir, share):
    share = float(share)
    summary = json.load(open(os.path.join(splitdir, "summary.json")))
    assert abs(summary["control"] - share) < 1e-12, summary["control"]
    files = sorted(glob.glob(os.path.join(unsplit, "*-retention.csv")))
    assert files, "no retention list"
    total_held = 0
    for reg in summary["regions"]:
        q = reg["queues"]["retention"]
        base = rows(os.path.join(unsplit, q["file"]))
        kept = rows(os.path.join(splitdir, q["file"]))
        held = rows(os.path.join(splitdir, q["control_file"]))
        kid = {r["id"] for r in kept}
        hid = {r["id"] for r in held}
        assert not (kid & hid), "a subscriber both on the list and in the control group"
        assert q["control"] == len(held), (q["control"], len(held))
        assert q["listed"] == len(base), (q["listed"], len(base))
        for r in held:
            assert r["action_code"] == "control" and r["channel"] == "", r
        strip = lambda r: tuple((k, v) for k, v in r.items() if k not in ACTION_COLS)
        union = sorted((strip(r) for r in kept + held), key=lambda t: int(dict(t)["rank"]))
        want = [strip(r) for r in base]
        assert union == want, "the union of list and control group is not the unsplit list (%s)" % q["file"]
        # the listed rows keep their action: identical to the unsplit list's
        bmap = {r["id"]: r for r in base}
        for r in kept:
            assert r == bmap[r["id"]], r
        # the share per phase x tier
        # (the value grade's column is "grade" since issue 17, "tier" in lists written before)
        vcol = "grade" if base and "grade" in base[0] else "tier"
        strata = {}
        for r in base:
            strata.setdefault((r["phase"], r[vcol]), [0, 0])[0] += 1
        for r in held:
            strata[(r["phase"], r[vcol])][1] += 1
        for key, (n, h) in strata.items():
            assert abs(h - share * n) <= 1.0, (q["file"], key, n, h, share * n)
        total_held += len(held)
    assert total_held > 0, "nobody held out"
    print("split: %d held out of %d regions' retention lists, every phase x tier within 1 of %.3f x size"
          % (total_held, len(summary["regions"]), share))


def effect(lists, later, effect_csv, truth):
    present = ids_of(later)
    arms = {"listed": [0, 0], "control": [0, 0]}
    for path in glob.glob(os.path.join(lists, "*-retention.csv")):
        for r in rows(path):
            arms["listed"][0] += 1
            arms["listed"][1] += int(r["id"]) not in present
    for path in glob.glob(os.path.join(lists, "*-retention-control.csv")):
        for r in rows(path):
            arms["control"][0] += 1
            arms["control"][1] += int(r["id"]) not in present
    (nt, lt), (nc, lc) = arms["listed"], arms["control"]
    pt, pc = lt / nt, lc / nc
    up = pc - pt
    se = math.sqrt(pt * (1 - pt) / nt + pc * (1 - pc) / nc)
    z = 1.959963984540054  # scipy.stats.norm.ppf(0.975), scipy 1.10.1
    got = [r for r in rows(effect_csv) if r["scope"] == "overall" and r["breakdown"] == "all"
           and r["treated"] == "listed"]
    assert len(got) == 1, got
    g = got[0]
    assert int(g["treated_known"]) == nt and int(g["treated_left"]) == lt, (g, nt, lt)
    assert int(g["control_known"]) == nc and int(g["control_left"]) == lc, (g, nc, lc)
    for k, v in (("uplift", up), ("uplift_se", se), ("uplift_lo95", up - z * se), ("uplift_hi95", up + z * se)):
        assert abs(float(g[k]) - v) < 1e-9, (k, g[k], v)
    lo, hi = float(g["uplift_lo95"]), float(g["uplift_hi95"])
    assert lo <= truth <= hi, "the interval [%.4f, %.4f] misses the true uplift %.4f" % (lo, hi, truth)
    print("effect: listed %d (left %.4f), control %d (left %.4f): uplift %.4f [%.4f, %.4f] covers the true %.4f"
          % (nt, pt, nc, pc, up, lo, hi, truth))


def ints_of(path, dataset, fmt):
    with tempfile.NamedTemporaryFile(suffix=".bin") as tmp:
        subprocess.run(["h5dump", "-d", dataset, "-b", "LE", "-o", tmp.name, path], check=True,
                       stdout=subprocess.DEVNULL)
        data = open(tmp.name, "rb").read()
    size = struct.calcsize("<" + fmt)
    return struct.unpack("<%d%s" % (len(data) // size, fmt), data)


def strings_of(path, dataset):
    out = subprocess.run(["h5dump", "-d", dataset, "-y", "-w", "0", path], check=True,
                         capture_output=True).stdout.decode()
    body = out.split("DATA {", 1)[1].split("}", 1)[0]  # action codes hold no brace or quote
    return re.findall(r'"([^"]*)"', body)


def actions(lists, later, effect_csv, scores):
    present = ids_of(later)
    codes = strings_of(scores, "/actions/code")
    act = dict(zip(ints_of(scores, "/subscribers/id", "Q"), ints_of(scores, "/subscribers/action", "h")))
    per = {}  # code -> [treated listed, treated left, control listed, control left]
    for arm, pattern in ((0, "*-retention.csv"), (2, "*-retention-control.csv")):
        for path in glob.glob(os.path.join(lists, pattern)):
            for r in rows(path):
                i = int(r["id"])
                assert act[i] >= 0, (path, i, "listed without an action in SCORES.h5")
                code = codes[act[i]]
                if arm == 0:
                    assert r["action_code"] == code, (path, i, r["action_code"], code)
                c = per.setdefault(code, [0, 0, 0, 0])
                c[arm] += 1
                c[arm + 1] += i not in present
    got = {r["group"]: r for r in rows(effect_csv) if r["breakdown"] == "action" and r["treated"] == "listed"}
    assert set(got) == set(per), (sorted(got), sorted(per))
    z = 1.959963984540054  # scipy.stats.norm.ppf(0.975), scipy 1.10.1
    for code, (nt, lt, nc, lc) in per.items():
        g = got[code]
        assert [int(g[k]) for k in ("treated_listed", "treated_left", "control_listed", "control_left")] == \
            [nt, lt, nc, lc], (code, g, nt, lt, nc, lc)
        if nt and nc:
            pt, pc = lt / nt, lc / nc
            up, se = pc - pt, math.sqrt(pt * (1 - pt) / nt + pc * (1 - pc) / nc)
            for k, v in (("uplift", up), ("uplift_lo95", up - z * se), ("uplift_hi95", up + z * se)):
                assert abs(float(g[k]) - v) < 1e-9, (code, k, g[k], v)
    overall = [r for r in rows(effect_csv) if r["scope"] == "overall" and r["breakdown"] == "all"
               and r["treated"] == "listed"][0]
    for k, w in (("treated_listed", 0), ("control_listed", 2), ("treated_left", 1), ("control_left", 3)):
        assert int(overall[k]) == sum(c[w] for c in per.values()), (k, overall[k])
    both = sum(1 for c in per.values() if c[0] and c[2])
    assert both >= 2, "fewer than two actions with both arms: %r" % per
    print("actions: %d playbook actions (%d with both arms), each treated against the control subscribers "
          "who would have had it" % (len(per), both))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "split":
        split(a[1], a[2], a[3])
    elif a[0] == "effect":
        truth = 0.0 if a[4] == "--truth-zero" else attr(a[5], "treated_expected_uplift")
        effect(a[1], a[2], a[3], truth)
    elif a[0] == "actions":
        actions(a[1], a[2], a[3], a[4])
    else:
        sys.exit("usage: see the docstring")
