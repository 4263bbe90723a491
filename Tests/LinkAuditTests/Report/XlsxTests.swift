import Foundation
import LinkAuditXlsx
import Testing

@Suite struct XlsxTests {
  let dir = TemporaryDirectory()

  @Test func writesAWorkbookWithFormatsAndAChart() throws {
    let path = dir.file("out.xlsx")
    let wb = try Workbook(path: path)
    try wb.setProperties(
      DocumentProperties(title: "T", author: "linkaudit", created: Date(timeIntervalSince1970: 1_633_000_000)))
    let ws = try wb.addWorksheet("Summary")
    try ws.writeRow([.text("名称"), .text("count"), .text("rate")], row: 0, styles: [.header])
    try ws.writeRow([.text("淘宝"), .number(1234), .number(0.5)], row: 1, styles: [.plain, .integer, .percent])
    try ws.setColumnWidth(0, 20)
    try ws.freeze(rows: 1)
    try ws.autofilter(firstRow: 0, firstColumn: 0, lastRow: 1, lastColumn: 2)
    try ws.setPrintLayout(Worksheet.PrintLayout(repeatRows: 0...0))
    let chart = try wb.addChart(.column, title: "Counts")
    try chart.addSeries(
      name: "count", categories: CellRange(sheet: "Summary", rows: 1...1, columns: 0...0),
      values: CellRange(sheet: "Summary", rows: 1...1, columns: 1...1))
    try ws.insert(chart, row: 4, column: 0)
    try wb.close()
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(bytes.prefix(2) == Data("PK".utf8))
  }

  /// A chart's cells are given as rows and columns; only `CellRange` writes
  /// them as A1 text: past column Z, and with any sheet name quoted.
  @Test func aCellRangeIsWrittenAsA1Text() {
    #expect(CellRange(sheet: "Summary", rows: 4...4, columns: 1...8).formula == "='Summary'!$B$5:$I$5")
    #expect(CellRange(sheet: "原则四", rows: 0...2, columns: 0...0).formula == "='原则四'!$A$1:$A$3")
    #expect(CellRange(sheet: "Bob's", rows: 0...0, columns: 25...26).formula == "='Bob''s'!$Z$1:$AA$1")
    #expect(CellRange.letters(701) == "ZZ")
    #expect(CellRange.letters(702) == "AAA")
  }

  /// Issue 32: a workbook with a font declares it in every cell format and
  /// chart, so Chinese prints the same on a machine without a CJK default font.
  @Test func aWorkbookFontIsDeclaredByEveryFormatAndChart() throws {
    for font in [Font.chinese, nil] {
      let path = dir.file("font-\(font == nil).xlsx")
      let wb = try Workbook(path: path, font: font)
      let ws = try wb.addWorksheet("表")
      try ws.write(.text("名称"), row: 0, column: 0)
      try ws.write(.number(1), row: 1, column: 0, style: .integer)
      try ws.write(.text("标题"), row: 2, column: 0, style: .title)
      let chart = try wb.addChart(.bar, title: "图")
      let cells = CellRange(sheet: "表", rows: 1...1, columns: 0...0)
      try chart.addSeries(name: "n", categories: cells, values: cells, labels: true)
      try ws.insert(chart, row: 4, column: 0)
      try wb.close()
      let fonts = try XlsxReading.fonts(path)
      let names = try #require(fonts["cells"])
      // Font 0 is the workbook's default (Calibri, for cells never written); every format's own after it.
      #expect(names["0"] == "Calibri")
      #expect(names.count >= 2, "the default and the title's at least")
      for (index, name) in names where index != "0" {
        #expect(name == (font == nil ? "Calibri" : "等线"), "font \(index): \(name)")
      }
      #expect(fonts["charts"]?.values.allSatisfy { $0 == (font == nil ? "" : "等线") } == true, "\(fonts)")
    }
  }

  @Test func sameContentGivesTheSameBytes() throws {
    func write(_ name: String) throws -> Data {
      let wb = try Workbook(path: dir.file(name))
      try wb.setProperties(DocumentProperties(title: "T", created: Date(timeIntervalSince1970: 1_633_000_000)))
      try wb.addWorksheet("S").write(.number(1), row: 0, column: 0)
      try wb.close()
      return try Data(contentsOf: URL(fileURLWithPath: dir.file(name)))
    }
    #expect(try write("a.xlsx") == write("b.xlsx"))
  }

  /// The workbook's file is opened as the workbook is made (by linkaudit, not
  /// libxlsxwriter, red-team F15): a path that cannot be written fails there, named.
  @Test func unwritablePathIsAnErrorAsTheWorkbookIsMade() throws {
    let error = try #require(throws: XlsxError.self) { try Workbook(path: dir.file("no/such/dir/out.xlsx")) }
    #expect(error.path.hasSuffix("no/such/dir/out.xlsx"))
    #expect(
      error.localizedDescription.hasSuffix("out.xlsx: No such file or directory"), "\(error.localizedDescription)")
  }

  /// Issue 12, finding 22: a sheet or chart used after its workbook is closed
  /// (which frees them in libxlsxwriter) is an error, not a use after free.
  @Test func sheetsAndChartsRefuseUseAfterTheWorkbookIsClosed() throws {
    let wb = try Workbook(path: dir.file("closed.xlsx"))
    let ws = try wb.addWorksheet("S")
    let chart = try wb.addChart(.bar, title: "t")
    try wb.close()
    #expect(throws: XlsxError.self) { try ws.write(.text("late"), row: 0, column: 0) }
    #expect(throws: XlsxError.self) { try ws.freeze(rows: 1) }
    #expect(throws: XlsxError.self) { try chart.hideLegend() }
    #expect(throws: XlsxError.self) { try wb.addWorksheet("T") }
  }

  /// Findings 18, 19, 22: no text can make a cell Excel refuses or XML that does not parse.
  @Test func cellTextIsCappedAndCleaned() {
    #expect(Workbook.cellText("plain\ttext\n") == "plain\ttext\n")
    #expect(Workbook.cellText("a\u{FFFE}b\u{1}c") == "a\u{FFFD}b\u{FFFD}c")
    let long = Workbook.cellText(String(repeating: "e\u{301}", count: 20_000))
    #expect(long.unicodeScalars.count == Workbook.maxCellCharacters)
    #expect(long.hasSuffix("[cut at 32,767 characters]"))
  }

  @Test func workbooksClosedAtOnceAreWhole() throws {
    let dir = self.dir
    @Sendable func write(_ name: String) throws {
      let wb = try Workbook(path: dir.file(name))
      try wb.setProperties(DocumentProperties(title: "T", created: Date(timeIntervalSince1970: 1_633_000_000)))
      let ws = try wb.addWorksheet("S")
      for r in 0..<2000 { try ws.writeRow([.text("row \(r)"), .number(Double(r))], row: r) }
      try wb.close()
    }
    try write("reference.xlsx")
    let reference = try Data(contentsOf: URL(fileURLWithPath: dir.file("reference.xlsx")))
    DispatchQueue.concurrentPerform(iterations: 8) { i in try? write("c\(i).xlsx") }
    for i in 0..<8 { #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("c\(i).xlsx"))) == reference) }
  }

  @Test func invalidSheetNameIsAnError() throws {
    let wb = try Workbook(path: dir.file("x.xlsx"))
    #expect(throws: XlsxError.self) { try wb.addWorksheet("bad/name[1]") }
  }
}
