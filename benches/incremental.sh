#!/bin/bash
# Times `run` when little changes (BENCHMARKS.md, "Runs that change little"):
# from nothing, again on the same inputs, after one trust resubmits its 2024
# workforce return (one more BME member of staff entering the disciplinary
# process), then `benchmark --rebuild`. Wall seconds and peak memory by GNU time.
#
#   usage: benches/incremental.sh BIN DATA [WORK]
#   DATA: output of `wresbench generate --out DATA` (with DATA/register.csv
#   for --scale above 1); WORK: scratch folder (default: a new temporary one).
set -euo pipefail
BIN=$1; D=$2; WORK=${3:-$(mktemp -d)}
REG=(); [ -f "$D/register.csv" ] && REG=(--register "$D/register.csv")
W=$WORK/wh; P=$WORK/packs; X=$WORK/resubmitted
rm -rf "$W" "$P" "$X"; mkdir -p "$X"
t() {
  local name=$1; shift
  /usr/bin/time -f "$name %e s %M KB" "$@" >/dev/null 2>"$WORK/time.log" || { cat "$WORK/time.log"; exit 1; }
  tail -1 "$WORK/time.log"
}
t run-fresh "$BIN" -q run "${REG[@]}" "$D/returns" "$D/survey" --warehouse "$W" --out "$P"
t run-unchanged "$BIN" -q run "${REG[@]}" "$D/returns" "$D/survey" --warehouse "$W" --out "$P"
awk -F, 'BEGIN{OFS=","} $3==3 && $4=="entered_disciplinary" && $7=="bme" {$8=$8+1} {print}' \
  "$D/returns/2024/RV9-2024-workforce.csv" > "$X/RV9-2024-workforce.csv"
t run-one-resubmission "$BIN" -q run "${REG[@]}" "$X/RV9-2024-workforce.csv" --warehouse "$W" --out "$P"
t benchmark-rebuild "$BIN" -q benchmark "${REG[@]}" --rebuild --warehouse "$W"
