#!/usr/bin/env bash
# Headless browser check of `isac-twin report`: makes a short factory recording, writes its
# report, renders it in headless Chromium (screenshot and DOM after the page's script ran) and
# asserts that the page rendered. Installs Debian's `chromium` when it is missing.
# Not part of `make test`: CI must not depend on installing a browser.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "check-report: FAIL: $*" >&2; exit 1; }

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser="$b"; break; fi
done
if [ -z "$browser" ]; then
  echo "check-report: installing chromium (Debian package)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
    || fail "could not install chromium"
  browser=chromium
fi

# The newest build (release or debug), or ISAC_TWIN_EXECUTABLE: never a stale one.
bin="${ISAC_TWIN_EXECUTABLE:-}"
if [ -z "$bin" ]; then
  bin=$(ls -t .build/release/isac-twin .build/debug/isac-twin 2>/dev/null | head -1 || true)
fi
[ -n "$bin" ] || fail "no isac-twin binary: run 'swift build' or 'make release' first"

out="${CHECK_REPORT_DIR:-$(mktemp -d /tmp/isac-twin-check-report.XXXXXX)}"
mkdir -p "$out"
recording="$out/check.sqlite" html="$out/check-report.html" png="$out/check-report.png" dom="$out/check-report.dom.html"
rm -f "$recording" "$html" "$png" "$dom"

"$bin" run factory --duration 5 --record "$recording" --quiet || fail "isac-twin run failed"
"$bin" report "$recording" -o "$html" || fail "isac-twin report failed"

flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=2000)
case "$html" in /*) url="file://$html" ;; *) url="file://$PWD/$html" ;; esac
"$browser" "${flags[@]}" --screenshot="$png" --window-size=1400,2400 "$url" >/dev/null 2>&1 \
  || fail "$browser --screenshot failed"
"$browser" "${flags[@]}" --dump-dom "$url" >"$dom" 2>/dev/null || fail "$browser --dump-dom failed"

grep -q 'data-rendered="ok"' "$dom" || fail "the page's script did not finish: no data-rendered=\"ok\" in $dom"
count() { grep -o "data-$1=\"[0-9]*\"" "$dom" | head -1 | grep -o '[0-9]\+' || echo 0; }
truth=$(count truth-markers) tracks=$(count track-markers) cdf=$(count cdf-points)
[ "$truth" -gt 0 ] || fail "no truth markers (data-truth-markers=$truth)"
[ "$tracks" -gt 0 ] || fail "no track markers (data-track-markers=$tracks)"
[ "$cdf" -gt 0 ] || fail "no CDF points (data-cdf-points=$cdf)"

[ -f "$png" ] || fail "no screenshot at $png"
python3 - "$png" <<'PY' || fail "screenshot check failed"
import struct, sys, zlib
path = sys.argv[1]
data = open(path, "rb").read()
if len(data) <= 20_000:
    sys.exit(f"screenshot {path} is only {len(data)} bytes (expected > 20 kB)")
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"{path} is not a PNG")
pos, idat, width, height, ctype, depth = 8, b"", 0, 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
if depth != 8 or ctype not in (2, 6):
    sys.exit(f"unexpected PNG format (depth {depth}, colour type {ctype})")
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
colours, prev, pos = set(), bytearray(stride), 0
for y in range(height):
    f = raw[pos]; line = bytearray(raw[pos + 1:pos + 1 + stride]); pos += 1 + stride
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 4 == 0:
        for x in range(0, width, 2):
            colours.add(bytes(line[x * bpp:x * bpp + 3]))
    prev = line
if len(colours) < 50:
    sys.exit(f"screenshot has only {len(colours)} distinct colours (expected ≥ 50): the page looks blank")
print(f"screenshot {width}x{height}, {len(data)} bytes, {len(colours)} distinct colours (sampled)")
PY

echo "check-report: OK: $truth truth markers, $tracks track markers, $cdf CDF points"
echo "  report:     $html ($(wc -c <"$html") bytes)"
echo "  screenshot: $png"
