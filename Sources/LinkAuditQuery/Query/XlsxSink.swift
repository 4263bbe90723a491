import Foundation
import LinkAuditCore
import LinkAuditStore
import LinkAuditXlsx

/// Writes a query's answer as xlsx with libxlsxwriter in constant-memory mode
/// (rows go to disk as they come, so a million rows never sit in memory):
/// the result with its header frozen and filtered, numbers kept as numbers,
/// continued on "Result 2"… past Excel's row limit, and a "Query" sheet
/// with the SQL, its parameters, when it ran and on which database.
///
/// The project once wrote SpreadsheetML itself for speed; measured again at
/// the same deflate level, libxlsxwriter alone is 6.8x faster than Python's
/// XlsxWriter here (the bar is 5x), so the one library that writes the
/// report workbooks writes this too (docs/benchmarks.md).
public final class XlsxSink: RowSink {
  package let path: String
  package let sql: String
  package let parameters: [String: String]
  package let ranAt: Date
  package let databasePath: String
  /// Excel's limit, less the header row; smaller only in tests.
  package let rowsPerSheet: Int

  private var workbook: Workbook?
  private var sheet: Worksheet?
  private var columns: [String] = []
  private var widths: [Double] = []
  private var sheetCount = 0
  /// The next row to write in the current sheet (0 is the header).
  private var rowInSheet = 0
  private var total = 0
  /// Rows held back until the column widths are known (a sheet's widths are set as it starts).
  private var pending: [[SQLValue]]? = []
  package static let sample = 1000
  /// Reused for every text cell handed to libxlsxwriter.
  private var scratch: [CChar] = []

  public init(
    path: String, sql: String, parameters: [String: String], databasePath: String, ranAt: Date = Date(),
    rowsPerSheet: Int = 1_048_575
  ) {
    self.rowsPerSheet = rowsPerSheet
    self.path = path
    self.sql = sql
    self.parameters = parameters
    self.databasePath = databasePath
    self.ranAt = ranAt
  }

  public func begin(columns: [String]) throws {
    self.columns = columns
    widths = columns.map { min(Double(TableSink.width($0)) + 4, 60) }
    let workbook = try Workbook(path: path, constantMemory: true)
    try workbook.setProperties(
      DocumentProperties(title: "linkaudit query", author: "linkaudit \(LinkAuditVersion.current)", created: ranAt))
    self.workbook = workbook
  }

  public func row<Row: RowValues>(_ row: Row) throws {
    if pending != nil {
      pending!.append(row.values)
      if pending!.count >= Self.sample { try startSheets() }
      return
    }
    try write(row)
  }

  /// One row of cells, typed as SQLite returned them.
  private func write<Row: RowValues>(_ row: Row) throws {
    if rowInSheet > rowsPerSheet { try newSheet() }
    guard let sheet else { return }
    for c in 0..<row.count {
      switch row.type(c) {
      case .null: continue
      case .integer: try sheet.write(.number(Double(row.int64(c))), row: rowInSheet, column: c)
      case .real:
        let d = row.double(c)
        if d.isFinite { try sheet.write(.number(d), row: rowInSheet, column: c) }
      case .text:
        try row.withUTF8(c) { try sheet.writeText(utf8: $0, row: rowInSheet, column: c, scratch: &scratch) }
      case .blob: try sheet.write(.text(row.value(c).display), row: rowInSheet, column: c)
      }
    }
    rowInSheet += 1
    total += 1
  }

  private func startSheets() throws {
    guard let rows = pending else { return }
    pending = nil
    for r in rows {
      for (i, v) in r.enumerated() {
        let w: Int
        switch v {
        case .null: w = 0
        case .real: w = 12
        default: w = TableSink.width(v.display)
        }
        widths[i] = min(max(widths[i], Double(w) + 2), 60)
      }
    }
    try newSheet()
    for r in rows { try write(ValueRow(r)) }
  }

  private func newSheet() throws {
    guard let workbook else { return }
    try finishSheet()
    sheetCount += 1
    let sheet = try workbook.addWorksheet(sheetCount == 1 ? "Result" : "Result \(sheetCount)")
    for (i, w) in widths.enumerated() { try sheet.setColumnWidth(i, w) }
    try sheet.freeze(rows: 1)
    try sheet.setPrintLayout(Worksheet.PrintLayout(repeatRows: 0...0))
    try sheet.writeRow(columns.map { .text($0) }, row: 0, styles: [.header])
    self.sheet = sheet
    rowInSheet = 1
  }

  /// The filter over the rows the sheet got.
  private func finishSheet() throws {
    guard let sheet, !columns.isEmpty else { return }
    try sheet.autofilter(firstRow: 0, firstColumn: 0, lastRow: rowInSheet - 1, lastColumn: columns.count - 1)
  }

  public func end() throws {
    try startSheets()
    guard let workbook else { return }
    try finishSheet()
    // The second sheet: what was asked, when, of which database.
    var lines: [(String, String)] = [("SQL", sql)]
    for (name, value) in parameters.sorted(by: { $0.key < $1.key }) { lines.append((":\(name)", value)) }
    lines += [
      ("Ran at (UTC)", Timestamp(milliseconds: Int64(ranAt.timeIntervalSince1970 * 1000)).iso),
      ("Database", databasePath), ("Rows", String(total)), ("Tool", "linkaudit \(LinkAuditVersion.current)"),
    ]
    let query = try workbook.addWorksheet("Query")
    try query.setColumnWidth(0, 18)
    try query.setColumnWidth(1, 100)
    let wrapped = CellStyle(wrap: true, alignTop: true)
    for (i, (label, value)) in lines.enumerated() {
      try query.writeRow([.text(label), .text(value)], row: i, styles: [.header, wrapped])
    }
    try workbook.close()
    self.workbook = nil
    sheet = nil
  }
}
