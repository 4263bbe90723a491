#!/usr/bin/env bash
# make bench: the performance figures the project promises, measured side by
# side with a reference in the same run so that machine noise cancels out.
#
#   import  linkaudit import links vs sqlite3's own .import of the same CSV,
#           PAIRS alternating pairs, median time ratio and peak RSS, on two
#           shapes: the demo's 1M events over three quarters, and 1M events of
#           one quarter (the demo's 2022-Q1, at least 300,000 distinct users
#           and 900,000 distinct URLs); then peak RSS at 1M vs BIG_EVENTS to
#           show memory does not grow.
#   report  linkaudit report of the latest quarter on a demo inbox of EVENTS
#           vs REPORT_BIG_EVENTS events, REPORT_PAIRS alternating pairs (the
#           bar: at most 3x the time), then doctor's check of the rollups.
#   warehouse  the Spark job in local mode on a 10M-event demo (CSV and
#           Parquet) against the direct import (scripts/warehouse-bench.sh)
#   query   linkaudit query --format xlsx of 1M rows x 8 columns vs Python's
#           XlsxWriter (constant memory) writing the same rows, PAIRS pairs.
#
# BENCH selects sections (default: all). Ratios, not absolute times, are what
# to quote: these machines are shared and noisy.
set -euo pipefail
: "${BIN:=.build/release/linkaudit}" "${WORK:=bench}" "${EVENTS:=1000000}" "${BIG_EVENTS:=5000000}" "${PAIRS:=3}"
: "${BENCH:=import,report,query,warehouse}" "${REPORT_BIG_EVENTS:=10000000}" "${REPORT_PAIRS:=5}"
# Cached files and databases are named by the demo's shape: a new shape
# (issue 17: long-tailed users, distinct URLs, small domains) makes them anew.
DEMO_TAG=v2

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
command -v /usr/bin/time >/dev/null || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "bench: needs sqlite3 (make deps)" >&2; exit 1; }

# One CSV of N demo events: the demo writes one file a quarter, joined here
# under a single header.
events_csv() {
  local n=$1 out="$WORK/links-$DEMO_TAG-$1.csv"
  if [ ! -s "$out" ]; then
    rm -rf "$WORK/demo-$n"
    "$BIN" demo "$WORK/demo-$n" --events "$n" --seed 7 >/dev/null
    local files=("$WORK/demo-$n"/links/*.csv)
    { head -n 1 "${files[0]}"; for f in "${files[@]}"; do tail -n +2 "$f"; done; } >"$out"
    rm -rf "$WORK/demo-$n"
  fi
  echo "$out"
}

# The first N events of the demo's 2022-Q1 file, from a demo three times as
# large: one quarter's log, users and URLs as many as a real platform's.
quarter_csv() {
  local n=$1 out="$WORK/links-quarter-$DEMO_TAG-$1.csv"
  if [ ! -s "$out" ]; then
    rm -rf "$WORK/demo-q$n"
    "$BIN" demo "$WORK/demo-q$n" --events $((n * 31 / 10)) --seed 7 >/dev/null
    head -n $((n + 1)) "$WORK/demo-q$n/links/links-2022Q1.csv" >"$out"
    rm -rf "$WORK/demo-q$n"
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

# The sides of each comparison, as commands without arguments for pairs().
import_linkaudit() { linkaudit_import "$CSV"; }
import_sqlite() { sqlite_import "$CSV"; }
report_small() { measure "$BIN" report --db "$SMALL_DB" --out "$WORK/report-small"; }
report_big() { measure "$BIN" report --db "$BIG_DB" --out "$WORK/report-big"; }
query_linkaudit() { measure "$BIN" query --db "$SMALL_DB" --format xlsx --out "$WORK/la.xlsx" "$SQL"; }
query_python() { measure "$WORK/venv/bin/python" scripts/xlsxwriter_export.py "$SMALL_DB" "$SQL" "$WORK/py.xlsx"; }
query_libxlsxwriter() { measure "$WORK/libxlsxwriter_export" "$SMALL_DB" "$SQL" "$WORK/lxw.xlsx"; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# Runs the commands A and B (shell functions printing "seconds peak_kib")
# alternately N times, a row each; the ratio is A/B. Sets MEDIAN (of the
# ratios), PEAK_A and PEAK_B (KiB).
pairs() {
  local a=$1 b=$2 n=$3 label_a=$4 label_b=$5 ratios=() at am bt bm r
  PEAK_A=0 PEAK_B=0
  printf '%-6s %12s %12s %14s %14s %8s\n' pair "${label_a}_s" "${label_b}_s" "${label_a}_MB" "${label_b}_MB" ratio
  for i in $(seq 1 "$n"); do
    read -r at am < <("$a")
    read -r bt bm < <("$b")
    r=$(awk -v x="$at" -v y="$bt" 'BEGIN {printf "%.2f", x / y}')
    ratios+=("$r")
    ((am > PEAK_A)) && PEAK_A=$am
    ((bm > PEAK_B)) && PEAK_B=$bm
    printf '%-6s %12s %12s %14d %14d %8s\n' "$i" "$at" "$bt" $((am / 1024)) $((bm / 1024)) "$r"
  done
  MEDIAN=$(printf '%s\n' "${ratios[@]}" | median)
}

bench_import() {
  local csv rows bytes shape ratios=() peaks=()
  for shape in demo quarter; do
    if [ "$shape" = demo ]; then csv=$(events_csv "$EVENTS"); else csv=$(quarter_csv "$EVENTS"); fi
    rows=$(($(wc -l <"$csv") - 1))
    bytes=$(stat -c %s "$csv")
    echo "== import, $shape shape: $rows link events, $((bytes / 1000000)) MB CSV, $PAIRS alternating pairs"
    CSV=$csv
    pairs import_linkaudit import_sqlite "$PAIRS" linkaudit sqlite3
    # What makes the shape: read back from the last import.
    echo "shape: $(sqlite3 "$WORK/la.db" "SELECT printf('%,d users in the largest quarter (%,d events), %,d distinct URLs on %,d hosts',
      (SELECT max(users) FROM quarter_users), (SELECT count(*) FROM link_event),
      (SELECT count(DISTINCT url_normalised) FROM link_event), (SELECT count(*) FROM host))")"
    echo "median time ratio linkaudit/sqlite3: ${MEDIAN}x (bar: <= 3.0x)"
    echo "peak RSS: linkaudit $((PEAK_A / 1024)) MB, sqlite3 $((PEAK_B / 1024)) MB (bar: linkaudit < 200 MB)"
    ratios+=("$shape ${MEDIAN}x")
    peaks+=("$((PEAK_A / 1024)) MB")
  done
  echo "import: ${ratios[0]}, ${ratios[1]} (bar: both <= 3.0x); peak RSS ${peaks[0]}, ${peaks[1]}"

  local big big_rows
  big=$(events_csv "$BIG_EVENTS")
  big_rows=$(($(wc -l <"$big") - 1))
  read -r bt bm < <(linkaudit_import "$big")
  echo "memory vs size: $EVENTS events -> ${peaks[0]}; $big_rows events -> $((bm / 1024)) MB peak RSS ($bt s)"
  fresh la.db
  fresh sq.db
}

# A demo inbox of N events imported into its own database; prints the database path.
demo_db() {
  local n=$1 db="$WORK/report-$DEMO_TAG-$1.db"
  # A database kept from a run of an older schema is made anew: a report must
  # not be timed migrating it. schema, a reading command, refuses a database
  # that is not of this linkaudit's schema (and never creates or migrates one).
  if [ -s "$db" ] && ! "$BIN" schema --db "$db" >/dev/null 2>&1; then rm -f "$db"*; fi
  if [ ! -s "$db" ]; then
    rm -rf "$WORK/inbox-$n" "$db"*
    "$BIN" demo "$WORK/inbox-$n" --events "$n" --seed 7 >/dev/null
    "$BIN" import inbox "$WORK/inbox-$n" --db "$db" --key-file "$WORK/bench.key" >/dev/null
    rm -rf "$WORK/inbox-$n"
  fi
  echo "$db"
}

bench_report() {
  echo "== report: latest quarter, demo inbox of $EVENTS vs $REPORT_BIG_EVENTS events, $REPORT_PAIRS alternating pairs"
  SMALL_DB=$(demo_db "$EVENTS")
  BIG_DB=$(demo_db "$REPORT_BIG_EVENTS")
  pairs report_big report_small "$REPORT_PAIRS" big small
  echo "median time ratio big/small: ${MEDIAN}x (bar: <= 3x)"
  echo "peak RSS: $((PEAK_B / 1024)) MB at $EVENTS events, $((PEAK_A / 1024)) MB at $REPORT_BIG_EVENTS"
  "$BIN" doctor --db "$BIG_DB" | grep rollups
}

bench_query() {
  local venv="$WORK/venv" i pt pm lt lm xt xm la=() lx=()
  SMALL_DB=$(demo_db "$EVENTS")
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q xlsxwriter
  fi
  # libxlsxwriter itself (what the report workbooks use), in constant-memory
  # mode, from C: the yardstick our own streaming writer has to beat to exist.
  cc -O2 -o "$WORK/libxlsxwriter_export" scripts/libxlsxwriter_export.c -lxlsxwriter -lsqlite3
  SQL="SELECT event_id, occurred_at_utc, scene, user_pseudonym, url, action, reason, principle FROM events LIMIT 1000000"
  echo "== query: 1,000,000 rows x 8 columns to xlsx, $PAIRS rounds of three ($("$venv/bin/python" -c 'import xlsxwriter; print("XlsxWriter", xlsxwriter.__version__)'), linkaudit, libxlsxwriter $(dpkg-query -W -f '${Version}' libxlsxwriter-dev 2>/dev/null))"
  printf '%-6s %10s %12s %14s %10s %12s %14s\n' round python_s linkaudit_s libxlsxwriter_s python_MB linkaudit_MB libxlsxwriter_MB
  for i in $(seq 1 "$PAIRS"); do
    read -r pt pm < <(query_python)
    read -r lt lm < <(query_linkaudit)
    read -r xt xm < <(query_libxlsxwriter)
    la+=("$(awk -v x="$pt" -v y="$lt" 'BEGIN {printf "%.2f", x / y}')")
    lx+=("$(awk -v x="$pt" -v y="$xt" 'BEGIN {printf "%.2f", x / y}')")
    printf '%-6s %10s %12s %14s %10d %12d %14d\n' "$i" "$pt" "$lt" "$xt" $((pm / 1024)) $((lm / 1024)) $((xm / 1024))
  done
  echo "median speed-up over XlsxWriter: linkaudit ${la[*]} -> $(printf '%s\n' "${la[@]}" | median)x (bar: >= 5x); libxlsxwriter ${lx[*]} -> $(printf '%s\n' "${lx[@]}" | median)x"
  rm -f "$WORK/la.xlsx" "$WORK/py.xlsx" "$WORK/lxw.xlsx"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $("$BIN" --version 2>/dev/null || echo linkaudit), $(sqlite3 --version | cut -d' ' -f1-2)"
for section in ${BENCH//,/ }; do
  case "$section" in
    import) bench_import ;;
    report) bench_report ;;
    query) bench_query ;;
    warehouse) BIN="$BIN" scripts/warehouse-bench.sh ;;
    *) echo "bench: unknown section $section" >&2; exit 2 ;;
  esac
done
