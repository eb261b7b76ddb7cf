"""reasoncheck.py — every listed row's reasons, stage and phase checked against its own features.

Usage: reasoncheck.py SNAPSHOT SCORES MODEL LISTS_DIR [--min-facts N]

Joins each row of every list CSV (English lists, ids not masked) with the snapshot by id and checks,
independently of the C code that wrote them (the texts are parsed back with one pattern per wording
of model/rules_facts.c, and the claims re-derived from the snapshot's values and the model's training
statistics, by the rules of docs/rules.md with the score options' defaults):
  - every reason is a known wording and what it says holds on the row (the number it states is the
    row's number, and its threshold is met: days >= --idle-days, a fall >= --traffic-fall, a level at
    least one training sd beyond the training mean, a brand that raises the risk, ...);
  - no reason twice in a row; as many reasons as SCORES.h5 has codes for the row;
  - a row with a hard signal (suspension, competitor signal, collapse) says one of them;
  - the stage and the phase are those the documented rules give (the phase on the voluntary
    probability of SCORES.h5, or the probability without churn types);
  - no contradictory stage and reason: a contract ending only in decline, never beside onboarding;
    a new subscriber only in onboarding; idle days and a fall of the traffic only in decline or
    onboarding.
Prints a count of each kind of fact; exits 1 with the first offending row.
"""
import csv
import glob
import math
import os
import re
import sys

import h5py
import numpy as np

IDLE, FALL, COLLAPSE, CMIN, ONB, GROWTH, CEM = 15.0, 0.5, 0.5, 30.0, 3.0, 12.0, 3.0
STAGES = ["onboarding", "growth", "maturity", "decline"]
PHASES = ["healthy", "warning", "alarm"]

MEASURES = {
    "call minutes last month": "mou_m3", "outgoing calls last month": "out_calls_m3",
    "mobile data last month (MB)": "data_mb_m3", "text messages last month": "sms_m3",
    "spend last month": "arpu_m3", "calls to our service line last month": "service_calls_m3",
    "dropped-call rate": "network_drop_rate_m3", "satisfaction score (of 10)": "nps_score",
    "share of calls to other networks": "offnet_call_share_m3",
    "share of texts to other networks": "offnet_sms_share_m3",
    "competitor coverage index": "competitor_coverage_idx", "value-added services": "vas_count",
    "loyalty points": "points_balance", "handset instalments left": "handset_installment_left",
    "online channel use": "e_channel_use", "app logins last month": "app_logins_m3",
    "share of payments online": "online_pay_share_m3", "age": "age",
    "roaming data last month (MB)": "roaming_mb_m3", "international calls last month": "intl_calls_m3",
    "call charges last month": "voice_charge_m3",
}
FALLS = {"call minutes": "mou_m", "outgoing calls": "out_calls_m", "mobile data": "data_mb_m",
         "text messages": "sms_m", "monthly spend": "arpu_m"}
ZERO = {"not on a family plan": "family_plan", "not in a group plan": "group_member",
        "no broadband bundle": "broadband_bundle",
        "handset paid off (no instalments left)": "handset_installment_left"}
POSITIVE = {"competitor SIM in the same handset": "dual_sim",
            "forwards calls to a competitor": "forward_to_competitor_m3",
            "asked for a voluntary suspension": "suspended_voluntary",
            "suspended for unpaid bills": "suspended_arrears",
            "suspended after a high bill": "suspended_high_bill"}


def strs(ds):
    return [s.decode() if isinstance(s, bytes) else s for s in ds[:]]


def main():
    snap, scores, model, lists = sys.argv[1:5]
    min_facts = int(sys.argv[sys.argv.index("--min-facts") + 1]) if "--min-facts" in sys.argv else 0
    f = h5py.File(snap, "r")
    names = strs(f["/subscribers/feature_names"])
    col = {n: j for j, n in enumerate(names)}
    X = f["/subscribers/features"][:]
    ids = f["/subscribers/id"][:]
    row_of = {int(i): r for r, i in enumerate(ids)}
    brand_names = strs(f["/brands/name"])
    s = h5py.File(scores, "r")
    assert (s["/subscribers/id"][:] == ids).all(), "SCORES.h5 rows are not the snapshot's"
    codes = s["/subscribers/reasons"][:]
    pvol = s["/subscribers/p_voluntary"][:] if "/subscribers/p_voluntary" in s else s["/subscribers/probability"][:]
    warn = float(s.attrs["warn_cutoff"])
    m = h5py.File(model, "r")
    in_names = strs(m["/inputs/names"])
    center = dict(zip(in_names, m["/inputs/center"][:]))
    scale = dict(zip(in_names, m["/inputs/scale"][:]))
    beta = dict(zip(strs(m["/logit/names"]), m["/logit/beta"][:]))
    mbrands = strs(m["/inputs/brand_names"]) if "/inputs/brand_names" in m else brand_names

    def v(x, name):
        return float(x[col[name]]) if name in col else math.nan

    traffic = "mou_m" if all("mou_m%d" % k in col for k in (1, 2, 3)) else "out_calls_m"

    def base_m3(x, stem):
        a, b, c = (v(x, "%s%d" % (stem, k)) for k in (1, 2, 3))
        return 0.5 * (a + b), c

    def collapsed(x):
        base, m3 = base_m3(x, traffic)
        return base >= CMIN and base > 0 and m3 <= COLLAPSE * base

    def fell(x, stem):
        base, m3 = base_m3(x, stem)
        return base > 0 and m3 < (1 - FALL) * base

    def stage(x):
        ten, left = v(x, "tenure_months"), v(x, "contract_months_left")
        if ten <= ONB:
            return "onboarding"
        if 0 <= left <= CEM or fell(x, traffic) or collapsed(x) or v(x, "days_no_outgoing_m3") >= IDLE:
            return "decline"
        if left >= 0:
            return "growth" if ten < left else "maturity"
        return "growth" if ten <= GROWTH else "maturity"

    def signals(x):
        sig = {"dual": v(x, "dual_sim") > 0, "comp": v(x, "competitor_service_calls_m3") >= 1,
               "fwd": v(x, "forward_to_competitor_m3") > 0, "collapse": collapsed(x),
               "svol": v(x, "suspended_voluntary") > 0, "sarr": v(x, "suspended_arrears") > 0,
               "sbill": v(x, "suspended_high_bill") > 0}
        return sig

    def number_ok(text, val, kind):
        got = float(text.rstrip("%"))
        if kind == "share":
            return abs(got - 100 * val) <= 0.5 + 1e-6
        if kind == "money":
            return abs(got - val) <= 0.005 + 1e-6
        return abs(got - val) <= max(5e-4 * abs(val), 1e-9) or ("%.4g" % val) == text

    def level(x, name, side, shown):
        if name not in center:
            return "no training statistics for %s" % name
        val = v(x, name)
        c, sd = center[name], scale[name]
        kind = "share" if "share" in name else ("money" if name in ("arpu_m3", "voice_charge_m3") else "num")
        if not number_ok(shown, val, kind):
            return "states %s, the row has %r" % (shown, val)
        if side == "high" and not val >= c + sd:
            return "%s %r is not one sd above the mean %g (sd %g)" % (name, val, c, sd)
        if side == "low" and not val <= c - sd:
            return "%s %r is not one sd below the mean %g (sd %g)" % (name, val, c, sd)
        return None

    def check(x, brand, t):
        """(kind, None) when the reason t holds on row x, (kind, why) when it does not."""
        if t in POSITIVE:
            return "signal", None if v(x, POSITIVE[t]) > 0 else "%s is %r" % (POSITIVE[t], v(x, POSITIVE[t]))
        if t in ZERO:
            return "lock-in", None if v(x, ZERO[t]) == 0 else "%s is %r" % (ZERO[t], v(x, ZERO[t]))
        mm = re.fullmatch(r"(\d+) calls? to a competitor's service line", t)
        if mm:
            n = v(x, "competitor_service_calls_m3")
            return "signal", None if n >= 1 and n == int(mm.group(1)) else "competitor calls %r" % n
        mm = re.fullmatch(r"no outgoing call for (\d+) days?", t)
        if mm:
            n = v(x, "days_no_outgoing_m3")
            return "idle", None if n >= IDLE and n == int(mm.group(1)) else "days without a call %r" % n
        mm = re.fullmatch(r"(.+) down (\d+)% against the two months before", t)
        if mm and mm.group(1) in FALLS:
            stem = FALLS[mm.group(1)]
            base, m3 = base_m3(x, stem)
            if not base > 0:
                return "fall", "no baseline (%r)" % base
            share, n = 1 - m3 / base, int(mm.group(2))
            if not (n <= 100 * share + 1e-4 and 100 * share < n + 1 + 1e-4):
                return "fall", "states %d%%, the fall is %.4f" % (n, share)
            if not (fell(x, stem) or (stem == traffic and collapsed(x))):
                return "fall", "a fall of %.4f is below --traffic-fall" % share
            return "fall", None
        mm = re.fullmatch(r"(\d+) complaints? last month", t)
        if mm:
            n = v(x, "complaints_m3")
            return "complaints", None if n > 0 and n == int(mm.group(1)) else "complaints %r" % n
        mm = re.fullmatch(r"contract ends (?:in (\d+) months?|this month)", t)
        if mm:
            left, ten = v(x, "contract_months_left"), v(x, "tenure_months")
            want = int(mm.group(1)) if mm.group(1) else 0
            ok = left == want and 0 <= left <= CEM and not ten <= ONB
            return "contract", None if ok else "months left %r, tenure %r" % (left, ten)
        mm = re.fullmatch(r"new subscriber: (\d+) months? with us", t)
        if mm:
            ten = v(x, "tenure_months")
            return "new", None if ten <= ONB and ten == int(mm.group(1)) else "tenure %r" % ten
        if t == "on a brand with more leavers":
            b = mbrands.index(brand_names[brand]) if brand_names[brand] in mbrands else 0
            bb = beta.get("brand%d" % b, 0.0) if b > 0 else 0.0
            return "brand", None if bb > 0 else "brand %s has coefficient %r" % (brand_names[brand], bb)
        mm = re.fullmatch(r"(high|low) (.+): (-?[0-9.e+]+%?)", t)
        if mm and mm.group(2) in MEASURES:
            return "level", level(x, MEASURES[mm.group(2)], mm.group(1), mm.group(3))
        if mm and mm.group(2) in center:
            return "indicator", level(x, mm.group(2), mm.group(1), mm.group(3))
        mm = re.fullmatch(r"(has|lacks) (.+)", t)
        if mm and mm.group(2) in center:
            val, c = v(x, mm.group(2)), center[mm.group(2)]
            ok = val > c if mm.group(1) == "has" else val < c
            return "category", None if ok else "%s is %r" % (mm.group(2), val)
        return "unknown", "not a known wording"

    counts, rows = {}, 0
    files = sorted(p for p in glob.glob(os.path.join(lists, "[0-9]*.csv")))
    assert files, "no list files in " + lists
    for path in files:
        with open(path, encoding="utf-8-sig") as fh:
            for r in csv.DictReader(fh):
                rows += 1
                where = "%s rank %s id %s" % (os.path.basename(path), r["rank"], r["id"])
                i = row_of[int(r["id"])]
                x = X[i]
                brand = brand_names.index(r["brand"])
                texts = [r["reason_%d" % k] for k in (1, 2, 3) if r["reason_%d" % k]]
                if len(set(texts)) != len(texts):
                    sys.exit("%s: a reason twice: %s" % (where, texts))
                if len(texts) != int((codes[i] >= 0).sum()):
                    sys.exit("%s: %d reasons listed, SCORES.h5 has %s" % (where, len(texts), codes[i]))
                kinds = []
                for t in texts:
                    kind, why = check(x, brand, t)
                    if why:
                        sys.exit("%s: reason '%s' does not hold: %s" % (where, t, why))
                    counts[kind] = counts.get(kind, 0) + 1
                    kinds.append((kind, t))
                st = stage(x)
                if r["stage"] != st:
                    sys.exit("%s: stage %s, the rules give %s" % (where, r["stage"], st))
                sig = signals(x)
                alarm = any(sig[k] for k in ("dual", "comp", "fwd", "collapse", "svol"))
                ph = "alarm" if alarm else ("warning" if pvol[i] >= warn else "healthy")
                if r["phase"] != ph:
                    sys.exit("%s: phase %s, the rules give %s" % (where, r["phase"], ph))
                if any(sig.values()) and not any(k in ("signal",) or (k == "fall" and sig["collapse"])
                                                 for k, _ in kinds):
                    sys.exit("%s: hard signals %s but no reason says one: %s" % (where, sig, texts))
                for k, t in kinds:
                    bad = ((k == "contract" and st != "decline") or (k == "new" and st != "onboarding") or
                           (k == "idle" and st not in ("decline", "onboarding")) or
                           (k == "fall" and t.startswith(("call minutes", "outgoing calls")) and
                            FALLS[t.split(" down")[0]] == traffic and st not in ("decline", "onboarding")))
                    if bad:
                        sys.exit("%s: stage %s contradicts reason '%s'" % (where, st, t))
    print("reasoncheck: %d listed rows, facts: %s" % (rows, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    if sum(counts.values()) < min_facts:
        sys.exit("only %d facts checked, expected at least %d" % (sum(counts.values()), min_facts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
