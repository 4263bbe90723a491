import CLinkAuditXLSX
import Foundation
import LinkAuditCore

/// A failure reported by libxlsxwriter, with its code and message.
public struct XlsxError: Error, LocalizedError, Equatable {
  public let code: UInt32
  public let message: String
  public let path: String
  public var errorDescription: String? { "cannot write spreadsheet \(path): \(message)" }
}

/// A cell's value. Numbers stay numbers so Excel can sum and format them.
public enum CellValue: Equatable, Sendable {
  case text(String)
  case number(Double)
  case blank
}

/// How a cell looks. Workbook turns each distinct style into one libxlsxwriter format.
public struct CellStyle: Hashable, Sendable {
  public var bold = false
  public var numberFormat: String? = nil
  public var background: UInt32? = nil
  public var fontColor: UInt32? = nil
  public var wrap = false
  public var border = false
  public var fontSize: Double? = nil
  public var alignRight = false
  public var alignTop = false
  /// Left-aligned with one level of indent: space between text and a
  /// right-aligned number in the column before it.
  public var indent = false

  public init(
    bold: Bool = false, numberFormat: String? = nil, background: UInt32? = nil, fontColor: UInt32? = nil,
    wrap: Bool = false, border: Bool = false, fontSize: Double? = nil, alignRight: Bool = false,
    alignTop: Bool = false, indent: Bool = false
  ) {
    self.indent = indent
    self.alignRight = alignRight
    self.alignTop = alignTop
    self.bold = bold
    self.numberFormat = numberFormat
    self.background = background
    self.fontColor = fontColor
    self.wrap = wrap
    self.border = border
    self.fontSize = fontSize
  }

  public static let plain = CellStyle()
  public static let header = CellStyle(bold: true, background: 0xDDEBF7, wrap: true, border: true)
  public static let integer = CellStyle(numberFormat: "#,##0")
  public static let decimal = CellStyle(numberFormat: "#,##0.00")
  public static let percent = CellStyle(numberFormat: "0.00%")
  public static let title = CellStyle(bold: true, fontSize: 16)
}

public struct DocumentProperties: Sendable {
  public var title = ""
  public var subject = ""
  public var author = ""
  public var company = ""
  public var keywords = ""
  public var comments = ""
  /// Set from the data, not the clock, so the same database gives the same bytes.
  public var created: Date

  public init(
    title: String = "", subject: String = "", author: String = "", company: String = "", keywords: String = "",
    comments: String = "", created: Date
  ) {
    self.title = title
    self.subject = subject
    self.author = author
    self.company = company
    self.keywords = keywords
    self.comments = comments
    self.created = created
  }
}

/// An .xlsx file being written. Call `close()` to write it; errors such as an
/// unwritable path surface there.
/// The font every cell and chart of a workbook declares, where Calibri
/// (libxlsxwriter's default, Latin only) would print Chinese as boxes on a
/// machine whose fallback font has no CJK glyphs.
public struct Font: Equatable, Sendable {
  public var name: String
  /// The character set a program falls back by when `name` is not installed
  /// (134: GB2312, whose default font on Windows is 宋体 SimSun). Charts
  /// carry it; libxlsxwriter 1.1.4 does not write it into a cell's font
  /// (later versions do), where the program's own font linking falls back.
  public var charset: UInt8
  /// 2: a sans-serif family.
  public var family: UInt8
  /// Points per line of wrapped text at 11 points: the height a row of n
  /// lines is given.
  public var lineHeight: Double

  public init(name: String, charset: UInt8, family: UInt8, lineHeight: Double) {
    self.name = name
    self.charset = charset
    self.family = family
    self.lineHeight = lineHeight
  }

  /// 等线 (DengXian, Office's Chinese font since 2016), falling back to 宋体
  /// where it is missing.
  /// Its lines are 1.45 em apart in LibreOffice's stand-in (Noto Sans CJK),
  /// about 16 points at 11: 16.5 leaves the last line whole (rendered).
  public static let chinese = Font(name: "等线", charset: 134, family: 2, lineHeight: 16.5)
}

public final class Workbook {
  private let handle: UnsafeMutablePointer<lxw_workbook>
  /// The workbook's file, opened by linkaudit (OutputFile), which
  /// libxlsxwriter writes through its descriptor's name: the library's own
  /// fopen would follow a link put where the workbook goes (red-team F15).
  private let file: Int32
  public let path: String
  /// Declared by every format and chart; nil for libxlsxwriter's default (Calibri).
  public let font: Font?
  private var formats: [CellStyle: UnsafeMutablePointer<lxw_format>] = [:]
  private var closed = false

  /// `constantMemory` streams rows to disk: each row must be written in order.
  public init(path: String, constantMemory: Bool = false, font: Font? = nil) throws {
    var options = lxw_workbook_options()
    options.constant_memory = constantMemory ? 1 : 0
    options.use_zip64 = 1
    let fd: Int32
    do {
      fd = try OutputFile.open(path)
    } catch let error as FileError {
      // XlsxError says "cannot write spreadsheet PATH:" itself.
      let why = error.message.hasPrefix("cannot write: ") ? String(error.message.dropFirst(14)) : error.message
      throw XlsxError(code: LXW_ERROR_CREATING_XLSX_FILE.rawValue, message: why, path: path)
    }
    #if os(Linux)
      let name = "/proc/self/fd/\(fd)"
    #else
      let name = "/dev/fd/\(fd)"
    #endif
    guard let wb = workbook_new_opt(name, &options) else {
      closeDescriptor(fd)
      throw XlsxError(code: LXW_ERROR_MEMORY_MALLOC_FAILED.rawValue, message: "cannot create workbook", path: path)
    }
    handle = wb
    file = fd
    self.path = path
    self.font = font
  }

  deinit {
    if !closed {
      _ = Self.close(handle)
      closeDescriptor(file)
    }
  }

  /// libxlsxwriter's close formats dates with gmtime() and keeps static
  /// state: two workbooks are never closed at once.
  /// (Holds how many workbooks were closed: a box of nothing has no storage
  /// for the sanitizer to see the lock guard.)
  private static let closing = LockBox(0)

  private static func close(_ handle: UnsafeMutablePointer<lxw_workbook>) -> lxw_error {
    closing.withLock { closed in
      closed += 1
      return workbook_close(handle)
    }
  }

  /// Sheets and charts are the workbook's and freed by its close: every use
  /// of one checks here first, so none outlives it.
  package func requireOpen() throws {
    guard !closed else {
      throw XlsxError(
        code: LXW_ERROR_PARAMETER_VALIDATION.rawValue, message: "the workbook is already written and closed",
        path: path)
    }
  }

  /// Excel's limit of characters in a cell (https://support.microsoft.com/office/excel-specifications-and-limits).
  public static let maxCellCharacters = 32_767

  /// Text as a cell may hold it: characters XML cannot carry (control
  /// characters but tab and line breaks, noncharacters such as U+FFFE)
  /// replaced by U+FFFD, and at most 32,767 characters, the end marked.
  public static func cellText(_ text: String) -> String {
    var clean = true
    var count = 0
    for s in text.unicodeScalars {
      count += 1
      if isControlOrNoncharacter(s) && s != "\t" && s != "\n" && s != "\r" { clean = false }
    }
    if clean && count <= maxCellCharacters { return text }
    var out = String.UnicodeScalarView()
    let marker = "… [cut at 32,767 characters]"
    let keep = count <= maxCellCharacters ? count : maxCellCharacters - marker.unicodeScalars.count
    for s in text.unicodeScalars.prefix(keep) {
      out.append(isControlOrNoncharacter(s) && s != "\t" && s != "\n" && s != "\r" ? "\u{FFFD}" : s)
    }
    return String(out) + (count <= maxCellCharacters ? "" : marker)
  }

  /// A cell's text as the file must hold it: Excel and LibreOffice read
  /// `_xHHHH_` in a cell as an escaped character (`_x0041_` shows "A"), so a
  /// literal one is written with its underscore escaped (`_x005F_x0041_`),
  /// as XlsxWriter does; libxlsxwriter writes it as given (tried: shared and
  /// inline strings alike).
  public static func escapingOOXML(_ text: String) -> String {
    guard text.contains("_x") else { return text }
    let u = Array(text.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(u.count + 12)
    func isHex(_ b: UInt8) -> Bool { hexDigitValue(b) != nil }
    var i = 0
    while i < u.count {
      if u[i] == 0x5F, i + 6 < u.count, u[i + 1] == 0x78, isHex(u[i + 2]), isHex(u[i + 3]), isHex(u[i + 4]),
        isHex(u[i + 5]), u[i + 6] == 0x5F
      {
        out += Array("_x005F".utf8)
      }
      out.append(u[i])
      i += 1
    }
    return String(decoding: out, as: UTF8.self)
  }

  package func check(_ error: lxw_error) throws {
    guard error == LXW_NO_ERROR else {
      throw XlsxError(code: error.rawValue, message: String(cString: lxw_strerror(error)), path: path)
    }
  }

  public func addWorksheet(_ name: String) throws -> Worksheet {
    try requireOpen()
    guard let ws = workbook_add_worksheet(handle, name) else {
      throw XlsxError(
        code: LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED.rawValue, message: "invalid sheet name \"\(name)\"", path: path)
    }
    return Worksheet(handle: ws, workbook: self)
  }

  package func format(_ style: CellStyle) -> UnsafeMutablePointer<lxw_format>? {
    if style == .plain && font == nil { return nil }
    if let f = formats[style] { return f }
    let f = workbook_add_format(handle)!
    if let font {
      format_set_font_name(f, font.name)
      format_set_font_charset(f, font.charset)
      format_set_font_family(f, font.family)
    }
    if style.bold { format_set_bold(f) }
    if let n = style.numberFormat { format_set_num_format(f, n) }
    if let bg = style.background {
      format_set_bg_color(f, bg)
      format_set_pattern(f, UInt8(LXW_PATTERN_SOLID.rawValue))
    }
    if let c = style.fontColor { format_set_font_color(f, c) }
    if style.wrap {
      format_set_text_wrap(f)
      format_set_align(f, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
    }
    if style.border { format_set_border(f, UInt8(LXW_BORDER_THIN.rawValue)) }
    if let s = style.fontSize { format_set_font_size(f, s) }
    if style.alignRight { format_set_align(f, UInt8(LXW_ALIGN_RIGHT.rawValue)) }
    if style.alignTop { format_set_align(f, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue)) }
    if style.indent { format_set_indent(f, 1) }
    formats[style] = f
    return f
  }

  public func setProperties(_ p: DocumentProperties) throws {
    try requireOpen()
    try withCStrings([p.title, p.subject, p.author, p.company, p.keywords, p.comments].map(Self.cellText)) { s in
      var props = lxw_doc_properties()
      props.title = s[0]
      props.subject = s[1]
      props.author = s[2]
      props.company = s[3]
      props.keywords = s[4]
      props.comments = s[5]
      props.created = time_t(p.created.timeIntervalSince1970)
      try check(workbook_set_properties(handle, &props))
    }
  }

  public enum ChartKind: Sendable {
    case column, bar, line, pie

    package var code: UInt8 {
      switch self {
      case .column: UInt8(LXW_CHART_COLUMN.rawValue)
      case .bar: UInt8(LXW_CHART_BAR.rawValue)
      case .line: UInt8(LXW_CHART_LINE.rawValue)
      case .pie: UInt8(LXW_CHART_PIE.rawValue)
      }
    }
  }

  /// A native Excel chart; place it with `Worksheet.insert(_:row:column:)`.
  public func addChart(_ kind: ChartKind, title: String) throws -> Chart {
    try requireOpen()
    let chart = workbook_add_chart(handle, kind.code)!
    chart_title_set_name(chart, Self.cellText(title))
    withChartFont { f in
      chart_title_set_name_font(chart, f)
      for axis in [chart.pointee.x_axis, chart.pointee.y_axis] {
        chart_axis_set_name_font(axis, f)
        chart_axis_set_num_font(axis, f)
      }
      chart_legend_set_font(chart, f)
    }
    return Chart(handle: chart, workbook: self)
  }

  /// Runs `body` with the workbook's font as a chart font (libxlsxwriter
  /// copies it); not at all without one.
  fileprivate func withChartFont(_ body: (UnsafeMutablePointer<lxw_chart_font>) -> Void) {
    guard let font else { return }
    withCStrings([font.name]) { names in
      var f = lxw_chart_font()
      f.name = names[0]
      f.charset = font.charset
      f.pitch_family = font.family
      body(&f)
    }
  }

  /// Writes the file. Safe to call once; later calls do nothing. After it,
  /// the sheets and charts of this workbook refuse every use.
  public func close() throws {
    guard !closed else { return }
    closed = true
    defer { closeDescriptor(file) }
    try check(Self.close(handle))
  }
}

/// `close(2)`, out of reach of `Workbook.close()`'s name.
private func closeDescriptor(_ fd: Int32) { _ = close(fd) }

/// Keeps `strings` alive as C strings for the duration of `body`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) throws -> R) rethrows -> R {
  let pointers = strings.map { strdup($0) }
  defer { pointers.forEach { free($0) } }
  return try body(pointers)
}

/// A block of cells of one sheet, by zero-based rows and columns: what a
/// chart's series reads. Only this type writes it as A1 text.
public struct CellRange: Equatable, Sendable {
  public let sheet: String
  public let rows: ClosedRange<Int>
  public let columns: ClosedRange<Int>

  public init(sheet: String, rows: ClosedRange<Int>, columns: ClosedRange<Int>) {
    self.sheet = sheet
    self.rows = rows
    self.columns = columns
  }

  /// `='Sheet name'!$B$5:$I$5`: the sheet's name always quoted (an
  /// apostrophe in it doubled), so any name, Chinese or with spaces, reads.
  public var formula: String {
    let quoted = "'\(sheet.replacingOccurrences(of: "'", with: "''"))'"
    return "=\(quoted)!$\(Self.letters(columns.lowerBound))$\(rows.lowerBound + 1)"
      + ":$\(Self.letters(columns.upperBound))$\(rows.upperBound + 1)"
  }

  /// A column's letters: A to Z, then AA, AB, ….
  public static func letters(_ column: Int) -> String {
    var n = column + 1
    var letters = ""
    while n > 0 {
      let r = (n - 1) % 26
      letters = String(UnicodeScalar(UInt8(65 + r))) + letters
      n = (n - 1) / 26
    }
    return letters
  }
}

public struct Chart {
  fileprivate let handle: UnsafeMutablePointer<lxw_chart>
  fileprivate let workbook: Workbook

  /// Adds a series of the cells `values`, named by those of `categories`;
  /// `labels` writes each value on its bar or point.
  public func addSeries(name: String, categories: CellRange, values: CellRange, labels: Bool = false) throws {
    try workbook.requireOpen()
    let series = chart_add_series(handle, categories.formula, values.formula)
    chart_series_set_name(series, Workbook.cellText(name))
    if labels {
      chart_series_set_labels(series)
      workbook.withChartFont { chart_series_set_labels_font(series, $0) }
    }
  }

  /// Names every category on `axis`: a reader left to guess which bar is
  /// which cannot read the chart (spreadsheet programs otherwise skip
  /// labels that would crowd).
  public func labelEveryCategory(_ axis: Axis) throws {
    try workbook.requireOpen()
    chart_axis_set_interval_unit(axis == .x ? handle.pointee.x_axis : handle.pointee.y_axis, 1)
  }

  public func setAxisTitles(x: String, y: String) throws {
    try workbook.requireOpen()
    chart_axis_set_name(handle.pointee.x_axis, Workbook.cellText(x))
    chart_axis_set_name(handle.pointee.y_axis, Workbook.cellText(y))
  }

  public enum Axis: Sendable { case x, y }

  /// Number format and range of an axis, e.g. `0%` from 0 to 1 for rates.
  public func setAxis(_ axis: Axis, numberFormat: String, min: Double? = nil, max: Double? = nil) throws {
    try workbook.requireOpen()
    let a = axis == .x ? handle.pointee.x_axis : handle.pointee.y_axis
    chart_axis_set_num_format(a, numberFormat)
    if let min { chart_axis_set_min(a, min) }
    if let max { chart_axis_set_max(a, max) }
  }

  /// Runs `axis` the other way.
  public func reverse(_ axis: Axis) throws {
    try workbook.requireOpen()
    chart_axis_set_reverse(axis == .x ? handle.pointee.x_axis : handle.pointee.y_axis)
  }

  /// No legend: for a chart of one series the title says it all.
  public func hideLegend() throws {
    try workbook.requireOpen()
    chart_legend_set_position(handle, UInt8(LXW_CHART_LEGEND_NONE.rawValue))
  }
}

/// A sheet of a Workbook; the workbook owns it, and every use checks that
/// the workbook is still open (its close frees the sheet).
public struct Worksheet {
  private let sheet: UnsafeMutablePointer<lxw_worksheet>
  fileprivate let workbook: Workbook

  fileprivate init(handle: UnsafeMutablePointer<lxw_worksheet>, workbook: Workbook) {
    sheet = handle
    self.workbook = workbook
  }

  private var handle: UnsafeMutablePointer<lxw_worksheet> {
    get throws {
      try workbook.requireOpen()
      return sheet
    }
  }

  public func write(_ value: CellValue, row: Int, column: Int, style: CellStyle = .plain) throws {
    let r = lxw_row_t(row)
    let c = lxw_col_t(column)
    let f = workbook.format(style)
    switch value {
    case .text(let s):
      try workbook.check(worksheet_write_string(try handle, r, c, Workbook.escapingOOXML(Workbook.cellText(s)), f))
    case .number(let n): try workbook.check(worksheet_write_number(try handle, r, c, n, f))
    case .blank: try workbook.check(worksheet_write_blank(try handle, r, c, f))
    }
  }

  /// Text across `firstColumn...lastColumn` of one row, as one merged cell
  /// (a paragraph wider than any one column, wrapped within the table's width
  /// instead of running past the printed page).
  public func merge(
    _ text: String, row: Int, firstColumn: Int, lastColumn: Int, style: CellStyle = .plain
  ) throws {
    try workbook.check(
      worksheet_merge_range(
        try handle, lxw_row_t(row), lxw_col_t(firstColumn), lxw_row_t(row), lxw_col_t(lastColumn),
        Workbook.escapingOOXML(Workbook.cellText(text)), workbook.format(style)))
  }

  /// Text straight from UTF-8 bytes, for a query's answer cell by cell:
  /// printable ASCII shorter than the cell limit (the common value) goes to
  /// libxlsxwriter without becoming a Swift String; anything else through
  /// `Workbook.cellText`.
  public func writeText(utf8 bytes: UnsafeBufferPointer<UInt8>, row: Int, column: Int, scratch: inout [CChar])
    throws
  {
    var previous: UInt8 = 0
    guard bytes.count < Workbook.maxCellCharacters,
      bytes.allSatisfy({ b in
        // `_x` may start an escape (`Workbook.escapingOOXML`): the slow path.
        defer { previous = b }
        return ((b >= 0x20 && b < 0x7F) || b == 0x09 || b == 0x0A || b == 0x0D) && !(previous == 0x5F && b == 0x78)
      })
    else {
      return try write(.text(String(decoding: bytes, as: UTF8.self)), row: row, column: column)
    }
    scratch.removeAll(keepingCapacity: true)
    for b in bytes { scratch.append(CChar(bitPattern: b)) }
    scratch.append(0)
    try scratch.withUnsafeBufferPointer { text in
      try workbook.check(
        worksheet_write_string(try handle, lxw_row_t(row), lxw_col_t(column), text.baseAddress, nil))
    }
  }

  /// Writes a row of values from `column` on, each with its style (or the first style for all).
  public func writeRow(_ values: [CellValue], row: Int, styles: [CellStyle] = [.plain]) throws {
    for (i, v) in values.enumerated() {
      try write(v, row: row, column: i, style: styles.count == values.count ? styles[i] : styles[0])
    }
  }

  public func setColumnWidth(_ column: Int, _ width: Double, style: CellStyle = .plain) throws {
    try workbook.check(
      worksheet_set_column(try handle, lxw_col_t(column), lxw_col_t(column), width, workbook.format(style)))
  }

  /// Row height in points; wrapped text needs it, since not every reader re-measures rows.
  public func setRowHeight(_ row: Int, _ points: Double) throws {
    try workbook.check(worksheet_set_row(try handle, lxw_row_t(row), points, nil))
  }

  /// Printed pages break before each of `rows` (all of a sheet's breaks, set once).
  public func pageBreaks(before rows: [Int]) throws {
    var breaks = rows.map { lxw_row_t($0) } + [0]
    try workbook.check(worksheet_set_h_pagebreaks(try handle, &breaks))
  }

  public func freeze(rows: Int, columns: Int = 0) throws {
    worksheet_freeze_panes(try handle, lxw_row_t(rows), lxw_col_t(columns))
  }

  public func autofilter(firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int) throws {
    try workbook.check(
      worksheet_autofilter(
        try handle, lxw_row_t(firstRow), lxw_col_t(firstColumn), lxw_row_t(lastRow), lxw_col_t(lastColumn)))
  }

  /// How a sheet prints: A4 landscape, "Page n of m" in the footer, and either
  /// one page wide or, for a sheet too wide to be legible so, `scale` percent
  /// over several pages with `repeatColumns` (the id column) on each.
  public struct PrintLayout: Sendable {
    public var repeatRows: ClosedRange<Int>?
    public var repeatColumns: ClosedRange<Int>?
    /// nil: fit to one page wide.
    public var scale: Int?
    public var footer: String
    /// Fitted to this many pages tall as well as one wide (0: as tall as it runs):
    /// a page that must print whole (the key findings), a summary held to two.
    public var pagesTall: Int

    public init(
      repeatRows: ClosedRange<Int>? = nil, repeatColumns: ClosedRange<Int>? = nil, scale: Int? = nil,
      footer: String = "&CPage &P / &N", pagesTall: Int = 0
    ) {
      self.repeatRows = repeatRows
      self.repeatColumns = repeatColumns
      self.scale = scale
      self.footer = footer
      self.pagesTall = pagesTall
    }
  }

  public func setPrintLayout(_ layout: PrintLayout) throws {
    let sheet = try handle
    worksheet_set_landscape(sheet)
    worksheet_set_paper(sheet, 9)  // A4
    if let scale = layout.scale {
      worksheet_set_print_scale(sheet, UInt16(scale))
    } else {
      worksheet_fit_to_pages(sheet, 1, UInt16(clamping: layout.pagesTall))
    }
    try workbook.check(worksheet_set_footer(sheet, layout.footer))
    if let rows = layout.repeatRows {
      try workbook.check(worksheet_repeat_rows(sheet, lxw_row_t(rows.lowerBound), lxw_row_t(rows.upperBound)))
    }
    if let columns = layout.repeatColumns {
      try workbook.check(
        worksheet_repeat_columns(sheet, lxw_col_t(columns.lowerBound), lxw_col_t(columns.upperBound)))
    }
  }

  /// Conditional formatting: cells in the range whose text equals `text` take `style`.
  public func highlight(
    firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int, equalTo text: String, style: CellStyle
  ) throws {
    var condition = lxw_conditional_format()
    condition.type = UInt8(LXW_CONDITIONAL_TYPE_CELL.rawValue)
    condition.criteria = UInt8(LXW_CONDITIONAL_CRITERIA_EQUAL_TO.rawValue)
    condition.format = workbook.format(style)
    let quoted = "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    try quoted.withCString { value in
      condition.value_string = UnsafeMutablePointer(mutating: value)
      try workbook.check(
        worksheet_conditional_format_range(
          try handle, lxw_row_t(firstRow), lxw_col_t(firstColumn), lxw_row_t(lastRow), lxw_col_t(lastColumn),
          &condition))
    }
  }

  /// Inserts `chart` at a cell; `heightScale` stretches it (1: the default 288 pixels).
  public func insert(_ chart: Chart, row: Int, column: Int, heightScale: Double = 1) throws {
    try chart.workbook.requireOpen()
    var options = lxw_chart_options()
    (options.x_scale, options.y_scale) = (1, heightScale)
    try workbook.check(
      worksheet_insert_chart_opt(try handle, lxw_row_t(row), lxw_col_t(column), chart.handle, &options))
  }
}
