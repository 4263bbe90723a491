import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  package func complaints(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.complaints))
    // The reporter's pseudonym only where filer.yaml asks for it: the
    // regulator has no stated need of it, and the filing keeps what it needs.
    let pseudonyms = filer?.reporterPseudonyms == true
    let top = try s.table(
      header: [t(.complaintID)] + (pseudonyms ? [t(.reporter)] : []) + [
        t(.receivedAt), t(.category), t(.principle), t(.channel), t(.status),
        t(.resolvedAt), t(.hoursToResolve), t(.slaHours), t(.outcome), t(.duplicateOf), t(.actionTaken), t(.url),
        t(.domain), t(.platform), t(.description),
      ],
      rows: data.complaints.map { c in
        [.text(c.complaintID)] + (pseudonyms ? [.text(c.reporter)] : []) + [
          .text(data.local(c.receivedAt)),
          .text(language.word(.category, c.category)), .count(c.principle), .text(language.word(.channel, c.channel)),
          .text(language.word(.status, c.status)),
          .text(data.local(c.resolvedAt)), c.hoursToResolve.map { .hours($0) } ?? .text(""),
          Cell.sla(c.slaHours), .text(language.word(.outcome, c.outcome)), .text(c.duplicateOf ?? ""),
          .text(language.word(.actionTaken, c.actionTaken)), .text(c.url), .text(c.domain),
          .text(data.platformName(c.platformID, in: language)),
          .wrapped(c.description ?? ""),
        ]
      }, filter: true)
    try s.finish(headerRow: top, list: true)
  }
}
