/* make bench: libxlsxwriter (constant-memory mode, the library that writes the
 * report workbooks) writing the answer of one query to an xlsx file, the same
 * rows `linkaudit query --format xlsx` streams with its own writer. It is the
 * yardstick that writer has to beat to exist (docs/benchmarks.md).
 *   libxlsxwriter_export DB SQL OUT.xlsx */
#include <sqlite3.h>
#include <stdio.h>
#include <xlsxwriter.h>

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s DB SQL OUT.xlsx\n", argv[0]);
    return 2;
  }
  sqlite3 *db;
  sqlite3_stmt *st;
  if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, argv[2], -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "%s\n", sqlite3_errmsg(db));
    return 1;
  }
  lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_TRUE};
  lxw_workbook *wb = workbook_new_opt(argv[3], &options);
  lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
  int columns = sqlite3_column_count(st);
  for (int c = 0; c < columns; c++) worksheet_write_string(ws, 0, (lxw_col_t)c, sqlite3_column_name(st, c), NULL);
  lxw_row_t row = 1;
  while (sqlite3_step(st) == SQLITE_ROW) {
    for (int c = 0; c < columns; c++) {
      switch (sqlite3_column_type(st, c)) {
      case SQLITE_INTEGER:
      case SQLITE_FLOAT:
        worksheet_write_number(ws, row, (lxw_col_t)c, sqlite3_column_double(st, c), NULL);
        break;
      case SQLITE_NULL:
        break;
      default:
        worksheet_write_string(ws, row, (lxw_col_t)c, (const char *)sqlite3_column_text(st, c), NULL);
      }
    }
    row++;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  lxw_error rc = workbook_close(wb);
  if (rc != LXW_NO_ERROR) {
    fprintf(stderr, "%s\n", lxw_strerror(rc));
    return 1;
  }
  return 0;
}
