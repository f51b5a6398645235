#!/usr/bin/env bash
# Regenerates the README's handover-policy table: records a world (default uav-corridor) with
# every handover policy and prints the handover metrics and the twin's headline scores.
# Recordings are made with --no-observations, so the metrics score the twin against every
# mover in every frame (not only the movers heard, which a sensing schedule decides).
# Usage: scripts/handover-policies.sh [WORLD] [DURATION_S] [SEED]
# ISAC_TWIN_BIN=path uses that binary instead of building a release one; EXTRA="--set k=v …"
# adds run options (e.g. EXTRA="--set handover.clusterSize=1").
set -euo pipefail
cd "$(dirname "$0")/.."
world=${1:-uav-corridor}
duration=${2:-60}
seed=${3:-}
bin=${ISAC_TWIN_BIN:-}
if [ -z "$bin" ]; then
  swift build -c release >/dev/null
  bin=.build/release/isac-twin
fi
out=$(mktemp -d)
seedopt=()
[ -n "$seed" ] && seedopt=(--seed "$seed")
echo "| policy | handovers | per target-minute | ping-pong rate | interruption total (s) | per handover (s) | tracked continuity | tracked P_MD | tracked RMSE (m) | ID switches |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for policy in none strongest hysteresis predictive; do
  "$bin" run "$world" --handover "$policy" --duration "$duration" "${seedopt[@]}" ${EXTRA:-} --record "$out/$policy.sqlite" --no-observations --quiet >/dev/null
  "$bin" metrics "$out/$policy.sqlite" --json > "$out/$policy.json"
  python3 - "$policy" "$out/$policy.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[2])); t, s = m["tracked"], m["tracks"]; h = m.get("handover")
def f(x, d=3):
    if x is None: return "–"
    return f"{x:.{d}f}"
if h is None:
    cells = [sys.argv[1], "–", "–", "–", "–", "–"]
else:
    cells = [sys.argv[1], str(int(h["count"])), f(h["perTargetMinute"], 2), f(h["pingPongRate"]), f(h["interruptionTime"], 1),
             f(h["meanInterruption"])]
cells += [f(t["continuity"]["overall"]), f(t["pMD"]), f(t["rmse"]), str(s["idSwitches"])]
print("| " + " | ".join(cells) + " |")
PY
done
rm -rf "$out"
