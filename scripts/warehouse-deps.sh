#!/usr/bin/env bash
# The warehouse job's tools: Java 17 or later (checked, not installed: Spark
# needs a JDK the machine's administrator chooses) and PySpark, pinned, in a
# virtual environment under the project (.build-warehouse/venv). Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.build-warehouse/venv
PYSPARK_VERSION=4.3.0
if ! command -v java >/dev/null 2>&1; then
  echo "warehouse-deps: java not found: Spark needs Java 17 or later (Debian: openjdk-17-jre-headless)" >&2
  exit 1
fi
major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
  echo "warehouse-deps: Java $major found; Spark $PYSPARK_VERSION needs 17 or later" >&2
  exit 1
fi
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2>/dev/null; then
  exit 0
fi
echo "warehouse-deps: installing PySpark $PYSPARK_VERSION into $VENV" >&2
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "pyspark==$PYSPARK_VERSION"
