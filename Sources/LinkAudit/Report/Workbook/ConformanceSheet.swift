import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  package func conformance(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.conformance))
    let top = try s.table(
      header: [
        t(.version), t(.scene), t(.events), t(.conforming), t(.overRestricted), t(.underRestricted),
        t(.conformanceRate),
      ],
      rows: data.conformance.map { r in
        [
          .text(r.policyVersion ?? "—"), .text(language.word(.scene, r.scene)), .count(r.events), .count(r.conforming),
          .count(r.over), .count(r.under), r.events > 0 ? .rate(Double(r.conforming) / Double(r.events)) : .missing,
        ]
      }, filter: true)
    try s.finish(headerRow: top)
  }
}
