import Foundation
import Testing

@testable import LinkAudit

/// The ratings sheet on paper (issue 32): at most two A4 landscape pages,
/// page 1 the model and the rated platforms, page 2 the platforms not rated
/// and the scores' chart; no table runs under another's header.
@Suite struct RatingsSheetTests {
  /// The pages a sheet prints on, estimated from its layout as a spreadsheet
  /// prints it: fitted to one page wide (columns of w characters are 7·w
  /// pixels, ¾ of a point each), its rows' heights at that scale, a page
  /// ending at each manual break or where the next row would not fit.
  static func pages(_ l: [String: String]) -> [ClosedRange<Int>] {
    func inches(_ key: String) -> Double { Double(l[key] ?? "") ?? 0 }
    let (width, height) = l["orientation"] == "landscape" ? (11.69, 8.27) : (8.27, 11.69)
    let printableWidth = (width - inches("margin.left") - inches("margin.right")) * 72
    let printableHeight = (height - inches("margin.top") - inches("margin.bottom")) * 72
    let sheetWidth = (Double(l["width"] ?? "") ?? 0) * 7 * 0.75
    let scale = l["fitToPage"] == "1" ? min(1, printableWidth / sheetWidth) : (Double(l["scale"] ?? "100") ?? 100) / 100
    let standard = Double(l["defaultRowHeight"] ?? "") ?? 15
    let chartEnd = (l["charts"] ?? "").split(separator: ",").compactMap { Int($0.split(separator: "-").last ?? "") }
    let last = max(Int(l["lastRow"] ?? "") ?? 0, chartEnd.max() ?? 0)
    let breaks = Set((l["breaks"] ?? "").split(separator: ",").compactMap { Int($0) })
    var pages: [ClosedRange<Int>] = []
    var first = 1
    var used = 0.0
    for row in 1...max(last, 1) {
      let h = (Double(l["row.\(row)"] ?? "") ?? standard) * scale
      if used + h > printableHeight, row > first {
        pages.append(first...(row - 1))
        (first, used) = (row, 0)
      }
      used += h
      if breaks.contains(row) {
        pages.append(first...row)
        (first, used) = (row + 1, 0)
      }
    }
    if first <= last { pages.append(first...last) }
    return pages
  }

  @Test func theRatingsSheetPrintsOnTwoPagesTheRatedOnTheFirst() throws {
    let store = try MetricCatalogueTests.loaded()
    // Every platform with an event rated, the others not: both tables and the chart print.
    var model = try RatingModel.load(path: ReportPackageTests.templates + "/rating-model.yaml")
    model.minEvents = 1
    let out = try ReportPackageTests().write(store, model: model)
    for language in ReportLanguage.allCases {
      let path = out + "/linkaudit-2021-Q4.\(language.rawValue).xlsx"
      let sheet = language.text(.ratings)
      let layout = try #require(try XlsxReading.printLayout(path)[sheet], "\(language)")
      let cells = try #require(try XlsxReading.cells(path)[sheet])
      // The headers' rows (from 1), found by the platform column's title in column A.
      let headers = cells.filter { $0.key.hasPrefix("A") && $0.value == language.text(.platform) }
        .compactMap { Int($0.key.dropFirst()) }.sorted()
      #expect(headers.count == 2, "\(language): the rated and the unrated table: \(headers)")
      let pages = Self.pages(layout)
      #expect(pages.count == 2, "\(language): \(pages) \(layout)")
      // The rated table whole on page 1; the unrated table and the chart on page 2, under no other header.
      #expect(layout["breaks"]?.split(separator: ",").count == 1, "\(language): \(layout)")
      #expect(layout["titles"] == nil, "\(language): no header repeats over another table")
      if let rated = headers.first, let unrated = headers.last, pages.count == 2 {
        #expect(pages[0].contains(rated) && pages[1].contains(unrated), "\(language): \(pages) \(headers)")
        let chart = (layout["charts"] ?? "").split(separator: "-").compactMap { Int($0) }
        #expect(chart.count == 2 && chart.allSatisfy(pages[1].contains), "\(language): chart \(chart) \(pages)")
      }
      // No id column: the name is the platform.
      #expect(!cells.values.contains("douyin") && cells.values.contains(language == .zh ? "抖音" : "Douyin"))
    }
  }
}
