#!/usr/bin/python3
"""htmlcheck.py -- checks of the HTML reports for tests/mpi/test_html.sh (Debian's python3, standard
library only).

  htmlcheck.py static PAGE...            nothing in the page can leave the file: no script, no link,
                                         no img/iframe/object/embed, no src/href/xlink:href/srcset
                                         naming http(s):// or //, no url(...) or @import in CSS
  htmlcheck.py load PAGE MAX_SECONDS     opens the page in headless Chromium through the DevTools
                                         pipe: every request it makes is the page's own file:// URL,
                                         and the load event comes within MAX_SECONDS
  htmlcheck.py train PAGE MODEL.json     the charts of a model report against `inspect --json`
  htmlcheck.py month PAGE MONTH_DIR...   the charts of a month report against the month's
                                         lists/summary.json, lists/drift.csv and evaluation.json
                                         (the month itself last; the months before it first)
  htmlcheck.py eval PAGE EVALUATION.json the evaluation charts against evaluation.json
  htmlcheck.py chart PAGE ID OUT.html    one chart of PAGE as a page of its own (for the docs PNG)
  htmlcheck.py png FILE MIN_W MIN_H      FILE is a PNG of at least that size

The charts are read back from their geometry (io/svg.h): the plot's axis ranges and pixel box are its
data-* attributes, so every drawn point maps back to a value, compared with the JSON number at the
resolution the SVG is written in (0.01 px).
"""
import csv
import html.parser
import json
import math
import os
import re
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

FAILS = []


def fail(msg):
    FAILS.append(msg)


def done(what):
    if FAILS:
        for f in FAILS[:40]:
            print("FAIL: " + f, file=sys.stderr)
        sys.exit(1)
    print("htmlcheck: " + what)


# ---- the charts ----

def charts(page):
    """id -> the chart's <svg> element."""
    text = open(page, encoding="utf-8").read()
    out = {}
    for m in re.finditer(r"<svg class=\"chart\".*?</svg>", text, re.S):
        el = ET.fromstring(m.group(0))
        out[el.get("data-chart")] = el
    return out


class Plot:
    def __init__(self, svg):
        self.g = svg.find("g[@class='plot']")
        if self.g is None:
            raise ValueError("no plot group")
        a = self.g.attrib
        self.x0, self.x1, self.y0, self.y1 = (float(a[k]) for k in ("data-x0", "data-x1", "data-y0", "data-y1"))
        self.l, self.r, self.t, self.b = (float(a[k]) for k in ("data-left", "data-right", "data-top", "data-bottom"))
        # one written digit of 0.01 px, in data units
        self.tx = (self.x1 - self.x0) / (self.r - self.l) * 0.006
        self.ty = (self.y1 - self.y0) / (self.b - self.t) * 0.006 if self.b > self.t else 0

    def x(self, px):
        return self.x0 + (px - self.l) / (self.r - self.l) * (self.x1 - self.x0)

    def y(self, py):
        return self.y0 + (self.b - py) / (self.b - self.t) * (self.y1 - self.y0)

    def clampx(self, v):
        return min(max(v, self.x0), self.x1)

    def clampy(self, v):
        return min(max(v, self.y0), self.y1)

    def series(self):
        out = []
        for pl in self.g.findall("polyline[@class='series']"):
            pts = [tuple(float(c) for c in p.split(",")) for p in pl.get("points").split()]
            out.append((pl.get("data-name"), [(self.x(a), self.y(b)) for a, b in pts]))
        return out

    def bars(self):
        out = []
        for r in self.g.findall("rect[@class='bar']"):
            x, w = float(r.get("x")), float(r.get("width"))
            zero = self.l + (0 - self.x0) / (self.x1 - self.x0) * (self.r - self.l)
            end = x + w if x >= zero - 0.01 else x
            out.append((r.get("data-label"), self.x(end)))
        return out


def close(a, b, tol):
    return abs(a - b) <= tol + 1e-12 * max(1.0, abs(b))


def check_series(chart_id, plot, k, want):
    """Series k of the chart holds exactly the points want (a list of (x, y), NaN ones left out)."""
    ss = plot.series()
    if k >= len(ss):
        fail("%s: series %d missing (%d series)" % (chart_id, k, len(ss)))
        return
    name, got = ss[k]
    want = [(x, y) for x, y in want if not (math.isnan(x) or math.isnan(y))]
    if len(got) != len(want):
        fail("%s/%s: %d points drawn, %d in the JSON" % (chart_id, name, len(got), len(want)))
        return
    for i, ((gx, gy), (wx, wy)) in enumerate(zip(got, want)):
        wx, wy = plot.clampx(wx), plot.clampy(wy)
        if not close(gx, wx, plot.tx) or not close(gy, wy, plot.ty):
            fail("%s/%s point %d: drawn at (%.6g, %.6g), the JSON says (%.6g, %.6g)" % (chart_id, name, i, gx, gy, wx, wy))
            return


def check_bars(chart_id, plot, want, labels=None):
    got = plot.bars()
    want = [(i, v) for i, v in enumerate(want) if v is not None and not math.isnan(v)]
    if len(got) != len(want):
        fail("%s: %d bars drawn, %d values in the JSON" % (chart_id, len(got), len(want)))
        return
    for (lab, g), (i, w) in zip(got, want):
        if labels is not None and labels[i] is not None and lab != labels[i]:
            fail("%s bar %d: labelled %r, the JSON's row is %r" % (chart_id, i, lab, labels[i]))
            return
        if not close(g, plot.clampx(w), plot.tx):
            fail("%s bar %d (%s): drawn at %.8g, the JSON says %.8g" % (chart_id, i, lab, g, w))
            return


def need(ch, ids):
    for i in ids:
        if i not in ch:
            fail("chart %s missing (charts: %s)" % (i, ", ".join(sorted(ch))))
    return all(i in ch for i in ids)


# ---- the reports ----

def check_train(page, model_json):
    ch = charts(page)
    m = json.load(open(model_json, encoding="utf-8"))
    ho = m["holdout"]
    ids = ["gains", "lift", "roc", "ks", "calibration", "coefficients"]
    if m.get("factors", 0) > 0:
        ids.append("loadings")
    if m["scoring_model"] == "gbm":
        ids.append("importance")
    types = m.get("churn_types")
    if types:
        ids.append("types-calibration")
    if not need(ch, ids):
        return
    g = ho["gains"]
    R, C = g["rows"], g["churned"]
    n, npos = R[-1], C[-1]
    nneg = n - npos
    x = [r / n for r in R]
    gains = [c / npos for c in C]
    fpr = [(r - c) / nneg for r, c in zip(R, C)]
    base = npos / n
    lift = [(c / r) / base if r else float("nan") for r, c in zip(R, C)]
    p = Plot(ch["gains"])
    check_series("gains", p, 0, list(zip(x, gains)))
    check_series("gains", p, 1, [(xi, min(r, npos) / npos) for xi, r in zip(x, R)])
    check_series("gains", p, 2, list(zip(x, x)))
    check_series("lift", Plot(ch["lift"]), 0, list(zip(x, lift)))
    check_series("roc", Plot(ch["roc"]), 0, list(zip(fpr, gains)))
    pk = Plot(ch["ks"])
    check_series("ks", pk, 0, list(zip(x, gains)))
    check_series("ks", pk, 1, list(zip(x, fpr)))
    ref = pk.g.find("line[@class='ref']")
    if ref is None or not close(pk.x(float(ref.get("x1"))), g["ks_share"], pk.tx):
        fail("ks: the KS line is not at the share %s" % g["ks_share"])
    # the KS the curve shows is the one the model reports
    if not close(abs(g["ks_tpr"] - g["ks_fpr"]), ho["ks"], 1e-12):
        fail("ks: |TPR - FPR| at the KS point is %s, the holdout KS %s" % (abs(g["ks_tpr"] - g["ks_fpr"]), ho["ks"]))
    cal = ho["calibration"]
    check_series("calibration", Plot(ch["calibration"]), 0,
                 [(pr, ob) for k, pr, ob in zip(cal["n"], cal["predicted"], cal["observed"]) if k])
    # the coefficients and their 95% intervals (the intercept left out)
    pc = Plot(ch["coefficients"])
    rows = pc.g.findall("g")
    coefs = m["coefficients"][1:]
    if len(rows) != len(coefs):
        fail("coefficients: %d rows drawn, %d coefficients" % (len(rows), len(coefs)))
    for row, c in zip(rows, coefs):
        est, ci = row.find("circle[@class='est']"), row.find("line[@class='ci']")
        z = 1.959963984540054
        if row.get("data-label") != c["name"] or est is None or ci is None:
            fail("coefficients: row %s drawn for %s" % (row.get("data-label"), c["name"]))
            break
        for got, want in ((pc.x(float(est.get("cx"))), c["beta"]), (pc.x(float(ci.get("x1"))), c["beta"] - z * c["se"]),
                          (pc.x(float(ci.get("x2"))), c["beta"] + z * c["se"])):
            if not close(got, want, pc.tx):
                fail("coefficients: %s drawn at %.6g, the JSON says %.6g" % (c["name"], got, want))
    if "loadings" in ids:
        cells = {}
        for el in Plot(ch["loadings"]).g:
            if el.tag == "rect":
                key = (int(el.get("data-row")), int(el.get("data-col")))
            elif el.tag == "text":
                cells[key] = float(el.text.replace(",", ""))
        fl = m["factor_loadings"]
        if len(cells) != len(fl) * m["factors"]:
            fail("loadings: %d cells, %d loadings" % (len(cells), len(fl) * m["factors"]))
        for i, row in enumerate(fl):
            for k, v in enumerate(row["loadings"]):
                if (i, k) not in cells or not close(cells[(i, k)], v, 0.0051):
                    fail("loadings: %s F%d shows %s, the JSON says %.4f" % (row["indicator"], k + 1, cells.get((i, k)), v))
    if types:
        pt = Plot(ch["types-calibration"])
        for k, name in enumerate(("voluntary", "involuntary")):
            c = types[name]["holdout"]["calibration"]
            check_series("types-calibration", pt, k,
                         [(pr, ob) for n_, pr, ob in zip(c["n"], c["predicted"], c["observed"]) if n_ and pr is not None and ob is not None])
    if "importance" in ids:
        imp = m["trees"]["importance"][:20]
        check_bars("importance", Plot(ch["importance"]), [r["gain_share"] for r in imp], [r["name"] for r in imp])
        total = sum(r["gain_share"] for r in m["trees"]["importance"])
        if not close(total, 1.0, 1e-9):
            fail("importance: the gain shares add up to %s" % total)
    done("%s: %d charts match %s" % (page, len(ids), model_json))


def read_drift(d):
    p = os.path.join(d, "lists", "drift.csv")
    if not os.path.exists(p):
        return None
    return [(r["input"], float(r["psi"])) for r in csv.DictReader(open(p, encoding="utf-8"))]


def nan(v):
    return float("nan") if v is None else float(v)


def check_month(page, dirs):
    ch = charts(page)
    here = dirs[-1]
    summ = json.load(open(os.path.join(here, "lists", "summary.json"), encoding="utf-8"))
    regs = summ["regions"]
    names = [r["region"] for r in regs]
    ids = ["regions-listed", "regions-expected", "regions-value", "psi", "trend-auc", "trend-lift", "trend-psi"]
    ev_path = os.path.join(here, "evaluation.json")
    if os.path.exists(ev_path):
        ids += ["eval-precision", "eval-recall", "eval-lift"]
    if not need(ch, ids):
        return
    for cid, key in (("regions-listed", "listed"), ("regions-expected", "expected_leavers"), ("regions-value", "value_at_risk")):
        check_bars(cid, Plot(ch[cid]), [r[key] for r in regs], names)
    drift = read_drift(here)
    check_bars("psi", Plot(ch["psi"]), [v for _, v in drift], [None] + [k for k, _ in drift[1:]])
    # the trend: one point per month, at x = its index
    aucs, lifts, ps, pm = [], [], [], []
    for i, d in enumerate(dirs):
        s = json.load(open(os.path.join(d, "lists", "summary.json"), encoding="utf-8"))
        aucs.append((i, nan(s.get("validation", {}).get("auc"))))
        e = os.path.join(d, "evaluation.json")
        lifts.append((i, nan(json.load(open(e, encoding="utf-8"))["overall"]["lift"]) if os.path.exists(e) else float("nan")))
        dr = read_drift(d)
        ps.append((i, dr[0][1] if dr else float("nan")))
        pm.append((i, max(v for _, v in dr[1:]) if dr and len(dr) > 1 else float("nan")))
    check_series("trend-auc", Plot(ch["trend-auc"]), 0, aucs)
    check_series("trend-lift", Plot(ch["trend-lift"]), 0, lifts)
    check_series("trend-psi", Plot(ch["trend-psi"]), 0, ps)
    check_series("trend-psi", Plot(ch["trend-psi"]), 1, pm)
    if os.path.exists(ev_path):
        check_eval_charts(ch, json.load(open(ev_path, encoding="utf-8")))
    done("%s: %d charts match the files of %s" % (page, len(ids), here))


def check_eval_charts(ch, e):
    names = [r["region"] for r in e["regions"]]
    for cid, key in (("eval-precision", "precision"), ("eval-recall", "recall"), ("eval-lift", "lift")):
        if cid in ch:
            p = Plot(ch[cid])
            check_bars(cid, p, [nan(r[key]) for r in e["regions"]], names)
            ref = p.g.find("line[@class='ref']")
            if ref is None or not close(p.x(float(ref.get("x1"))), nan(e["overall"][key]), p.tx):
                fail("%s: the all-regions line is not at %s" % (cid, e["overall"][key]))


def check_eval(page, ev):
    ch = charts(page)
    if need(ch, ["eval-precision", "eval-recall", "eval-lift"]):
        check_eval_charts(ch, json.load(open(ev, encoding="utf-8")))
    done("%s: the evaluation charts match %s" % (page, ev))


# ---- nothing leaves the file ----

class Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.bad = []
        self.style = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img", "iframe", "object", "embed", "video", "audio", "source", "base"):
            self.bad.append("<%s>" % tag)
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "srcset", "action", "poster", "data") and v is not None:
                if re.match(r"\s*(https?:)?//", v, re.I) or re.match(r"\s*[a-z][a-z0-9+.-]*:", v, re.I):
                    self.bad.append('%s="%s" on <%s>' % (k, v, tag))
            if k == "style" and v and re.search(r"url\(|@import", v, re.I):
                self.bad.append("url() in a style attribute")
        self.style = tag == "style"

    def handle_data(self, data):
        if self.style and re.search(r"url\(|@import", data, re.I):
            self.bad.append("url() or @import in the style sheet")


def check_static(pages):
    for p in pages:
        text = open(p, encoding="utf-8").read()
        r = Refs()
        r.feed(text)
        if r.bad:
            fail("%s: %s" % (p, "; ".join(r.bad[:5])))
        if re.search(r"(src|href)\s*=\s*[\"']?\s*https?://", text, re.I):
            fail("%s: an http(s) src or href" % p)
    done("%d pages hold nothing that leaves the file" % len(pages))


# ---- Chromium through the DevTools pipe ----

def cdp_load(page, max_seconds, chromium="chromium"):
    url = "file://" + os.path.abspath(page)
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    prof = os.environ.get("CS_CHROME_PROFILE", "/tmp/htmlcheck-chromium")

    def pre():
        os.dup2(r1, 3)
        os.dup2(w2, 4)
    p = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                          "--user-data-dir=" + prof, "--no-first-run", "--disable-background-networking",
                          "about:blank"], preexec_fn=pre, pass_fds=(3, 4),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(r1)
    os.close(w2)
    out, inp = os.fdopen(w1, "wb", buffering=0), os.fdopen(r2, "rb", buffering=0)
    state = {"buf": b"", "id": 0}

    def send(method, params=None, session=None):
        state["id"] += 1
        m = {"id": state["id"], "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        out.write(json.dumps(m).encode() + b"\0")
        return state["id"]

    def recv(deadline):
        while b"\0" not in state["buf"]:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from Chromium")
            c = inp.read(65536)
            if not c:
                raise RuntimeError("Chromium closed the pipe")
            state["buf"] += c
        m, state["buf"] = state["buf"].split(b"\0", 1)
        return json.loads(m)

    events = []

    def call(method, params=None, session=None):
        i = send(method, params, session)
        deadline = time.monotonic() + 60
        while True:
            m = recv(deadline)
            if m.get("id") == i:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            events.append(m)

    try:
        t = call("Target.createTarget", {"url": "about:blank"})
        s = call("Target.attachToTarget", {"targetId": t["targetId"], "flatten": True})["sessionId"]
        call("Network.enable", {}, s)
        call("Page.enable", {}, s)
        events.clear()
        t0 = time.monotonic()
        call("Page.navigate", {"url": url}, s)
        deadline = t0 + 60
        while not any(e.get("method") == "Page.loadEventFired" for e in events):
            events.append(recv(deadline))
        dt = time.monotonic() - t0
        send("Browser.close")
    finally:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
    reqs = [e["params"]["request"]["url"] for e in events if e.get("method") == "Network.requestWillBeSent"]
    other = [u for u in reqs if u != url]
    if url not in reqs:
        fail("%s: Chromium did not load the page (requests: %s)" % (page, reqs))
    if other:
        fail("%s: the page made requests besides its own file: %s" % (page, other[:5]))
    if dt > max_seconds:
        fail("%s: loaded in %.2f s (at most %s s)" % (page, dt, max_seconds))
    done("%s: loaded in %.3f s, one request (its own file)" % (page, dt))


def chart_page(page, cid, out):
    text = open(page, encoding="utf-8").read()
    m = re.search(r"<svg class=\"chart\" id=\"chart-%s\".*?</svg>" % re.escape(cid), text, re.S)
    if not m:
        fail("%s: no chart %s" % (page, cid))
        done("")
    css = re.search(r"<style>.*?</style>", text, re.S).group(0)
    lang = re.search(r"<html lang=\"([^\"]+)\"", text).group(1)
    open(out, "w", encoding="utf-8").write(
        "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n%s\n"
        "<style>body{margin:0}svg.chart{margin:0}</style>\n</head>\n<body>\n%s\n</body>\n</html>\n"
        % (lang, cid, css, m.group(0)))
    el = ET.fromstring(m.group(0))
    print("%s %s" % (el.get("width"), el.get("height")))


def check_png(path, min_w, min_h):
    data = open(path, "rb").read(32)
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("%s: not a PNG" % path)
    else:
        w, h = struct.unpack(">II", data[16:24])
        if w < min_w or h < min_h:
            fail("%s: %dx%d, smaller than %dx%d" % (path, w, h, min_w, min_h))
    done("%s is a PNG" % path)


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "static":
        check_static(argv[2:])
    elif cmd == "load":
        cdp_load(argv[2], float(argv[3]))
    elif cmd == "train":
        check_train(argv[2], argv[3])
    elif cmd == "month":
        check_month(argv[2], argv[3:])
    elif cmd == "eval":
        check_eval(argv[2], argv[3])
    elif cmd == "chart":
        chart_page(argv[2], argv[3], argv[4])
    elif cmd == "png":
        check_png(argv[2], int(argv[3]), int(argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
