#!/usr/bin/env bash
# make render: the package's workbooks as a reader sees them on paper, for
# looking at before a package is handed over. Writes render/NAME.pdf and
# render/NAME-N.png (one per page, 70 dpi) inside the package folder; render/
# is not part of the package, and verify leaves it aside.
#   PACKAGE=reports/2022-Q1 make render   (default: the newest folder in reports/)
set -euo pipefail
: "${PACKAGE:=}" "${DPI:=70}"
if [ -z "$PACKAGE" ]; then
  PACKAGE=$(ls -d reports/*/ 2>/dev/null | sort | tail -n 1)
  PACKAGE=${PACKAGE%/}
fi
[ -n "$PACKAGE" ] && [ -f "$PACKAGE/manifest.json" ] || {
  echo "render: no report package found (run make report, or set PACKAGE=reports/YYYY-Qn)" >&2; exit 2; }
missing=()
command -v libreoffice >/dev/null || missing+=(libreoffice-calc-nogui)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "render: needs ${missing[*]} (not part of make deps, which CI runs: LibreOffice is large)." >&2
  echo "        install with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 2
fi
out="$PACKAGE/render"
rm -rf "$out"
mkdir -p "$out"
# A profile of its own, so a LibreOffice already open elsewhere does not swallow the conversion.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for book in "$PACKAGE"/*.xlsx; do
  name=$(basename "$book" .xlsx)
  libreoffice -env:UserInstallation=file://"$profile" --headless --convert-to pdf --outdir "$out" "$book" >/dev/null 2>&1
  [ -s "$out/$name.pdf" ] || { echo "render: LibreOffice wrote no PDF for $book" >&2; exit 1; }
  pdftoppm -png -r "$DPI" "$out/$name.pdf" "$out/$name"
  echo "$out/$name.pdf: $(ls "$out/$name"-*.png | wc -l) pages"
done
