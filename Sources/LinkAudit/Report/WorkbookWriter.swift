import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

/// Writes the regulator's workbook for one quarter in one language.
package struct WorkbookWriter {
  package let data: ReportData
  package let language: ReportLanguage
  /// The signing key's fingerprint, for the Cover; nil for an unsigned package.
  package var signedBy: String? = nil
  /// The version filed, for the Cover; nil for a package outside the filings.
  package var filing: FilingVersion? = nil
  /// What a version of 2 or more corrects: a sheet after the Cover.
  package var corrections: Corrections? = nil

  package func t(_ term: ReportLanguage.Term) -> String { language.text(term) }

  package func write(to path: String) throws {
    let workbook = try Workbook(path: path)
    try workbook.setProperties(
      DocumentProperties(
        title: "\(t(.reportTitle)) \(data.quarter)", subject: "\(data.quarter) (\(data.periodText))",
        author: "linkaudit \(LinkAuditVersion.current)", company: "",
        keywords: "external links, \(data.quarter), linkaudit",
        comments: t(.populationsText), created: Date(timeIntervalSince1970: Double(data.dataAsOf.milliseconds) / 1000)))
    try cover(workbook)
    if let corrections { try correctionsSheet(corrections, workbook) }
    try summary(workbook)
    try trends(workbook)
    for p in Principle.allCases { try principle(p, workbook) }
    if data.ratings != nil {
      try ratings(workbook)
      try ratingEvidence(workbook)
    }
    try conformance(workbook)
    try backlog(workbook)
    try referrals(workbook)
    try decisions(workbook)
    try gotThrough(workbook)
    try repeatOffenders(workbook)
    try Timing.measure("  complaints sheet \(language.rawValue)") { try complaints(workbook) }
    try dataQuality(workbook)
    try methodology(workbook)
    try Timing.measure("  workbook close \(language.rawValue)") { try workbook.close() }
  }

  // MARK: Sheets

  package func cover(_ workbook: Workbook) throws {
    let s = try Sheet(workbook, t(.cover), language: language)
    try s.title("\(t(.reportTitle)) · \(language.quarterName(data.quarter))")
    // A silent complaint feed is a gap to explain, like a day without events.
    let days = data.current[.daysSinceLastComplaint]?.double
    let flag = language.complaintSilence(days)
    let silence: CellValue =
      days.map { flag.isEmpty ? .number($0) : .text("\(Int($0)) · \(flag)") } ?? .text("—")
    let facts: [(String, CellValue)] = [
      (t(.period), .text(data.period(in: language))),
      (t(.timeZone), .text(language.zoneName(data.timeZone))),
      (t(.toolVersion), .text("linkaudit \(LinkAuditVersion.current)")),
      (t(.dataAsOf), .text(data.local(data.dataAsOf.iso))),
      (t(.latestEvent), .text(data.latestEventAt.map { data.local($0) } ?? "—")),
      (t(.latestComplaint), .text(data.latestComplaintAt.map { data.local($0) } ?? "—")),
      (t(.daysWithoutEvents), .text(data.daysWithoutEvents.isEmpty ? t(.noDays) : data.daysWithoutEventsText)),
      (t(.daysSinceLastComplaint), silence),
      (t(.batches), .number(Double(data.batches.count))),
      (t(.dataFingerprint), .text(data.dataFingerprint)),
    ]
    try s.pairs(facts + (signedBy.map { [(t(.signingKey), .text($0))] } ?? []) + filingRows)
    s.row += 1
    try s.heading(t(.principles))
    for p in Principle.allCases {
      try s.line([.text(language.principleHeading(p))])
    }
    s.row += 1
    try s.heading(t(.policiesInForce))
    try s.table(
      header: [t(.version), t(.title), t(.effectiveFrom), t(.sha256)],
      rows: data.policies.map {
        [.text($0.version), .text($0.title), .text(data.local($0.effectiveFrom)), .digest($0.sha256)]
      },
      filter: false)
    try s.finish(freezeHeader: false)
  }

  /// The version, when it was issued and why: the Cover's last rows.
  var filingRows: [(String, CellValue)] {
    guard let filing else { return [] }
    return [
      (t(.filingVersion), .text(language.versionName(filing.version))),
      (t(.issuedAt), .text(data.local(filing.issuedAt))),
    ] + (filing.reason.map { [(t(.reissueReason), .text($0))] } ?? [])
  }

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
        name: language == .zh ? "原则\(p)" : "Principle \(p)",
        categories: s.range(column: first, firstRow: tableTop + 1, lastRow: tableTop + 3),
        values: s.range(column: first + p, firstRow: tableTop + 1, lastRow: tableTop + 3))
    }
    try chart.setAxisTitles(x: t(.month), y: t(.complaintCount))
    try s.sheet.insert(chart, row: s.row + 1, column: first)
    try s.finish(headerRow: top)
  }

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
      try s.table(
        header: [t(.url), t(.firstSeen), t(.firstRestricted), t(.hoursToAction), t(.opensBefore), t(.detectedBy)],
        rows: late.map {
          [
            .wrapped($0.url), .text(data.local($0.firstSeen)), .text(data.local($0.firstRestricted)),
            .hours($0.hoursToAction), .count($0.opensBefore), .text(language.word(.detector, $0.detectedBy)),
          ]
        }, filter: false)
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
      let scenes = data.current.along(.userChoiceOpenRate, "scene").sorted {
        ($0.value.double ?? -1, $1.label) > ($1.value.double ?? -1, $0.label)
      }
      try s.table(
        header: [t(.scene), t(.openRate)],
        rows: scenes.map { [.text(language.word(.scene, $0.label)), cell($0.value, kind: .rate)] },
        filter: false)
      if !scenes.isEmpty {
        try barChart(
          workbook, on: s, title: t(.openRateByScene), rows: (tableTop + 1, scenes.count), columns: (0, 1),
          axes: (t(.openRate), t(.scene)), numberFormat: "0%", max: 1, at: (tableTop, 3))
      }
      s.row = max(s.row, tableTop + 16)
      try s.heading("\(t(.openRate)) · \(t(.platform))")
      try s.table(
        header: [t(.platform), t(.openRate)],
        rows: data.current.along(.userChoiceOpenRate, "platform").map {
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

  /// The headline figures of the last quarters with data, a quarter a row,
  /// with a line chart of the rates and the quarters a policy took effect in marked.
  /// One row per figure, one column per quarter (up to eight): the sheet
  /// stays narrow enough to print legibly, however many figures it follows
  /// (it had a column per figure, 312 characters wide).
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
    let rates = definitions.enumerated().filter { $0.element.kind == .rate }
    if data.trend.count > 1, !rates.isEmpty {
      let chart = try workbook.addChart(.line, title: "\(t(.trends)) · \(t(.rates))")
      for (i, d) in rates {
        try chart.addSeries(
          name: name(d), categories: s.range(row: top, firstColumn: 1, lastColumn: data.trend.count),
          values: s.range(row: top + 1 + i, firstColumn: 1, lastColumn: data.trend.count))
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

  package func ratings(_ workbook: Workbook) throws {
    guard let ratings = data.ratings else { return }
    let english = language == .en
    func w(_ en: String, _ zh: String) -> String { english ? en : zh }
    let model = ratings.model
    let s = try Sheet(workbook, t(.ratings), language: language)
    try s.title("\(t(.ratings)) · \(language.quarterName(data.quarter))")
    let pooled = model.observed(ratings.pooled)
    // Long texts as lines of their own, not measured: the grades' columns
    // keep the widths their values need, and each line runs on to the right.
    let formula = model.formula(english: english)
      .replacingOccurrences(of: english ? ", where " : "，其中", with: english ? "\n    where " : "\n    其中")
      .replacingOccurrences(of: english ? "; " : "；", with: english ? ";\n    " : "；\n    ")
    let lines: [(String, String)] =
      [
        (t(.ratingModel), "\(model.name) (SHA-256 \(model.sha256))"),
        (w("Window", "统计窗口"), ratings.window(english: english)),
        (
          w("All registered platforms", "全部已登记平台"),
          "\(ratings.pooled.events.grouped) \(w("events", "次事件"))"
            + RatingIndicator.allCases.map {
              "\(w("; ", "；"))\($0.letter) \(ratings.pooled.indicatorCounts[$0.rawValue].grouped) = \(RatingText.decimal(pooled[$0.rawValue]))"
            }.joined()
        ),
      ]
      + formula.split(separator: "\n").enumerated().map { k, part in (k == 0 ? t(.formula) : "", String(part)) }
      + [
        (
          w("Down", "降级余量"),
          w(
            "the fewest more upheld complaints (counted as principles 1-2, the costliest) that would cost a grade",
            "再增加多少件成立投诉（按代价最高的原则1-2计）将降一级")
        ),
        (
          w("Up", "升级余量"),
          w(
            "the fewest fewer, of those counted, that would gain one; blank where no number would",
            "减少多少件已计入的成立投诉可升一级；空白表示任何数量都不会改变等级")
        ),
      ]
    for (label, text) in lines { try s.line([.text(label), .text(text)]) }
    s.row += 1
    let rated = ratings.ratings.filter(\.isRated)
    let header = [
      t(.platform), t(.name), w("Events in the window", "窗口内事件数"), t(.score), t(.grade), t(.previousQuarter),
      w("Down", "降级余量"), w("Up", "升级余量"), t(.explanation), w("Evidence (ids)", "依据（编号）"),
    ]
    // The grade and the previous grade are coloured: their columns, found by name.
    let grades = header.firstIndex(of: t(.grade))!...header.firstIndex(of: t(.previousQuarter))!
    let top = try s.table(
      header: header,
      rows: rated.map { r in
        [
          .text(r.platformID), .text(english ? r.nameEnglish : r.nameChinese), .count(r.events),
          r.score.map { .hours($0) } ?? .missing, .text(language.word(.grade, r.grade)),
          .text(language.word(.grade, r.previousGrade)), r.marginDown.map { .count($0) } ?? .text(""),
          r.marginUp.map { .count($0) } ?? .text(""), .wrapped(ratings.explanation(r, english: english)),
          .wrapped(evidenceIDs(ratings, r.platformID)),
        ]
      }, filter: true)
    let lastRated = top + rated.count
    let colours: [(String, UInt32)] = [
      ("A", 0xC6EFCE), ("B", 0xDDEBF7), ("C", 0xFFEB9C), ("D", 0xFFC7CE), ("NR", 0xEDEDED),
    ]
    for (grade, colour) in colours where !rated.isEmpty {
      try s.sheet.highlight(
        firstRow: top + 1, firstColumn: grades.lowerBound, lastRow: lastRated, lastColumn: grades.upperBound,
        equalTo: language.word(.grade, grade),
        style: CellStyle(bold: true, background: colour, alignTop: true))
    }
    let unrated = ratings.ratings.filter { !$0.isRated }
    if !unrated.isEmpty {
      s.row += 1
      try s.heading(
        w("Not rated: indicators with their 95% intervals on the Rating evidence sheet", "未评级平台：各项指标及 95% 区间见“评级依据”"))
      try s.table(
        header: [t(.platform), t(.name), w("Events in the window", "窗口内事件数"), t(.explanation)],
        rows: unrated.map { r in
          [
            .text(r.platformID), .text(english ? r.nameEnglish : r.nameChinese), .count(r.events),
            .wrapped(ratings.explanation(r, english: english)),
          ]
        }, filter: false)
    }
    // The chart after the last table: it starts a page of its own below them.
    let last = s.row - 1
    if !rated.isEmpty {
      try barChart(
        workbook, on: s, title: t(.score), rows: (top + 1, rated.count), columns: (1, 3),
        axes: (t(.score), t(.platform)), numberFormat: "0", max: 100, at: (last + 2, 1))
      // On a page of its own, under the repeated header, never cut by a page break.
      s.row = last + 2
      s.newPage()
    }
    // Several tables come before the chart: no frozen or repeated header would belong to them all.
    try s.finish(headerRow: top, freezeHeader: false, repeatHeader: false)
  }

  /// A platform's evidence ids for its row: the complaints (v, s) and the
  /// events opened under a decision (x); the Rating evidence sheet has them all.
  func evidenceIDs(_ ratings: QuarterRatings, _ platformID: String) -> String {
    let limit = 50
    func list(_ ids: [String]) -> String {
      ids.isEmpty
        ? "—"
        : ids.prefix(limit).joined(separator: ", ")
          + (ids.count > limit ? (language == .en ? " … (\(ids.count) in all)" : " …（共 \(ids.count) 个）") : "")
    }
    let complaints = ratings.evidence.complaints(of: platformID).map(\.complaintID)
    let opens = ratings.evidence.exposures(of: platformID).map(\.eventID)
    return "v: \(list(complaints))\nx: \(list(opens))"
  }

  /// Every case behind the ratings' indicators over the window, by id.
  package func ratingEvidence(_ workbook: Workbook) throws {
    guard let ratings = data.ratings else { return }
    let english = language == .en
    func w(_ en: String, _ zh: String) -> String { english ? en : zh }
    let s = try Sheet(workbook, w("Rating evidence", "评级依据"), language: language)
    try s.title("\(w("Rating evidence", "评级依据")) · \(language.quarterName(data.quarter))")
    try s.pairs([(w("Window", "统计窗口"), .text(ratings.window(english: english)))])
    s.row += 1
    let model = ratings.model
    // Each indicator of each platform on a row of its own: its count, the
    // observed rate with its interval, the adjusted rate the score uses and what it cost.
    try s.heading(w("Each indicator, with its count and what it cost", "各项指标、计数及扣分"))
    let top = try s.table(
      header: [
        t(.platform), w("Indicator", "指标"), w("Count", "计数"), w("Per 10,000 events", "每万次事件"),
        w("95% interval", "95% 区间"), w("Adjusted", "调整后"), w("Points lost", "扣分"),
        w("Beyond every graded platform", "超过所有已评级平台"),
      ],
      rows: ratings.all.flatMap { r in
        RatingIndicator.allCases.map { i -> [Cell] in
          [
            .text(r.platformID), .text("\(i.letter) \(i.name(english: english))"),
            .count(r.counts.indicatorCounts[i.rawValue]), r.observed[i.rawValue].map { .hours($0) } ?? .missing,
            .text(RatingText.interval(r, i, perEvents: model.perEvents)),
            r.adjusted.map { .hours($0[i.rawValue]) } ?? .missing,
            r.isRated ? .hours(r.deductions[i.rawValue]) : .missing,
            .text(r.flags.contains(i) ? w("yes", "是") : ""),
          ]
        }
      }, filter: true)
    s.row += 1
    try s.heading(w("Unregistered domains (not graded): those with most upheld complaints", "未登记域名（不评级）：成立投诉最多者"))
    try s.line([.text(""), .wrapped(ratings.explanation(ratings.unregistered, english: english))])
    try s.table(
      header: [t(.rank), t(.domain), w("Events", "事件数"), t(.upheld), t(.restrictions), t(.opensUnderDecisions)],
      rows: ratings.evidence.unregisteredDomains.enumerated().map { k, d in
        [
          .count(Int64(k + 1)), .text(d.domain), .count(d.events), .count(d.upheld), .count(d.restrictions),
          .count(d.exposed),
        ]
      }, filter: false)
    if ratings.evidence.unregisteredDomains.isEmpty { try s.line([.text(t(.noCases))]) }
    s.row += 1
    try s.heading(w("Upheld complaints behind v (and s: principles 1-2)", "构成 v（及 s：原则1-2）的成立投诉"))
    try s.table(
      header: [
        t(.platform), t(.complaintID), t(.principle), t(.category), t(.receivedAt), t(.actionTaken), t(.domain),
      ],
      rows: ratings.evidence.complaints.map { c in
        [
          .text(c.platformID), .text(c.complaintID), .count(Int64(c.principle)),
          .text(language.word(.category, c.category)), .text(data.local(c.receivedAt)),
          .text(language.word(.actionTaken, c.actionTaken)), .text(c.domain),
        ]
      }, filter: false)
    if ratings.evidence.complaints.isEmpty { try s.line([.text(t(.noCases))]) }
    s.row += 1
    try s.heading(w("Restricted events behind r, by category", "构成 r 的限制事件（按类别）"))
    try s.table(
      header: [t(.platform), w("Events", "事件数"), t(.principle), t(.category)],
      rows: ratings.evidence.restrictions.map { x in
        [
          .text(x.platformID), .count(x.events), .count(Int64(x.principle)),
          .text(language.word(.category, x.category)),
        ]
      }, filter: false)
    if ratings.evidence.restrictions.isEmpty { try s.line([.text(t(.noCases))]) }
    s.row += 1
    try s.heading(w("Events opened under a decision behind x", "构成 x 的处置后打开事件"))
    try s.table(
      header: [t(.platform), t(.eventID), t(.principle), t(.occurredAt), t(.domain)],
      rows: ratings.evidence.exposures.map { e in
        [
          .text(e.platformID), .text(e.eventID), .count(Int64(e.principle)), .text(data.local(e.occurredAt)),
          .text(e.domain),
        ]
      }, filter: false)
    if ratings.evidence.exposures.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.finish(headerRow: top, freezeHeader: false, repeatHeader: false)
  }

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

  /// Every complaint open at the quarter's end (by principle, then receipt),
  /// then every one that fell due in the quarter and was resolved late (the
  /// deadline of `pN.due`: with the open ones, every miss of `pN.due_met`).
  package func backlog(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.backlog))
    let top = try s.table(
      header: [
        t(.complaintID), t(.listedAs), t(.principle), t(.category), t(.channel), t(.receivedAt),
        t(.daysOverdue), t(.hoursToResolve), t(.slaHours), t(.status), t(.outcome),
      ],
      rows: data.backlog.map { c in
        let listed: ReportLanguage.Term =
          c.hoursOpenAtEnd == nil ? .resolvedLate : c.isOverdue ? .openOverdue : .openAtEnd
        return [
          .text(c.complaintID), .text(t(listed)), .count(c.principle), .text(language.word(.category, c.category)),
          .text(language.word(.channel, c.channel)), .text(data.local(c.receivedAt)),
          c.daysOverdue.map { .count($0) } ?? .text(""),
          c.hoursToResolve.map { .hours($0) } ?? .text(""), Cell.sla(c.slaHours),
          .text(language.word(.status, c.status)), .text(language.word(.outcome, c.outcome)),
        ]
      }, filter: true)
    if data.backlog.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.finish(headerRow: top, list: true)
  }

  /// Every regulator referral received in the quarter or open at its start.
  package func referrals(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.referrals))
    let top = try s.table(
      header: [
        t(.complaintID), t(.principle), t(.category), t(.receivedAt), t(.status), t(.resolvedAt), t(.hoursToResolve),
        t(.overdue), t(.daysOverdue), t(.slaHours), t(.outcome), t(.actionTaken),
      ],
      rows: data.referrals.map { c in
        [
          .text(c.complaintID), .count(c.principle), .text(language.word(.category, c.category)),
          .text(data.local(c.receivedAt)), .text(language.word(.status, c.status)), .text(data.local(c.resolvedAt)),
          c.hoursToResolve.map { .hours($0) } ?? .text(""), .text(overdueMark(c) ?? ""),
          c.daysOverdue.map { .count($0) } ?? .text(""), Cell.sla(c.slaHours),
          .text(language.word(.outcome, c.outcome)),
          .text(language.word(.actionTaken, c.actionTaken)),
        ]
      }, filter: true)
    if data.referrals.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.finish(headerRow: top, list: true)
  }

  /// A register's overdue mark: overdue at the end if open, resolved late if resolved after its deadline.
  func overdueMark(_ c: ReportData.ComplaintRow) -> String? {
    c.isOverdue ? t(.overdueMark) : c.isResolvedLate ? t(.resolvedLate) : nil
  }

  /// The decisions register (also `decisions.csv`), then the upheld
  /// complaints of principles 1-3 closed without a block.
  package func decisions(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.decisions))
    let header =
      [
        t(.complaintID), t(.principle), t(.category), t(.scope), t(.target), t(.receivedAt), t(.resolvedAt),
        t(.standsFrom), t(.restoredAt), t(.tapsUnder), t(.tapsEnforced), t(.decisionEnforcementRate),
        t(.tapsReached),
      ] + LinkAction.allCases.map { language.word(.action, $0.rawValue) }
    // Wrapped over the register's first seven columns (id to resolved at), those of its first printed
    // page: the register prints over two pages wide, and on one line the note was cut at the page's edge.
    try s.paragraph(t(.decisionsNote), columns: 7)
    let top = try s.table(
      header: header,
      rows: data.decisions.map { d in
        [
          .text(d.complaintID), .count(d.principle), .text(language.word(.category, d.category)),
          .text(language.word(.actionTaken, d.scope)),
          .text(d.target), .text(data.local(d.receivedAt)), .text(data.local(d.resolvedAt)),
          .text(data.local(d.standsFrom)), .text(data.local(d.standsUntil)), .count(d.taps), .count(d.enforced),
          d.enforcementRate.map { .rate($0) } ?? .text("—"), .count(d.reached), .count(d.opened), .count(d.proceeded),
          .count(d.wentBack), .count(d.blocked),
        ]
      }, filter: true)
    if data.decisions.isEmpty { try s.line([.text(t(.noCases))]) }
    s.row += 1
    try s.heading(t(.upheldWithoutAction))
    _ = try s.table(
      header: [
        t(.complaintID), t(.principle), t(.category), t(.channel), t(.receivedAt), t(.resolvedAt), t(.actionTaken),
        t(.prescribed),
      ],
      rows: data.upheldWithoutAction.map { c in
        [
          .text(c.complaintID), .count(c.principle), .text(language.word(.category, c.category)),
          .text(language.word(.channel, c.channel)),
          .text(data.local(c.receivedAt)), .text(data.local(c.resolvedAt)),
          .text(language.word(.actionTaken, c.actionTaken)), .text(language.word(.treatment, c.prescribed)),
        ]
      }, filter: false)
    if data.upheldWithoutAction.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.finish(headerRow: top, list: true)
  }

  /// What got through: each event handled more leniently than its policy
  /// prescribes, by a category's rule or the scene's (the first
  /// `ReportData.gotThroughLimit`; the package's case register holds all),
  /// then principle 3's by category and domain.
  /// `overview.under_restricted[rule=…]` as the Got through sheet and the summary state it.
  var underRestrictedByRule: String {
    let by = { (rule: String) in data.current[MetricID.underRestricted, dimension: "rule=\(rule)"]?.csv ?? "" }
    return language.underRestrictedByRule(category: by("category"), scene: by("scene"))
  }

  package func gotThrough(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.gotThrough))
    try s.heading(t(.gotThroughEvents))
    try s.line([.text(underRestrictedByRule)])
    let shown = data.gotThrough.prefix(ReportData.gotThroughLimit)
    try s.line([
      .text(
        language.listedCases(
          shown.count, of: data.gotThroughTotal, held: data.gotThroughHeld, in: ReportPackage.underRestrictedRegister))
    ])
    let top = try s.table(
      header: [
        t(.eventID), t(.occurredAt), t(.ruleBroken), t(.principle), t(.scene), t(.url), t(.domain), t(.platform),
        t(.category), t(.action), t(.prescribed), t(.version), t(.detectedBy), t(.clientVersion), t(.toReport),
      ],
      rows: shown.map { e in
        [
          .text(e.eventID), .text(data.local(e.occurredAt)), .text(language.word(.rule, e.rule)),
          e.principle.map { .count($0) } ?? .text(""), .text(language.word(.scene, e.scene)),
          .text(e.url), .text(e.domain), .text(data.platformName(e.platformID, in: language)),
          .text(language.word(.category, e.category)), .text(language.word(.action, e.action)),
          .text(language.word(.treatment, e.treatment)), .text(e.policyVersion),
          .text(language.detector(action: e.action, detectedBy: e.detectedBy)),
          .text(e.clientVersion ?? ""),
          // Unlawful content that got through is reported to the authority (Cybersecurity Law art. 47).
          .text(language.art47Mark(principle: e.principle, action: e.action)),
        ]
      }, filter: true)
    if data.gotThrough.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.line([.text(t(.art47Note))])
    try s.line([.text(t(.detectorNote))])
    s.row += 1
    try s.heading(t(.gotThroughCounts))
    _ = try s.table(
      header: [t(.category), t(.domain), t(.events)],
      rows: data.gotThroughCounts.map {
        [.text(language.word(.category, $0.category)), .text($0.domain), .count($0.events)]
      },
      filter: false)
    if data.gotThroughCounts.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.finish(headerRow: top, list: true)
  }

  /// The domains most restricted for principles 1-3 over the last four quarters, by name.
  package func repeatOffenders(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.repeatOffenders))
    try s.line([.text(t(.repeatOffendersNote))])
    let top = try s.table(
      header: [
        t(.rank), t(.domain), t(.platform), t(.restrictions), t(.monthsRestricted), t(.upheld),
        t(.decisionsStandingAtEnd), t(.opensUnderDecisions),
      ],
      rows: data.repeatOffenders.enumerated().map { i, d in
        [
          .count(Int64(i + 1)), .text(d.domain), .text(data.platformName(d.platformID, in: language)),
          .count(d.restrictions), .text(data.months(d.months)), .count(d.upheld), .count(d.decisionsStanding),
          .count(d.opensUnderDecisions),
        ]
      }, filter: true)
    if data.repeatOffenders.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.finish(headerRow: top)
  }

  package func complaints(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.complaints))
    let top = try s.table(
      header: [
        t(.complaintID), t(.reporter), t(.receivedAt), t(.category), t(.principle), t(.channel), t(.status),
        t(.resolvedAt), t(.hoursToResolve), t(.slaHours), t(.outcome), t(.duplicateOf), t(.actionTaken), t(.url),
        t(.domain), t(.platform), t(.description),
      ],
      rows: data.complaints.map { c in
        [
          .text(c.complaintID), .text(c.reporter), .text(data.local(c.receivedAt)),
          .text(language.word(.category, c.category)), .count(c.principle), .text(language.word(.channel, c.channel)),
          .text(language.word(.status, c.status)),
          .text(data.local(c.resolvedAt)), c.hoursToResolve.map { .hours($0) } ?? .text(""),
          Cell.sla(c.slaHours), .text(language.word(.outcome, c.outcome)), .text(c.duplicateOf ?? ""),
          .text(language.word(.actionTaken, c.actionTaken)), .text(c.url), .text(c.domain),
          .text(data.platformName(c.platformID, in: language)),
          .wrapped(c.description ?? ""),
        ]
      }, filter: true)
    try s.finish(headerRow: top, list: true)
  }

  package func dataQuality(_ workbook: Workbook) throws {
    let s = try Sheet(workbook, t(.dataQuality), language: language)
    try s.title(t(.dataQuality))
    // A long silence of the complaint feed is a gap in the data, said where the gaps are.
    let silence = language.complaintSilence(data.current[.daysSinceLastComplaint]?.double)
    if !silence.isEmpty { try s.line([.text(silence)]) }
    s.row += 1
    let top = try s.table(
      header: [
        t(.batch), t(.kind), t(.file), t(.importedAt), t(.rowsRead), t(.rowsStored), t(.rowsDuplicate),
        t(.rowsRejected),
        t(.sha256),
      ],
      rows: data.batches.map { b in
        [
          .count(b.batchID), .text(language.word(.batchKind, b.kind)), .text(b.fileName),
          .text(data.local(b.importedAt)), .count(b.rowsRead),
          .count(b.rowsStored), .count(b.rowsDuplicate), .count(b.rowsRejected), .digest(b.sha256),
        ]
      }, filter: true)
    s.row += 1
    try s.heading("\(t(.rowsRejected)): \(data.rejectedRowsTotal)")
    if data.rejectedRows.isEmpty {
      try s.line([.text(t(.noRejectedRows))])
    } else {
      try s.table(
        header: [t(.file), t(.line), t(.column), t(.error)],
        rows: data.rejectedRows.map {
          [.text($0.fileName), .count($0.line), .text($0.column ?? ""), .wrapped($0.error)]
        },
        filter: false)
    }
    s.row += 1
    try s.heading("\(t(.homographHosts)): \(data.homographHosts.count)")
    if data.homographHosts.isEmpty {
      try s.line([.text(t(.noHomographHosts))])
    } else {
      try s.line([.wrapped(t(.homographNote))])
      try s.table(
        header: [t(.host), t(.punycode), t(.domain), t(.scripts), t(.events)],
        rows: data.homographHosts.map {
          [
            .text($0.host), .text($0.hostASCII), .text($0.domain),
            .text($0.scripts.map(language.scriptName).joined(separator: language == .zh ? "、" : ", ")),
            .count($0.events),
          ]
        },
        filter: false)
    }
    try s.finish(headerRow: top)
  }

  package func methodology(_ workbook: Workbook) throws {
    let s = try Sheet(workbook, t(.methodology), language: language)
    try s.title(t(.methodology))
    let parameters = data.current.parameters
    try s.pairs(
      [
        (":start", .text(parameters[":start"]?.text ?? "")),
        (":end", .text(parameters[":end"]?.text ?? "")),
        (t(.timeZone), .text(language.zoneName(data.timeZone))),
      ]
        + (data.ratings.map { r in
          [
            (
              ":window_start",
              .text(QuarterRatings.parameters(data.quarter, data.timeZone, r.model)[":window_start"]?.text ?? "")
            )
          ]
        } ?? []))
    try s.line([.text(t(.populations)), .wrapped(t(.populationsText))])
    try s.line([.text(t(.detectedBy)), .wrapped(t(.detectorNote))])
    s.row += 1
    // What the filing no longer carries, and why: a reader holding an earlier filing finds here what replaced it.
    try s.heading(t(.retiredFigures))
    try s.table(
      header: [t(.metricID), t(.replacedBy), t(.why)],
      rows: MetricCatalogue.retired.map {
        [
          .text($0.id), .wrapped($0.replacedBy.joined(separator: ", ")),
          .wrapped(language == .en ? $0.why : $0.whyChinese),
        ]
      }, filter: false)
    s.row += 1
    let top = try s.table(
      header: [t(.metricID), t(.name), t(.definition), t(.sql)],
      rows: (MetricCatalogue.all
        + (data.ratings == nil ? [] : MetricCatalogue.ratings + MetricCatalogue.ratingEvidence)).map { d in
          [.text(d.label), .wrapped(language.name(of: d)), .wrapped(language.definition(of: d)), .code(d.sql)]
        }, filter: true)
    try s.finish(headerRow: top)
  }

  /// A sheet that opens with its title (by default the sheet's name and the
  /// quarter) and the period, then a blank row.
  /// A horizontal bar chart, without legend, of `rows.count` table rows from
  /// `rows.first`: categories in `columns.categories`, values (from 0 to `max`,
  /// named by the first axis title) in `columns.values`; placed at `at`.
  package func barChart(
    _ workbook: Workbook, on s: Sheet, title: String, rows: (first: Int, count: Int),
    columns: (categories: Int, values: Int), axes: (values: String, categories: String), numberFormat: String,
    max: Double, at: (row: Int, column: Int)
  ) throws {
    let last = rows.first + rows.count - 1
    let chart = try workbook.addChart(.bar, title: title)
    try chart.addSeries(
      name: axes.values, categories: s.range(column: columns.categories, firstRow: rows.first, lastRow: last),
      values: s.range(column: columns.values, firstRow: rows.first, lastRow: last), labels: true)
    // In a bar chart the value axis is x (horizontal), the categories y.
    try chart.setAxisTitles(x: axes.values, y: axes.categories)
    try chart.setAxis(.x, numberFormat: numberFormat, min: 0, max: max)
    try chart.labelEveryCategory(.y)
    // Top to bottom in the table's order (a bar chart draws its first category at the bottom).
    try chart.reverse(.y)
    try chart.hideLegend()
    // The title and axes take about 120 of the default 288 pixels; each bar
    // gets 30 more, so no category's label is dropped for want of room (a
    // sheet printed below 100% shrinks them all).
    try s.sheet.insert(
      chart, row: at.row, column: at.column, heightScale: Swift.max(1, (120 + Double(rows.count) * 30) / 288))
  }

  package func periodSheet(_ workbook: Workbook, _ name: String, title: String? = nil) throws -> Sheet {
    let s = try Sheet(workbook, name, language: language)
    try s.title(title ?? "\(name) · \(language.quarterName(data.quarter))")
    try s.line([.text(data.period(in: language))])
    s.row += 1
    return s
  }

  // MARK: Figures

  /// This quarter, the previous one and the change, each in the figure's number format.
  package func figureCells(_ d: MetricDefinition, dimension: String) -> [Cell] {
    let now = data.current[d.id, dimension: dimension] ?? .none
    let before = data.previous[d.id, dimension: dimension] ?? .none
    let change: Cell
    if let a = now.double, let b = before.double {
      change = .change(a - b, kind: d.kind)
    } else {
      change = .missing
    }
    let figure = data.current.figure(d.id, dimension: dimension)
    return [
      cell(now, kind: d.kind), .text(figure.map { language.counts(of: $0) } ?? ""),
      .note(figure.map { language.caveat(of: $0, kind: d.kind, in: data.current) } ?? ""), cell(before, kind: d.kind),
      change,
    ]
  }

  package func cell(_ value: MetricValue, kind: MetricKind) -> Cell {
    switch value {
    case .none: return .missing
    case .text(let s): return .text(s)
    case .count(let n): return .count(n)
    case .decimal(let x):
      switch kind {
      case .rate: return .rate(x)
      case .count: return .count(Int64(x))
      default: return .hours(x)
      }
    }
  }
}

/// A cell as the report means it; the sheet picks the format.
package enum Cell {
  case text(String)
  /// Long text: wrapped, in a capped column.
  case wrapped(String)
  /// A short note beside a figure (a caveat): wrapped in a narrow column.
  case note(String)
  /// SQL: wrapped, fixed-width font is not available everywhere, so plain.
  case code(String)
  /// A SHA-256 in hex: whole, on two lines of its cell, so it stays inside
  /// its column's border and still copies as one value.
  case digest(String)
  case count(Int64)
  case rate(Double)
  case hours(Double)
  case change(Double, kind: MetricKind)
  /// No value (an empty denominator): a dash where the number would be.
  case missing

  /// An SLA in hours: whole hours as a count (`24`, not `24.00`), empty when none.
  static func sla(_ hours: Double?) -> Cell {
    guard let hours else { return .text("") }
    return hours == hours.rounded() && abs(hours) < 1e15 ? .count(Int64(hours)) : .hours(hours)
  }
}

/// One worksheet being filled top to bottom, tracking column widths as it goes.
package final class Sheet {
  package let sheet: Worksheet
  package let name: String
  package let language: ReportLanguage
  package var row = 0
  private var widths: [Int: Double] = [:]
  /// What each column's unwrapped cells (text that overflows, numbers) need:
  /// a sheet narrowed to fit its page never narrows a column below it.
  private var rigidWidths: [Int: Double] = [:]
  /// Wrapped cells per row: (column, text), measured once the widths are known.
  private var wrappedCells: [Int: [(Int, String)]] = [:]
  /// Paragraphs merged across columns, their rows sized once the widths are known.
  private var paragraphs: [(row: Int, columns: ClosedRange<Int>, text: String)] = []
  private var tables: [(header: Int, last: Int, columns: Int)] = []
  /// Rows that start a printed page.
  private var breaks: [Int] = []

  // Every cell is top-aligned, so a row with a wrapped definition still reads as one row.
  package static let header = CellStyle(bold: true, background: 0xDDEBF7, wrap: true, border: true, alignTop: true)
  package static let text = CellStyle(alignTop: true, indent: true)
  package static let label = CellStyle(bold: true, alignTop: true)
  package static let wrapped = CellStyle(wrap: true, alignTop: true, indent: true)
  package static let heading = CellStyle(bold: true, fontSize: 12)
  package static let count = CellStyle(numberFormat: "#,##0", alignTop: true)
  package static let countInList = CellStyle(numberFormat: "#,##0", alignTop: true, indent: true)
  package static let rate = CellStyle(numberFormat: "0.00%", alignTop: true)
  package static let hours = CellStyle(numberFormat: "#,##0.00", alignTop: true)
  package static let countChange = CellStyle(numberFormat: "+#,##0;-#,##0;0", alignTop: true)
  package static let pointsChange = CellStyle(
    numberFormat: #"+0.00" pp";-0.00" pp";0.00" pp""#, alignTop: true)
  package static let pointsChangeChinese = CellStyle(
    numberFormat: #"+0.00"个百分点";-0.00"个百分点";0.00"个百分点""#, alignTop: true)
  package static let hoursChange = CellStyle(numberFormat: "+#,##0.00;-#,##0.00;0.00", alignTop: true)
  package static let missing = CellStyle(alignRight: true, alignTop: true)
  /// Points per line of wrapped text at the default font size.
  package static let lineHeight = 15.0
  /// The most a header widens its column (8 CJK characters, 16 Latin).
  package static let headerWidth = 18.0
  /// Widths of columns of wrapped text (definitions, explanations) and of
  /// SQL: their rows grow instead, so the sheet prints at 70% or more.
  package static let wrappedWidth = 36.0
  package static let noteWidth = 24.0
  package static let codeWidth = 64.0

  package init(_ workbook: Workbook, _ name: String, language: ReportLanguage) throws {
    sheet = try workbook.addWorksheet(name)
    self.name = name
    self.language = language
  }

  /// `='Sheet name'!$B$5:$I$5`: cells of this sheet for a chart's series or categories.
  package func range(rows: ClosedRange<Int>, columns: ClosedRange<Int>) -> String {
    func letter(_ c: Int) -> String { String(UnicodeScalar(UInt8(65 + c))) }
    let sheet = "'\(name.replacingOccurrences(of: "'", with: "''"))'"
    return
      "=\(sheet)!$\(letter(columns.lowerBound))$\(rows.lowerBound + 1):$\(letter(columns.upperBound))$\(rows.upperBound + 1)"
  }

  /// Along a row (`$B$5:$I$5`).
  package func range(row: Int, firstColumn: Int, lastColumn: Int) -> String {
    range(rows: row...row, columns: firstColumn...lastColumn)
  }

  /// Down a column (`$A$5:$A$7`).
  package func range(column: Int, firstRow: Int, lastRow: Int) -> String {
    range(rows: firstRow...lastRow, columns: column...column)
  }

  /// The next row starts a printed page: a chart or a section after it is
  /// never cut by a page break, nor its header parted from its rows.
  package func newPage() {
    if row > 0, breaks.last != row { breaks.append(row) }
  }

  package func title(_ text: String) throws {
    try sheet.write(.text(text), row: row, column: 0, style: .title)
    row += 1
  }

  package func heading(_ text: String) throws {
    try sheet.write(.text(text), row: row, column: 0, style: Self.heading)
    row += 1
  }

  /// A paragraph across the first `columns` columns (those of the table
  /// below it), wrapped: a lead sentence longer than one column no longer runs
  /// past the printed width, which made the page print shrunk to 5 pt.
  package func paragraph(_ text: String, columns: Int) throws {
    let span = 0...max(columns - 1, 0)
    try sheet.merge(text, row: row, firstColumn: span.lowerBound, lastColumn: span.upperBound, style: Self.wrapped)
    paragraphs.append((row, span, text))
    row += 1
  }

  package func line(_ cells: [Cell]) throws {
    for (c, cell) in cells.enumerated() { try write(cell, column: c, measure: false) }
    row += 1
  }

  package func pairs(_ items: [(String, CellValue)]) throws {
    for (label, value) in items {
      try sheet.write(.text(label), row: row, column: 0, style: Self.label)
      measure(label, column: 0, rigid: true)
      switch value {
      case .number(let n):
        // Left, like the texts beside it: a count far right of its label reads as belonging to none.
        try sheet.write(.number(n), row: row, column: 1, style: Self.countInList)
        measure(Int(n).grouped, column: 1, rigid: true)
      case .text(let s): try write(.text(s), column: 1)
      case .blank: break
      }
      row += 1
    }
  }

  /// Writes a header row and rows; returns the header's row index.
  @discardableResult
  package func table(header: [String], rows: [[Cell]], filter: Bool, firstColumn: Int = 0) throws -> Int {
    let top = row
    for (i, h) in header.enumerated() {
      let c = firstColumn + i
      try sheet.write(.text(h), row: row, column: c, style: Self.header)
      // Headers wrap (their row grows to fit): a long one does not widen its
      // column past what the values need, so the sheet prints larger.
      measure(h, column: c, cap: Self.headerWidth)
      wrappedCells[row, default: []].append((c, h))
    }
    row += 1
    for r in rows {
      for (i, cell) in r.enumerated() { try write(cell, column: firstColumn + i) }
      row += 1
    }
    if filter { tables.append((top, max(row - 1, top), header.count)) }
    return top
  }

  private func write(_ cell: Cell, column c: Int, measure doMeasure: Bool = true) throws {
    let r = row
    switch cell {
    case .text(let s):
      try sheet.write(.text(s), row: r, column: c, style: Self.text)
      if doMeasure { measure(s, column: c, rigid: true) }
    case .wrapped(let s):
      try sheet.write(.text(s), row: r, column: c, style: Self.wrapped)
      if doMeasure { measure(s, column: c, cap: Self.wrappedWidth) }
      wrappedCells[r, default: []].append((c, s))
    case .note(let s):
      try sheet.write(.text(s), row: r, column: c, style: Self.wrapped)
      if doMeasure { measure(s, column: c, cap: Self.noteWidth) }
      wrappedCells[r, default: []].append((c, s))
    case .code(let s):
      try sheet.write(.text(s), row: r, column: c, style: Self.wrapped)
      (widths[c], rigidWidths[c]) = (Self.codeWidth, Self.codeWidth)
      wrappedCells[r, default: []].append((c, s))
    case .digest(let s):
      try sheet.write(.text(s), row: r, column: c, style: Self.wrapped)
      // Half of the 64 characters a line, and the indent.
      widen(column: c, to: Double(s.count / 2), cap: Self.wrappedWidth, rigid: true)
      wrappedCells[r, default: []].append((c, s))
    case .count(let n):
      try sheet.write(.number(Double(n)), row: r, column: c, style: Self.count)
      measure(Int(n).grouped, column: c, rigid: true)
    case .rate(let x):
      try sheet.write(.number(x), row: r, column: c, style: Self.rate)
      measure("100.00%", column: c, rigid: true)
    case .hours(let x):
      try sheet.write(.number(x), row: r, column: c, style: Self.hours)
      // The width of x with two decimals, without formatting it.
      let rounded = (x.magnitude * 100).rounded() / 100
      let digits = rounded < 10 ? 1 : Int(log10(rounded)) + 1
      widen(column: c, to: Double(digits + 3 + (x < 0 ? 1 : 0)), cap: 48, rigid: true)
    case .missing:
      try sheet.write(.text(language.text(.none)), row: r, column: c, style: Self.missing)
    case .change(let x, let kind):
      // A rate's change is in percentage points, never a percentage a reader takes as relative.
      let style: CellStyle =
        switch kind {
        case .rate: language == .zh ? Self.pointsChangeChinese : Self.pointsChange
        case .count: Self.countChange
        default: Self.hoursChange
        }
      try sheet.write(.number(kind == .rate ? x * 100 : x), row: r, column: c, style: style)
      measure(
        kind == .rate ? (language == .zh ? "+100.00个百分点" : "+100.00 pp") : "+100.00%", column: c, rigid: true)
    }
  }

  /// Width in Excel's character units: CJK characters take two.
  private static func displayWidth<S: StringProtocol>(_ line: S) -> Double {
    line.unicodeScalars.reduce(0.0) { $0 + ($1.value >= 0x2E80 ? 2.0 : 1.0) }
  }

  private func measure(_ text: String, column: Int, cap: Double = 48, rigid: Bool = false) {
    var longest = 0.0
    var line = 0.0
    for u in text.unicodeScalars {
      if u == "\n" {
        longest = max(longest, line)
        line = 0
      } else {
        line += u.value >= 0x2E80 ? 2 : 1
      }
    }
    widen(column: column, to: max(longest, line), cap: cap, rigid: rigid)
  }

  private func widen(column: Int, to width: Double, cap: Double, rigid: Bool = false) {
    // Room for the indent of text cells and a little more.
    // Never narrower than before: a later table's capped header must not clip an earlier table's values.
    let w = min(width + 2.5, cap)
    widths[column] = max(widths[column] ?? 8, w)
    if rigid { rigidWidths[column] = max(rigidWidths[column] ?? 0, w) }
  }

  /// The narrowest a column of wrapped text may become: its longest word
  /// (a line breaks between words, and anywhere in CJK text), its unwrapped
  /// cells, and never under 10 characters.
  private func narrowest(_ column: Int) -> Double {
    var longestWord = 0.0
    for cells in wrappedCells.values {
      for (c, text) in cells where c == column {
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
          longestWord = max(
            longestWord, Self.displayWidth(word.unicodeScalars.contains { $0.value >= 0x2E80 } ? word.prefix(1) : word))
        }
      }
    }
    return max(rigidWidths[column] ?? 0, longestWord + 2.5, 10)
  }

  /// The columns' widths as the file stores them, each with 5 pixels of
  /// padding (5/7 of a character), added in column order: a sum in the
  /// dictionary's order would differ in its last bits from run to run, and
  /// so would the file.
  private var printedWidth: Double {
    widths.sorted { $0.key < $1.key }.reduce(0) { $0 + $1.value + 5.0 / 7 }
  }

  /// Narrows the widest columns of wrapped text together, level by level,
  /// until the sheet is `limit` wide or nothing can narrow further: their
  /// rows grow instead, and the sheet prints at 70% or more (issue 16).
  private func narrow(to limit: Double) {
    let floors = Dictionary(uniqueKeysWithValues: widths.keys.map { ($0, narrowest($0)) })
    while true {
      let excess = printedWidth - limit
      let candidates = widths.filter { $0.value > floors[$0.key, default: 0] + 0.001 }
      guard excess > 0.001, let widest = candidates.values.max() else { return }
      let level = candidates.filter { $0.value >= widest - 0.001 }.map(\.key)
      let next = candidates.values.filter { $0 < widest - 0.001 }.max() ?? 0
      let target = max(next, widest - excess / Double(level.count))
      for c in level { widths[c] = max(floors[c, default: 0], target) }
    }
  }

  /// Lines a wrapped text takes in a column of `width` characters.
  private static func lines(_ text: String, width: Double) -> Int {
    let usable = max(width - 1, 1)
    return text.split(separator: "\n", omittingEmptySubsequences: false).reduce(0) {
      $0 + max(1, Int((displayWidth($1) / usable).rounded(.up)))
    }
  }

  /// Column widths (in characters) that print on one A4 landscape page at
  /// 70% (261 mm between the margins; a column of w characters is about
  /// 1.85·w + 1.3 mm): a wider list prints at 70% over several pages instead,
  /// its first (id) column and header row repeated, rather than shrunk to an
  /// illegible 41% (issue 16).
  package static let widthAtSeventyPercent = 186.0
  package static let smallestScale = 70

  /// Column widths, frozen header, filter and print setup.
  /// `repeatHeader` prints the header row on every page (only it, not the
  /// title or notes above); a chart after it starts a page of its own
  /// (`newPage`), so the header prints above the chart, never over it. A
  /// `list` of cases too wide for one page prints over several; other sheets
  /// are fitted to one page wide.
  package func finish(
    headerRow: Int? = nil, freezeHeader: Bool = true, repeatHeader: Bool = true, list: Bool = false
  ) throws {
    // The file stores widths in whole pixels (a seventh of a character): room for each column's rounding.
    if !list { narrow(to: Self.widthAtSeventyPercent - Double(widths.count) / 7) }
    for (c, w) in widths.sorted(by: { $0.key < $1.key }) { try sheet.setColumnWidth(c, w) }
    for (r, cells) in wrappedCells.sorted(by: { $0.key < $1.key }) {
      let lines = cells.map { Self.lines($0.1, width: widths[$0.0] ?? 8) }.max() ?? 1
      if lines > 1 { try sheet.setRowHeight(r, Double(lines) * Self.lineHeight) }
    }
    for p in paragraphs {
      let width = p.columns.reduce(0.0) { $0 + (widths[$1] ?? 8) }
      let lines = Self.lines(p.text, width: width)
      if lines > 1 { try sheet.setRowHeight(p.row, Double(lines) * Self.lineHeight) }
    }
    if let headerRow, freezeHeader { try sheet.freeze(rows: headerRow + 1) }
    if !breaks.isEmpty { try sheet.pageBreaks(before: breaks) }
    if let t = tables.first {
      try sheet.autofilter(firstRow: t.header, firstColumn: 0, lastRow: t.last, lastColumn: t.columns - 1)
    }
    let printed = printedWidth
    let wide = list && printed > Self.widthAtSeventyPercent
    try sheet.setPrintLayout(
      Worksheet.PrintLayout(
        repeatRows: repeatHeader ? headerRow.map { $0...$0 } : nil, repeatColumns: wide ? 0...0 : nil,
        scale: wide ? Self.smallestScale : nil, footer: language.text(.pageFooter)))
  }
}
