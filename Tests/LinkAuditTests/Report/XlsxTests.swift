import Foundation
import Testing

@testable import LinkAudit

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
    ws.freeze(rows: 1)
    try ws.autofilter(firstRow: 0, firstColumn: 0, lastRow: 1, lastColumn: 2)
    try ws.setPrintLayout(repeatRows: 0)
    let chart = wb.addChart(.column, title: "Counts")
    chart.addSeries(name: "count", categories: "=Summary!$A$2:$A$2", values: "=Summary!$B$2:$B$2")
    try ws.insert(chart, row: 4, column: 0)
    try wb.close()
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(bytes.prefix(2) == Data("PK".utf8))
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

  @Test func unwritablePathIsAnErrorAtClose() throws {
    let wb = try Workbook(path: dir.file("no/such/dir/out.xlsx"))
    try wb.addWorksheet("S").write(.text("x"), row: 0, column: 0)
    let error = try #require(throws: XlsxError.self) { try wb.close() }
    #expect(error.path.hasSuffix("no/such/dir/out.xlsx"))
    #expect(!error.message.isEmpty)
  }

  @Test func invalidSheetNameIsAnError() throws {
    let wb = try Workbook(path: dir.file("x.xlsx"))
    #expect(throws: XlsxError.self) { try wb.addWorksheet("bad/name[1]") }
  }
}
