import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// The methodology in words, on at most two pages (issue 32): the period
  /// and zone, who is counted, then what each family of figures counts. Every
  /// figure's id, definition and SQL are in methodology.LANG.md, and the
  /// figures retired, with what replaced them, too.
  package func methodology(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.methodology))
    // One column as wide as the page at 100%: the paragraphs read as a text, not as cells.
    s.reserve(column: 0, width: 110)
    let colon = language == .zh ? "：" : ": "
    try s.paragraph(t(.timeZone) + colon + language.zoneName(data.timeZone), columns: 1)
    if let r = data.ratings { try s.paragraph(t(.window) + colon + r.window(in: language), columns: 1) }
    s.row += 1
    let paragraphs =
      [(t(.populations), t(.populationsPlain)), (t(.detectedBy), t(.detectorNote))] + Self.summaryParagraphs(language)
    for (heading, text) in paragraphs {
      // A blank row between sections: a heading never sits on the text above it.
      if heading != paragraphs[0].0 { s.row += 1 }
      try s.heading(heading)
      try s.paragraph(text, columns: 1)
    }
    s.row += 1
    try s.paragraph(t(.sqlInMethodologyFile), columns: 1)
    try s.finish(freezeHeader: false, repeatHeader: false, pagesTall: 2)
  }

  static func summaryParagraphs(_ language: ReportLanguage) -> [(String, String)] {
    ReportLanguage.methodologySummary.map { language == .zh ? $0.zh : $0.en }
  }
}
