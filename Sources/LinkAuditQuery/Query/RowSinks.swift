import Foundation
import LinkAuditCore
import LinkAuditStore
import LinkAuditXlsx

/// Where a query's rows go, one at a time: no sink holds the whole answer
/// (the table format holds its first rows only, to size its columns).
public protocol RowSink: AnyObject {
  func begin(columns: [String]) throws
  /// The current row, valid only during the call.
  func row<Row: RowValues>(_ row: Row) throws
  func end() throws
}

public enum QueryFormat: String, CaseIterable, Sendable {
  case table, csv, json, markdown, xlsx
  /// CSV for a person to open in Excel or WPS: a UTF-8 byte-order mark so
  /// Chinese text reads right, and text that a spreadsheet would take for a
  /// formula made inert (see `CSVSink.neutralised`).
  case spreadsheetCSV = "spreadsheet-csv"
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

  public func write(bytes: UnsafeBufferPointer<UInt8>) throws {
    buffer.append(contentsOf: bytes)
    if buffer.count >= 1 << 16 { try flush() }
  }

  public func write(byte: UInt8) { buffer.append(byte) }

  public func flush() throws {
    guard !buffer.isEmpty else { return }
    try handle.write(contentsOf: buffer)
    buffer.removeAll(keepingCapacity: true)
  }
}

extension SQLValue {
  /// The value as a person reads it: integers plain, reals in shortest exact
  /// form, blobs as hex, NULL empty.
  package var display: String {
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
  package let out: TextOutput
  /// Spreadsheet mode: BOM first, formula-like text neutralised.
  package let forSpreadsheets: Bool
  public init(_ out: TextOutput, forSpreadsheets: Bool = false) {
    self.out = out
    self.forSpreadsheets = forSpreadsheets
  }

  /// OWASP's rule against CSV injection: a text value starting with = + - @,
  /// tab or carriage return gets a leading apostrophe, so a spreadsheet shows
  /// it as text instead of evaluating it. Numbers are stored as numbers and
  /// left alone (a negative number stays a number).
  public static func neutralised(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { startsLikeAFormula(bytes.first) }

  public func begin(columns: [String]) throws {
    if forSpreadsheets { try out.write("\u{FEFF}") }
    try out.write(csvLine(columns) + "\r\n")
  }

  public func row<Row: RowValues>(_ row: Row) throws {
    for i in 0..<row.count {
      if i > 0 { out.write(byte: UInt8(ascii: ",")) }
      switch row.type(i) {
      case .null: continue
      case .blob: try out.write(row.value(i).display)
      default:
        let isText = row.type(i) == .text
        try row.withUTF8(i) { bytes in
          let inert = forSpreadsheets && isText && Self.neutralised(bytes)
          let needsQuotes = inert || bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
          guard needsQuotes else { return try out.write(bytes: bytes) }
          out.write(byte: 0x22)
          if inert { out.write(byte: UInt8(ascii: "'")) }
          for b in bytes {
            if b == 0x22 { out.write(byte: 0x22) }
            out.write(byte: b)
          }
          out.write(byte: 0x22)
        }
      }
    }
    try out.write("\r\n")
  }

  public func end() throws { try out.flush() }
}

/// A JSON array of objects, one per row, keyed by column name; numbers stay numbers.
public final class JSONSink: RowSink {
  package let out: TextOutput
  private var keys: [String] = []
  private var first = true
  public init(_ out: TextOutput) { self.out = out }

  public func begin(columns: [String]) throws {
    keys = columns.map(Self.quoted)
    try out.write("[")
  }

  public func row<Row: RowValues>(_ row: Row) throws {
    try out.write(first ? "\n  {" : ",\n  {")
    first = false
    for i in 0..<row.count {
      if i > 0 { try out.write(", ") }
      try out.write(keys[i] + ": ")
      switch row.type(i) {
      case .null: try out.write("null")
      case .integer: try out.write(String(row.int64(i)))
      case .real:
        let d = row.double(i)
        try out.write(d.isFinite ? "\(d)" : "null")
      case .blob: try out.write(Self.quoted(row.value(i).display))
      case .text:
        try row.withUTF8(i) { bytes in
          out.write(byte: 0x22)
          for b in bytes {
            switch b {
            case 0x22: try out.write("\\\"")
            case 0x5C: try out.write("\\\\")
            case 0x0A: try out.write("\\n")
            case 0x0D: try out.write("\\r")
            case 0x09: try out.write("\\t")
            case 0..<0x20: try out.write(String(format: "\\u%04x", b))
            default: out.write(byte: b)
            }
          }
          out.write(byte: 0x22)
        }
      }
    }
    try out.write("}")
  }

  public func end() throws {
    try out.write(first ? "]\n" : "\n]\n")
    try out.flush()
  }

  package static func quoted(_ s: String) -> String {
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
  package let out: TextOutput
  public init(_ out: TextOutput) { self.out = out }

  /// A value shown literally in a GFM table cell (`a\|b` stays `a\|b`), line breaks as <br>.
  package static func cell(_ s: String) -> String {
    s.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
      .map { markdownText(String($0)) }.joined(separator: "<br>")
  }

  public func begin(columns: [String]) throws {
    try out.write("| " + columns.map(Self.cell).joined(separator: " | ") + " |\n")
    try out.write("|" + String(repeating: "---|", count: columns.count) + "\n")
  }

  public func row<Row: RowValues>(_ row: Row) throws {
    try out.write("| " + row.values.map { Self.cell($0.display) }.joined(separator: " | ") + " |\n")
  }

  public func end() throws { try out.flush() }
}

/// Aligned columns for a terminal. Widths count East Asian wide characters as
/// two; they come from the first `sample` rows, later rows are cut to fit.
public final class TableSink: RowSink {
  package let out: TextOutput
  package let sample: Int
  package static let maxWidth = 60
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

  /// The most of one value a table shows: a table is read by a person on a
  /// terminal, and it holds its first rows to size its columns, so a query
  /// of huge values (`zeroblob`, long texts) is cut here; csv, json and
  /// xlsx give every value whole (red-team A13).
  package static let longestValue = 4096

  package static func shortened(_ v: SQLValue) -> SQLValue {
    switch v {
    case .text(let s) where s.utf8.count > longestValue:
      return .text(
        String(s.unicodeScalars.prefix(longestValue)) + "… [\(s.utf8.count.grouped) bytes; --format csv shows it whole]"
      )
    case .blob(let b) where b.count > longestValue / 2:
      return .text(hex(Array(b.prefix(longestValue / 2))) + "… [\(b.count.grouped) bytes; --format csv shows it whole]")
    default: return v
    }
  }

  public func row<Row: RowValues>(_ row: Row) throws {
    let values = row.values.map(Self.shortened)
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

  /// One line a value, safe for a terminal: line breaks and tabs as spaces,
  /// other control characters (an escape sequence would drive the terminal) as \u{…}.
  package static func flat(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: isForbiddenInText) else { return s }
    var out = ""
    for u in s.replacingOccurrences(of: "\r\n", with: " ").unicodeScalars {
      if u == "\n" || u == "\r" || u == "\t" {
        out += " "
      } else if isForbiddenInText(u) {
        out += "\\u{\(String(u.value, radix: 16, uppercase: true))}"
      } else {
        out.unicodeScalars.append(u)
      }
    }
    return out
  }

  /// Terminal columns: wide (CJK, full-width) characters take two.
  package static func width(_ s: String) -> Int {
    s.unicodeScalars.reduce(0) { $0 + (isWide($1) ? 2 : 1) }
  }

  package static func isWide(_ u: Unicode.Scalar) -> Bool {
    switch u.value {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
      0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
      0x20000...0x3FFFD:
      return true
    default: return false
    }
  }

  /// Pads (or cuts, with …) to exactly `target` columns.
  package static func pad(_ s: String, _ target: Int, right: Bool) -> String {
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
