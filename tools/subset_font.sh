#!/usr/bin/env bash
# Rebuild assets/fonts/NotoSansSC-subset.otf from scratch.
#
#   1. download Debian's fonts-noto-cjk package (pinned version) and unpack it
#   2. pick the "Noto Sans CJK SC" face out of NotoSansCJK-Regular.ttc
#   3. write the codepoint list (assets/fonts/NotoSansSC-subset.unicodes.txt)
#   4. subset it with fontTools' pyftsubset (pinned version, in a private venv)
#   5. check the result: parses, family name, every required character mapped
#
# Needs: a Debian/Ubuntu machine with apt sources for the pinned package,
# python3 with the venv module (apt-get install python3-venv), network access
# to the Debian archive and PyPI. Does not need root (apt-get download and
# dpkg -x work unprivileged); run `apt-get update` first if the package
# cannot be found.
#
# The output is deterministic: same package + same fontTools + same codepoint
# list => byte-identical .otf (pyftsubset keeps head.modified from the source
# font unless --recalc-timestamp is given).
#
# Environment overrides:
#   TOWNS_CSV            town/village name list (default: ../shared/data/wuzhai/towns_villages.csv
#                        next to the repo); every character in it goes into the subset
#   NOTO_CJK_DEB_VERSION Debian version of fonts-noto-cjk (default below)
#   NOTO_CJK_TTC_SHA256  expected sha256 of NotoSansCJK-Regular.ttc; set to "skip" to accept another
#   FONTTOOLS_VERSION    fontTools version from PyPI (default below)
#   WORK_DIR             scratch dir to use and keep (default: a temp dir, removed afterwards)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="$REPO_ROOT/assets/fonts"
OUT_FONT="$OUT_DIR/NotoSansSC-subset.otf"
OUT_UNICODES="$OUT_DIR/NotoSansSC-subset.unicodes.txt"

NOTO_CJK_DEB_VERSION="${NOTO_CJK_DEB_VERSION:-1:20220127+repack1-1}"
NOTO_CJK_TTC_SHA256="${NOTO_CJK_TTC_SHA256:-b76b0433203017ca80401b2ee0dd69350349871c4b19d504c34dbdd80541690a}"
FONTTOOLS_VERSION="${FONTTOOLS_VERSION:-4.68.0}"
TOWNS_CSV="${TOWNS_CSV:-$REPO_ROOT/../shared/data/wuzhai/towns_villages.csv}"
FACE_NAME="Noto Sans CJK SC"

if [[ ! -f "$TOWNS_CSV" ]]; then
    echo "error: town/village CSV not found: $TOWNS_CSV (set TOWNS_CSV)" >&2
    exit 1
fi
TOWNS_CSV="$(cd "$(dirname "$TOWNS_CSV")" && pwd)/$(basename "$TOWNS_CSV")"

if [[ -n "${WORK_DIR:-}" ]]; then
    mkdir -p "$WORK_DIR"
else
    WORK_DIR="$(mktemp -d)"
    trap 'rm -rf "$WORK_DIR"' EXIT
fi
cd "$WORK_DIR"
echo "scratch dir: $WORK_DIR"

# --- 1. source font ----------------------------------------------------------
TTC="$WORK_DIR/x/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
if [[ ! -f "$TTC" ]]; then
    rm -f fonts-noto-cjk_*.deb
    # apt-get download as root warns that _apt cannot write here; harmless.
    apt-get download "fonts-noto-cjk=$NOTO_CJK_DEB_VERSION"
    dpkg -x fonts-noto-cjk_*.deb x/
fi
if [[ "$NOTO_CJK_TTC_SHA256" != skip ]]; then
    echo "$NOTO_CJK_TTC_SHA256  $TTC" | sha256sum -c - \
        || { echo "error: NotoSansCJK-Regular.ttc differs from the pinned one (NOTO_CJK_TTC_SHA256=skip to accept)" >&2; exit 1; }
fi

# --- 2. fontTools --------------------------------------------------------------
if [[ ! -x venv/bin/python ]]; then
    python3 -m venv venv
fi
venv/bin/python -m pip install --quiet --disable-pip-version-check "fonttools==$FONTTOOLS_VERSION"
PY="$WORK_DIR/venv/bin/python"

FONT_NUMBER="$("$PY" - "$TTC" "$FACE_NAME" <<'EOF'
import sys
from fontTools.ttLib import TTCollection
ttc, want = sys.argv[1], sys.argv[2]
for i, face in enumerate(TTCollection(ttc, lazy=True).fonts):
    if face["name"].getDebugName(4) == want:
        print(i)
        break
else:
    sys.exit(f"no face named {want!r} in {ttc}")
EOF
)"
echo "using face #$FONT_NUMBER ($FACE_NAME) of $(basename "$TTC")"

# --- 3. codepoint list -----------------------------------------------------------
mkdir -p "$OUT_DIR"
"$PY" - "$TOWNS_CSV" "$OUT_UNICODES" <<'EOF'
import csv, sys, unicodedata

towns_csv, out = sys.argv[1], sys.argv[2]

UI_STRINGS = (
    "合成示例数据 synthetic example data 小学 初中 九年一贯制 寄宿制 学校 中学 民办 公办 "
    "未安置 容量 座位 已分配 利用率 图例 比例尺 北 年 入学 招生 划片 学区 预测 缺口 班级 抽签 "
    "县 镇 乡 村 社区 居委会 村委会 五寨县 砚城镇 第一 第二 第三 第四 第五 实验 育才 希望"
)
# Latin-1 / general punctuation used in labels: ° × · – — ‘ ’ “ ” … %
LABEL_PUNCT = [0x00B0, 0x00D7, 0x00B7, 0x2013, 0x2014, 0x2018, 0x2019,
               0x201C, 0x201D, 0x2026, 0x0025]

def gb2312_level1():
    # GB2312 level-1 hanzi: rows 16-55, codes 0xB0A1..0xD7F9 (3755 characters).
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            if (hi << 8 | lo) > 0xD7F9:
                break
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars

with open(towns_csv, encoding="utf-8-sig", newline="") as f:
    towns = sorted({c for row in csv.reader(f) for cell in row for c in cell})

def is_printable(c):
    return unicodedata.category(c)[0] not in "CZ" or c == " "

sections = [
    ("printable ASCII", "0020-007E", []),
    ("CJK symbols and punctuation", "3000-303F", []),
    ("halfwidth and fullwidth forms", "FF00-FFEF", []),
    ("label punctuation (Latin-1 / general punctuation)", None, [chr(u) for u in LABEL_PUNCT]),
    ("GB2312 level-1 hanzi (0xB0A1..0xD7F9)", None, gb2312_level1()),
    (f"characters of the town/village list ({towns_csv.rsplit('/', 1)[-1]})", None,
     [c for c in towns if is_printable(c)]),
    ("UI strings", None, [c for c in UI_STRINGS if c != " "]),
]

seen = set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
lines = [
    "# Codepoints kept in NotoSansSC-subset.otf. Generated by tools/subset_font.sh; do not edit.",
    "# Format: pyftsubset --unicodes-file (hex codepoint or range; '#' starts a comment).",
    "# Codepoints already listed in an earlier section are not repeated.",
]
total_new = 0
for title, rng, chars in sections:
    lines.append("")
    lines.append(f"# {title}")
    if rng:
        lines.append(rng)
        continue
    n = 0
    for c in chars:
        u = ord(c)
        if u in seen:
            continue
        seen.add(u)
        lines.append(f"U+{u:04X}  # {c}")
        n += 1
    lines.append(f"# ({n} new in this section)")
with open(out, "w", encoding="utf-8", newline="\n") as f:
    f.write("\n".join(lines) + "\n")
print(f"{out}: {len(seen)} codepoints requested")
EOF

# --- 4. subset -------------------------------------------------------------------
# --layout-features='' : ab_glyph does no shaping, so no GSUB/GPOS features are kept
# --no-hinting         : drop CFF hints (rasterised at map label sizes without hinting anyway)
# --notdef-outline     : keep the .notdef box so a missing character shows as tofu, not blank
# --name-IDs/languages : keep the whole name table (family name, copyright, licence, zh-CN names)
# --drop-tables+=...   : vertical-writing and baseline tables are unused for horizontal labels;
#                        GSUB/GPOS would be left with no features or lookups, so drop them too
"$PY" -m fontTools.subset "$TTC" \
    --font-number="$FONT_NUMBER" \
    --unicodes-file="$OUT_UNICODES" \
    --layout-features='' \
    --no-hinting \
    --notdef-outline \
    --name-IDs='*' \
    --name-languages='*' \
    --drop-tables+=vhea,vmtx,VORG,BASE,GSUB,GPOS \
    --output-file="$OUT_FONT"

# --- 5. check ----------------------------------------------------------------------
"$PY" - "$OUT_FONT" "$OUT_UNICODES" "$TOWNS_CSV" "$FACE_NAME" <<'EOF'
import csv, os, sys, unicodedata
from fontTools.ttLib import TTFont
from fontTools.subset import parse_unicodes

font_path, unicodes_path, towns_csv, face = sys.argv[1:5]
font = TTFont(font_path)
cmap = font.getBestCmap()
family = font["name"].getDebugName(1)
assert family == face, f"family name is {family!r}, expected {face!r}"
assert "CFF " in font, "expected CFF outlines"

must = set("砚城镇寄宿制合成示例数据")
with open(towns_csv, encoding="utf-8-sig", newline="") as f:
    for row in csv.DictReader(f):
        for key in ("town_name", "village_name"):
            must.update(row[key])
missing = sorted(c for c in must if ord(c) not in cmap)
assert not missing, f"missing glyphs: {''.join(missing)}"

requested = set()
with open(unicodes_path, encoding="utf-8") as f:
    for line in f:
        requested.update(parse_unicodes(line.split("#")[0]))
# only codepoints the source font itself lacks may be absent (e.g. unassigned ones in FF00-FFEF)
absent = sorted(u for u in requested if u not in cmap)

# every mapped glyph must have an outline that draws (spaces excepted)
from fontTools.pens.boundsPen import BoundsPen
gs = font.getGlyphSet()
empty = []
for u, g in cmap.items():
    pen = BoundsPen(gs)
    gs[g].draw(pen)
    blank = chr(u).isspace() or "FILLER" in unicodedata.name(chr(u), "")
    if pen.bounds is None and not blank:
        empty.append(u)

size = os.path.getsize(font_path)
print(f"{font_path}")
print(f"  family      : {family}  (full name: {font['name'].getDebugName(4)}, version: {font['name'].getDebugName(5)})")
print(f"  size        : {size} bytes ({size / 1024 / 1024:.2f} MiB)")
print(f"  glyphs      : {len(font.getGlyphOrder())}")
print(f"  characters  : {len(cmap)} mapped ({len(requested)} requested, {len(absent)} not in source font)")
print(f"  tables      : {' '.join(sorted(font.keys()))}")
print(f"  check       : all {len(must)} required characters present")
if empty:
    print(f"  note        : {len(empty)} mapped non-space characters have no outline: "
          + " ".join(f"U+{u:04X}" for u in empty[:20]))
EOF
