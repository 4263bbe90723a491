#!/usr/bin/env bash
# make render: the package's workbooks as a reader sees them on paper, for
# looking at before a package is handed over. Writes NAME.pdf and NAME-N.png
# (one per page, 70 dpi) into PACKAGE.render/ beside the package folder, never
# inside it: a package is exactly its manifest, and verify names anything added.
#   PACKAGE=reports/2022-Q1 make render   (default: the newest package in reports/)
set -euo pipefail
: "${PACKAGE:=}" "${DPI:=70}"
if [ -z "$PACKAGE" ]; then
  PACKAGE=$(ls -d reports/*/manifest.json 2>/dev/null | sort | tail -n 1)
  PACKAGE=${PACKAGE%/manifest.json}
fi
PACKAGE=${PACKAGE%/}
[ -n "$PACKAGE" ] && [ -f "$PACKAGE/manifest.json" ] || {
  echo "render: no report package found (run make report, or set PACKAGE=reports/YYYY-Qn)" >&2; exit 2; }
missing=()
command -v libreoffice >/dev/null || missing+=(libreoffice-calc-nogui)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v fc-list >/dev/null || missing+=(fontconfig)
if [ ${#missing[@]} -gt 0 ]; then
  echo "render: needs ${missing[*]} (not part of make deps, which CI runs: LibreOffice is large)." >&2
  echo "        install with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 2
fi
# Without a CJK font LibreOffice draws the Chinese workbook as empty boxes: a page no one can check.
if compgen -G "$PACKAGE/*.zh.xlsx" >/dev/null && [ -z "$(fc-list :lang=zh family 2>/dev/null)" ]; then
  echo "render: $PACKAGE has a Chinese workbook and no font here covers Chinese; it would render as empty boxes." >&2
  echo "        install one with: sudo apt-get install -y --no-install-recommends fonts-noto-cjk" >&2
  exit 2
fi
out="$PACKAGE.render"
# Only a folder render wrote before (pages and PDFs) is replaced.
if [ -e "$out" ] || [ -L "$out" ]; then
  if [ -L "$out" ] || [ ! -d "$out" ] || [ -n "$(find "$out" -mindepth 1 ! -name '*.pdf' ! -name '*.png' -print -quit)" ]; then
    echo "render: $out is there and holds more than rendered pages: refusing to replace it" >&2; exit 2
  fi
  rm -rf "$out"
fi
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
