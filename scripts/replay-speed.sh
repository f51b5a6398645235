#!/usr/bin/env bash
# Measures, in one go, a recorded run against its replays: the run with its recording, a
# replay that reuses the recorded localisations (tracker only), a replay with another
# tracker, and a full replay with --verify (localisation recomputed). Release build.
# Usage: scripts/replay-speed.sh [WORLD] [MODE] [DURATION_S]
set -euo pipefail
cd "$(dirname "$0")/.."
world=${1:-factory}
mode=${2:-monostatic}
duration=${3:-60}
swift build -c release >/dev/null
out=$(mktemp -d)
bin=.build/release/isac-twin
wall() { sed -n 's/.* in \([0-9.]*\) s wall.*/\1/p' | head -1; }
run=$($bin run "$world" --mode "$mode" --duration "$duration" --record "$out/r.sqlite" --quiet | grep '^frames' | wall)
same=$($bin replay "$out/r.sqlite" --quiet | wall)
other=$($bin replay "$out/r.sqlite" --tracker jpda-imm --quiet | wall)
verify=$($bin replay "$out/r.sqlite" --verify --quiet | wall)
python3 - "$world" "$mode" "$run" "$same" "$other" "$verify" <<'PY'
import sys
w, m, run, same, other, verify = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
print(f"| {w} {m} | {run:.2f} s | {same:.2f} s ({run/same:.0f}×) | {other:.2f} s ({run/other:.0f}×) | {verify:.2f} s ({run/verify:.1f}×) |")
PY
rm -rf "$out"
