#!/usr/bin/env bash
# Regenerates the README's RIS table: records worlds/factory-ris.yaml with the RIS links on and
# off (`--set sensing.ris=false`) in several sensing modes and scores the walled blind zone
# (x 43…60, y 27…40: targets = the movers inside it, heard or not) with
# `isac-twin metrics --region`, next to the whole hall (targets = movers heard).
# Usage: scripts/ris-blind-zone.sh [DURATION_S] [CONFIG]   (CONFIG: release (default) or debug)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-30}
config=${2:-release}
swift build -c "$config" >/dev/null
bin=.build/$config/isac-twin
out=$(mktemp -d)
zone=43,27,60,40
echo "| mode | RIS | zone continuity raw / tracked | zone P_MD raw | zone RMSE raw / tracked (m) | zone p95 raw (m) | zone longest gap raw (frames) | hall continuity raw / tracked | hall RMSE raw (m) |"
echo "|---|---|---|---|---|---|---:|---|---|"
for mode in monostatic trp-trp hybrid; do
  for ris in true false; do
    rec="$out/$mode-$ris.sqlite"
    "$bin" run factory-ris --mode "$mode" --duration "$duration" --set sensing.ris=$ris --record "$rec" --quiet >/dev/null
    "$bin" metrics "$rec" --json --region "$zone" > "$out/zone.json"
    "$bin" metrics "$rec" --json > "$out/hall.json"
    python3 - "$mode" "$ris" "$out/zone.json" "$out/hall.json" <<'PY'
import json, sys
z = json.load(open(sys.argv[3])); h = json.load(open(sys.argv[4]))
def f(x, d=3):
    if x is None: return "–"
    return f"{x:.{d}f}" if abs(x) >= 0.01 or x == 0 else f"{x:.2g}"
zr, zt, hr, ht = z["raw"], z["tracked"], h["raw"], h["tracked"]
cells = [sys.argv[1], "on" if sys.argv[2] == "true" else "off",
         f(zr["continuity"]["overall"]) + " / " + f(zt["continuity"]["overall"]), f(zr["pMD"]),
         f(zr["rmse"]) + " / " + f(zt["rmse"]), f(zr["p95"]), str(zr["continuity"]["longestGap"]),
         f(hr["continuity"]["overall"]) + " / " + f(ht["continuity"]["overall"]), f(hr["rmse"])]
print("| " + " | ".join(cells) + " |")
PY
  done
done
rm -rf "$out"
