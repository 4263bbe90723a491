import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// Against the version before: every figure that changed, the batches
  /// imported since, the policy versions and the rating model, and the reason.
  package func correctionsSheet(_ c: Corrections, _ workbook: Workbook) throws {
    let s = try Sheet(workbook, t(.corrections), language: language)
    try s.title("\(t(.corrections)) · \(language.quarterName(data.quarter)) · \(language.versionName(c.version))")
    try s.pairs([
      (t(.correctsVersion), .text("\(language.versionName(c.previous.version)) (\(data.local(c.previous.issuedAt)))")),
      (t(.reissueReason), .text(c.reason ?? "—")),
    ])
    s.row += 1
    try s.heading(t(.figuresChanged))
    var top = s.row
    if c.figures.isEmpty {
      try s.line([.text(t(.noFigureChanged))])
    } else {
      top = try s.table(
        header: [t(.figure), t(.name), language.versionName(c.previous.version), language.versionName(c.version)],
        rows: c.rows(in: language).map { [.text($0.figure), .wrapped($0.name), .text($0.before), .text($0.after)] },
        filter: true)
    }
    s.row += 1
    try s.heading(t(.batchesSince))
    if c.batchesSince.isEmpty {
      try s.line([.text(t(.noBatchesSince))])
    } else {
      try s.table(
        header: [t(.batch), t(.kind), t(.file), t(.importedAt)],
        rows: c.batchesSince.map {
          [
            .count($0.batchID), .text(language.word(.batchKind, $0.kind)), .text($0.fileName),
            .text(data.local($0.importedAt)),
          ]
        }, filter: false)
    }
    s.row += 1
    try s.heading(t(.policyAndModel))
    try s.pairs([
      (t(.policiesInForce), .text(c.policies(in: language))), (t(.ratingModel), .text(c.model(in: language))),
    ])
    try s.finish(headerRow: top)
  }
}
