import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  package func dataQuality(_ workbook: Workbook) throws {
    let s = try Sheet(workbook, t(.dataQuality), language: language)
    try s.title(t(.dataQuality))
    // How recent the data are, and their gaps: a silent complaint feed is a gap to explain, like a day without events.
    let days = data.current[.daysSinceLastComplaint]?.double
    let flag = language.complaintSilence(days)
    let silence = days.map { flag.isEmpty ? Int($0).grouped : "\(Int($0)) · \(flag)" } ?? "—"
    // A line each, unmeasured: labels this long would widen the batch table's id column below.
    for (label, value) in [
      (t(.latestEvent), data.latestEventAt.map { data.local($0) } ?? "—"),
      (t(.latestComplaint), data.latestComplaintAt.map { data.local($0) } ?? "—"),
      (t(.daysWithoutEvents), data.daysWithoutEvents.isEmpty ? t(.noDays) : data.daysWithoutEventsText),
      (t(.daysSinceLastComplaint), silence),
      (t(.batches), data.batches.count.grouped),
    ] {
      try s.line([.text(language.labelled(label, value))])
    }
    s.row += 1
    let top = try s.table(
      header: [
        t(.batch), t(.kind), t(.file), t(.importedAt), t(.rowsRead), t(.rowsStored), t(.rowsDuplicate),
        t(.rowsRejected),
        t(.sha256),
      ],
      rows: data.batches.map { b in
        [
          .count(b.batchID), .text(language.word(.batchKind, b.kind)), .text(language.batchFileName(b.fileName)),
          .text(data.local(b.importedAt)), .count(b.rowsRead),
          .count(b.rowsStored), .count(b.rowsDuplicate), .count(b.rowsRejected), .digest(b.sha256),
        ]
      }, filter: true)
    s.row += 1
    try s.heading(language.labelled(t(.rowsRejected), "\(data.rejectedRowsTotal)"))
    if data.rejectedRows.isEmpty {
      try s.line([.text(t(.noRejectedRows))])
    } else {
      try s.table(
        header: [t(.file), t(.line), t(.column), t(.error)],
        rows: data.rejectedRows.map {
          [.text($0.fileName), .count($0.line), .text($0.column ?? ""), .wrapped($0.error)]
        },
        filter: false)
    }
    s.row += 1
    try s.heading(language.labelled(t(.homographHosts), "\(data.homographHosts.count)"))
    if data.homographHosts.isEmpty {
      try s.line([.text(t(.noHomographHosts))])
    } else {
      try s.line([.wrapped(t(.homographNote))])
      try s.table(
        header: [t(.host), t(.punycode), t(.domain), t(.scripts), t(.events)],
        rows: data.homographHosts.map {
          [
            .text($0.host), .text($0.hostASCII), .text($0.domain),
            .text($0.scripts.map(language.scriptName).joined(separator: language.listSeparator)),
            .count($0.events),
          ]
        },
        filter: false)
    }
    try s.finish(headerRow: top)
  }
}
