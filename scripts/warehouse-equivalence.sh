#!/usr/bin/env bash
# The equivalence check of the warehouse path (issue 18): the demo inbox
# imported directly, and the same logs counted by the Spark job in local mode
# and imported as rollup bundles, must give every quarter the same metrics.csv
# byte for byte and the same number in every workbook cell. Also checks that
# doctor finds nothing wrong, that an altered bundle and a mix of raw events
# and a bundle in one quarter are refused.
#   BIN     linkaudit binary (default .build/debug/linkaudit)
#   EVENTS  demo events over three quarters (default 60000)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/linkaudit}
EVENTS=${EVENTS:-60000}
PY=.build-warehouse/venv/bin/python
JOB=warehouse/linkaudit_rollups.py
WORK=$(mktemp -d "${TMPDIR:-/tmp}/linkaudit-warehouse.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
la() { "$BIN" "$@" --key-file "$WORK/key"; }
fail() { echo "warehouse-equivalence: $*" >&2; exit 1; }

# The job's own rules first (bad rows, timestamps, the URL split, repeated ids).
"$PY" warehouse/test_job.py >"$WORK/job-tests.log" 2>&1 || { cat "$WORK/job-tests.log" >&2; fail "the job's tests failed"; }
echo "the job's tests: $(grep -E '^Ran ' "$WORK/job-tests.log")"

"$BIN" demo "$WORK/inbox" --events "$EVENTS" --seed 11 >/dev/null
quarters=$(ls "$WORK/inbox/links" | sed -n 's/^links-\([0-9]\{4\}\)Q\([1-4]\)\.csv$/\1-Q\2/p')
# Both databases take the files in the same order, so their ledgers line up.
for db in direct warehouse; do
  la import platforms "$WORK/inbox/platforms/"*.csv --db "$WORK/$db.db" >/dev/null
  la import policies "$WORK/inbox/policies/"*.md --db "$WORK/$db.db" >/dev/null
  la import complaints "$WORK/inbox/complaints/"*.csv --db "$WORK/$db.db" >/dev/null
done
la import links "$WORK/inbox/links/"*.csv --db "$WORK/direct.db" >/dev/null

started=$(date +%s)
"$PY" "$JOB" authorities --logs "$WORK/inbox/links" --out "$WORK/authorities.csv" 2>"$WORK/spark.log" ||
  { cat "$WORK/spark.log" >&2; fail "the authorities step failed"; }
references=()
for q in $quarters; do
  "$BIN" export reference "$WORK/ref-$q" --db "$WORK/warehouse.db" --quarter "$q" \
    --authorities "$WORK/authorities.csv" >/dev/null
  references+=(--reference "$WORK/ref-$q")
done
# Every quarter in one run: the logs are read and checked once.
"$PY" "$JOB" rollups --logs "$WORK/inbox/links" "${references[@]}" --out "$WORK/bundles" \
  >/dev/null 2>"$WORK/spark.log" || { cat "$WORK/spark.log" >&2; fail "the job failed"; }
for q in $quarters; do la import rollups "$WORK/bundles/$q" --db "$WORK/warehouse.db"; done
echo "the job and the imports of $(echo $quarters | wc -w) bundles: $(($(date +%s) - started)) s"

status=0
for q in $quarters; do
  "$BIN" report --db "$WORK/direct.db" --quarter "$q" --out "$WORK/direct-$q" >/dev/null
  "$BIN" report --db "$WORK/warehouse.db" --quarter "$q" --out "$WORK/warehouse-$q" >/dev/null
  echo "== $q"
  "$PY" warehouse/compare_packages.py "$WORK/direct-$q" "$WORK/warehouse-$q" || status=1
  "$BIN" verify "$WORK/warehouse-$q" --db "$WORK/warehouse.db" >/dev/null || fail "verify refused the package of $q"
done
"$BIN" doctor --db "$WORK/warehouse.db" --key-file "$WORK/key" >"$WORK/doctor.txt" || { cat "$WORK/doctor.txt"; fail "doctor found problems"; }
grep '^ok *bundles' "$WORK/doctor.txt"

# An altered bundle is refused, naming the file.
last=$(echo $quarters | awk '{print $NF}')
cp -R "$WORK/bundles/$last" "$WORK/altered"
sed -i '2s/,[0-9]*$/,999999/' "$WORK/altered/counts.csv"
if la import rollups "$WORK/altered" --db "$WORK/warehouse.db" 2>"$WORK/err.txt"; then fail "an altered bundle was imported"; fi
grep -q "counts.csv.*SHA-256" "$WORK/err.txt" || { cat "$WORK/err.txt"; fail "the altered bundle's error does not name counts.csv"; }
# A quarter comes from raw events or from a bundle, never both.
if la import links "$WORK/inbox/links/links-${last/-Q/Q}.csv" --db "$WORK/warehouse.db" 2>"$WORK/err.txt"; then
  fail "raw events were imported into a quarter a bundle holds"
fi
grep -q "warehouse bundle" "$WORK/err.txt" || { cat "$WORK/err.txt"; fail "the mixing error does not say why"; }
if la import rollups "$WORK/bundles/$last" --db "$WORK/direct.db" 2>"$WORK/err.txt"; then
  fail "a bundle was imported into a quarter of raw events"
fi
grep -q "imported directly" "$WORK/err.txt" || { cat "$WORK/err.txt"; fail "the mixing error does not say why"; }
[ $status = 0 ] || fail "the warehouse path's figures differ from the direct import's"
echo "warehouse-equivalence: every quarter's figures are the same on both paths"
