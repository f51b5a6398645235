#!/usr/bin/env bash
# Regenerates the README's metrics-per-mode table: records a world (default factory) in every
# sensing mode and prints `isac-twin metrics` headline numbers for the raw localisations and
# the tracked twin.
# Usage: scripts/metrics-modes.sh [WORLD] [DURATION_S]
set -euo pipefail
cd "$(dirname "$0")/.."
world=${1:-factory}
duration=${2:-30}
swift build -c release >/dev/null
out=$(mktemp -d)
echo "| mode | continuity raw / tracked | P_MD raw / tracked | P_FA raw / tracked | RMSE raw / tracked (m) | p95 raw / tracked (m) | OSPA raw / tracked (m) | GOSPA raw / tracked (m) | SIAP completeness / ambiguity / spuriousness | ID switches |"
echo "|---|---|---|---|---|---|---|---|---|---:|"
for mode in monostatic trp-trp trp-ue hybrid cell-free; do
  .build/release/isac-twin run "$world" --mode "$mode" --duration "$duration" --record "$out/$mode.sqlite" --quiet >/dev/null
  .build/release/isac-twin metrics "$out/$mode.sqlite" --json > "$out/$mode.json"
  python3 - "$mode" "$out/$mode.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[2])); r, t, s = m["raw"], m["tracked"], m["tracks"]
def f(x, d=3):
    if x is None: return "n/a"
    return f"{x:.{d}f}" if abs(x) >= 0.01 or x == 0 else f"{x:.2g}"
def g(k, d=3): return f(r[k], d) + " / " + f(t[k], d)
cells = [sys.argv[1], f(r["continuity"]["overall"]) + " / " + f(t["continuity"]["overall"]), g("pMD"), g("pFA"), g("rmse"), g("p95"),
         f(r["ospa"]["mean"], 2) + " / " + f(t["ospa"]["mean"], 2), f(r["gospa"]["mean"], 2) + " / " + f(t["gospa"]["mean"], 2),
         f(s["completeness"]) + " / " + f(s["ambiguity"]) + " / " + f(s["spuriousness"]), str(s["idSwitches"])]
print("| " + " | ".join(cells) + " |")
PY
done
rm -rf "$out"
