import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// The overview, one page (issue 32): the quarter's figures that belong to
  /// no principle, each beside its counts, caveat and the previous quarter;
  /// then the four principles side by side; the backlog's age past its
  /// deadline; the complaints by month. What needs action, by id, is on the
  /// key findings page before it; each principle's figures on its own page.
  package func summary(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.overview))
    // Across a change of policy an event figure's change holds the change of rules (reader39).
    if data.spansPolicyChange { try s.paragraph(t(.policyChangedNote), columns: figuresHeader.count) }
    let overview = MetricCatalogue.all.filter { $0.dimension == nil && $0.principle == nil }
    let top = try s.table(
      header: figuresHeader,
      rows: overview.map { d in [.wrapped(language.name(of: d))] + figureCells(d, dimension: "") }, filter: false)
    s.row += 1
    // The principles side by side, each figure in its own format.
    try s.heading(t(.principlesAtAGlance))
    let glance: [(Principle) -> MetricID] = [
      MetricID.complaints, MetricID.upheld, MetricID.upheldRate, MetricID.dueMetRate, MetricID.overdueAtEnd,
    ]
    let definitions = glance.compactMap { MetricCatalogue.definition($0(.lawfulContent)) }
    try s.table(
      header: [t(.principle)] + definitions.map { language.name(of: $0) },
      rows: Principle.allCases.map { p in
        [.text(language.principleTag(p))]
          + zip(glance, definitions).map { id, d in cell(data.current[id(p)] ?? .none, kind: d.kind) }
      }, filter: false)
    s.row += 1
    // The backlog's age past the deadline, by principle (`pN.overdue_at_end[age=…]`).
    try s.heading(t(.overdueByAge))
    try s.table(
      header: [t(.principle)] + MetricCatalogue.overdueAges.map { language.days($0.label) },
      rows: Principle.allCases.map { p in
        [.text(language.principleTag(p))]
          + MetricCatalogue.overdueAges.map {
            cell(data.current[.overdueAtEnd(p), dimension: "age=\($0.label)"] ?? .none, kind: .count)
          }
      }, filter: false)
    s.row += 1
    try s.heading(t(.complaintsByMonth))
    let months = data.quarter.monthStarts(in: data.timeZone).prefix(3).map {
      language.monthName(String(data.local($0.iso).prefix(7)))
    }
    try s.table(
      header: [t(.month)] + Principle.allCases.map(language.principleTag),
      rows: (0..<3).map { m in [.text(months[m])] + (0..<4).map { .count(data.complaintsByMonth[m][$0]) } },
      filter: false)
    try s.finish(headerRow: top, freezeHeader: false, repeatHeader: false, onePage: true)
  }

  /// The header of a table of figures on the overview and the principles' pages.
  var figuresHeader: [String] {
    [
      t(.metric), t(.thisQuarter), t(.counts), t(.caveat),
      language.withAside(t(.previousQuarter), language.quarterName(data.quarter.previous)), t(.change),
    ]
  }
}
