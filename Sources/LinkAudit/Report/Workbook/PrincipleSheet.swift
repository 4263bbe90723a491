import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  package func principle(_ p: Principle, _ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.principleSheet(p.rawValue)), title: language.principleHeading(p))
    let metrics = MetricCatalogue.all.filter { $0.principle == p && $0.dimension == nil }
    let top = try s.table(
      header: [
        t(.metricID), t(.metric), t(.thisQuarter), t(.counts), t(.caveat),
        language.withAside(t(.previousQuarter), language.quarterName(data.quarter.previous)), t(.change),
        t(.definition),
      ],
      rows: metrics.map { d in
        [.text(d.id.rawValue), .wrapped(language.name(of: d))] + figureCells(d, dimension: "") + [
          .wrapped(language.definition(of: d))
        ]
      }, filter: true)
    s.row += 1
    if p != .userChoice {
      try s.heading(t(.topDomains))
      try s.table(
        header: [t(.domain), t(.upheld)],
        rows: data.current.topDomains(p).map { [.text($0.label), cell($0.value, kind: .count)] },
        filter: false)
      s.row += 1
      try s.heading(t(.restrictionsByCategory))
      try s.table(
        header: [t(.category), t(.restrictions)],
        rows: (data.restrictionsByCategory[p.rawValue] ?? []).map {
          [.wrapped(language.word(.category, $0.0)), .count($0.1)]
        },
        filter: false)
      // The tail of the time to action, URL by URL: what the median and P90 hide.
      s.row += 1
      try s.heading(t(.lateActions))
      let late = data.lateActions.filter { $0.principle == p.rawValue }
      try s.table(header: lateActionsHeader, rows: late.map(lateActionCells), filter: false)
      if late.isEmpty { try s.line([.text(t(.noCases))]) }
    } else {
      // Each section after the figures starts a page: its header stays with its rows, the chart whole.
      if !data.policyComparison.isEmpty { s.newPage() }
      try policyComparison(on: s)
      // Chart (b): open rate by scene.
      s.newPage()
      try s.heading(t(.openRateByScene))
      let tableTop = s.row
      // Highest first, in the table and on the chart.
      let scenes = data.current.ranked(.userChoiceOpenRate, "scene")
      try s.table(
        header: [t(.scene), t(.openRate)],
        rows: scenes.map { [.text(language.word(.scene, $0.label)), cell($0.value, kind: .rate)] },
        filter: false)
      if !scenes.isEmpty {
        try s.barChart(
          title: t(.openRateByScene), rows: (tableTop + 1)...(tableTop + scenes.count), columns: (0, 1),
          axes: (t(.openRate), t(.scene)), numberFormat: "0%", max: 1, at: (tableTop, 3))
      }
      s.row = max(s.row, tableTop + 16)
      try s.heading("\(t(.openRate)) · \(t(.platform))")
      try s.table(
        header: [t(.platform), t(.openRate)],
        rows: data.current.ranked(.userChoiceOpenRate, "platform").map {
          [.text(data.platformName($0.label, in: language)), cell($0.value, kind: .rate)]
        },
        filter: false)
      // Interconnection: each platform's links restricted with no content reason, and beyond the policy,
      // on a page of its own so the table is not parted from its heading and note by a page break.
      s.row += 1
      s.newPage()
      try s.heading(t(.interconnection))
      let header = [
        t(.platform), t(.events), t(.sceneRuleRestrictions), t(.ofEvents), t(.overRestricted), t(.ofEvents),
      ]
      try s.paragraph(t(.interconnectionNote), columns: header.count)
      let linked = data.interconnection
      try s.table(
        header: header,
        rows: linked.map { r in
          func share(_ n: Int64) -> Cell { r.events > 0 ? .rate(Double(n) / Double(r.events)) : .missing }
          return [
            .text(data.platformName(r.platformID, in: language)), .count(r.events), .count(r.sceneRuleRestrictions),
            share(r.sceneRuleRestrictions), .count(r.overRestricted), share(r.overRestricted),
          ]
        }, filter: false)
      if linked.isEmpty { try s.line([.text(t(.noCases))]) }
      // The open rate by platform (rows) and scene (columns), with each platform's events.
      s.row += 1
      s.newPage()
      try s.heading("\(t(.openRate)) · \(t(.platform)) × \(t(.scene))")
      let sceneCodes = Scene.allCases.map(\.rawValue).filter { sc in
        data.scenePlatformCounts.contains { $0.scene == sc }
      }
      let platforms = Array(Set(data.scenePlatformCounts.map(\.platformID))).sorted()
      var counts: [String: (opens: Int64, events: Int64)] = [:]
      for c in data.scenePlatformCounts { counts[c.platformID + "\u{1F}" + c.scene] = (c.opens, c.events) }
      try s.table(
        header: [t(.platform), t(.events)] + sceneCodes.map { language.word(.scene, $0) },
        rows: platforms.map { p in
          let events = data.scenePlatformCounts.filter { $0.platformID == p }.reduce(0) { $0 + $1.events }
          let rates: [Cell] = sceneCodes.map { sc in
            guard let c = counts[p + "\u{1F}" + sc], c.events > 0 else { return .missing }
            return .rate(Double(c.opens) / Double(c.events))
          }
          return [.text(data.platformName(p, in: language)), .count(events)] + rates
        }, filter: false)
    }
    // The figures run past a page in English: their header repeats on every
    // page (above a later section's own header too: a sheet has one print title).
    try s.finish(headerRow: top)
  }
}
