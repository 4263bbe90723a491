"""The reference for `make bench`: Python's XlsxWriter in constant-memory mode
writing the rows of one query, read with Python's sqlite3 module."""
import sqlite3
import sys

import xlsxwriter

db, sql, out = sys.argv[1], sys.argv[2], sys.argv[3]
connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
cursor = connection.execute(sql)
workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
sheet = workbook.add_worksheet("Result")
bold = workbook.add_format({"bold": True})
sheet.write_row(0, 0, [d[0] for d in cursor.description], bold)
sheet.freeze_panes(1, 0)
row = 0
for row, values in enumerate(cursor, start=1):
    sheet.write_row(row, 0, values)
sheet.autofilter(0, 0, max(row, 1), len(cursor.description) - 1)
workbook.close()
