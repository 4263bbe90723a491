#!/usr/bin/env bash
# The warehouse path against the direct import, on one machine (issue 18):
# a demo inbox of EVENTS events (three quarters), imported directly
# (`import links`), and counted by the Spark job in local mode from CSV and
# from Parquet (every quarter in one run), its bundles imported. Prints each
# step's time and the bundles' size. Cached inputs live under bench/.
#   BIN            linkaudit binary (default .build/release/linkaudit)
#   EVENTS         demo events (default 10000000)
#   DRIVER_MEMORY  Spark's driver memory in local mode (default 6g)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/linkaudit}
EVENTS=${EVENTS:-10000000}
DRIVER_MEMORY=${DRIVER_MEMORY:-6g}
WORK=bench/warehouse
# spark-submit finds Spark and Python through PATH: the project's venv first.
export PATH="$PWD/.build-warehouse/venv/bin:$PATH" PYSPARK_PYTHON="$PWD/.build-warehouse/venv/bin/python"
SUBMIT=spark-submit
mkdir -p "$WORK"
scripts/warehouse-deps.sh
la() { "$BIN" "$@" --key-file "$WORK/bench.key"; }
seconds() { local t0=$1; awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}'; }
# Runs a command under GNU time; prints "wall s, CPU s (user + system, the JVM's included), peak RSS".
timed() {
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.log" "$@" >/dev/null || { tail -20 "$WORK/spark.log"; exit 1; }
  awk '{printf "%.1f s wall, %.0f CPU-s, peak RSS %d MB", $1, $2 + $3, $4 / 1024}' "$WORK/time.log"
}

inbox="$WORK/inbox-$EVENTS"
if [ ! -d "$inbox" ]; then "$BIN" demo "$inbox" --events "$EVENTS" --seed 7 >/dev/null; fi
parquet="$WORK/parquet-$EVENTS"
if [ ! -d "$parquet" ]; then
  cat >"$WORK/to_parquet.py" <<'PY'
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
for src in sys.argv[2:]:
    name = src.rsplit("/", 1)[1].replace(".csv", ".parquet")
    spark.read.option("header", True).csv(src).coalesce(1).write.parquet(f"{sys.argv[1]}/{name}")
PY
  "$SUBMIT" --driver-memory "$DRIVER_MEMORY" "$WORK/to_parquet.py" "$parquet" "$inbox"/links/*.csv 2>/dev/null
fi
quarters=$(ls "$inbox/links" | sed -n 's/^links-\([0-9]\{4\}\)Q\([1-4]\)\.csv$/\1-Q\2/p')
echo "== warehouse: $EVENTS demo events, $(du -sh "$inbox/links" | cut -f1) CSV, $(du -sh "$parquet" | cut -f1) Parquet, quarters $(echo $quarters)"

for db in direct warehouse; do
  rm -f "$WORK/$db.db"*
  la import platforms "$inbox/platforms/"*.csv --db "$WORK/$db.db" >/dev/null
  la import policies "$inbox/policies/"*.md --db "$WORK/$db.db" >/dev/null
  la import complaints "$inbox/complaints/"*.csv --db "$WORK/$db.db" >/dev/null
done
echo "direct import of the link logs: $(timed "$BIN" import links "$inbox/links/"*.csv --db "$WORK/direct.db" --key-file "$WORK/bench.key")"

a=$(timed "$SUBMIT" --driver-memory "$DRIVER_MEMORY" warehouse/linkaudit_rollups.py authorities --logs "$inbox/links" \
  --out "$WORK/authorities.csv" 2>"$WORK/spark.log")
echo "job, authorities (CSV): $a; $(($(wc -l <"$WORK/authorities.csv") - 1)) authorities"
refs=()
for q in $quarters; do
  rm -rf "$WORK/ref-$q"
  "$BIN" export reference "$WORK/ref-$q" --db "$WORK/warehouse.db" --quarter "$q" \
    --authorities "$WORK/authorities.csv" >/dev/null
  refs+=(--reference "$WORK/ref-$q")
done
for format in csv parquet; do
  logs="$inbox/links"
  [ $format = parquet ] && logs="$parquet"
  rm -rf "$WORK/bundles-$format"
  r=$(timed "$SUBMIT" --driver-memory "$DRIVER_MEMORY" warehouse/linkaudit_rollups.py rollups --logs "$logs" \
    "${refs[@]}" --out "$WORK/bundles-$format" 2>"$WORK/spark.log")
  echo "job, rollups of $(echo $quarters | wc -w) quarters ($format): $r"
done
cmp -s <(cat "$WORK/bundles-csv"/*/counts.csv) <(cat "$WORK/bundles-parquet"/*/counts.csv) &&
  echo "the bundles from CSV and from Parquet hold the same counts" || echo "the bundles from CSV and Parquet differ"
t=$(date +%s.%N)
for q in $quarters; do la import rollups "$WORK/bundles-csv/$q" --db "$WORK/warehouse.db" >/dev/null; done
echo "import of the bundles: $(seconds "$t") s"
for q in $quarters; do
  printf 'bundle %s: %s bytes;' "$q" "$(du -sb "$WORK/bundles-csv/$q" | cut -f1)"
  for f in counts days users cases histories; do printf ' %s %s rows' "$f" $(($(wc -l <"$WORK/bundles-csv/$q/$f.csv") - 1)); done
  echo
done
