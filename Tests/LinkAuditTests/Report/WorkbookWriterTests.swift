import Foundation
import LinkAudit
import LinkAuditXlsx
import Testing

/// How a sheet of the workbook sizes its columns for paper.
@Suite struct WorkbookWriterTests {
  /// A change is taken between the values as printed (reader39): 47.9234% and
  /// 34.8756% print 47.92% and 34.88%, and the change between them is −13.04
  /// points, not the −13.0478 of the unrounded values (−13.05 printed).
  @Test func aChangeIsTheDifferenceOfThePrintedValues() {
    let (a, b) = (0.348756, 0.479234)
    #expect(String(format: "%.2f", (a - b) * 100) == "-13.05", "the unrounded difference prints otherwise")
    let change = MetricKind.rate.shown(a) - MetricKind.rate.shown(b)
    #expect(String(format: "%.2f", change * 100) == "-13.04")
    #expect(MetricKind.hours.shown(39.704) - MetricKind.hours.shown(41.196) == 39.70 - 41.20)
    #expect(MetricKind.count.shown(12) == 12)
  }

  let dir = TemporaryDirectory()

  /// A sheet whose wrapped columns add up past one A4 page at 70% is
  /// narrowed there: the wrapped columns give way (their rows grow), the
  /// unwrapped text keeps its width. A list of cases is not narrowed: it
  /// prints over several pages at 70% instead.
  @Test func aWideSheetNarrowsItsWrappedColumnsToFitThePage() throws {
    let path = dir.file("wide.xlsx")
    let workbook = try Workbook(path: path)
    let sentence = "a definition of some length that wraps over several lines of its cell"
    let name = String(repeating: "n", count: 40)
    for (title, list) in [("Fitted", false), ("List", true)] {
      let sheet = try Sheet(workbook, title, language: .en)
      let top = try sheet.table(
        header: ["name", "one", "two", "three", "four", "five"],
        rows: [[.text(name)] + Array(repeating: Cell.wrapped(sentence), count: 5)], filter: false)
      try sheet.finish(headerRow: top, list: list)
    }
    try workbook.close()
    let layout = try XlsxReading.printLayout(path)
    let fitted = try #require(layout["Fitted"])
    let list = try #require(layout["List"])
    func width(_ l: [String: String], _ column: Int) -> Double { Double(l["col.\(column)"] ?? "") ?? 0 }

    // Unnarrowed: 40 + 2.5 for the name, 36 for each wrapped column, and
    // each column's padding of 5/7: 227 characters, past 186.
    #expect(abs((Double(list["width"] ?? "") ?? 0) - 227) <= 1, "\(list)")
    #expect(list["scale"] == "70")
    #expect((Double(fitted["width"] ?? "") ?? .infinity) <= WorkbookSheetWidth.atSeventyPercent, "\(fitted)")
    #expect(fitted["fitToPage"] == "1")
    #expect(abs(width(fitted, 1) - width(list, 1)) < 0.01, "the name column keeps its width")
    // The five wrapped columns share the narrowing: (186 - 6/7 for rounding
    // - 6 · 5/7 of padding - 42.5) / 5 ≈ 27.7, stored with its padding as 28.4.
    for c in 2...6 {
      #expect(width(fitted, c) < 29 && width(fitted, c) > 26, "column \(c): \(fitted)")
    }
    // The data row (row 2) is taller where its columns are narrower: the
    // 69 characters take 3 lines of 15 points at 27.7, 2 at 36.
    #expect(fitted["row.2"] == "45", "\(fitted)")
    #expect(list["row.2"] == "30", "\(list)")
  }

  /// Narrowing stops at a wrapped column's longest word and its unwrapped cells.
  @Test func narrowingStopsAtTheLongestWord() throws {
    let path = dir.file("words.xlsx")
    let workbook = try Workbook(path: path)
    let word = String(repeating: "w", count: 30)
    let sheet = try Sheet(workbook, "Words", language: .en)
    let top = try sheet.table(
      header: Array(repeating: "h", count: 8),
      rows: [Array(repeating: Cell.wrapped("\(word) and more words to wrap"), count: 8)], filter: false)
    try sheet.finish(headerRow: top)
    try workbook.close()
    let layout = try #require(try XlsxReading.printLayout(path)["Words"])
    // Eight columns of 36 would need 294 characters; none goes below 30 + 2.5.
    for c in 1...8 {
      #expect((Double(layout["col.\(c)"] ?? "") ?? 0) >= 32.5, "column \(c): \(layout)")
    }
  }

  /// A table whose last column spans on to a later one merges its header
  /// and each row's text across them, its rows a line each where the text
  /// fits; a span of one column is written plainly, and no header at all is no
  /// crash (its row is left blank).
  @Test func aSpanningTableMergesItsLastColumn() throws {
    let path = dir.file("span.xlsx")
    let workbook = try Workbook(path: path)
    let sheet = try Sheet(workbook, "Span", language: .en)
    try sheet.table(
      header: ["wide", "a", "b", "c", "d"], rows: [[.text("x"), .count(1), .count(2), .count(3), .count(4)]],
      filter: false)
    try sheet.table(header: ["name", "why"], rows: [([.text("n")], "a reason of some length")], spanningTo: 4)
    try sheet.table(header: ["name", "why"], rows: [([.text("m")], "one column")], spanningTo: 1)
    try sheet.table(header: [], rows: [([], "no header")], spanningTo: 0)
    try sheet.finish()
    try workbook.close()
    let layout = try #require(try XlsxReading.printLayout(path)["Span"])
    #expect(layout["merges"] == "B3:E3,B4:E4", "\(layout)")
    let cells = try #require(try XlsxReading.cells(path)["Span"])
    #expect(cells["B4"] == "a reason of some length" && cells["B6"] == "one column" && cells["A8"] == "no header")
    #expect(layout["row.4"] == nil, "one line: \(layout)")
  }
}
