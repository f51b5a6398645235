#!/usr/bin/env bash
# Regenerates the README's localisation table: runs a world (default factory) in every
# sensing mode with every localiser and prints P_MD, P_FA (1 m), RMSE, targets reported and
# heard per frame and the localiser's time per frame.
# Usage: scripts/localizers.sh [WORLD] [DURATION_S]
set -euo pipefail
cd "$(dirname "$0")/.."
world=${1:-factory}
duration=${2:-10}
swift build -c release >/dev/null
echo "| mode | localizer | P_MD | P_FA | RMSE (m) | reported/frame | heard/frame | ms/frame |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for mode in monostatic trp-trp trp-ue hybrid cell-free; do
  for localizer in gauss-newton ellipsoid time-angle joint ue-selection; do
    # joint works on monostatic base-station ranges only (docs/domain.md §7.4).
    if [ "$localizer" = joint ] && [ "$mode" != monostatic ]; then continue; fi
    out=$(.build/release/isac-twin run "$world" --mode "$mode" --localizer "$localizer" --duration "$duration" --no-record --quiet)
    python3 - "$mode" "$localizer" "$out" <<'PY'
import re, sys
mode, localizer, out = sys.argv[1], sys.argv[2], sys.argv[3]
m = re.search(r"localizer +\S+: P_MD ([\d.]+), P_FA ([\d.]+) \(1 m\), RMSE (\S+)(?: m)?; ([\d.]+) reported, ([\d.]+) heard, [\d.]+ rejected per frame; ([\d.]+) ms/frame", out)
print(f"| {mode} | {localizer} | {m[1]} | {m[2]} | {m[3]} | {m[4]} | {m[5]} | {m[6]} |")
PY
  done
done
