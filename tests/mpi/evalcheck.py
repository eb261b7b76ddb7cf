#!/usr/bin/env python3
"""evalcheck.py - an independent computation of `churnscore evaluate`, for tests/mpi/test_evaluate.sh.

Standard library only (CI has no h5py): the snapshots are read through `h5dump -b LE` (raw
little-endian bytes of a dataset) and h5dump's text output for the region names; the lists through
the csv module. Shares no code with the C implementation.

  evalcheck.py check LISTS EVAL.csv --labels SNAP.h5
  evalcheck.py check LISTS EVAL.csv --absent NEXT.h5 [--previous PREV.h5]
      recomputes every row of EVAL.csv (integers exactly, ratios to 1e-12 relative) and exits 1 on
      the first difference; with --scores SCORES.h5 (evaluate --scores) a phase's or tier's
      leavers, subscribers, recall, base rate and lift are those of its own group: the scored
      subscribers of that phase and tier (by SCORES.h5's phase and tier) with a known outcome
  evalcheck.py make SNAP.h5 OUTDIR
      writes hand-made lists from SNAP.h5's labels: leavers and stayers in two regions, a region
      name that starts a formula, an id absent from SNAP.h5, a healthy row without a tier
"""
import csv
import os
import re
import struct
import subprocess
import sys
import tempfile


def dataset(path, name, fmt):
    with tempfile.NamedTemporaryFile(suffix=".bin") as tmp:
        subprocess.run(["h5dump", "-d", name, "-b", "LE", "-o", tmp.name, path], check=True,
                       stdout=subprocess.DEVNULL)
        data = open(tmp.name, "rb").read()
    size = struct.calcsize("<" + fmt)
    return list(struct.unpack("<%d%s" % (len(data) // size, fmt), data))


def region_names(path):
    out = subprocess.run(["h5dump", "-d", "/regions/name", "-y", "-w", "0", path], check=True,
                         capture_output=True).stdout.decode("ascii")
    body = out[out.index("DATA {") + 6:out.rindex("}")]
    names = []
    for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', body):
        # h5dump writes each byte >= 0x80 as a sign-extended octal escape (\37777777745 = 0xe5)
        raw = bytearray()
        i = 0
        while i < len(lit):
            if lit[i] == "\\":
                m = re.match(r"\\([0-7]+)", lit[i:])
                if m:
                    raw.append(int(m.group(1), 8) & 0xFF)
                    i += len(m.group(0))
                    continue
                raw.append(ord(lit[i + 1]))
                i += 2
                continue
            raw.append(ord(lit[i]))
            i += 1
        names.append(raw.decode("utf-8"))
    return names


def snapshot(path, labels):
    ids = dataset(path, "/subscribers/id", "Q")
    reg = dataset(path, "/subscribers/region", "H")
    ch = dataset(path, "/subscribers/churned", "b") if labels else None
    return ids, reg, ch, region_names(path)


GRADES = ["unknown", "diamond", "gold", "silver", "standard", "basic",
          "未知", "钻石", "金", "银", "普通", "基础"]


def read_lists(d):
    rows = []
    for f in sorted(os.listdir(d)):
        if not f.endswith(".csv") or f in ("summary.csv", "drift.csv"):
            continue
        with open(os.path.join(d, f), newline="", encoding="utf-8-sig") as fh:
            for r in csv.DictReader(fh):
                region = r["region"]
                if len(region) >= 2 and region[0] == "'" and region[1] in "=+-@\t\r":
                    region = region[1:]
                # the value grade, by name (jobs/tags.conf as shipped) or number; 1 the most valuable
                g = r.get("grade", "") or "0"
                tier = GRADES.index(g) % 6 if g in GRADES else int(g)
                rows.append((int(r["id"]), region, r["phase"], tier))
    return rows


PHASES = ("healthy", "warning", "alarm")


def groups(scores, mode, snap):
    """--scores: subscribers and leavers of each (region, phase, tier) by the scores' phase and tier,
    among those whose outcome is known (labels) or all of them (a later month: absent = left)."""
    ids = dataset(scores, "/subscribers/id", "Q")
    reg = dataset(scores, "/subscribers/region", "H")
    ph = dataset(scores, "/subscribers/phase", "B")
    ti = dataset(scores, "/subscribers/tier", "B")
    names = region_names(scores)
    if mode == "labels":
        sid, _, ch, _ = snapshot(snap, True)
        lab = {i: c for i, c in zip(sid, ch) if c in (0, 1)}
    else:
        nxt = set(snapshot(snap, False)[0])
    gs, gl = {}, {}
    for i, r, p, t in zip(ids, reg, ph, ti):
        if mode == "labels":
            if i not in lab:
                continue
            left = lab[i]
        else:
            left = int(i not in nxt)
        k = (names[r], PHASES[p], t)
        gs[k] = gs.get(k, 0) + 1
        gl[k] = gl.get(k, 0) + left
    return gs, gl


def check(lists, evalcsv, mode, snap, prev, scores=None):
    rows = read_lists(lists)
    listed = {}
    for i, region, phase, tier in rows:
        listed[i] = (region, phase, tier)
    assert len(listed) == len(rows), "duplicate ids in the lists"
    outcome = {}    # id -> 1 left, 0 stayed, None unknown (labels mode: only ids in the snapshot)
    subs, leavers = {}, {}
    population = True
    if mode == "labels":
        ids, reg, ch, names = snapshot(snap, True)
        for i, r, c in zip(ids, reg, ch):
            if c in (0, 1):
                subs[names[r]] = subs.get(names[r], 0) + 1
                leavers[names[r]] = leavers.get(names[r], 0) + c
            if i in listed:
                outcome[i] = c if c in (0, 1) else None
    else:
        nxt = set(snapshot(snap, False)[0])
        for i in listed:
            outcome[i] = 0 if i in nxt else 1
        if prev:
            ids, reg, _, names = snapshot(prev, False)
            for i, r in zip(ids, reg):
                subs[names[r]] = subs.get(names[r], 0) + 1
                leavers[names[r]] = leavers.get(names[r], 0) + (i not in nxt)
        else:
            population = False

    gs, gl = groups(scores, mode, snap) if scores else (None, None)

    def stats(region, phase, tier):
        sel = [i for i, (rg, ph, t) in listed.items()
               if (region is None or rg == region) and (phase is None or ph == phase)
               and (tier is None or t == tier)]
        found = [i for i in sel if i in outcome]
        known = [i for i in found if outcome[i] is not None]
        caught = sum(outcome[i] for i in known)
        s = subs.get(region, 0) if region is not None else sum(subs.values())
        lv = leavers.get(region, 0) if region is not None else sum(leavers.values())
        if gs is not None and (phase is not None or tier is not None):
            # the group's own subscribers and leavers (evaluate --scores)
            sel_g = [k for k in gs if (region is None or k[0] == region) and (phase is None or k[1] == phase)
                     and (tier is None or k[2] == tier)]
            s, lv = sum(gs[k] for k in sel_g), sum(gl[k] for k in sel_g)
        prec = caught / len(known) if known else None
        rec = caught / lv if population and lv else None
        base = lv / s if population and s else None
        lift = prec / base if prec is not None and base else None
        return dict(listed=len(sel), caught=caught, precision=prec, leavers=lv if population else None,
                    recall=rec, subscribers=s if population else None, base_rate=base, lift=lift,
                    not_in=len(sel) - len(found), unknown=len(found) - len(known))

    n = 0
    with open(evalcsv, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            region = None if r["scope"] == "overall" else r["region"]
            if region is not None and len(region) >= 2 and region[0] == "'" and region[1] in "=+-@":
                region = region[1:]
            phase = r["group"] if r["breakdown"] == "phase" else None
            tier = None
            if r["breakdown"] == "tier":
                tier = 0 if r["group"] == "unknown" else int(r["group"])
            want = stats(region, phase, tier)
            where = "%s/%s/%s/%s" % (r["scope"], region, r["breakdown"], r["group"])
            for key, col in (("listed", "listed"), ("caught", "caught"), ("leavers", "leavers"),
                             ("subscribers", "subscribers")):
                got = int(r[col]) if r[col] != "" else None
                if got != want[key]:
                    sys.exit("%s: %s is %s, expected %s" % (where, col, got, want[key]))
            for key in ("precision", "recall", "base_rate", "lift"):
                got = float(r[key]) if r[key] != "" else None
                w = want[key]
                if (got is None) != (w is None) or (w is not None and abs(got - w) > 1e-12 * max(1, abs(w))):
                    sys.exit("%s: %s is %s, expected %s" % (where, key, got, w))
            if mode == "labels":
                if int(r["not_in_outcomes"]) != want["not_in"] or int(r["outcome_unknown"]) != want["unknown"]:
                    sys.exit("%s: not_in_outcomes/outcome_unknown differ" % where)
            n += 1
    # every region of the lists and of the snapshot has its rows
    regions = {rg for rg, _, _ in listed.values()} | set(subs)
    with open(evalcsv, newline="", encoding="utf-8") as fh:
        seen = {r["region"].lstrip("'") for r in csv.DictReader(fh) if r["scope"] == "region"}
    missing = {r for r in regions if r not in seen}
    if missing:
        sys.exit("regions missing from %s: %s" % (evalcsv, missing))
    print("evalcheck: %d rows of %s match (%s mode, %d listed)" % (n, evalcsv, mode, len(listed)))


def make(snap, out):
    ids, reg, ch, names = snapshot(snap, True)
    left = [(i, names[r]) for i, r, c in zip(ids, reg, ch) if c == 1]
    stayed = [(i, names[r]) for i, r, c in zip(ids, reg, ch) if c == 0]
    os.makedirs(out, exist_ok=True)
    header = ["rank", "id", "region", "brand", "probability", "value_at_risk", "stage", "phase", "grade",
              "reason_1", "reason_2", "reason_3"]
    a = names[0]
    rows_a = []
    # 7 leavers and 11 stayers of region 0, alarm and warning, grades 1..5 (numbers)
    for k, (i, _) in enumerate([x for x in left if x[1] == a][:7] + [x for x in stayed if x[1] == a][:11]):
        rows_a.append([k + 1, i, a, "b", "0.5", "1.00", "decline", ["alarm", "warning"][k % 2], 1 + k % 5,
                       "r", "", ""])
    rows_a.append([len(rows_a) + 1, 99, a, "b", "0.4", "1.00", "decline", "warning", 3, "", "", ""])
    # a region no snapshot knows, whose name would start a formula: written with an apostrophe
    rows_b = [[1, left[-1][0], "'=SUM(A1)", "b", "0.9", "2.00", "growth", "alarm", 5, "", "", ""],
              [2, stayed[-1][0], "'=SUM(A1)", "b", "0.2", "2.00", "growth", "healthy", "", "", "", ""]]
    for name, rows in (("00-a.csv", rows_a), ("01-b.csv", rows_b)):
        with open(os.path.join(out, name), "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
    print("evalcheck: wrote %d + %d hand-made rows to %s" % (len(rows_a), len(rows_b), out))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "make":
        make(a[1], a[2])
    elif a[0] == "check":
        lists, evalcsv, flag, snap = a[1:5]
        rest = a[5:]
        prev = rest[rest.index("--previous") + 1] if "--previous" in rest else None
        scores = rest[rest.index("--scores") + 1] if "--scores" in rest else None
        check(lists, evalcsv, "labels" if flag == "--labels" else "absent", snap, prev, scores)
    else:
        sys.exit(__doc__)
