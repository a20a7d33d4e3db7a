#!/usr/bin/env bash
# Rebuilds NotoSansSC-Subset.otf, the font the digest's charts draw Chinese with: Noto Sans CJK SC Regular
# (Debian's fonts-noto-cjk, SIL Open Font License 1.1, see OFL.txt) cut to the 6,763 hanzi of GB 2312,
# ASCII, Latin-1, general punctuation, CJK symbols and full-width forms. Linux hosts, Azure's included,
# have no CJK font; the full collection is 19 MB, this subset under 2 MB.
# Needs: apt-get install fonts-noto-cjk fonttools
set -euo pipefail
export PATH="/usr/bin:$PATH" # Debian's python3, which has fontTools
here="$(cd "$(dirname "$0")" && pwd)"
source=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
chars="$(mktemp)"
trap 'rm -f "$chars"' EXIT
python3 - "$chars" <<'PY'
import sys
chars = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for first, last in [(0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x203A), (0x3000, 0x3017), (0xFF01, 0xFF5E)]:
    chars.update(chr(c) for c in range(first, last + 1))
open(sys.argv[1], "w", encoding="utf-8").write("".join(sorted(chars)))
PY
# Face 2 of the collection is Noto Sans CJK SC (simplified Chinese glyph forms).
pyftsubset "$source" --font-number=2 --text-file="$chars" --layout-features='kern,palt,vert' \
  --name-IDs='*' --output-file="$here/NotoSansSC-Subset.otf"
# ScottPlot places tick labels by the font's line ascent; with Noto CJK's (1160/-288 per 1000) the digits of a
# tick label run into the tick marks. A taller line box (1400/-400) gives them the room Latin fonts get.
python3 - "$here/NotoSansSC-Subset.otf" <<'PY'
import sys
from fontTools.ttLib import TTFont
font = TTFont(sys.argv[1], recalcTimestamp=False)
font["hhea"].ascent, font["hhea"].descent = 1400, -400
font.save(sys.argv[1])
PY
ls -l "$here/NotoSansSC-Subset.otf"
