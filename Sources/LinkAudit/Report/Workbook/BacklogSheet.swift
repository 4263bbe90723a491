import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// Every complaint open at the quarter's end (by principle, then receipt),
  /// then every one that fell due in the quarter and was resolved late (the
  /// deadline of `pN.due`: with the open ones, every miss of `pN.due_met`).
  package func backlog(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.backlog))
    let top = try s.table(
      header: [
        t(.complaintID), t(.listedAs), t(.principle), t(.category), t(.channel), t(.receivedAt),
        t(.daysOverdue), t(.hoursToResolve), t(.slaHours), t(.status), t(.outcome),
      ],
      rows: data.backlog.map { c in
        let listed: ReportLanguage.Term =
          c.hoursOpenAtEnd == nil ? .resolvedLate : c.isOverdue ? .openOverdue : .openAtEnd
        return [
          .text(c.complaintID), .text(t(listed)), .count(c.principle), .text(language.word(.category, c.category)),
          .text(language.word(.channel, c.channel)), .text(data.local(c.receivedAt)),
          daysOverdueCell(c),
          c.hoursToResolve.map { .hours($0) } ?? .text(""), Cell.sla(c.slaHours),
          .text(language.word(.status, c.status)), .text(language.word(.outcome, c.outcome)),
        ]
      }, filter: true)
    if data.backlog.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.finish(headerRow: top, list: true)
  }
}
