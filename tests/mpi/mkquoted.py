#!/usr/bin/env python3
"""mkquoted.py OUT.csv [--bad] [--text-late] [--cuts BYTES] — an extract for the parallel import
tests (issue 20).

Most of its bytes lie inside quoted fields that hold line breaks (LF, CRLF, lone CR), doubled quotes
and delimiters, so that a cut at almost any byte offset falls inside quotes; between them plain rows,
empty lines and NA. Deterministic (a fixed seed). --bad adds bad rows (ragged, bad id, bad UTF-8) at
fixed places; --text-late makes column 'code' numeric up to two thirds of the file and text after
(the level pass). With --cuts BYTES, prints how many of the cuts that CS_IMPORT_PART_BYTES=BYTES
makes for 4 ranks (the header's length + k * BYTES, k = 1, 2, 3) lie inside quotes: the test checks
its own premise.
"""
import random
import sys

out, args = sys.argv[1], sys.argv[2:]
opts = set(args)
cut = int(args[args.index("--cuts") + 1]) if "--cuts" in args else 0
rng = random.Random(20)
regions = ["北京", "上海", "广州", "深圳"]
rows = []
n = 240
for i in range(n):
    note = rng.choice([
        'plain',
        'two\nlines',
        'crlf\r\nline, with "quotes" inside',
        'lone\rcr',
        'a, "b", c\n\n"d"',
        '多行\n文本 "引号"\r\n结束',
        '',
    ])
    q = '"' + note.replace('"', '""') + '"'
    code = str(rng.randint(1, 9)) if not ("--text-late" in opts and i > 2 * n // 3) else rng.choice(["x", "y", "7"])
    minutes = rng.choice(["12.5", "0", "-3.25e2", "NA", "", "1e-7", "123456789"])
    plan = rng.choice(["basic", "gold", '"silver"', '"gold, plus"'])
    churned = rng.choice(["yes", "no", "NA"])
    fields = [str(1000 + i), rng.choice(regions), q, minutes, code, plan, churned]
    end = rng.choice(["\n", "\r\n"])
    if "--bad" in opts and i in (37, 150, 201):
        fields = fields[:-1] if i == 37 else fields
        if i == 150:
            fields[0] = "x150"
        if i == 201:
            fields[2] = '"bad @BAD@ utf8"'
    rows.append(",".join(fields) + end)
    if i % 50 == 7:
        rows.append("\n")
header = "id,region,note,minutes,code,plan,churned\n"
data = (header + "".join(rows)).encode("utf-8").replace(b"@BAD@", b"\xff")
with open(out, "wb") as f:
    f.write(data)
if cut:
    # inside quotes by the parity rule (which holds in a file whose quotes are all well placed)
    inside = 0
    for k in (1, 2, 3):
        at = len(header) + k * cut
        inside += data[:at].count(b'"') % 2
    print(inside)
