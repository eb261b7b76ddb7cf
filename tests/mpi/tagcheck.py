#!/usr/bin/env python3
"""tagcheck.py — an independent computation of the customer tags, contributions and value grades.

Usage: tagcheck.py RULES SNAP.h5 SCORES.h5 [LISTS_DIR LANG]

Reads the tag rule file (jobs/tags.conf format) with its own small parser of the rule language,
computes every subscriber's tag bits, contribution (ARPU, less the cost where the snapshot has one)
and grade (quintiles or thresholds, identity lift) from the snapshot with numpy, and requires
SCORES.h5's /subscribers/tags, /subscribers/contribution and /subscribers/tier to be the same bit for
bit, the tag table /tags/key to be the active tags in file order, and, with LISTS_DIR, every list
row's grade and tags columns to name the same. Nothing of churnscore's C code is reused: the
tokenizer, the precedence, the missing-value rules and the grade cut-offs are written again from
docs/formats.md ("The tag rules").
"""
import csv
import glob
import math
import os
import re
import sys

import h5py
import numpy as np

np.seterr(all="ignore")


# ---- the rule file ----

def parse_rules(path):
    tags, grades, cost, lifts = [], {}, None, []
    cur = None
    for line in open(path, encoding="utf-8-sig"):
        s = line.rstrip("\r\n").strip()
        if not s or s.startswith("#"):
            continue
        word, _, rest = s.partition(" ")
        rest = rest.strip()
        if word == "tag":
            cur = {"key": rest, "optional": False}
            tags.append(cur)
        elif word in ("zh", "en", "when", "channel", "say.zh", "say.en", "needs"):
            cur[word] = rest
        elif word == "optional":
            cur["optional"] = True
        elif word == "grade":
            f = rest.split()
            grades[int(f[0])] = (f[1], f[2], float(f[3]) if len(f) > 3 else None)
        elif word == "cost":
            cost = rest
        elif word == "lift":
            lifts.append(rest)
        else:
            raise SystemExit("tagcheck: unknown line %r" % s)
    return tags, grades, cost, lifts


# ---- the condition language: tokens, a recursive-descent parser into tuples ----

TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)"
                   r"|(<=|>=|==|!=|<|>|\+|-|\*|/|\(|\)))")


def tokens(text):
    out, i = [], 0
    text = text.rstrip()
    while i < len(text):
        m = TOKEN.match(text, i)
        if not m:
            raise SystemExit("tagcheck: cannot tokenize %r at %d" % (text, i))
        num, name, op = m.groups()
        out.append(("num", float(num)) if num else ("name", name) if name else ("op", op))
        i = m.end()
    return out + [("end", None)]


class Parser:
    def __init__(self, text):
        self.t, self.i = tokens(text), 0

    def peek(self):
        return self.t[self.i]

    def take(self):
        self.i += 1
        return self.t[self.i - 1]

    def word(self, w):
        return self.peek() == ("name", w)

    def parse(self):
        e = self.or_()
        assert self.peek()[0] == "end", self.peek()
        return e

    def or_(self):
        a = self.and_()
        while self.word("or"):
            self.take()
            a = ("or", a, self.and_())
        return a

    def and_(self):
        a = self.not_()
        while self.word("and"):
            self.take()
            a = ("and", a, self.not_())
        return a

    def not_(self):
        if self.word("not"):
            self.take()
            return ("not", self.not_())
        return self.cmp()

    def cmp(self):
        a = self.add()
        k, v = self.peek()
        if k == "op" and v in ("<", "<=", ">", ">=", "==", "!="):
            self.take()
            return (v, a, self.add())
        return a

    def add(self):
        a = self.mul()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            a = (self.take()[1], a, self.mul())
        return a

    def mul(self):
        a = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in "*/":
            a = (self.take()[1], a, self.unary())
        return a

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        return self.primary()

    def primary(self):
        k, v = self.take()
        if k == "num":
            return ("num", v)
        if k == "op" and v == "(":
            e = self.or_()
            assert self.take() == ("op", ")")
            return e
        assert k == "name", (k, v)
        if self.peek() == ("op", "("):
            self.take()
            fam = self.take()[1]
            assert self.take() == ("op", ")")
            return ("fn", v, fam)
        return ("name", v)


def names_of(e):
    if e[0] == "name":
        return [e[1]]
    if e[0] == "fn":
        return [e[2] + "_m%d" % m for m in (1, 2, 3)]
    if e[0] == "num":
        return []
    return [n for x in e[1:] for n in names_of(x)]


def truth(v):
    return (v != 0) & ~np.isnan(v)


def ev(e, col):
    k = e[0]
    if k == "num":
        return np.float64(e[1])
    if k == "name":
        return col(e[1])
    if k == "fn":
        m = [col(e[2] + "_m%d" % i) for i in (1, 2, 3)]
        if e[1] == "change":
            b = (m[0] + m[1]) / 2
            bad = np.isnan(b) | np.isnan(m[2]) | (b == 0)
            return np.where(bad, np.nan, (m[2] - b) / np.where(bad, 1, b))
        acc = np.full(m[0].shape, np.nan)
        cnt = np.zeros(m[0].shape)
        for v in m:
            present = ~np.isnan(v)
            first = present & (cnt == 0)
            if e[1] == "mean":
                acc = np.where(first, v, np.where(present, acc + v, acc))
            elif e[1] == "min":
                acc = np.where(first, v, np.where(present & (v < acc), v, acc))
            else:
                acc = np.where(first, v, np.where(present & (v > acc), v, acc))
            cnt += present
        if e[1] == "mean":
            acc = np.where(cnt > 0, acc / np.where(cnt > 0, cnt, 1), np.nan)
        return acc
    if k == "neg":
        return -ev(e[1], col)
    if k == "not":
        return np.where(truth(ev(e[1], col)), 0.0, 1.0)
    if k in ("and", "or"):
        a, b = truth(ev(e[1], col)), truth(ev(e[2], col))
        return ((a & b) if k == "and" else (a | b)).astype(np.float64)
    a, b = ev(e[1], col), ev(e[2], col)
    if k == "+": return a + b
    if k == "-": return a - b
    if k == "*": return a * b
    if k == "/": return a / b
    both = ~np.isnan(a) & ~np.isnan(b)
    r = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": both & (a != b)}[k]
    return r.astype(np.float64)


# ---- the computation ----

def main():
    rules, snap, scores = sys.argv[1:4]
    lists_dir = sys.argv[4] if len(sys.argv) > 4 else None
    lang = sys.argv[5] if len(sys.argv) > 5 else "en"
    tags, grades, cost, lifts = parse_rules(rules)
    with h5py.File(snap, "r") as f:
        X = f["/subscribers/features"][...].astype(np.float64)
        fn = [n.decode() if isinstance(n, bytes) else n for n in f["/subscribers/feature_names"][...]]
        ids = f["/subscribers/id"][...]
    idx = {n: j for j, n in enumerate(fn)}
    n = X.shape[0]
    keys = [t["key"] for t in tags]
    result, active = {}, {}

    def resolvable(t, seen=()):
        for nm in names_of(t["tree"]):
            if nm in keys:
                if not active.get(nm, False):
                    return False
            elif nm not in idx:
                return False
        return True

    for t in tags:
        t["tree"] = Parser(t["when"]).parse()
    # dependencies first: repeat until every tag is decided (the rule files have no cycles)
    todo = list(tags)
    while todo:
        for t in list(todo):
            deps = [nm for nm in names_of(t["tree"]) if nm in keys]
            if any(d not in active for d in deps):
                continue
            ok = resolvable(t)
            if not ok and not t["optional"]:
                raise SystemExit("tagcheck: tag %s does not bind and is not optional" % t["key"])
            active[t["key"]] = ok
            if ok:
                result[t["key"]] = truth(ev(t["tree"], lambda nm: result[nm].astype(np.float64) if nm in keys
                                            else X[:, idx[nm]]))
            todo.remove(t)
    bits = np.zeros(n, dtype=np.uint64)
    order = [t for t in tags if active[t["key"]]]
    for b, t in enumerate(order):
        bits |= result[t["key"]].astype(np.uint64) << np.uint64(b)

    # contribution: ARPU (mean of the present months, rounded to float32), less the cost
    def fam_mean(base):
        acc, cnt = np.zeros(n), np.zeros(n)
        for m in (1, 2, 3):
            v = X[:, idx[base + "_m%d" % m]]
            acc = acc + np.where(np.isnan(v), 0, v)
            cnt += ~np.isnan(v)
        return np.where(cnt > 0, acc / np.where(cnt > 0, cnt, 1), np.nan)

    arpu = fam_mean("arpu").astype(np.float32)
    if cost and all(cost + "_m%d" % m in idx for m in (1, 2, 3)):
        c = fam_mean(cost)
    elif cost and cost in idx:
        c = X[:, idx[cost]]
    else:
        c = None
    contrib = arpu if c is None else (arpu.astype(np.float64) - c).astype(np.float32)

    thresholds = grades and all(grades[g][2] is not None for g in (1, 2, 3, 4))
    known = contrib[~np.isnan(contrib)].astype(np.float64)
    if thresholds:
        cut = [grades[g][2] for g in (1, 2, 3, 4)]
        grade = np.full(n, 5, dtype=np.int64)
        for g in (4, 3, 2, 1):
            grade = np.where(contrib.astype(np.float64) >= cut[g - 1], g, grade)
    else:
        srt = np.sort(known)
        N = len(srt)
        cut = [srt[-(-k * N // 5) - 1] if N else np.nan for k in (1, 2, 3, 4)]
        below = sum((contrib.astype(np.float64) > ct).astype(np.int64) for ct in cut)
        grade = 5 - below
    grade = np.where(np.isnan(contrib), 0, grade)
    liftmask = np.uint64(0)
    for b, t in enumerate(order):
        if t["key"] in lifts:
            liftmask |= np.uint64(1) << np.uint64(b)
    grade = np.where((bits & liftmask) != 0, 1, grade)

    with h5py.File(scores, "r") as f:
        got_bits = f["/subscribers/tags"][...]
        got_contrib = f["/subscribers/contribution"][...]
        got_grade = f["/subscribers/tier"][...]
        got_keys = [k.decode() if isinstance(k, bytes) else k for k in f["/tags/key"][...]]
        gnames = {l: [x.decode() if isinstance(x, bytes) else x for x in f["/grades/name_" + l][...]]
                  for l in ("en", "zh")}
    assert got_keys == [t["key"] for t in order], (got_keys, [t["key"] for t in order])
    bad = np.nonzero(got_bits != bits)[0]
    assert len(bad) == 0, "tags differ on %d rows, first row %d: %x != %x" % (len(bad), bad[0], got_bits[bad[0]],
                                                                             bits[bad[0]])
    same = (got_contrib == contrib) | (np.isnan(got_contrib) & np.isnan(contrib))
    assert same.all() and (got_contrib.view(np.uint32) == contrib.view(np.uint32)).all(), "contribution differs"
    bad = np.nonzero(got_grade != grade)[0]
    assert len(bad) == 0, "grades differ on %d rows, first row %d: %d != %d (contribution %r, cut %r)" % (
        len(bad), bad[0], got_grade[bad[0]], grade[bad[0]], contrib[bad[0]], cut)
    if grades:
        assert gnames["zh"] == [grades[g][0] for g in range(1, 6)] and gnames["en"] == [grades[g][1] for g in range(1, 6)]
    per_tag = {t["key"]: int(result[t["key"]].sum()) for t in order}
    listed = 0
    if lists_dir:
        row = {int(i): r for r, i in enumerate(ids)}
        label = {b: t["zh" if lang == "zh" else "en"] for b, t in enumerate(order)}
        unknown = "未知" if lang == "zh" else "unknown"
        names = gnames[lang]
        for path in sorted(glob.glob(os.path.join(lists_dir, "[0-9]*.csv"))):
            with open(path, encoding="utf-8-sig", newline="") as fh:
                rd = csv.reader(fh)
                h = next(rd)
                ci, cg, ct = h.index("用户编号" if lang == "zh" else "id"), \
                    h.index("价值等级" if lang == "zh" else "grade"), h.index("客户标签" if lang == "zh" else "tags")
                for r in rd:
                    i = row[int(r[ci])]
                    g = int(grade[i])
                    assert r[cg] == (names[g - 1] if g else unknown), (path, r[ci], r[cg], g)
                    want = ";".join(label[b] for b in range(len(order)) if int(bits[i]) >> b & 1)
                    assert r[ct] == want, (path, r[ci], r[ct], want)
                    listed += 1
    print("tagcheck: %d rows, %d active tags of %d, %d listed rows checked, grades by %s, per tag %s"
          % (n, len(order), len(tags), listed, "thresholds" if thresholds else "quintiles", per_tag))


if __name__ == "__main__":
    main()
