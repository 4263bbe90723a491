import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// The decisions register (also `decisions.csv`), then the upheld
  /// complaints of principles 1-3 closed without a block.
  package func decisions(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.decisions))
    let header =
      [
        t(.complaintID), t(.principle), t(.category), t(.scope), t(.target), t(.receivedAt), t(.resolvedAt),
        t(.standsFrom), t(.restoredAt), t(.tapsUnder), t(.tapsEnforced), t(.decisionEnforcementRate),
        t(.tapsReached),
      ] + LinkAction.allCases.map { language.word(.action, $0.rawValue) }
    // Wrapped over the register's first seven columns (id to resolved at), those of its first printed
    // page: the register prints over two pages wide, and on one line the note was cut at the page's edge.
    try s.paragraph(t(.decisionsNote), columns: 7)
    let top = try s.table(
      header: header,
      rows: data.decisions.map { d in
        [
          .text(d.complaintID), .count(d.principle), .text(language.word(.category, d.category)),
          .text(language.word(.actionTaken, d.scope)),
          .text(d.target), .text(data.local(d.receivedAt)), .text(data.local(d.resolvedAt)),
          .text(data.local(d.standsFrom)), .text(data.local(d.standsUntil)), .count(d.taps), .count(d.enforced),
          d.enforcementRate.map { .rate($0) } ?? .text("—"), .count(d.reached), .count(d.opened), .count(d.proceeded),
          .count(d.wentBack), .count(d.blocked),
        ]
      }, filter: true)
    if data.decisions.isEmpty { try s.line([.text(t(.noCases))]) }
    s.row += 1
    try s.heading(t(.upheldWithoutAction))
    _ = try s.table(
      header: [
        t(.complaintID), t(.principle), t(.category), t(.channel), t(.receivedAt), t(.resolvedAt), t(.actionTaken),
        t(.prescribed),
      ],
      rows: data.upheldWithoutAction.map { c in
        [
          .text(c.complaintID), .count(c.principle), .text(language.word(.category, c.category)),
          .text(language.word(.channel, c.channel)),
          .text(data.local(c.receivedAt)), .text(data.local(c.resolvedAt)),
          .text(language.word(.actionTaken, c.actionTaken)), .text(language.word(.treatment, c.prescribed)),
        ]
      }, filter: false)
    if data.upheldWithoutAction.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.finish(headerRow: top, list: true)
  }
}
