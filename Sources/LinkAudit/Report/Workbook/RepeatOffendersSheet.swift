import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// The domains most restricted for principles 1-3 over the last four quarters, by name.
  package func repeatOffenders(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.repeatOffenders))
    try s.paragraph(t(.repeatOffendersNote), columns: 8)
    let top = try s.table(
      header: [
        t(.rank), t(.domain), t(.platform), t(.restrictions), t(.monthsRestricted), t(.upheld),
        t(.decisionsStandingAtEnd), t(.opensUnderDecisions),
      ],
      rows: data.repeatOffenders.enumerated().map { i, d in
        [
          .count(Int64(i + 1)), .text(d.domain), .text(data.platformName(d.platformID, in: language)),
          .count(d.restrictions), .text(data.months(d.months)), .count(d.upheld), .count(d.decisionsStanding),
          .count(d.opensUnderDecisions),
        ]
      }, filter: false)
    if data.repeatOffenders.isEmpty { try s.line([.text(t(.noCases))]) }
    // At most `ReportData.repeatOffenderLimit` rows: one page.
    try s.finish(headerRow: top, freezeHeader: false, repeatHeader: false, onePage: true)
  }
}
