import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// How many decisions and events the main workbook's pages list: a page each;
  /// the annex and the CSV registers hold every one.
  package static let mainWorkbookRows = 15

  /// The decisions page of the main workbook (issue 32), one page: the
  /// decisions least enforced first, then the most taps, with what a reader
  /// weighs (scope, target, in force from and until, taps, enforced, reached);
  /// then the upheld complaints closed without the prescribed action.
  package func decisions(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.decisions))
    let columns = 10
    try s.paragraph(t(.decisionsNote), columns: columns)
    let least = data.decisionsLeastEnforcedFirst
    let listed = Set(least.map(\.complaintID))
    let rest = data.decisions.filter { !listed.contains($0.complaintID) }.sorted {
      $0.taps != $1.taps ? $0.taps > $1.taps : $0.complaintID < $1.complaintID
    }
    let shown = Array((least + rest).prefix(Self.mainWorkbookRows))
    try s.paragraph(
      language.shownOfAll(
        shown.count, of: data.decisions.count, order: t(.leastEnforcedFirst), sheet: t(.decisions),
        file: Registers.decisions), columns: columns)
    let top = try s.table(
      header: [
        t(.complaintID), t(.principle), t(.scope), t(.target), t(.standsFrom), t(.restoredAt), t(.tapsUnder),
        t(.tapsEnforced), t(.decisionEnforcementRate), t(.tapsReached),
      ],
      rows: shown.map { d in
        [
          .text(d.complaintID), .count(d.principle), .text(language.word(.actionTaken, d.scope)), .wrapped(d.target),
          .text(data.local(d.standsFrom)), .text(data.local(d.standsUntil)), .count(d.taps), .count(d.enforced),
          d.enforcementRate.map { .rate($0) } ?? .text("—"), .count(d.reached),
        ]
      }, filter: false)
    if data.decisions.isEmpty { try s.line([.text(t(.noCases))]) }
    s.row += 1
    try upheldWithoutAction(on: s)
    try s.finish(headerRow: top, freezeHeader: false, repeatHeader: false, onePage: true)
  }

  /// The upheld complaints of principles 1-3 closed without the prescribed action.
  func upheldWithoutAction(on s: Sheet) throws {
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
  }

  /// The decisions register in full (also `decisions.csv`), in the annex,
  /// then the upheld complaints of principles 1-3 closed without a block.
  package func decisionsRegister(_ workbook: Workbook) throws {
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
    try upheldWithoutAction(on: s)
    try s.finish(headerRow: top, list: true)
  }
}
