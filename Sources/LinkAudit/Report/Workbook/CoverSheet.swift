import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  package func cover(_ workbook: Workbook) throws {
    let s = try Sheet(workbook, t(.cover), language: language)
    try s.title("\(t(.reportTitle)) · \(language.quarterName(data.quarter))")
    // One page: who files, what and when, the rules it is judged by, the declaration and the boxes to
    // sign; how recent the data are goes to Data quality (the Cover ran onto a second page).
    let facts: [(String, CellValue)] = [
      (t(.period), .text(data.period(in: language))),
      (t(.timeZone), .text(language.zoneName(data.timeZone))),
      (t(.toolVersion), .text("linkaudit \(LinkAuditVersion.current)")),
      (t(.dataAsOf), .text(data.local(data.dataAsOf.iso))),
      (t(.dataFingerprint), .text(data.dataFingerprint)),
    ]
    // The filer first: whom the filing binds.
    try s.pairs(filerRows)
    s.row += 1
    try s.pairs(facts + (signedBy.map { [(t(.signingKey), .text($0))] } ?? []) + filingRows)
    s.row += 1
    try s.heading(t(.policiesInForce))
    try s.table(
      header: [t(.version), t(.title), t(.effectiveFrom), t(.sha256)],
      rows: data.policies.map {
        [.text($0.version), .text($0.title), .text(data.local($0.effectiveFrom)), .digest($0.sha256)]
      },
      filter: false)
    // The declaration, and the boxes the responsible person signs and seals in.
    s.row += 1
    try s.heading(t(.declaration))
    try s.paragraph(t(.declarationText), columns: 4)
    s.row += 1
    try s.boxes([t(.signature), t(.seal), t(.signedOn)], columns: 4, height: 45)
    try s.finish(freezeHeader: false, onePage: true)
  }

  /// The filer's details, or a line saying none were given.
  var filerRows: [(String, CellValue)] {
    guard let filer else { return [(t(.filerEntity), .text(t(.filerNotGiven)))] }
    return [
      (t(.filerEntity), .text(filer.entityName(in: language))), (t(.creditCode), .text(filer.creditCode)),
      (t(.responsiblePerson), .text(filer.responsiblePerson)), (t(.contactPerson), .text(filer.contact)),
      (t(.contactPhone), .text(filer.phone)),
    ] + (filer.email.map { [(t(.contactEmail), .text($0))] } ?? [])
  }

  /// The version, when it was issued and why: the Cover's last rows.
  var filingRows: [(String, CellValue)] {
    guard let filing else { return [] }
    return [
      (t(.filingVersion), .text(language.versionName(filing.version))),
      (t(.issuedAt), .text(data.local(filing.issuedAt))),
    ] + (filing.reason.map { [(t(.reissueReason), .text($0))] } ?? [])
  }
}
