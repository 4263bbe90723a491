import Foundation
import LinkAuditCore

/// A cell as a report means it; the sheet picks the format.
public enum Cell: Sendable {
  case text(String)
  /// Long text: wrapped, in a capped column.
  case wrapped(String)
  /// A short note beside a figure (a caveat): wrapped in a narrow column.
  case note(String)
  /// SQL: wrapped, fixed-width font is not available everywhere, so plain.
  case code(String)
  /// A SHA-256 in hex: whole, on two lines of its cell, so it stays inside
  /// its column's border and still copies as one value.
  case digest(String)
  case count(Int64)
  case rate(Double)
  case hours(Double)
  /// A change since a period before: a rate's in percentage points (the
  /// fraction's change times 100), never a percentage a reader takes as relative.
  case change(Double, of: Quantity)
  /// No value (an empty denominator): a dash where the number would be.
  case missing

  /// What a changed value measures, for its format.
  public enum Quantity: Sendable {
    case rate, count, decimal
  }
}

/// The words a sheet writes by itself, in its reader's language.
public struct SheetLanguage: Sendable {
  /// Where a value is missing (an empty denominator): `—`.
  public var missing: String
  /// The unit of a rate's change, after the number: ` pp`, `个百分点`.
  public var percentagePoints: String
  /// The page footer, in Excel's header and footer codes (`&P`, `&N`).
  public var footer: String

  public init(missing: String, percentagePoints: String, footer: String) {
    self.missing = missing
    self.percentagePoints = percentagePoints
    self.footer = footer
  }
}

/// One worksheet being filled top to bottom, tracking column widths as it
/// goes, and laid out for print when it is finished: the page layout engine
/// of every report sheet.
public final class Sheet {
  public let sheet: Worksheet
  public let name: String
  public let language: SheetLanguage
  public var row = 0
  private let workbook: Workbook
  private var widths: [Int: Double] = [:]
  /// What each column's unwrapped cells (text that overflows, numbers) need:
  /// a sheet narrowed to fit its page never narrows a column below it.
  private var rigidWidths: [Int: Double] = [:]
  /// Wrapped cells per row: (column, text), measured once the widths are known.
  private var wrappedCells: [Int: [(Int, String)]] = [:]
  /// Paragraphs merged across columns, their rows sized once the widths are known.
  private var paragraphs: [(row: Int, columns: ClosedRange<Int>, text: String)] = []
  private var tables: [(header: Int, last: Int, columns: Int)] = []
  /// Rows of a fixed height (a box to sign in), in points.
  private var fixedHeights: [Int: Double] = [:]
  /// Rows that start a printed page.
  private var breaks: [Int] = []

  // Every cell is top-aligned, so a row with a wrapped definition still reads as one row.
  public static let header = CellStyle(bold: true, background: 0xDDEBF7, wrap: true, border: true, alignTop: true)
  public static let text = CellStyle(alignTop: true, indent: true)
  public static let label = CellStyle(bold: true, alignTop: true)
  public static let wrapped = CellStyle(wrap: true, alignTop: true, indent: true)
  public static let heading = CellStyle(bold: true, fontSize: 12)
  public static let count = CellStyle(numberFormat: "#,##0", alignTop: true)
  public static let countInList = CellStyle(numberFormat: "#,##0", alignTop: true, indent: true)
  public static let rate = CellStyle(numberFormat: "0.00%", alignTop: true)
  public static let hours = CellStyle(numberFormat: "#,##0.00", alignTop: true)
  public static let countChange = CellStyle(numberFormat: "+#,##0;-#,##0;0", alignTop: true)
  public static let hoursChange = CellStyle(numberFormat: "+#,##0.00;-#,##0.00;0.00", alignTop: true)
  public static let missing = CellStyle(alignRight: true, alignTop: true)
  public static let box = CellStyle(bold: true, border: true, alignTop: true)
  /// Points per line of wrapped text at the default font size (Calibri's).
  public static let lineHeight = 15.0
  /// Points per line in this sheet's font: a CJK font's lines are taller,
  /// and rows sized for Calibri cut their last line (rendered).
  private var lineHeight: Double { workbook.font?.lineHeight ?? Self.lineHeight }
  /// The most a header widens its column (8 CJK characters, 16 Latin).
  public static let headerWidth = 18.0
  /// Widths of columns of wrapped text (definitions, explanations) and of
  /// SQL: their rows grow instead, so the sheet prints at 70% or more.
  public static let wrappedWidth = 36.0
  public static let noteWidth = 24.0
  public static let codeWidth = 64.0

  /// A rate's change in percentage points, the unit after the number: `+1.25 pp`.
  private var pointsChange: CellStyle {
    let unit = "\"\(language.percentagePoints)\""
    return CellStyle(numberFormat: "+0.00\(unit);-0.00\(unit);0.00\(unit)", alignTop: true)
  }

  public init(_ workbook: Workbook, _ name: String, language: SheetLanguage) throws {
    sheet = try workbook.addWorksheet(name)
    self.workbook = workbook
    self.name = name
    self.language = language
  }

  /// Cells of this sheet, for a chart's series or categories.
  public func cells(rows: ClosedRange<Int>, columns: ClosedRange<Int>) -> CellRange {
    CellRange(sheet: name, rows: rows, columns: columns)
  }

  /// Along a row.
  public func cells(row: Int, columns: ClosedRange<Int>) -> CellRange { cells(rows: row...row, columns: columns) }

  /// Down a column.
  public func cells(column: Int, rows: ClosedRange<Int>) -> CellRange { cells(rows: rows, columns: column...column) }

  /// A horizontal bar chart, without legend, of the table rows `rows`:
  /// categories in column `categories`, values (from 0 to `max`, named by the
  /// first axis title) in column `values`; placed at `at`, at least
  /// `minimumHeight` pixels tall (the default chart's 288).
  public func barChart(
    title: String, rows: ClosedRange<Int>, columns: (categories: Int, values: Int),
    axes: (values: String, categories: String), numberFormat: String, max: Double, at: (row: Int, column: Int),
    minimumHeight: Double = 288
  ) throws {
    let chart = try workbook.addChart(.bar, title: title)
    try chart.addSeries(
      name: axes.values, categories: cells(column: columns.categories, rows: rows),
      values: cells(column: columns.values, rows: rows), labels: true)
    // In a bar chart the value axis is x (horizontal), the categories y.
    try chart.setAxisTitles(x: axes.values, y: axes.categories)
    try chart.setAxis(.x, numberFormat: numberFormat, min: 0, max: max)
    try chart.labelEveryCategory(.y)
    // Top to bottom in the table's order (a bar chart draws its first category at the bottom).
    try chart.reverse(.y)
    try chart.hideLegend()
    // The title and axes take about 120 of the default 288 pixels; each bar
    // gets 30 more, so no category's label is dropped for want of room (a
    // sheet printed below 100% shrinks them all).
    try sheet.insert(
      chart, row: at.row, column: at.column,
      heightScale: Swift.max(minimumHeight, 120 + Double(rows.count) * 30) / 288)
  }

  /// Holds a column at `width` characters whatever its cells measure: a
  /// column of paragraphs as wide as the printed page.
  public func reserve(column: Int, width: Double) {
    widths[column] = width
    rigidWidths[column] = width
  }

  /// The next row starts a printed page: a chart or a section after it is
  /// never cut by a page break, nor its header parted from its rows.
  public func newPage() {
    if row > 0, breaks.last != row { breaks.append(row) }
  }

  public func title(_ text: String) throws {
    try sheet.write(.text(text), row: row, column: 0, style: .title)
    row += 1
  }

  public func heading(_ text: String, column: Int = 0) throws {
    try sheet.write(.text(text), row: row, column: column, style: Self.heading)
    row += 1
  }

  /// A paragraph across the first `columns` columns (those of the table
  /// below it), wrapped: a lead sentence longer than one column no longer runs
  /// past the printed width, which made the page print shrunk to 5 pt.
  public func paragraph(_ text: String, columns: Int) throws {
    let span = 0...max(columns - 1, 0)
    // A range of one cell is not a merge (libxlsxwriter refuses it): the cell itself, wrapped.
    if span.count == 1 {
      try sheet.write(.text(text), row: row, column: 0, style: Self.wrapped)
    } else {
      try sheet.merge(text, row: row, firstColumn: span.lowerBound, lastColumn: span.upperBound, style: Self.wrapped)
    }
    paragraphs.append((row, span, text))
    row += 1
  }

  /// Boxes to write in by hand (a signature, a seal, a date), one a row
  /// across the first `columns` columns, each `height` points tall with
  /// its label at the top.
  public func boxes(_ labels: [String], columns: Int, height: Double) throws {
    for label in labels {
      try sheet.merge(
        label, row: row, firstColumn: 0, lastColumn: max(columns - 1, 0), style: Self.box)
      fixedHeights[row] = height
      row += 1
    }
  }

  /// Cells on a row of their own, unmeasured (a long text runs on to the
  /// right) but for the first `measuring` of them: a label keeps its column
  /// wide enough to print whole.
  public func line(_ cells: [Cell], measuring: Int = 0) throws {
    for (c, cell) in cells.enumerated() { try write(cell, column: c, measure: c < measuring) }
    row += 1
  }

  public func pairs(_ items: [(String, CellValue)]) throws {
    for (label, value) in items {
      try sheet.write(.text(label), row: row, column: 0, style: Self.label)
      measure(label, column: 0, rigid: true)
      switch value {
      case .number(let n):
        // Left, like the texts beside it: a count far right of its label reads as belonging to none.
        try sheet.write(.number(n), row: row, column: 1, style: Self.countInList)
        measure(Int(n).grouped, column: 1, rigid: true)
      case .text(let s): try write(.text(s), column: 1)
      case .blank: break
      }
      row += 1
    }
  }

  /// Writes a header row and rows; returns the header's row index.
  @discardableResult
  public func table(header: [String], rows: [[Cell]], filter: Bool, firstColumn: Int = 0) throws -> Int {
    let top = row
    for (i, h) in header.enumerated() {
      let c = firstColumn + i
      try sheet.write(.text(h), row: row, column: c, style: Self.header)
      // Headers wrap (their row grows to fit): a long one does not widen its
      // column past what the values need, so the sheet prints larger.
      measure(h, column: c, cap: Self.headerWidth)
      wrappedCells[row, default: []].append((c, h))
    }
    row += 1
    for r in rows {
      for (i, cell) in r.enumerated() { try write(cell, column: firstColumn + i) }
      row += 1
    }
    if filter { tables.append((top, max(row - 1, top), header.count)) }
    return top
  }

  /// A short table whose last column is text spanning on to `lastColumn`
  /// (merged cells): its rows take the width of the columns above it, a line
  /// each where the text fits, instead of widening one column (and the
  /// tables above with it) or wrapping in it. Returns the header's row index.
  @discardableResult
  public func table(header: [String], rows: [(cells: [Cell], text: String)], spanningTo lastColumn: Int)
    throws -> Int
  {
    let top = row
    // The spanning column is the header's last; a span of one cell is written plainly (Excel merges no single cell).
    let span = max(header.count - 1, 0)
    let last = max(lastColumn, span)
    func spanning(_ text: String, style: CellStyle) throws {
      if last > span {
        try sheet.merge(text, row: row, firstColumn: span, lastColumn: last, style: style)
      } else {
        try sheet.write(.text(text), row: row, column: span, style: style)
      }
    }
    for (c, h) in header.dropLast().enumerated() {
      try sheet.write(.text(h), row: row, column: c, style: Self.header)
      measure(h, column: c, cap: Self.headerWidth)
      wrappedCells[row, default: []].append((c, h))
    }
    if let h = header.last { try spanning(h, style: Self.header) }
    row += 1
    for r in rows {
      for (c, cell) in r.cells.prefix(span).enumerated() { try write(cell, column: c) }
      try spanning(r.text, style: Self.wrapped)
      paragraphs.append((row, span...last, r.text))
      row += 1
    }
    return top
  }

  private func write(_ cell: Cell, column c: Int, measure doMeasure: Bool = true) throws {
    let r = row
    switch cell {
    case .text(let s):
      try sheet.write(.text(s), row: r, column: c, style: Self.text)
      if doMeasure { measure(s, column: c, rigid: true) }
    case .wrapped(let s):
      try sheet.write(.text(s), row: r, column: c, style: Self.wrapped)
      if doMeasure { measure(s, column: c, cap: Self.wrappedWidth) }
      wrappedCells[r, default: []].append((c, s))
    case .note(let s):
      try sheet.write(.text(s), row: r, column: c, style: Self.wrapped)
      if doMeasure { measure(s, column: c, cap: Self.noteWidth) }
      wrappedCells[r, default: []].append((c, s))
    case .code(let s):
      try sheet.write(.text(s), row: r, column: c, style: Self.wrapped)
      (widths[c], rigidWidths[c]) = (Self.codeWidth, Self.codeWidth)
      wrappedCells[r, default: []].append((c, s))
    case .digest(let s):
      try sheet.write(.text(s), row: r, column: c, style: Self.wrapped)
      // Half of the 64 characters a line, and the indent.
      widen(column: c, to: Double(s.count / 2), cap: Self.wrappedWidth, rigid: true)
      wrappedCells[r, default: []].append((c, s))
    case .count(let n):
      try sheet.write(.number(Double(n)), row: r, column: c, style: Self.count)
      measure(Int(n).grouped, column: c, rigid: true)
    case .rate(let x):
      try sheet.write(.number(x), row: r, column: c, style: Self.rate)
      measure("100.00%", column: c, rigid: true)
    case .hours(let x):
      try sheet.write(.number(x), row: r, column: c, style: Self.hours)
      // The width of x with two decimals, without formatting it.
      let rounded = (x.magnitude * 100).rounded() / 100
      let digits = rounded < 10 ? 1 : Int(log10(rounded)) + 1
      widen(column: c, to: Double(digits + 3 + (x < 0 ? 1 : 0)), cap: 48, rigid: true)
    case .missing:
      try sheet.write(.text(language.missing), row: r, column: c, style: Self.missing)
    case .change(let x, let quantity):
      let style: CellStyle =
        switch quantity {
        case .rate: pointsChange
        case .count: Self.countChange
        case .decimal: Self.hoursChange
        }
      try sheet.write(.number(quantity == .rate ? x * 100 : x), row: r, column: c, style: style)
      measure(quantity == .rate ? "+100.00\(language.percentagePoints)" : "+100.00%", column: c, rigid: true)
    }
  }

  /// Width in Excel's character units: CJK characters take two.
  private static func displayWidth<S: StringProtocol>(_ line: S) -> Double {
    line.unicodeScalars.reduce(0.0) { $0 + ($1.value >= 0x2E80 ? 2.0 : 1.0) }
  }

  private func measure(_ text: String, column: Int, cap: Double = 48, rigid: Bool = false) {
    var longest = 0.0
    var line = 0.0
    for u in text.unicodeScalars {
      if u == "\n" {
        longest = max(longest, line)
        line = 0
      } else {
        line += u.value >= 0x2E80 ? 2 : 1
      }
    }
    widen(column: column, to: max(longest, line), cap: cap, rigid: rigid)
  }

  private func widen(column: Int, to width: Double, cap: Double, rigid: Bool = false) {
    // Room for the indent of text cells and a little more.
    // Never narrower than before: a later table's capped header must not clip an earlier table's values.
    let w = min(width + 2.5, cap)
    widths[column] = max(widths[column] ?? 8, w)
    if rigid { rigidWidths[column] = max(rigidWidths[column] ?? 0, w) }
  }

  /// The narrowest a column of wrapped text may become: its longest word
  /// (a line breaks between words, and anywhere in CJK text), its unwrapped
  /// cells, and never under 10 characters.
  private func narrowest(_ column: Int) -> Double {
    var longestWord = 0.0
    for cells in wrappedCells.values {
      for (c, text) in cells where c == column {
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
          longestWord = max(
            longestWord, Self.displayWidth(word.unicodeScalars.contains { $0.value >= 0x2E80 } ? word.prefix(1) : word))
        }
      }
    }
    return max(rigidWidths[column] ?? 0, longestWord + 2.5, 10)
  }

  /// The columns' widths as the file stores them, each with 5 pixels of
  /// padding (5/7 of a character), added in column order: a sum in the
  /// dictionary's order would differ in its last bits from run to run, and
  /// so would the file.
  private var printedWidth: Double {
    widths.sorted { $0.key < $1.key }.reduce(0) { $0 + $1.value + 5.0 / 7 }
  }

  /// Narrows the widest columns of wrapped text together, level by level,
  /// until the sheet is `limit` wide or nothing can narrow further: their
  /// rows grow instead, and the sheet prints at 70% or more (issue 16).
  private func narrow(to limit: Double) {
    let floors = Dictionary(uniqueKeysWithValues: widths.keys.map { ($0, narrowest($0)) })
    while true {
      let excess = printedWidth - limit
      let candidates = widths.filter { $0.value > floors[$0.key, default: 0] + 0.001 }
      guard excess > 0.001, let widest = candidates.values.max() else { return }
      let level = candidates.filter { $0.value >= widest - 0.001 }.map(\.key)
      let next = candidates.values.filter { $0 < widest - 0.001 }.max() ?? 0
      let target = max(next, widest - excess / Double(level.count))
      for c in level { widths[c] = max(floors[c, default: 0], target) }
    }
  }

  /// Lines a wrapped text takes in a column of `width` characters.
  private static func lines(_ text: String, width: Double) -> Int {
    let usable = max(width - 1, 1)
    return text.split(separator: "\n", omittingEmptySubsequences: false).reduce(0) {
      $0 + max(1, Int((displayWidth($1) / usable).rounded(.up)))
    }
  }

  /// Column widths (in characters) that print on one A4 landscape page at
  /// 70% (261 mm between the margins; a column of w characters is about
  /// 1.85·w + 1.3 mm): a wider list prints at 70% over several pages instead,
  /// its first (id) column and header row repeated, rather than shrunk to an
  /// illegible 41% (issue 16).
  public static let widthAtSeventyPercent = 186.0
  public static let smallestScale = 70

  /// Column widths, frozen header, filter and print setup.
  /// `repeatHeader` prints the header row on every page (only it, not the
  /// title or notes above); a chart after it starts a page of its own
  /// (`newPage`), so the header prints above the chart, never over it. A
  /// `list` of cases too wide for one page prints over several; other sheets
  /// are fitted to one page wide.
  public func finish(
    headerRow: Int? = nil, freezeHeader: Bool = true, repeatHeader: Bool = true, list: Bool = false,
    onePage: Bool = false, pagesTall: Int = 0
  ) throws {
    // The file stores widths in whole pixels (a seventh of a character): room for each column's rounding.
    if !list { narrow(to: Self.widthAtSeventyPercent - Double(widths.count) / 7) }
    for (c, w) in widths.sorted(by: { $0.key < $1.key }) { try sheet.setColumnWidth(c, w) }
    for (r, cells) in wrappedCells.sorted(by: { $0.key < $1.key }) {
      let lines = cells.map { Self.lines($0.1, width: widths[$0.0] ?? 8) }.max() ?? 1
      if lines > 1 { try sheet.setRowHeight(r, Double(lines) * lineHeight) }
    }
    for p in paragraphs {
      let width = p.columns.reduce(0.0) { $0 + (widths[$1] ?? 8) }
      let lines = Self.lines(p.text, width: width)
      if lines > 1 { try sheet.setRowHeight(p.row, Double(lines) * lineHeight) }
    }
    for (r, points) in fixedHeights.sorted(by: { $0.key < $1.key }) { try sheet.setRowHeight(r, points) }
    if let headerRow, freezeHeader { try sheet.freeze(rows: headerRow + 1) }
    if !breaks.isEmpty { try sheet.pageBreaks(before: breaks) }
    if let t = tables.first {
      try sheet.autofilter(firstRow: t.header, firstColumn: 0, lastRow: t.last, lastColumn: t.columns - 1)
    }
    let printed = printedWidth
    let wide = list && printed > Self.widthAtSeventyPercent
    try sheet.setPrintLayout(
      Worksheet.PrintLayout(
        repeatRows: repeatHeader ? headerRow.map { $0...$0 } : nil, repeatColumns: wide ? 0...0 : nil,
        scale: wide ? Self.smallestScale : nil, footer: language.footer,
        pagesTall: list ? 0 : onePage ? 1 : pagesTall))
  }
}
