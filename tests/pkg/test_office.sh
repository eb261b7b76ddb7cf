#!/bin/bash
# A Chinese list in a spreadsheet (issue 14: "鍖椾含 for 北京"): score --lang zh writes lists that
# start with the UTF-8 byte order mark (and --no-bom ones that do not); LibreOffice (headless: soffice
# --convert-to pdf) opens the retention and the collections list of 北京 and prints them; the PDF's
# text holds the region name, the Chinese headers, queue and action texts, and no mojibake (nor the
# byte order mark as a stray character in the first cell); a CJK font is embedded, and the page
# rendered as a picture (pdftoppm) has the region name's glyphs drawn where the text layer puts them.
# LibreOffice, poppler-utils and a CJK font come from scripts/setup.sh (CI runs it); when soffice is
# missing the test installs them as root (saying so first) and skips (77) only when it cannot.
source "$(dirname "$0")/../mpi/common.sh"
need="libreoffice-calc-nogui poppler-utils fonts-noto-cjk"
if ! command -v soffice > /dev/null || ! command -v pdftotext > /dev/null || ! command -v pdftoppm > /dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "test_office: installing $need (apt-get, as root) for the spreadsheet check"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need > "$T/apt.log" 2>&1 \
      || { apt-get update -qq > /dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
           --no-install-recommends $need > "$T/apt.log" 2>&1; } || true
  fi
  if ! command -v soffice > /dev/null || ! command -v pdftotext > /dev/null; then
    echo "SKIP: LibreOffice (soffice) or poppler-utils is missing and cannot be installed here" \
      "(scripts/setup.sh installs $need)"
    exit 77
  fi
fi
run 1 "$CS" generate --out "$T/s.h5" --subscribers 6000 --regions 4 --seed 21 --quiet || fail "generate"
run 2 "$CS" train --in "$T/s.h5" --model "$T/m.h5" --quiet > /dev/null || fail "train"
run 2 "$CS" score --in "$T/s.h5" --model "$T/m.h5" --out "$T/o.h5" --lists "$T/L" --lang zh --top 25 \
  --list-columns arpu_m3,tenure_months --quiet > /dev/null || fail "score --lang zh"
run 2 "$CS" score --in "$T/s.h5" --model "$T/m.h5" --out "$T/on.h5" --lists "$T/Ln" --lang zh --top 25 \
  --no-bom --quiet > /dev/null || fail "score --no-bom"
# the lists and summary.csv (drift.csv is ASCII, read by scripts: no mark)
for f in "$T"/L/*-*.csv "$T/L/summary.csv"; do
  head -c 3 "$f" | cmp -s - <(printf '\xef\xbb\xbf') || fail "$(basename "$f") does not start with EF BB BF"
done
for f in "$T"/Ln/*-*.csv "$T/Ln/summary.csv"; do
  head -c 3 "$f" | cmp -s - <(printf '\xef\xbb\xbf') && fail "--no-bom: $(basename "$f") starts with a BOM"
done
REGION=北京
mkdir -p "$T/pdf" "$T/home"
for q in retention collections; do
  f="$T/L/00-$REGION-$q.csv"
  [ -f "$f" ] || { ls "$T/L"; fail "no $q list of $REGION"; }
  [ "$(wc -l < "$f")" -gt 2 ] || fail "the $q list of $REGION is empty"
  # The text import as LibreOffice's dialog offers a UTF-8 CSV: comma, double quote, UTF-8 (76), from
  # line 1. Headless without options it reads every CSV as Windows-1252, BOM or not: LibreOffice's
  # default, not the file's.
  HOME="$T/home" timeout 300 soffice --headless "-env:UserInstallation=file://$T/lo-profile" \
    --infilter="CSV:44,34,76,1" --convert-to pdf --outdir "$T/pdf" "$f" > "$T/soffice.log" 2>&1 \
    || { cat "$T/soffice.log"; fail "soffice --convert-to pdf ($q)"; }
  pdf="$T/pdf/00-$REGION-$q.pdf"
  [ -s "$pdf" ] || { cat "$T/soffice.log"; fail "soffice wrote no PDF for the $q list"; }
  pdftotext -layout "$pdf" "$T/$q.txt" || fail "pdftotext ($q)"
  # the header row (LibreOffice prints the sheet's name above it) starts with 排名 itself, no U+FEFF
  first=$(grep -m1 '排名' "$T/$q.txt" | sed 's/^ *//')
  case $first in 排名*) ;; *) echo "$first"; fail "$q: the first cell is not 排名 (a stray byte order mark?)" ;; esac
  for w in 排名 队列 用户编号 地区 流失概率 生命周期 预警状态 建议行动 渠道 "$REGION"; do
    grep -q -- "$w" "$T/$q.txt" || { head -5 "$T/$q.txt"; fail "$q: the PDF's text lacks '$w'"; }
  done
  grep -q 'ï»¿\|å\|é\|æ' "$T/$q.txt" && { head -5 "$T/$q.txt"; fail "$q: mojibake in the PDF"; }
  pdffonts "$pdf" > "$T/$q.fonts" || fail "pdffonts ($q)"
  grep -qi "cjk\|wenquanyi\|wqy\|droidsansfallback\|uming\|ukai" "$T/$q.fonts" \
    || { cat "$T/$q.fonts"; fail "$q: no CJK font in the PDF (the glyphs would be boxes)"; }
done
grep -q "挽留" "$T/retention.txt" || fail "retention: no queue name 挽留"
grep -q "资深客服挽留\|入网欢迎回访\|推荐增值业务\|推荐高价值融合套餐\|协议到期前续约优惠\|客户经理专属服务" "$T/retention.txt" \
  || fail "retention: no Chinese action text"
grep -q "催缴" "$T/collections.txt" && grep -q "欠费催缴" "$T/collections.txt" || fail "collections: no Chinese queue or action"

# The picture: page 1 of the retention list at 100 dpi (grey PGM); the region name's box from the text
# layer (pdftotext -bbox, points: x100/72 pixels) must hold drawn glyphs: dark pixels, and more of them
# than a box of the same size in the blank margin below the text.
pdf="$T/pdf/00-$REGION-retention.pdf"
pdftoppm -f 1 -l 1 -r 100 -gray "$pdf" "$T/page" || fail "pdftoppm"
pdftoppm -f 1 -l 1 -r 100 -png "$pdf" "$T/page" || fail "pdftoppm -png"
pdftotext -f 1 -l 1 -bbox "$pdf" "$T/bbox.html" || fail "pdftotext -bbox"
python3 - "$T/bbox.html" "$(ls "$T"/page*.pgm | head -1)" "$REGION" <<'PY' || fail "the region name's glyphs on the page"
import re, sys
html, pgm, region = sys.argv[1], sys.argv[2], sys.argv[3]
words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                   open(html, encoding="utf-8").read())
boxes = [tuple(float(v) * 100 / 72 for v in w[:4]) for w in words if w[4] == region]
assert boxes, "no word %s on page 1" % region
data = open(pgm, "rb").read()
m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
w, h, maxv = int(m.group(1)), int(m.group(2)), int(m.group(3))
px = data[m.end():]
assert maxv == 255 and len(px) == w * h, (w, h, maxv, len(px))
def dark(x0, y0, x1, y1):
    return sum(1 for y in range(int(y0), min(int(y1) + 1, h)) for x in range(int(x0), min(int(x1) + 1, w))
               if px[y * w + x] < 128)
bottom = max(float(v[3]) * 100 / 72 for v in words)
x0, y0, x1, y1 = boxes[0]
ink, blank = dark(x0, y0, x1, y1), dark(x0, bottom + 20, x1, bottom + 20 + (y1 - y0))
area = (x1 - x0 + 1) * (y1 - y0 + 1)
assert ink > 0.08 * area and ink > 10 * (blank + 1), (ink, blank, area)
print("glyphs of %s on page 1: %d dark pixels in its %.0f-pixel box (%d in a blank box): %d occurrences"
      % (region, ink, area, blank, len(boxes)))
PY
# kept for a person to look at when CS_OFFICE_KEEP names a directory
[ -n "${CS_OFFICE_KEEP:-}" ] && mkdir -p "$CS_OFFICE_KEEP" && cp "$T"/page*.png "$pdf" "$CS_OFFICE_KEEP/"
echo "office: the Chinese lists start with the BOM, LibreOffice prints them with $REGION, Chinese headers and actions in a CJK font"
