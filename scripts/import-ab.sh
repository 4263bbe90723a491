#!/usr/bin/env bash
# An A/B of two linkaudit builds importing the same file, alternating, with
# sqlite3's own .import of the file beside them: for judging a change to the
# import path on a noisy machine (docs/benchmarks.md).
#   scripts/import-ab.sh OLD_BINARY NEW_BINARY FILE [PAIRS]
set -euo pipefail
old=$1 new=$2 file=$3 pairs=${4:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() {
  rm -f "$work/db" "$work/db-wal" "$work/db-shm"
  /usr/bin/time -f "%e %M" -o "$work/t.log" "$@" >/dev/null 2>"$work/err.log" || { cat "$work/err.log" >&2; exit 1; }
  cat "$work/t.log"
}
echo "pair  old_s old_KiB  new_s new_KiB  sqlite3_s sqlite3_KiB"
for p in $(seq 1 "$pairs"); do
  o=$(run "$old" import links --db "$work/db" --key-file "$work/k.key" "$file")
  n=$(run "$new" import links --db "$work/db" --key-file "$work/k.key" "$file")
  s=$(run sqlite3 "$work/db" ".mode csv" ".import $file t")
  echo "$p     $o  $n  $s"
done
