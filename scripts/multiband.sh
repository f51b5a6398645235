#!/usr/bin/env bash
# Regenerates the README's multi-band base-station table: worlds/factory-multiband.yaml (18 TRPs,
# 5.9 GHz / 40 MHz / 30 kHz plus a 24 GHz / 400 MHz / 120 kHz second band, fused per echo) run
# with the low band only, the high band only (as the primary band, no second band) and both,
# at the world's transmit power and at a weak one (TX_DBM, default −30 dBm), in monostatic
# sensing; scored with `isac-twin metrics` (localiser = raw, tracker = tracked).
# Usage: scripts/multiband.sh [DURATION_S] [CONFIG] [TX_DBM]   (CONFIG: debug (default) or release)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-30}
config=${2:-debug}
weak=${3:--30}
swift build -c "$config" >/dev/null
bin=.build/$config/isac-twin
out=$(mktemp -d)
src=worlds/factory-multiband.yaml
echo "| TX power | bands | localiser P_MD | localiser RMSE (m) | tracker P_MD | tracker RMSE (m) | detections/frame |"
echo "|---|---|---:|---:|---:|---:|---:|"
for power in default "$weak"; do
  for bands in "5.9 GHz / 40 MHz only" "24 GHz / 400 MHz only" "both, fused"; do
    world="$out/world.yaml"
    case "$bands" in
      5.9*) sed '/secondBand:/d' "$src" > "$world" ;;
      24*) sed -e '/secondBand:/d' -e 's/carrierGHz: 5.9$/carrierGHz: 24/' -e 's/bandwidthMHz: 40$/bandwidthMHz: 400/' \
             -e 's/subcarrierSpacingKHz: 30$/subcarrierSpacingKHz: 120/' "$src" > "$world" ;;
      *) cp "$src" "$world" ;;
    esac
    if [ "$power" != default ]; then sed -i "s/      array: \[16, 8\]/      array: [16, 8]\n      txPowerDbm: $power/" "$world"; fi
    rec="$out/run.sqlite"
    rm -f "$rec"
    summary=$("$bin" run "$world" --duration "$duration" --record "$rec" --quiet)
    det=$(echo "$summary" | sed -n 's/.* \([0-9.]*\) detections\/frame.*/\1/p')
    "$bin" metrics "$rec" --json > "$out/m.json"
    python3 - "$power" "$bands" "$det" "$out/m.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[4]))
def f(x):
    if x is None: return "–"
    return f"{x:.3g}"
r, t = m["raw"], m["tracked"]
p = "30 dBm (world)" if sys.argv[1] == "default" else sys.argv[1] + " dBm"
print("| " + " | ".join([p, sys.argv[2], f(r["pMD"]), f(r["rmse"]), f(t["pMD"]), f(t["rmse"]), sys.argv[3]]) + " |")
PY
  done
done
rm -rf "$out"
