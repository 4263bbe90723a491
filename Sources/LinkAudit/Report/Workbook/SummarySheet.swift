import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  package func summary(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.summary))
    // The lead lines span the table's eight columns below, wrapped.
    let leadColumns = 8
    // The sheet leads with the decisions enforced, and the decisions least enforced by id.
    try s.paragraph(language.decisionLead(data.current), columns: leadColumns)
    if !data.leastEnforcedDecisions.isEmpty {
      try s.paragraph(language.leastEnforced(data.leastEnforcedDecisions), columns: leadColumns)
    }
    // Then every referral past its deadline, by id, as the Markdown summary leads.
    try s.paragraph(language.overdueReferralsLead(data.overdueReferrals), columns: leadColumns)
    // What was withdrawn: a reader holding last quarter's filing sees its figures replaced, and why.
    try s.paragraph(t(.retiredNote), columns: leadColumns)
    s.row += 1
    var rows: [[Cell]] = []
    let headline = MetricCatalogue.all.filter { $0.dimension == nil }
    for d in headline {
      // A number, as on every other sheet; the overview's figures belong to no principle.
      let principle: Cell = d.principle.map { .count(Int64($0.rawValue)) } ?? .missing
      rows.append([principle, .wrapped(language.name(of: d)), .text(d.id.rawValue)] + figureCells(d, dimension: ""))
    }
    let top = try s.table(
      header: [
        t(.principle), t(.metric), t(.metricID), t(.thisQuarter), t(.counts), t(.caveat),
        language.withAside(t(.previousQuarter), language.quarterName(data.quarter.previous)), t(.change),
      ],
      rows: rows, filter: true)
    s.row += 1
    // The backlog's age past the deadline, by principle (`pN.overdue_at_end[age=…]`).
    try s.heading(t(.overdueByAge))
    try s.table(
      header: [t(.principle)] + MetricCatalogue.overdueAges.map(\.label),
      rows: Principle.allCases.map { p in
        [.count(Int64(p.rawValue))]
          + MetricCatalogue.overdueAges.map {
            cell(data.current[.overdueAtEnd(p), dimension: "age=\($0.label)"] ?? .none, kind: .count)
          }
      }, filter: false)
    s.row += 1
    try policyComparison(on: s)
    // Chart (a): complaints by principle by month, from a small table it can
    // point at, together on a page of their own (under the repeated header):
    // a chart cut by a page break cannot be read. The table sits under the
    // figures' narrow columns (from D), not under the names' wide ones.
    s.newPage()
    try s.heading(t(.complaintsByMonth))
    let months = data.quarter.monthStarts(in: data.timeZone).prefix(3).map {
      language.monthName(String(data.local($0.iso).prefix(7)))
    }
    let tableTop = s.row
    let first = 3
    try s.table(
      header: [t(.month)] + Principle.allCases.map(language.principleTag),
      rows: (0..<3).map { m in [.text(months[m])] + (0..<4).map { .count(data.complaintsByMonth[m][$0]) } },
      filter: false, firstColumn: first)
    let chart = try workbook.addChart(.column, title: t(.complaintsByMonth))
    for p in 1...4 {
      try chart.addSeries(
        name: language.principleSeriesName(p),
        categories: s.cells(column: first, rows: (tableTop + 1)...(tableTop + 3)),
        values: s.cells(column: first + p, rows: (tableTop + 1)...(tableTop + 3)))
    }
    try chart.setAxisTitles(x: t(.month), y: t(.complaintCount))
    try s.sheet.insert(chart, row: s.row + 1, column: first)
    try s.finish(headerRow: top)
  }
}
