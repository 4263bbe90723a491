#!/usr/bin/env bash
# make stress: the long versions of the reliability tests, against the release
# binary. KILLS imports of a STRESS_EVENTS-row file killed at random points,
# each followed by an integrity check and an all-or-nothing count; then
# IMPORTERS concurrent imports racing two reports.
set -euo pipefail
: "${BIN:=.build/release/linkaudit}" "${WORK:=bench/stress}" "${STRESS_EVENTS:=1000000}" "${KILLS:=20}" "${IMPORTERS:=4}"
rm -rf "$WORK" && mkdir -p "$WORK"
db="$WORK/stress.db"
key="$WORK/stress.key"

"$BIN" demo "$WORK/inbox" --events "$STRESS_EVENTS" --seed 11 >/dev/null
files=("$WORK"/inbox/links/*.csv)
big="$WORK/big.csv"
{ head -n 1 "${files[0]}"; for f in "${files[@]}"; do tail -n +2 "$f"; done; } >"$big"
rows=$(($(wc -l <"$big") - 1))
"$BIN" import policies "$WORK"/inbox/policies/*.md --db "$db" --key-file "$key" >/dev/null

echo "== crash safety: $KILLS imports of $rows rows killed with SIGKILL at random points"
for i in $(seq 1 "$KILLS"); do
  "$BIN" import links "$big" --db "$db" --key-file "$key" >/dev/null 2>&1 &
  pid=$!
  sleep "0.$((RANDOM % 9))$((RANDOM % 10))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  check=$(sqlite3 "$db" "PRAGMA integrity_check")
  stored=$(sqlite3 "$db" "SELECT count(*) FROM link_event")
  batches=$(sqlite3 "$db" "SELECT count(*) FROM batch WHERE kind = 'links'")
  if [ "$check" != ok ] || { [ "$stored" != 0 ] && [ "$stored" != "$rows" ]; } || { [ "$stored" = 0 ] && [ "$batches" != 0 ]; }; then
    echo "stress: kill $i left integrity '$check', $stored of $rows rows, $batches batches" >&2
    exit 1
  fi
  echo "kill $i: integrity ok, $stored of $rows rows stored (all or nothing)"
  [ "$stored" = "$rows" ] && break
done
"$BIN" import links "$big" --db "$db" --key-file "$key" >/dev/null
[ "$(sqlite3 "$db" "SELECT count(*) FROM link_event")" = "$rows" ] || { echo "stress: re-run did not complete" >&2; exit 1; }
echo "re-run: all $rows rows stored"

echo "== concurrency: $IMPORTERS imports and 2 reports at once"
rm -f "$db"*
"$BIN" import policies "$WORK"/inbox/policies/*.md --db "$db" --key-file "$key" >/dev/null
pids=()
for i in $(seq 1 "$IMPORTERS"); do
  awk -v p="w$i-" 'NR == 1 {print; next} {print p $0}' "${files[0]}" >"$WORK/part-$i.csv"
done
for i in $(seq 1 "$IMPORTERS"); do
  "$BIN" import links "$WORK/part-$i.csv" --db "$db" --key-file "$key" >"$WORK/import-$i.log" 2>&1 &
  pids+=($!)
done
sleep 0.3  # let the imports get going, so a report can land between them
for r in 1 2; do
  "$BIN" report --db "$db" --quarter 2021-Q3 --out "$WORK/report-$r" --lang en >"$WORK/report-$r.log" 2>&1 &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
if [ $failed -ne 0 ] || grep -l "locked" "$WORK"/*.log >/dev/null 2>&1; then
  echo "stress: a concurrent command failed:" >&2; cat "$WORK"/*.log >&2; exit 1
fi
per=$(($(wc -l <"${files[0]}") - 1))
[ "$(sqlite3 "$db" "SELECT count(*) FROM link_event")" = "$((per * IMPORTERS))" ] || { echo "stress: rows lost" >&2; exit 1; }
for r in 1 2; do
  seen=$(grep '^overview.events,,' "$WORK/report-$r/metrics.csv" | cut -d, -f3)
  [ $((seen % per)) = 0 ] || { echo "stress: report $r saw $seen events, part of a batch" >&2; exit 1; }
  echo "report $r saw $seen events (whole batches of $per)"
done
echo "stress: all checks passed"
