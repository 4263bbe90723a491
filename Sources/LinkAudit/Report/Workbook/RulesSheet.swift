import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// The rules the quarter's events and complaints are judged against (issue
  /// 32): each policy version in force and when it took effect, its
  /// treatment of every scene and content category, its deadline for each
  /// principle's complaints, and, when the comparison with the previous
  /// quarter spans a change, the event figures by version. One page.
  package func rulesInForce(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.rulesSheet))
    try s.paragraph(t(.rulesNote), columns: 3)
    s.row += 1
    let versions = data.policies.map(\.version)
    // The versions first, each with its title and the time it took effect; the rules' columns are headed by version.
    let top = try s.table(
      header: [t(.version), t(.title), t(.effectiveFrom)],
      rows: data.policies.map { [.text($0.version), .wrapped($0.title), .text(data.local($0.effectiveFrom))] },
      filter: false)
    s.row += 1
    let headerColumns = versions
    for (kind, heading, word) in [
      (ReportData.PolicyRule.Kind.scene, ReportLanguage.Term.treatmentByScene, ReportLanguage.CodeKind.scene),
      (.category, .treatmentByCategory, .category),
    ] {
      let rules = data.policyRules.filter { $0.kind == kind }
      // In the data contract's order of scenes and categories, the default last.
      let order = kind == .scene ? Scene.allCases.map(\.rawValue) : Category.allCases.map(\.rawValue)
      var items = order.filter { code in rules.contains { $0.item == code } }
      items += Set(rules.map(\.item)).subtracting(order + ["default"]).sorted()
      if rules.contains(where: { $0.item == "default" }) { items.append("default") }
      try s.heading(t(heading))
      let header = [t(kind == .scene ? .scene : .category)] + headerColumns
      try s.table(
        header: header,
        rows: items.map { item in
          let name = item == "default" ? t(.anyOther) : language.word(word, item)
          return [.text(name)]
            + versions.map { v in
              // A version that does not name the item treats it as its default.
              let rule =
                rules.first { $0.version == v && $0.item == item }
                ?? rules.first { $0.version == v && $0.item == "default" }
              return .text(rule.map { language.word(.treatment, $0.treatment) } ?? "")
            }
        }, filter: false)
      s.row += 1
    }
    try s.heading(t(.deadlineHours))
    let sla = data.policyRules.filter { $0.kind == .sla }
    try s.table(
      header: [t(.principle)] + headerColumns,
      rows: Principle.allCases.map { p in
        [.wrapped(language.principleHeading(p))]
          + versions.map { v in .sla(sla.first { $0.version == v && $0.item == String(p.rawValue) }?.hours) }
      }, filter: false)
    s.row += 1
    try policyComparison(on: s)
    try s.finish(headerRow: top, freezeHeader: false, repeatHeader: false, onePage: true)
  }
}
