import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// The referrals page of the main workbook (issue 32), one page: the
  /// referrals overdue first, the most days past the deadline first, then the
  /// rest as received; every one is in the annex and referrals.csv.
  package func referrals(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.referrals))
    let ordered = data.referrals.enumerated().sorted { a, b in
      let (x, y) = (a.element.daysOverdue ?? -1, b.element.daysOverdue ?? -1)
      return x != y ? x > y : a.offset < b.offset
    }.map(\.element)
    let shown = Array(ordered.prefix(Self.mainWorkbookRows))
    let header = [
      t(.complaintID), t(.principle), t(.category), t(.receivedAt), t(.status), t(.resolvedAt), t(.overdue),
      t(.daysOverdue), t(.slaHours), t(.outcome),
    ]
    try s.paragraph(
      language.shownOfAll(
        shown.count, of: data.referrals.count, order: t(.overdueFirst), sheet: t(.referrals), file: Registers.referrals),
      columns: header.count)
    let top = try s.table(
      header: header,
      rows: shown.map { c in
        [
          .text(c.complaintID), .count(c.principle), .text(language.word(.category, c.category)),
          .text(data.local(c.receivedAt)), .text(language.word(.status, c.status)), .text(data.local(c.resolvedAt)),
          .text(overdueMark(c) ?? ""), daysOverdueCell(c), Cell.sla(c.slaHours),
          .text(language.word(.outcome, c.outcome)),
        ]
      }, filter: false)
    if data.referrals.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.finish(headerRow: top, freezeHeader: false, repeatHeader: false, onePage: true)
  }

  /// Every regulator referral received in the quarter or open at its start, in the annex.
  package func referralsRegister(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.referrals))
    let top = try s.table(
      header: [
        t(.complaintID), t(.principle), t(.category), t(.receivedAt), t(.status), t(.resolvedAt), t(.hoursToResolve),
        t(.overdue), t(.daysOverdue), t(.slaHours), t(.outcome), t(.actionTaken),
      ],
      rows: data.referrals.map { c in
        [
          .text(c.complaintID), .count(c.principle), .text(language.word(.category, c.category)),
          .text(data.local(c.receivedAt)), .text(language.word(.status, c.status)), .text(data.local(c.resolvedAt)),
          c.hoursToResolve.map { .hours($0) } ?? .text(""), .text(overdueMark(c) ?? ""),
          daysOverdueCell(c), Cell.sla(c.slaHours),
          .text(language.word(.outcome, c.outcome)),
          .text(language.word(.actionTaken, c.actionTaken)),
        ]
      }, filter: true)
    if data.referrals.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.finish(headerRow: top, list: true)
  }

  /// Whole days past the deadline; a complaint late by less than a day says
  /// so, not "0", which read as on time beside "resolved late" (reader39).
  func daysOverdueCell(_ c: ReportData.ComplaintRow) -> Cell {
    guard let days = c.daysOverdue else { return .text("") }
    return days == 0 ? .text(t(.underADay)) : .count(days)
  }

  /// A register's overdue mark: overdue at the end if open, resolved late if resolved after its deadline.
  func overdueMark(_ c: ReportData.ComplaintRow) -> String? {
    c.isOverdue ? t(.overdueMark) : c.isResolvedLate ? t(.resolvedLate) : nil
  }
}
