import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  package func methodology(_ workbook: Workbook) throws {
    let s = try Sheet(workbook, t(.methodology), language: language)
    try s.title(t(.methodology))
    let parameters = data.current.parameters
    try s.pairs(
      [
        (":start", .text(parameters[":start"]?.text ?? "")),
        (":end", .text(parameters[":end"]?.text ?? "")),
        (t(.timeZone), .text(language.zoneName(data.timeZone))),
      ]
        + (data.ratings.map { r in
          [
            (
              ":window_start",
              .text(QuarterRatings.parameters(data.quarter, data.timeZone, r.model)[":window_start"]?.text ?? "")
            )
          ]
        } ?? []))
    try s.line([.text(t(.populations)), .wrapped(t(.populationsText))])
    try s.line([.text(t(.detectedBy)), .wrapped(t(.detectorNote))])
    s.row += 1
    // What the filing no longer carries, and why: a reader holding an earlier filing finds here what replaced it.
    try s.heading(t(.retiredFigures))
    try s.table(
      header: [t(.metricID), t(.replacedBy), t(.why)],
      rows: MetricCatalogue.retired.map {
        [
          .text($0.id), .wrapped($0.replacedBy.joined(separator: ", ")),
          .wrapped(language.why(of: $0)),
        ]
      }, filter: false)
    s.row += 1
    // The SQL is in methodology.LANG.md (issue 32): here each figure in words.
    try s.line([.text(t(.sqlInMethodologyFile))])
    let top = try s.table(
      header: [t(.metricID), t(.name), t(.definition)],
      rows: MethodologyMarkdown(data: data, language: language).figures.map { d in
        [.text(d.label), .wrapped(language.name(of: d)), .wrapped(language.definition(of: d))]
      }, filter: true)
    try s.finish(headerRow: top)
  }
}
