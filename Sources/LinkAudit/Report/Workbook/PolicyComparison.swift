import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// The event figures by policy version in the two quarters compared, when
  /// they do not share one version (on the Summary and principle 4 sheets):
  /// one column per quarter and version, one row per figure, so the sheet
  /// keeps the width of its main table (it had eleven columns, one per figure).
  package func policyComparison(on s: Sheet) throws {
    guard !data.policyComparison.isEmpty else { return }
    try s.heading(t(.byPolicyVersion))
    try s.line([.text(t(.byPolicyVersionNote))])
    let columns = data.policyComparison.map { r in
      "\(Quarter(r.quarter).map(language.quarterName) ?? r.quarter) · \(r.policyVersion ?? "—")"
    }
    let figures: [ReportLanguage.Term] = [
      .openRate, .warnedShare, .blockedShare, .conformanceRate, .warnedOfRestricted, .proceedRate,
      .overRestricted, .sceneRuleShare,
    ]
    var rows: [[Cell]] = [[.wrapped(t(.events))] + data.policyComparison.map { .count($0.events) }]
    for (i, term) in figures.enumerated() {
      let cells: [Cell] = data.policyComparison.map { r in
        guard i < r.rates.count, let x = r.rates[i] else { return .missing }
        return .rate(x)
      }
      rows.append([.wrapped(t(term))] + cells)
    }
    // From the second column, where the metric names are: the first stays as narrow as the principle numbers.
    try s.table(header: [t(.metric)] + columns, rows: rows, filter: false, firstColumn: 1)
    s.row += 1
  }
}
