#!/usr/bin/env bash
# What a distinct user and a distinct URL cost an import, in CPU-seconds:
# a file imported against itself with its user ids folded onto 10,000 users,
# and with its URLs folded onto 10,000 paths a host, alternating, ROUNDS
# rounds (docs/benchmarks.md, issue 17). Divide the median saving of a round
# by the distinct rows folded away (printed at the end).
#   scripts/import-costs.sh FILE [ROUNDS]   (FILE: a links CSV with user_id 4th, url 5th,
#                                            as the demo writes; BIN=... to pick the binary)
set -euo pipefail
file=$1 rounds=${2:-3}
: "${BIN:=.build/release/linkaudit}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk -F, -v OFS=, 'NR==1 {print; next} {n = split($4, a, "_"); $4 = "wx_" (a[n] % 10000); print}' "$file" >"$work/users.csv"
awk -F, -v OFS=, 'NR==1 {print; next} {split($5, a, "/"); $5 = "https://" a[3] "/s/" (NR % 10000); print}' "$file" >"$work/urls.csv"
cpu() {
  rm -f "$work/db" "$work/db-wal" "$work/db-shm"
  /usr/bin/time -f "%U %S" -o "$work/t" "$BIN" import links --db "$work/db" --key-file "$work/k.key" "$1" >/dev/null 2>&1
  awk '{printf "%.2f", $1 + $2}' "$work/t"
}
echo "round  file_cpu  users_folded_cpu  urls_folded_cpu"
for r in $(seq 1 "$rounds"); do
  echo "$r      $(cpu "$file")  $(cpu "$work/users.csv")  $(cpu "$work/urls.csv")"
done
for f in "$file" "$work/users.csv" "$work/urls.csv"; do
  rm -f "$work/db"*
  "$BIN" import links --db "$work/db" --key-file "$work/k.key" "$f" >/dev/null 2>&1
  echo "$(basename "$f"): $(sqlite3 "$work/db" "SELECT count(DISTINCT user_pseudonym) || ' users, ' || count(DISTINCT url_normalised) || ' URLs' FROM link_event")"
done
