import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// The headline figures of the last quarters with data, a quarter a row,
  /// with a line chart of the rates and the quarters a policy took effect in marked.
  /// One row per figure, one column per quarter (up to eight): the sheet
  /// stays narrow enough to print legibly, however many figures it follows
  /// (it had a column per figure, 312 characters wide).
  /// The trend's rates the chart draws: those whose denominator is no small
  /// number in any quarter shown (issue 32). A rate of 1 of 2 moves by half
  /// with one case: on a rate axis beside rates of thousands it reads as a
  /// collapse; the table beside the chart still gives it, with its counts.
  package static func plottedRates(_ trend: [ReportData.TrendPoint]) -> [MetricDefinition] {
    ReportData.trendMetricIDs.compactMap(MetricCatalogue.definition).filter { d in
      d.kind == .rate
        && trend.allSatisfy { point in
          guard let f = point.figures.figure(d.id, dimension: "") else { return true }
          return f.denominator.map { $0 >= Figure.smallDenominator } ?? true
        }
    }
  }

  package func trends(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.trends))
    try s.line([.text(t(.trendsNote))])
    let definitions = ReportData.trendMetricIDs.compactMap(MetricCatalogue.definition)
    let name = language.taggedName
    var rows: [[Cell]] = definitions.map { d in
      [.wrapped(name(d))] + data.trend.map { cell($0.figures[d.id] ?? .none, kind: d.kind) }
    }
    rows.append(
      [.wrapped(t(.policyTakingEffect))]
        + data.trend.map { point in
          .note(
            point.policiesTakingEffect.map { "\($0.version) (\(data.local($0.effectiveFrom).prefix(10)))" }.joined(
              separator: ", "))
        })
    let top = try s.table(
      header: [t(.metric)]
        + data.trend.map { language.quarterName($0.quarter) + ($0.policiesTakingEffect.isEmpty ? "" : " ▲") },
      rows: rows, filter: false)
    let plotted = Set(Self.plottedRates(data.trend).map(\.id))
    let rates = definitions.enumerated().filter { plotted.contains($0.element.id) }
    if data.trend.count > 1, !rates.isEmpty {
      let chart = try workbook.addChart(.line, title: "\(t(.trends)) · \(t(.rates))")
      for (i, d) in rates {
        try chart.addSeries(
          name: name(d), categories: s.cells(row: top, columns: 1...data.trend.count),
          values: s.cells(row: top + 1 + i, columns: 1...data.trend.count))
      }
      try chart.setAxisTitles(x: t(.quarterWord), y: t(.rates))
      try chart.setAxis(.y, numberFormat: "0%", min: 0, max: 1)
      // On a page of its own: a chart cut by a page break cannot be read.
      s.row += 1
      s.newPage()
      try s.sheet.insert(chart, row: s.row, column: 1)
    }
    try s.finish(headerRow: top, repeatHeader: false)
  }
}
