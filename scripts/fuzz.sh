#!/usr/bin/env bash
# make fuzz: mutate valid inputs through every parser for FUZZ_SECONDS (default
# 60) with a fresh seed. An input that crashed the process or ran slowly is
# copied into Tests/LinkAuditTests/Fixtures/fuzz/, where `make test` replays it.
set -uo pipefail
: "${FUZZ_SECONDS:=60}"
corpus=Tests/LinkAuditTests/Fixtures/fuzz
rm -rf .build/fuzz
swift build --build-tests || exit 1
LINKAUDIT_FUZZ_SECONDS="$FUZZ_SECONDS" swift test --skip-build --filter 'FuzzTests/mutatedInputs'
status=$?
stamp=$(date -u +%Y%m%dT%H%M%S)
if [ $status -ne 0 ]; then
  for f in .build/fuzz/last-input-*; do
    [ -e "$f" ] || continue
    name=${f##*/last-input-}
    cp "$f" "$corpus/crash-$stamp-$name"
    echo "fuzz: kept $corpus/crash-$stamp-$name" >&2
  done
fi
for f in .build/fuzz/slow-*; do
  [ -e "$f" ] || continue
  cp "$f" "$corpus/${f##*/}"
  echo "fuzz: kept slow input $corpus/${f##*/}" >&2
done
exit $status
