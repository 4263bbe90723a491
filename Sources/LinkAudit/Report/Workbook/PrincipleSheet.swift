import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// A principle's page (issue 32): its figures beside their counts, caveats
  /// and the previous quarter, then what they are made of, on one page;
  /// principle 4's open rates by scene and its interconnection table take a
  /// second. What each figure counts is on the
  /// Methodology sheet, its SQL in methodology.LANG.md; the URLs restricted
  /// late and the platform-by-scene rates are in the annex.
  package func principle(_ p: Principle, _ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.principleSheet(p.rawValue)), title: language.principleHeading(p))
    let metrics = MetricCatalogue.all.filter { $0.principle == p && $0.dimension == nil }
    let top = try s.table(
      header: figuresHeader,
      rows: metrics.map { d in [.wrapped(language.name(of: d))] + figureCells(d, dimension: "") }, filter: false)
    s.row += 1
    if p != .userChoice {
      // Two short lists side by side: the domains most upheld, and the restrictions by category.
      let listsTop = s.row
      try s.heading(t(.topDomains))
      try s.table(
        header: [t(.domain), t(.upheld)],
        rows: data.current.topDomains(p).map { [.text($0.label), cell($0.value, kind: .count)] },
        filter: false)
      let domainsEnd = s.row
      s.row = listsTop
      try s.heading(t(.restrictionsByCategory), column: 3)
      try s.table(
        header: [t(.category), t(.restrictions)],
        rows: (data.restrictionsByCategory[p.rawValue] ?? []).map {
          [.wrapped(language.word(.category, $0.0)), .count($0.1)]
        },
        filter: false, firstColumn: 3)
      s.row = max(s.row, domainsEnd) + 1
      // The tail of the time to action is listed URL by URL in the annex; here, how many and where.
      let late = data.lateActions.filter { $0.principle == p.rawValue }.count
      try s.paragraph(language.lateActionsInAnnex(late), columns: figuresHeader.count)
      try s.finish(headerRow: top, freezeHeader: false, repeatHeader: false, onePage: true)
      return
    }
    try s.finish(headerRow: top, freezeHeader: false, repeatHeader: false, onePage: true)
    try userChoiceMore(workbook)
  }

  /// Principle 4's second page, a sheet of its own so that each prints on
  /// one page: the open rate by scene, highest first, and each platform's
  /// links restricted with no content reason, or beyond the policy.
  func userChoiceMore(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.principle4More), title: t(.principle4MoreTitle))
    try s.heading(t(.openRateByScene))
    let tableTop = s.row
    // Highest first; a scene of few events is listed, not drawn: its rate is no rate to set beside the others'.
    var events: [String: Int64] = [:]
    for c in data.scenePlatformCounts { events[c.scene, default: 0] += c.events }
    let ranked = data.current.ranked(.userChoiceOpenRate, "scene")
    let drawn = ranked.filter { events[$0.label, default: 0] >= Figure.smallDenominator }
    let scenes = drawn + ranked.filter { events[$0.label, default: 0] < Figure.smallDenominator }
    try s.table(
      header: [t(.scene), t(.openRate)],
      rows: scenes.map { [.text(language.word(.scene, $0.label)), cell($0.value, kind: .rate)] },
      filter: false)
    if !drawn.isEmpty {
      try s.barChart(
        title: t(.openRateByScene), rows: (tableTop + 1)...(tableTop + drawn.count), columns: (0, 1),
        axes: (t(.openRate), t(.scene)), numberFormat: "0%", max: 1, at: (tableTop, 3))
    }
    if drawn.count < scenes.count { try s.line([.text(language.notDrawn(Figure.smallDenominator))]) }
    // Below the chart, whose height grows with its bars (Sheet.barChart): 20-pixel rows.
    let chartPixels = 120 + Double(scenes.count) * 30
    s.row = max(s.row, tableTop + 2 + Int(max(288, chartPixels) / 20))
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
    try s.finish(freezeHeader: false, repeatHeader: false, onePage: true)
  }

  /// The open rate by platform, and by platform and scene, with each
  /// platform's events: principle 4's detail, in the annex.
  package func openRatesByPlatform(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.openRatesByPlatformSheet))
    try s.heading("\(t(.openRate)) · \(t(.platform)) × \(t(.scene))")
    let sceneCodes = Scene.allCases.map(\.rawValue).filter { sc in
      data.scenePlatformCounts.contains { $0.scene == sc }
    }
    // Highest open rate first, as the principle's lists read.
    let ranked = data.current.ranked(.userChoiceOpenRate, "platform")
    let seen = Set(data.scenePlatformCounts.map(\.platformID))
    let platforms = ranked.map(\.label).filter(seen.contains) + seen.subtracting(ranked.map(\.label)).sorted()
    // One pass over the counts: each platform's events, and its opens and events by scene.
    var counts: [String: (opens: Int64, events: Int64)] = [:]
    var events: [String: Int64] = [:]
    for c in data.scenePlatformCounts {
      counts[c.platformID + "\u{1F}" + c.scene] = (c.opens, c.events)
      events[c.platformID, default: 0] += c.events
    }
    let rates = Dictionary(ranked.map { ($0.label, $0.value) }, uniquingKeysWith: { a, _ in a })
    let top = try s.table(
      header: [t(.platform), t(.events), t(.openRate)] + sceneCodes.map { language.word(.scene, $0) },
      rows: platforms.map { p in
        let byScene: [Cell] = sceneCodes.map { sc in
          guard let c = counts[p + "\u{1F}" + sc], c.events > 0 else { return .missing }
          return .rate(Double(c.opens) / Double(c.events))
        }
        return [
          .text(data.platformName(p, in: language)), .count(events[p, default: 0]),
          cell(rates[p] ?? .none, kind: .rate),
        ]
          + byScene
      }, filter: true)
    try s.finish(headerRow: top, list: true)
  }
}
