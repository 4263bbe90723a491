#!/usr/bin/env bash
# make report: import what is new in the inbox (the demo data set when the inbox
# is empty), then write the report package for the quarter.
set -euo pipefail
: "${BIN:=.build/release/linkaudit}" "${DB:=linkaudit.db}" "${INBOX:=data/inbox}" "${QUARTER:=latest}" "${DEMO_EVENTS:=200000}"

mkdir -p "$INBOX"
# Empty as the demo counts it: nothing but git's .gitkeep or Finder's .DS_Store (red-team H12).
if [ -z "$(find "$INBOX" -mindepth 1 -maxdepth 1 ! -name .gitkeep ! -name .DS_Store -print -quit)" ]; then
  echo "report: $INBOX is empty; writing the demo data set ($DEMO_EVENTS events) into it" >&2
  "$BIN" demo "$INBOX" --events "$DEMO_EVENTS" >/dev/null
fi
"$BIN" import inbox "$INBOX" --db "$DB"
# REASON says why a quarter already filed is issued again with other figures.
reason=()
if [ -n "${REASON:-}" ]; then reason=(--reason "$REASON"); fi
# The filer's details: filer.yaml beside the database, else the one the demo wrote into the inbox.
filer=()
if [ ! -f "$(dirname "$DB")/filer.yaml" ] && [ -f "$INBOX/filer.yaml" ]; then filer=(--filer "$INBOX/filer.yaml"); fi
out=$("$BIN" report --db "$DB" --quarter "$QUARTER" "${reason[@]}" "${filer[@]}")
echo "$out"
# Check what was just written against its manifest and the database.
"$BIN" verify --db "$DB" "$(dirname "$(echo "$out" | tail -n 1)")"
