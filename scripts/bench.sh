#!/usr/bin/env bash
# make bench: the performance figures the project promises, measured side by
# side with a reference in the same run so that machine noise cancels out.
#
#   import  linkaudit import links vs sqlite3's own .import of the same CSV
#           (1M events, PAIRS alternating pairs, median time ratio, peak RSS),
#           then peak RSS at 1M vs BIG_EVENTS to show memory does not grow.
#   report  linkaudit report of the latest quarter on a demo inbox of EVENTS
#           vs REPORT_BIG_EVENTS events (the bar: at most 3x the time).
#   query   linkaudit query --format xlsx of 1M rows x 8 columns vs Python's
#           XlsxWriter (constant memory) writing the same rows, PAIRS pairs.
#
# BENCH selects sections (default: all). Ratios, not absolute times, are what
# to quote: these machines are shared and noisy.
set -euo pipefail
: "${BIN:=.build/release/linkaudit}" "${WORK:=bench}" "${EVENTS:=1000000}" "${BIG_EVENTS:=5000000}" "${PAIRS:=3}"
: "${BENCH:=import,report,query}" "${REPORT_BIG_EVENTS:=10000000}"

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
command -v /usr/bin/time >/dev/null || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "bench: needs sqlite3 (make deps)" >&2; exit 1; }

# One CSV of N demo events: the demo writes one file a quarter, joined here
# under a single header.
events_csv() {
  local n=$1 out="$WORK/links-$1.csv"
  if [ ! -s "$out" ]; then
    rm -rf "$WORK/demo-$n"
    "$BIN" demo "$WORK/demo-$n" --events "$n" --seed 7 >/dev/null
    local files=("$WORK/demo-$n"/links/*.csv)
    { head -n 1 "${files[0]}"; for f in "${files[@]}"; do tail -n +2 "$f"; done; } >"$out"
    rm -rf "$WORK/demo-$n"
  fi
  echo "$out"
}

# Runs a command under GNU time; prints "seconds peak_kib".
measure() {
  local log="$WORK/time.log"
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>"$WORK/stderr.log" || {
    echo "bench: command failed: $*" >&2; cat "$WORK/stderr.log" >&2; exit 1; }
  tail -n 1 "$log"
}

fresh() { rm -f "$WORK/$1" "$WORK/$1-wal" "$WORK/$1-shm"; }

linkaudit_import() {
  fresh la.db
  measure "$BIN" import links --db "$WORK/la.db" --key-file "$WORK/bench.key" "$1"
}

sqlite_import() {
  fresh sq.db
  measure sqlite3 "$WORK/sq.db" ".mode csv" ".import $1 t"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

bench_import() {
  local csv rows bytes
  csv=$(events_csv "$EVENTS")
  rows=$(($(wc -l <"$csv") - 1))
  bytes=$(stat -c %s "$csv")
  echo "== import: $rows link events, $((bytes / 1000000)) MB CSV, $PAIRS alternating pairs"
  printf '%-6s %12s %12s %14s %14s %8s\n' pair linkaudit_s sqlite3_s linkaudit_MB sqlite3_MB ratio
  local ratios=() la_mem=0 sq_mem=0
  for i in $(seq 1 "$PAIRS"); do
    read -r lt lm < <(linkaudit_import "$csv")
    read -r st sm < <(sqlite_import "$csv")
    local r
    r=$(awk -v a="$lt" -v b="$st" 'BEGIN {printf "%.2f", a / b}')
    ratios+=("$r")
    ((lm > la_mem)) && la_mem=$lm
    ((sm > sq_mem)) && sq_mem=$sm
    printf '%-6s %12s %12s %14d %14d %8s\n' "$i" "$lt" "$st" $((lm / 1024)) $((sm / 1024)) "$r"
  done
  local med
  med=$(printf '%s\n' "${ratios[@]}" | median)
  echo "median time ratio linkaudit/sqlite3: ${med}x (bar: <= 2.0x)"
  echo "peak RSS: linkaudit $((la_mem / 1024)) MB, sqlite3 $((sq_mem / 1024)) MB (bar: linkaudit < 200 MB)"

  local big big_rows
  big=$(events_csv "$BIG_EVENTS")
  big_rows=$(($(wc -l <"$big") - 1))
  read -r bt bm < <(linkaudit_import "$big")
  echo "memory vs size: $rows events -> $((la_mem / 1024)) MB; $big_rows events -> $((bm / 1024)) MB peak RSS ($bt s)"
  fresh la.db
  fresh sq.db
}

# A demo inbox of N events imported into its own database; prints the database path.
demo_db() {
  local n=$1 db="$WORK/report-$1.db" schema
  # A database kept from a run of an older schema is made anew: a report must
  # not be timed migrating it.
  rm -f "$WORK/schema.db"*
  "$BIN" schema --db "$WORK/schema.db" >/dev/null
  schema=$(sqlite3 "$WORK/schema.db" "PRAGMA user_version")
  if [ -s "$db" ] && [ "$(sqlite3 "$db" "PRAGMA user_version")" != "$schema" ]; then rm -f "$db"*; fi
  if [ ! -s "$db" ]; then
    rm -rf "$WORK/inbox-$n" "$db"*
    "$BIN" demo "$WORK/inbox-$n" --events "$n" --seed 7 >/dev/null
    "$BIN" import inbox "$WORK/inbox-$n" --db "$db" --key-file "$WORK/bench.key" >/dev/null
    rm -rf "$WORK/inbox-$n"
  fi
  echo "$db"
}

bench_report() {
  echo "== report: latest quarter, demo inbox of $EVENTS vs $REPORT_BIG_EVENTS events, $PAIRS alternating pairs"
  local small big ratios=() sm_max=0 bm_max=0
  small=$(demo_db "$EVENTS")
  big=$(demo_db "$REPORT_BIG_EVENTS")
  printf '%-6s %12s %12s %14s %14s %8s\n' pair small_s big_s small_MB big_MB ratio
  for i in $(seq 1 "$PAIRS"); do
    read -r st sm < <(measure "$BIN" report --db "$small" --out "$WORK/report-small")
    read -r bt bm < <(measure "$BIN" report --db "$big" --out "$WORK/report-big")
    local r
    r=$(awk -v a="$bt" -v b="$st" 'BEGIN {printf "%.2f", a / b}')
    ratios+=("$r")
    ((sm > sm_max)) && sm_max=$sm
    ((bm > bm_max)) && bm_max=$bm
    printf '%-6s %12s %12s %14d %14d %8s\n' "$i" "$st" "$bt" $((sm / 1024)) $((bm / 1024)) "$r"
  done
  echo "median time ratio big/small: $(printf '%s\n' "${ratios[@]}" | median)x (bar: <= 3x)"
  echo "peak RSS: $((sm_max / 1024)) MB at $EVENTS events, $((bm_max / 1024)) MB at $REPORT_BIG_EVENTS"
  echo "$("$BIN" doctor --db "$big" | grep rollups)"
}

bench_query() {
  local db venv="$WORK/venv"
  db=$(demo_db "$EVENTS")
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q xlsxwriter
  fi
  local sql="SELECT event_id, occurred_at_utc, scene, user_pseudonym, url, action, reason, principle FROM events LIMIT 1000000"
  echo "== query: 1,000,000 rows x 8 columns to xlsx, $PAIRS alternating pairs ($("$venv/bin/python" -c 'import xlsxwriter; print("XlsxWriter", xlsxwriter.__version__)'))"
  printf '%-6s %12s %12s %14s %14s %8s\n' pair linkaudit_s python_s linkaudit_MB python_MB ratio
  local ratios=()
  for i in $(seq 1 "$PAIRS"); do
    read -r lt lm < <(measure "$BIN" query --db "$db" --format xlsx --out "$WORK/la.xlsx" "$sql")
    read -r pt pm < <(measure "$venv/bin/python" scripts/xlsxwriter_export.py "$db" "$sql" "$WORK/py.xlsx")
    local r
    r=$(awk -v a="$pt" -v b="$lt" 'BEGIN {printf "%.2f", a / b}')
    ratios+=("$r")
    printf '%-6s %12s %12s %14d %14d %8s\n' "$i" "$lt" "$pt" $((lm / 1024)) $((pm / 1024)) "$r"
  done
  echo "median speed-up over XlsxWriter: $(printf '%s\n' "${ratios[@]}" | median)x (bar: >= 5x)"
  rm -f "$WORK/la.xlsx" "$WORK/py.xlsx"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $("$BIN" --version 2>/dev/null || echo linkaudit), $(sqlite3 --version | cut -d' ' -f1-2)"
for section in ${BENCH//,/ }; do
  case "$section" in
    import) bench_import ;;
    report) bench_report ;;
    query) bench_query ;;
    *) echo "bench: unknown section $section" >&2; exit 2 ;;
  esac
done
