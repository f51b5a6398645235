#!/usr/bin/env bash
# Regenerates the README's tracking table: runs a world (default factory) in several sensing
# modes with several trackers and prints the raw localisation's and the tracked twin's P_MD,
# P_FA (1 m) and RMSE, confirmed tracks per frame and the tracker's time per frame.
# Usage: scripts/trackers.sh [WORLD] [DURATION_S]
set -euo pipefail
cd "$(dirname "$0")/.."
world=${1:-factory}
duration=${2:-30}
swift build -c release >/dev/null
echo "| mode | tracker | raw P_MD | raw P_FA | raw RMSE (m) | tracked P_MD | tracked P_FA | tracked RMSE (m) | tracks/frame | heard/frame | tracker ms/frame |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for mode in monostatic trp-trp trp-ue hybrid; do
  for tracker in gnn-cv gnn-ca gnn-imm jpda-cv gnn-cv+raw; do
    extra=()
    name=$tracker
    if [ "$tracker" = gnn-cv+raw ]; then name=gnn-cv; extra=(--set tracker.measurement=raw); fi
    out=$(.build/release/isac-twin run "$world" --mode "$mode" --tracker "$name" "${extra[@]}" --duration "$duration" --no-record --quiet)
    python3 - "$mode" "$tracker" "$out" <<'PY'
import re, sys
mode, tracker, out = sys.argv[1], sys.argv[2], sys.argv[3]
l = re.search(r"localizer +\S+: P_MD ([\d.]+), P_FA ([\d.]+) \(1 m\), RMSE (\S+)(?: m)?; [\d.]+ reported, ([\d.]+) heard", out)
t = re.search(r"tracker +\S+: P_MD ([\d.]+), P_FA ([\d.]+) \(1 m\), RMSE (\S+)(?: m)?; ([\d.]+) confirmed tracks/frame;.*; ([\d.]+) ms/frame", out)
print(f"| {mode} | {tracker} | {l[1]} | {l[2]} | {l[3]} | {t[1]} | {t[2]} | {t[3]} | {t[4]} | {l[4]} | {t[5]} |")
PY
  done
done
