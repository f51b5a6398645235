#!/usr/bin/env bash
# Regenerates the README's cooperation table: records worlds/road-two-operators.yaml under each
# cooperation policy, with and without inter-operator calibration, and prints `isac-twin
# metrics` headline numbers for the raw localisations and the tracked twin (δ = 1 m), plus the
# RMSE when estimates up to 20 m off still count (the size of uncalibrated biases).
# Usage: scripts/cooperation.sh [DURATION_S]   (ISAC_TWIN=path/to/isac-twin skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
bin=${ISAC_TWIN:-}
if [ -z "$bin" ]; then
  swift build -c release >/dev/null
  bin=.build/release/isac-twin
fi
out=$(mktemp -d)
# The same world with op-b's clock and frame offsets removed: what calibration should recover.
sed 's/, clockOffsetNs: 150, frameOffset: \[4, -3, 0\], frameRotationDeg: 1.5//' worlds/road-two-operators.yaml > "$out/aligned.yaml"
grep -q "frameRotationDeg" "$out/aligned.yaml" && { echo "could not remove op-b's offsets" >&2; exit 1; }
echo "| policy | calibration | links | targets heard / frame | continuity raw / tracked | P_MD raw / tracked | P_FA raw / tracked | RMSE raw / tracked (m) | OSPA raw / tracked (m) | RMSE within 20 m raw / tracked (m) | ID switches |"
echo "|---|---|---:|---:|---|---|---|---|---|---|---:|"
for row in "isolated true" "isolated false" "measurement-sharing true" "measurement-sharing false" \
  "measurement-sharing clock-only" "measurement-sharing frame-only" "track-sharing true" "track-sharing false" \
  "measurement-sharing true aligned" "measurement-sharing false aligned"; do
  set -- $row
  policy=$1
  world=worlds/road-two-operators.yaml
  [ "${3:-}" = aligned ] && world="$out/aligned.yaml"
  case $2 in
    true) sets=(--set cooperation.calibration=true); label="clock + frame" ;;
    false) sets=(--set cooperation.calibration=false); label="none" ;;
    clock-only) sets=(--set cooperation.calibration=true --set cooperation.frameCalibration=false); label="clock only" ;;
    frame-only) sets=(--set cooperation.calibration=true --set cooperation.clockCalibration=false); label="frame only" ;;
  esac
  [ "${3:-}" = aligned ] && label="$label, no offsets planted"
  rec="$out/$policy-$2-${3:-}.sqlite"
  links=$("$bin" run "$world" --cooperation "$policy" "${sets[@]}" --duration "$duration" --record "$rec" --quiet |
    awk '/^sensing/ {print $3}')
  "$bin" metrics "$rec" --json > "$out/m.json"
  "$bin" metrics "$rec" --json --threshold 20 > "$out/m20.json"
  python3 - "$policy" "$label" "$links" "$out/m.json" "$out/m20.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[4])); r, t, s = m["raw"], m["tracked"], m["tracks"]
w = json.load(open(sys.argv[5]))
def f(x, d=3):
    if x is None: return "n/a"
    return f"{x:.{d}f}" if abs(x) >= 0.01 or x == 0 else f"{x:.2g}"
def g(k, d=3): return f(r[k], d) + " / " + f(t[k], d)
cells = [sys.argv[1], sys.argv[2], sys.argv[3], f(r["truths"] / m["frames"], 1), f(r["continuity"]["overall"]) + " / " + f(t["continuity"]["overall"]), g("pMD"), g("pFA"),
         g("rmse"), f(r["ospa"]["mean"], 2) + " / " + f(t["ospa"]["mean"], 2),
         f(w["raw"]["rmse"], 2) + " / " + f(w["tracked"]["rmse"], 2), str(s["idSwitches"])]
print("| " + " | ".join(cells) + " |")
PY
done
rm -rf "$out"
