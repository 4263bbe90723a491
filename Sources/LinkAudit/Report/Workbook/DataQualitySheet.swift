import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// The data quality page of the main workbook (issue 32), one page: how
  /// recent the data are and their gaps, the batches by kind, the first
  /// rejected rows and hosts that mix scripts; the annex lists every batch
  /// with its hash, every rejected row (up to its limit) and every such host.
  package func dataQuality(_ workbook: Workbook) throws {
    let s = try Sheet(workbook, t(.dataQuality), language: language)
    try s.title(t(.dataQuality))
    try dataAge(on: s)
    s.row += 1
    // In the order they were first imported, as the annex lists the batches: not by the kind's code,
    // which would put a warehouse's rollups elsewhere than the link logs they stand for.
    var kinds: [String] = []
    for b in data.batches.sorted(by: { $0.batchID < $1.batchID }) where !kinds.contains(b.kind) { kinds.append(b.kind) }
    let top = try s.table(
      header: [t(.kind), t(.batches), t(.rowsRead), t(.rowsStored), t(.rowsDuplicate), t(.rowsRejected)],
      rows: kinds.map { kind in
        let b = data.batches.filter { $0.kind == kind }
        func sum(_ f: (ReportData.Batch) -> Int64) -> Cell { .count(b.reduce(0) { $0 + f($1) }) }
        return [
          .text(language.word(.batchKind, kind)), .count(Int64(b.count)), sum(\.rowsRead), sum(\.rowsStored),
          sum(\.rowsDuplicate), sum(\.rowsRejected),
        ]
      }, filter: false)
    s.row += 1
    // The first ten of each list: the annex's Data quality sheet lists them all.
    try rejectedRowsAndHosts(on: s, limit: 10)
    s.row += 1
    try s.paragraph(t(.dataQualityInAnnex), columns: 6)
    try s.finish(headerRow: top, freezeHeader: false, repeatHeader: false, onePage: true)
  }

  /// How recent the data are, and their gaps: a silent complaint feed is a gap to explain, like a day without events.
  private func dataAge(on s: Sheet) throws {
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
  }

  /// Every batch the figures rest on, with its hash, every rejected row (up
  /// to `ReportData.rejectedRowLimit`) and every host that mixes scripts: in the annex.
  package func dataQualityRegister(_ workbook: Workbook) throws {
    let s = try Sheet(workbook, t(.dataQuality), language: language)
    try s.title(t(.dataQuality))
    try dataAge(on: s)
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
    try rejectedRowsAndHosts(on: s, limit: nil)
    try s.finish(headerRow: top)
  }

  /// The rejected rows and the hosts that mix scripts, the first `limit` of each (nil: all the report holds).
  private func rejectedRowsAndHosts(on s: Sheet, limit: Int?) throws {
    try s.heading(language.labelled(t(.rowsRejected), "\(data.rejectedRowsTotal)"))
    if data.rejectedRows.isEmpty {
      try s.line([.text(t(.noRejectedRows))])
    } else {
      try s.table(
        header: [t(.file), t(.line), t(.column), t(.error)],
        rows: data.rejectedRows.prefix(limit ?? .max).map {
          [.text($0.fileName), .count($0.line), .text($0.column ?? ""), .wrapped($0.error)]
        },
        filter: false)
    }
    s.row += 1
    try s.heading(language.labelled(t(.homographHosts), "\(data.homographHosts.count)"))
    if data.homographHosts.isEmpty {
      try s.line([.text(t(.noHomographHosts))])
    } else {
      if limit == nil { try s.line([.wrapped(t(.homographNote))]) }
      try s.table(
        header: [t(.host), t(.punycode), t(.domain), t(.scripts), t(.events)],
        rows: data.homographHosts.prefix(limit ?? .max).map {
          [
            .text($0.host), .text($0.hostASCII), .text($0.domain),
            .text($0.scripts.map(language.scriptName).joined(separator: language.listSeparator)), .count($0.events),
          ]
        },
        filter: false)
    }
  }
}
