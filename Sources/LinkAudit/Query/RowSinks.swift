import Foundation

/// Where a query's rows go, one at a time: no sink holds the whole answer
/// (the table format holds its first rows only, to size its columns).
public protocol RowSink: AnyObject {
  func begin(columns: [String]) throws
  func row(_ values: [SQLValue]) throws
  func end() throws
}

public enum QueryFormat: String, CaseIterable, Sendable {
  case table, csv, json, markdown, xlsx
}

/// Buffered UTF-8 output to a file handle (standard output by default).
public final class TextOutput {
  private let handle: FileHandle
  private var buffer: [UInt8] = []

  public init(_ handle: FileHandle = .standardOutput) {
    self.handle = handle
    buffer.reserveCapacity(1 << 16)
  }

  public func write(_ text: String) throws {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 16 { try flush() }
  }

  public func flush() throws {
    guard !buffer.isEmpty else { return }
    try handle.write(contentsOf: buffer)
    buffer.removeAll(keepingCapacity: true)
  }
}

extension SQLValue {
  /// The value as a person reads it: integers plain, reals in shortest exact
  /// form, blobs as hex, NULL empty.
  var display: String {
    switch self {
    case .null: return ""
    case .integer(let i): return String(i)
    case .real(let d): return d.isFinite ? "\(d)" : ""
    case .text(let s): return s
    case .blob(let b): return hex(b)
    }
  }
}

/// RFC 4180 CSV with a header row; values exactly as stored (see the README on
/// spreadsheet formulas).
public final class CSVSink: RowSink {
  let out: TextOutput
  public init(_ out: TextOutput) { self.out = out }
  public func begin(columns: [String]) throws { try out.write(csvLine(columns) + "\r\n") }
  public func row(_ values: [SQLValue]) throws { try out.write(csvLine(values.map(\.display)) + "\r\n") }
  public func end() throws { try out.flush() }
}

/// A JSON array of objects, one per row, keyed by column name; numbers stay numbers.
public final class JSONSink: RowSink {
  let out: TextOutput
  private var keys: [String] = []
  private var first = true
  public init(_ out: TextOutput) { self.out = out }

  public func begin(columns: [String]) throws {
    keys = columns.map(Self.quoted)
    try out.write("[")
  }

  public func row(_ values: [SQLValue]) throws {
    var text = first ? "\n  {" : ",\n  {"
    first = false
    for (i, v) in values.enumerated() {
      if i > 0 { text += ", " }
      text += keys[i] + ": "
      switch v {
      case .null: text += "null"
      case .integer(let n): text += String(n)
      case .real(let d): text += d.isFinite ? "\(d)" : "null"
      case .text(let s): text += Self.quoted(s)
      case .blob(let b): text += Self.quoted(hex(b))
      }
    }
    try out.write(text + "}")
  }

  public func end() throws {
    try out.write(first ? "]\n" : "\n]\n")
    try out.flush()
  }

  static func quoted(_ s: String) -> String {
    var result = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}

/// A GitHub-flavoured Markdown table.
public final class MarkdownSink: RowSink {
  let out: TextOutput
  public init(_ out: TextOutput) { self.out = out }

  static func cell(_ s: String) -> String {
    s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r\n", with: "<br>")
      .replacingOccurrences(of: "\n", with: "<br>")
  }

  public func begin(columns: [String]) throws {
    try out.write("| " + columns.map(Self.cell).joined(separator: " | ") + " |\n")
    try out.write("|" + String(repeating: "---|", count: columns.count) + "\n")
  }

  public func row(_ values: [SQLValue]) throws {
    try out.write("| " + values.map { Self.cell($0.display) }.joined(separator: " | ") + " |\n")
  }

  public func end() throws { try out.flush() }
}

/// Aligned columns for a terminal. Widths count East Asian wide characters as
/// two; they come from the first `sample` rows, later rows are cut to fit.
public final class TableSink: RowSink {
  let out: TextOutput
  let sample: Int
  static let maxWidth = 60
  private var columns: [String] = []
  private var numeric: [Bool] = []
  private var pending: [[SQLValue]] = []
  private var widths: [Int] = []
  private var started = false

  public init(_ out: TextOutput, sample: Int = 1000) {
    self.out = out
    self.sample = sample
  }

  public func begin(columns: [String]) throws {
    self.columns = columns
    numeric = Array(repeating: true, count: columns.count)
  }

  public func row(_ values: [SQLValue]) throws {
    if started { return try emit(values) }
    pending.append(values)
    if pending.count >= sample { try start() }
  }

  public func end() throws {
    if !started { try start() }
    try out.flush()
  }

  private func start() throws {
    started = true
    widths = columns.map { min(Self.width($0), Self.maxWidth) }
    for r in pending {
      for (i, v) in r.enumerated() {
        widths[i] = min(max(widths[i], Self.width(Self.flat(v.display))), Self.maxWidth)
        if case .text = v { numeric[i] = false }
        if case .blob = v { numeric[i] = false }
      }
    }
    try out.write(zip(columns, widths).map { Self.pad($0.0, $0.1, right: false) }.joined(separator: "  ") + "\n")
    try out.write(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n")
    for r in pending { try emit(r) }
    pending = []
  }

  private func emit(_ values: [SQLValue]) throws {
    let cells = values.enumerated().map { i, v in Self.pad(Self.flat(v.display), widths[i], right: numeric[i]) }
    try out.write(cells.joined(separator: "  ") + "\n")
  }

  static func flat(_ s: String) -> String {
    s.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\t" })
      ? s.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
        .replacingOccurrences(of: "\t", with: " ") : s
  }

  /// Terminal columns: wide (CJK, full-width) characters take two.
  static func width(_ s: String) -> Int {
    s.unicodeScalars.reduce(0) { $0 + (isWide($1) ? 2 : 1) }
  }

  static func isWide(_ u: Unicode.Scalar) -> Bool {
    switch u.value {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
      0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
      0x20000...0x3FFFD:
      return true
    default: return false
    }
  }

  /// Pads (or cuts, with …) to exactly `target` columns.
  static func pad(_ s: String, _ target: Int, right: Bool) -> String {
    var text = s
    if width(text) > target {
      var cut = ""
      var w = 0
      for ch in text {
        let cw = width(String(ch))
        if w + cw > target - 1 { break }
        cut.append(ch)
        w += cw
      }
      text = cut + "…"
    }
    let space = String(repeating: " ", count: max(0, target - width(text)))
    return right ? space + text : text + space
  }
}

/// An xlsx file, streamed (constant memory): the header formatted, frozen and
/// filtered, numbers as numbers, widths from the first rows, and a second
/// sheet with the SQL and when it ran, so the file explains itself. Past
/// Excel's 1,048,576 rows a sheet, the answer continues on a next sheet.
public final class XlsxSink: RowSink {
  let path: String
  let sql: String
  let parameters: [String: String]
  let ranAt: Date
  let databasePath: String
  private var workbook: Workbook?
  private var sheet: Worksheet?
  private var sheetNumber = 0
  private var rowInSheet = 0
  private var columns: [String] = []
  private var widths: [Double] = []
  private var total = 0
  /// Rows held back until the column widths are known (set before any row in constant-memory mode).
  private var pending: [[SQLValue]]? = []
  static let sample = 1000
  static let rowsPerSheet = 1_048_575
  static let header = CellStyle(bold: true, background: 0xDDEBF7, border: true)
  static let text = CellStyle()

  public init(path: String, sql: String, parameters: [String: String], databasePath: String, ranAt: Date = Date()) {
    self.path = path
    self.sql = sql
    self.parameters = parameters
    self.databasePath = databasePath
    self.ranAt = ranAt
  }

  public func begin(columns: [String]) throws {
    self.columns = columns
    widths = columns.map { min(Double(TableSink.width($0)) + 4, 60) }
    workbook = try Workbook(path: path, constantMemory: true)
  }

  private func startSheets() throws {
    guard let rows = pending else { return }
    pending = nil
    for r in rows {
      for (i, v) in r.enumerated() {
        let w: Int
        switch v {
        case .null: w = 0
        case .integer(let n): w = String(n).count
        case .real: w = 12
        default: w = TableSink.width(v.display)
        }
        widths[i] = min(max(widths[i], Double(w) + 2), 60)
      }
    }
    try newSheet()
    for r in rows { try write(r) }
  }

  private func newSheet() throws {
    if let sheet { try finish(sheet) }
    sheetNumber += 1
    let s = try workbook!.addWorksheet(sheetNumber == 1 ? "Result" : "Result \(sheetNumber)")
    for (i, w) in widths.enumerated() { try s.setColumnWidth(i, w) }
    try s.writeRow(columns.map { .text($0) }, row: 0, styles: [Self.header])
    s.freeze(rows: 1)
    sheet = s
    rowInSheet = 0
  }

  public func row(_ values: [SQLValue]) throws {
    if pending != nil {
      pending!.append(values)
      if pending!.count >= Self.sample { try startSheets() }
      return
    }
    try write(values)
  }

  private func write(_ values: [SQLValue]) throws {
    if rowInSheet == Self.rowsPerSheet { try newSheet() }
    rowInSheet += 1
    total += 1
    for (c, v) in values.enumerated() {
      switch v {
      case .null: continue
      case .integer(let n): try sheet!.write(.number(Double(n)), row: rowInSheet, column: c)
      case .real(let d): try sheet!.write(.number(d), row: rowInSheet, column: c)
      case .text(let s): try sheet!.write(.text(s), row: rowInSheet, column: c)
      case .blob(let b): try sheet!.write(.text(hex(b)), row: rowInSheet, column: c)
      }
    }
  }

  private func finish(_ s: Worksheet) throws {
    try s.autofilter(firstRow: 0, firstColumn: 0, lastRow: max(rowInSheet, 1), lastColumn: max(columns.count - 1, 0))
    try s.setPrintLayout(repeatRows: 0)
  }

  public func end() throws {
    try startSheets()
    guard let workbook, let sheet else { return }
    try finish(sheet)
    let about = try workbook.addWorksheet("Query")
    try about.setColumnWidth(0, 18)
    try about.setColumnWidth(1, 100)
    var r = 0
    func line(_ label: String, _ value: String) throws {
      try about.write(.text(label), row: r, column: 0, style: CellStyle(bold: true))
      try about.write(.text(value), row: r, column: 1, style: CellStyle(wrap: true))
      r += 1
    }
    try line("SQL", sql)
    for (name, value) in parameters.sorted(by: { $0.key < $1.key }) { try line(":\(name)", value) }
    try line("Ran at (UTC)", Timestamp(milliseconds: Int64(ranAt.timeIntervalSince1970 * 1000)).iso)
    try line("Database", databasePath)
    try line("Rows", String(total))
    try line("Tool", "linkaudit \(LinkAuditVersion.current)")
    try workbook.close()
  }
}
