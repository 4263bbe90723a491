"""Compares two report packages of one quarter, figure by figure: metrics.csv,
the decisions register, the register of every under-restricted event and every principle's and the ratings' Markdown (the
case lists by id among them) byte for byte, and every cell of every workbook
that holds a number (sheet and cell). Only what records the import itself
(the summary's batch ledger, the manifest) may differ. Exits 1 naming each difference. Used by the equivalence check
(scripts/warehouse-equivalence.sh): the direct import and the warehouse
bundles must give the same figures."""

import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}


def figures(path):
    """{(sheet name, cell): number text} of a workbook."""
    out = {}
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        for sheet in book.find("m:sheets", NS):
            rid = sheet.get("{%s}id" % NS["r"])
            target = targets[rid].lstrip("/")
            target = target if target.startswith("xl/") else "xl/" + target
            root = ET.fromstring(z.read(target))
            for c in root.iter("{%s}c" % NS["m"]):
                if c.get("t") in (None, "n"):
                    v = c.find("m:v", NS)
                    if v is not None:
                        out[(sheet.get("name"), c.get("r"))] = v.text
    return out


def main(a, b):
    problems = []
    import glob
    import os
    same = ["metrics.csv", "decisions.csv", "under_restricted_events.csv"] + sorted(
        os.path.basename(p) for p in glob.glob(f"{a}/principle-*.md") + glob.glob(f"{a}/ratings.*.md"))
    for name in same:
        with open(f"{a}/{name}", "rb") as f, open(f"{b}/{name}", "rb") as g:
            if f.read() != g.read():
                problems.append(f"{name} differs")
    print(f"byte for byte: {', '.join(same)}")
    for x in sorted(glob.glob(f"{a}/*.xlsx")):
        y = os.path.join(b, os.path.basename(x))
        fx, fy = figures(x), figures(y)
        for key in sorted(set(fx) | set(fy)):
            if fx.get(key) != fy.get(key):
                problems.append(f"{os.path.basename(x)} {key[0]}!{key[1]}: {fx.get(key)} vs {fy.get(key)}")
        print(f"{os.path.basename(x)}: {len(fx)} figures compared")
    for p in problems[:50]:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
