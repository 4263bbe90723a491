import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx
import Mustache

/// Renders the Markdown of a report from the templates in `templates/LANG/`:
/// `summary.md.mustache` and `principle.md.mustache` (once per principle).
/// The words live in the templates, so a compliance officer can reword them;
/// this file supplies only the figures, already formatted.
package struct MarkdownWriter {
  package static let templateNames = [
    "summary.md.mustache", "principle.md.mustache", "ratings.md.mustache", "corrections.md.mustache",
  ]
  package let data: ReportData
  package let language: ReportLanguage
  /// Events that got through listed in the Markdown; the workbook lists more, and says how many there are.
  package static let gotThroughLimit = 200
  /// Decisions listed in the Markdown when there are more: those that stopped
  /// least first; `decisions.csv` and the workbook's Decisions sheet list all.
  package static let decisionLimit = 200
  package let templates: String
  /// The version filed; nil for a package outside the filings.
  package var filing: FilingVersion? = nil
  /// What a version of 2 or more corrects: `corrections.LANG.md`.
  package var corrections: Corrections? = nil

  /// Values render as text: no HTML escaping in Markdown.
  package static func template(at path: String) throws -> MustacheTemplate {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw ReportError(message: "cannot read template \(path)")
    }
    do {
      return try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
    } catch {
      throw ReportError(message: "template \(path) does not parse: \(error)")
    }
  }

  package func render() throws -> [(name: String, text: String)] {
    let folder = (templates as NSString).appendingPathComponent(language.rawValue)
    let summary = try Self.template(at: (folder as NSString).appendingPathComponent("summary.md.mustache"))
    let principle = try Self.template(at: (folder as NSString).appendingPathComponent("principle.md.mustache"))
    var files = [(name: "summary.\(language.rawValue).md", text: summary.render(summaryContext()))]
    for p in Principle.allCases {
      files.append(
        (name: "principle-\(p.rawValue).\(language.rawValue).md", text: principle.render(principleContext(p))))
    }
    if data.ratings != nil {
      let ratings = try Self.template(at: (folder as NSString).appendingPathComponent("ratings.md.mustache"))
      files.append((name: "ratings.\(language.rawValue).md", text: ratings.render(summaryContext())))
    }
    if let corrections {
      let template = try Self.template(at: (folder as NSString).appendingPathComponent("corrections.md.mustache"))
      files.append(
        (name: "corrections.\(language.rawValue).md", text: template.render(correctionsContext(corrections))))
    }
    return files
  }

  // MARK: Contexts

  package func correctionsContext(_ c: Corrections) -> [String: Any] {
    common.merging([
      "version": language.versionName(c.version), "previousVersion": language.versionName(c.previous.version),
      "previousIssuedAt": data.local(c.previous.issuedAt), "reason": c.reason.map(markdownText) ?? "—",
      "hasFigures": !c.figures.isEmpty, "hasBatches": !c.batchesSince.isEmpty,
      "figures": c.rows(in: language).map { r -> [String: Any] in
        [
          // In a code span, where Markdown escapes would show.
          "figure": r.figure.replacingOccurrences(of: "`", with: "'"), "name": markdownText(r.name),
          "before": markdownText(r.before), "after": markdownText(r.after),
        ]
      },
      "batches": c.batchesSince.map { b -> [String: Any] in
        [
          "batchID": b.batchID, "kind": language.word(.batchKind, b.kind), "file": markdownText(b.fileName),
          "importedAt": data.local(b.importedAt),
        ]
      },
      "policies": c.policies(in: language), "model": c.model(in: language),
    ]) { $1 }
  }

  package var common: [String: Any] {
    [
      // As a reader names them: 2022年第一季度 and 北京时间（UTC+8） in Chinese.
      "quarter": language.quarterName(data.quarter), "previousQuarter": language.quarterName(data.quarter.previous),
      "period": data.period(in: language), "timeZone": language.zoneName(data.timeZone),
      "dataAsOf": data.local(data.dataAsOf.iso),
      "latestEvent": data.latestEventAt.map { data.local($0) } ?? "—",
      "latestComplaint": data.latestComplaintAt.map { data.local($0) } ?? "—",
      "daysWithoutEvents": data.daysWithoutEvents.isEmpty ? language.text(.noDays) : data.daysWithoutEventsText,
      "daysSinceLastComplaint": format(data.current[.daysSinceLastComplaint] ?? .none, .count),
      "complaintSilence": language.complaintSilence(data.current[.daysSinceLastComplaint]?.double),
      "batchCount": data.batches.count, "dataFingerprint": data.dataFingerprint,
      // A list of none or one: a section renders for a filed package only.
      "filing": (filing.map { [$0] } ?? []).map { f -> [String: Any] in
        var section: [String: Any] = ["version": language.versionName(f.version), "issuedAt": data.local(f.issuedAt)]
        // Only a version with a reason says one: Mustache renders `{{#reason}}` for an empty string too,
        // which left version 1 with "Reason for this version:" and nothing after it.
        if let reason = f.reason, !reason.isEmpty { section["reason"] = markdownText(reason) }
        return section
      },
      "policies": data.policies.map {
        [
          "version": markdownText($0.version), "title": markdownText($0.title),
          "effectiveFrom": data.local($0.effectiveFrom),
        ]
      },
    ]
  }

  package func summaryContext() -> [String: Any] {
    var context = common
    let overview = MetricCatalogue.all.filter { $0.principle == nil && $0.dimension == nil }
    context["overview"] = overview.map(row)
    context["principles"] = Principle.allCases.map { p -> [String: Any] in
      let headline = MetricCatalogue.all.filter { $0.principle == p && $0.dimension == nil }
      return ["number": p.rawValue, "heading": language.principleHeading(p), "figures": headline.map(row)]
    }
    context["changes"] = overview.map(change)
    context["trendQuarters"] = data.trend.map { point -> [String: Any] in
      [
        "label": language.quarterName(point.quarter) + (point.policiesTakingEffect.isEmpty ? "" : " ▲"),
        "policies": point.policiesTakingEffect.map {
          markdownText($0.version) + " (\(data.local($0.effectiveFrom).prefix(10)))"
        }.joined(separator: ", "),
      ]
    }
    context["trendRows"] = ReportData.trendMetricIDs.compactMap(MetricCatalogue.definition).map { d -> [String: Any] in
      [
        "name": language.taggedName(of: d), "id": d.id.rawValue,
        "cells": data.trend.map { ["value": format($0.figures[d.id] ?? .none, d.kind)] },
      ]
    }
    context["hasRepeatOffenders"] = !data.repeatOffenders.isEmpty
    context["repeatFrom"] = String(data.local(data.repeatWindowStart.iso).prefix(10))
    context["repeatOffenders"] = data.repeatOffenders.enumerated().map { i, d -> [String: Any] in
      [
        "rank": i + 1, "domain": markdownText(d.domain),
        "platform": markdownText(data.platformName(d.platformID, in: language)),
        "restrictions": Int(d.restrictions).grouped, "months": data.months(d.months), "upheld": d.upheld,
        "decisions": d.decisionsStanding, "opens": Int(d.opensUnderDecisions).grouped,
      ]
    }
    context["spansPolicyChange"] = data.spansPolicyChange
    var seen: Set<String> = []
    let versions = (data.previousPolicies + data.policies).filter { seen.insert($0.version).inserted }
    context["policyChange"] = versions.map {
      markdownText($0.version)
        + (language == .zh ? "，自 \(data.local($0.effectiveFrom)) 起" : " from \(data.local($0.effectiveFrom))")
    }.joined(separator: " → ")
    context["hasPolicyComparison"] = !data.policyComparison.isEmpty
    context["policyComparison"] = data.policyComparison.map { r -> [String: Any] in
      let keys = ["open", "warned", "blocked", "conformance", "warnedOfRestricted", "proceed", "over", "sceneRule"]
      var row: [String: Any] = [
        "quarter": Quarter(r.quarter).map(language.quarterName) ?? r.quarter,
        "version": markdownText(r.policyVersion ?? "—"),
        "events": Int(r.events).grouped,
      ]
      for (key, rate) in zip(keys, r.rates) { row[key] = rate.map { String(format: "%.2f%%", $0 * 100) } ?? "—" }
      return row
    }
    func hours(_ x: Double?) -> String { x.map { String(format: "%.1f", $0) } ?? "—" }
    // Whole hours as a whole number (24, not 24.0), as the workbook writes them.
    func sla(_ x: Double?) -> String { x.map { $0 == $0.rounded() ? String(Int64($0)) : hours($0) } ?? "—" }
    // The summary leads with the decisions enforced: how many taps under a decision were handled as decided.
    let taps = data.current[.decisionTaps]?.double.map { Int64($0) } ?? 0
    context["hasDecisionTaps"] = taps > 0
    context["decisionRate"] = format(data.current[.decisionEnforcementRate] ?? .none, .rate)
    context["decisionTaps"] = Int(taps).grouped
    context["decisionEnforced"] = format(data.current[.decisionEnforced] ?? .none, .count)
    context["decisionReached"] = format(data.current[.decisionReached] ?? .none, .count)
    context["hasLeastEnforced"] = !data.leastEnforcedDecisions.isEmpty
    context["leastEnforced"] = markdownText(
      data.leastEnforcedDecisions.map(language.decisionEnforcement).joined(separator: language == .zh ? "；" : "; "))
    context["hasReferrals"] = !data.referrals.isEmpty
    // The summary leads with these: a referral past its deadline is what a regulator asks about first.
    context["overdueReferralCount"] = data.overdueReferrals.count
    context["overdueReferralIDs"] = markdownText(language.overdueReferralList(data.overdueReferrals))
    context["hasOverdueReferrals"] = !data.overdueReferrals.isEmpty
    context["retiredNote"] = markdownText(language.text(.retiredNote))
    context["referrals"] = data.referrals.map { c -> [String: Any] in
      [
        "id": markdownText(c.complaintID), "principle": c.principle,
        "category": markdownText(language.word(.category, c.category)),
        "received": data.local(c.receivedAt), "status": markdownText(language.word(.status, c.status)),
        "hours": hours(c.hoursToResolve),
        "overdue": c.isOverdue
          ? language.text(.overdueMark) : c.isResolvedLate ? language.text(.resolvedLate) : "—",
        "daysOverdue": c.daysOverdue.map(String.init) ?? "—", "sla": sla(c.slaHours),
        "outcome": markdownText(c.outcome.map { language.word(.outcome, $0) } ?? "—"),
        "action": markdownText(c.actionTaken.map { language.word(.actionTaken, $0) } ?? "—"),
      ]
    }.map(Self.texts)
    let overdue = data.backlog.filter(\.isOverdue)
    context["hasOverdue"] = !overdue.isEmpty
    context["overdueAges"] = MetricCatalogue.overdueAges.map { ["label": $0.label] }
    context["overdueByAge"] = Principle.allCases.map { p -> [String: Any] in
      [
        "principle": p.rawValue,
        "cells": MetricCatalogue.overdueAges.map {
          ["value": format(data.current[.overdueAtEnd(p), dimension: "age=\($0.label)"] ?? .none, .count)]
        },
      ]
    }
    context["overdue"] = overdue.map { c -> [String: Any] in
      [
        "id": markdownText(c.complaintID), "principle": c.principle,
        "category": markdownText(language.word(.category, c.category)),
        "channel": markdownText(language.word(.channel, c.channel)), "received": data.local(c.receivedAt),
        "daysOverdue": c.daysOverdueAtEnd.map(String.init) ?? "—",
        "sla": sla(c.slaHours),
      ]
    }.map(Self.texts)
    context["hasDecisions"] = !data.decisions.isEmpty
    context["decisionsListed"] = markdownText(
      language.listedDecisions(min(data.decisions.count, Self.decisionLimit), of: data.decisions.count))
    context["decisions"] = Self.decisionsShown(data.decisions).map { d -> [String: Any] in
      [
        "id": markdownText(d.complaintID), "principle": d.principle,
        "category": markdownText(language.word(.category, d.category)),
        "scope": markdownText(language.word(.actionTaken, d.scope)),
        "target": markdownText(d.target), "from": data.local(d.standsFrom),
        "until": d.standsUntil.map { data.local($0) } ?? "—", "taps": d.taps.grouped, "enforced": d.enforced.grouped,
        "rate": d.enforcementRate.map { String(format: "%.2f%%", $0 * 100) } ?? "—", "reached": d.reached.grouped,
        "opened": d.opened.grouped, "proceeded": d.proceeded.grouped, "wentBack": d.wentBack.grouped,
        "blocked": d.blocked.grouped,
      ]
    }.map(Self.texts)
    context["hasUnblocked"] = !data.upheldWithoutAction.isEmpty
    context["unblocked"] = data.upheldWithoutAction.map { c -> [String: Any] in
      [
        "id": markdownText(c.complaintID), "principle": c.principle,
        "category": markdownText(language.word(.category, c.category)), "received": data.local(c.receivedAt),
        "action": markdownText(c.actionTaken.map { language.word(.actionTaken, $0) } ?? "—"),
        "prescribed": markdownText(c.prescribed.map { language.word(.treatment, $0) } ?? "—"),
      ]
    }.map(Self.texts)
    let gotThrough = data.gotThrough.prefix(Self.gotThroughLimit)
    context["detectorNote"] = markdownText(language.text(.detectorNote))
    context["art47Note"] = markdownText(language.text(.art47Note))
    context["hasGotThrough"] = !gotThrough.isEmpty
    context["gotThroughListed"] = markdownText(
      language.listedCases(
        gotThrough.count, of: data.gotThroughTotal, held: data.gotThroughHeld, in: ReportPackage.underRestrictedRegister
      ))
    context["gotThrough"] = gotThrough.map { e -> [String: Any] in
      [
        "id": markdownText(e.eventID), "time": data.local(e.occurredAt),
        "rule": markdownText(language.word(.rule, e.rule)), "principle": e.principle.map { "\($0)" } ?? "—",
        "scene": markdownText(language.word(.scene, e.scene)), "url": markdownText(e.url),
        "platform": markdownText(data.platformName(e.platformID, in: language)),
        "category": markdownText(e.category.map { language.word(.category, $0) } ?? "—"),
        "action": markdownText(language.word(.action, e.action)),
        "prescribed": markdownText(language.word(.treatment, e.treatment)), "version": markdownText(e.policyVersion),
        "detectedBy": markdownText(language.detector(action: e.action, detectedBy: e.detectedBy)),
        "client": markdownText(e.clientVersion ?? "—"),
        "toReport": e.principle == 1 ? language.art47Mark(principle: e.principle, action: e.action) : "—",
      ]
    }.map(Self.texts)
    let byRule = { (rule: String) in data.current[.underRestricted, dimension: "rule=\(rule)"]?.csv ?? "" }
    context["underRestrictedByRule"] = markdownText(
      language.underRestrictedByRule(category: byRule("category"), scene: byRule("scene")))
    context["hasGotThroughCounts"] = !data.gotThroughCounts.isEmpty
    context["gotThroughCounts"] = data.gotThroughCounts.map { c -> [String: Any] in
      [
        "category": markdownText(language.word(.category, c.category)), "domain": markdownText(c.domain),
        "events": Int(c.events).grouped,
      ]
    }
    if let ratings = data.ratings {
      context["hasRatings"] = true
      context.merge(RatingText(ratings, language: language, timeZone: data.timeZone).context) { _, rating in rating }
    }
    return context
  }

  package func principleContext(_ p: Principle) -> [String: Any] {
    var context = common
    let metrics = MetricCatalogue.all.filter { $0.principle == p && $0.dimension == nil }
    context["number"] = p.rawValue
    context["title"] = language.name(of: p)
    context["figures"] = metrics.map(row)
    context["changes"] = metrics.map(change)
    let top = data.current.topDomains(p)
    context["hasTopDomains"] = !top.isEmpty
    context["topDomains"] = top.enumerated().map { i, f in
      ["rank": i + 1, "domain": markdownText(f.label), "upheld": format(f.value, .count)]
    }
    let restrictions = data.restrictionsByCategory[p.rawValue] ?? []
    context["hasRestrictions"] = !restrictions.isEmpty
    context["restrictions"] = restrictions.map {
      ["category": language.word(.category, $0.0), "count": Int($0.1).grouped]
    }
    let late = data.lateActions.filter { $0.principle == p.rawValue }
    context["hasLateActions"] = !late.isEmpty
    context["lateActions"] = late.map { r -> [String: Any] in
      [
        "url": markdownText(r.url), "firstSeen": data.local(r.firstSeen),
        "firstRestricted": data.local(r.firstRestricted), "hours": String(format: "%.1f", r.hoursToAction),
        "opensBefore": r.opensBefore.grouped, "detectedBy": markdownText(language.word(.detector, r.detectedBy)),
      ]
    }.map(Self.texts)
    if p == .userChoice {
      func rates(_ key: String, _ name: (String) -> String) -> [[String: Any]] {
        // Highest first, as the workbook lists them: never in the order of the codes' English ids.
        data.current.ranked(.userChoiceOpenRate, key).map { ["name": name($0.label), "rate": format($0.value, .rate)] }
      }
      context["hasOpenRates"] = true
      context["openRateByScene"] = rates("scene") { language.word(.scene, $0) }
      context["openRateByPlatform"] = rates("platform") { markdownText(data.platformName($0, in: language)) }
      func share(_ n: Int64, _ of: Int64) -> String { of > 0 ? format(.decimal(Double(n) / Double(of)), .rate) : "—" }
      context["interconnection"] = data.interconnection.map { r -> [String: Any] in
        [
          "platform": markdownText(data.platformName(r.platformID, in: language)), "events": r.events.grouped,
          "sceneRule": r.sceneRuleRestrictions.grouped, "sceneRuleShare": share(r.sceneRuleRestrictions, r.events),
          "over": r.overRestricted.grouped, "overShare": share(r.overRestricted, r.events),
        ]
      }.map(Self.texts)
    }
    return context
  }

  package func row(_ d: MetricDefinition) -> [String: Any] {
    let now = data.current[d.id] ?? .none
    let before = data.previous[d.id] ?? .none
    var change = "—"
    if let a = now.double, let b = before.double { change = formatChange(d.kind.shown(a) - d.kind.shown(b), d.kind) }
    // The value as read: a rate with its counts, and any caveat beside it.
    var value = format(now, d.kind)
    if let f = data.current.figure(d.id) {
      let notes = [language.counts(of: f), language.caveat(of: f, kind: d.kind, in: data.current)].filter {
        !$0.isEmpty
      }
      if !notes.isEmpty {
        value +=
          language == .zh ? "（" + notes.joined(separator: "；") + "）" : " (" + notes.joined(separator: "; ") + ")"
      }
    }
    return [
      "id": d.id.rawValue, "name": language.name(of: d), "definition": language.definition(of: d),
      "value": value, "previous": format(before, d.kind), "change": change,
    ]
  }

  /// The reading of one figure against the previous quarter: which way it moved.
  package func change(_ d: MetricDefinition) -> [String: Any] {
    let now = data.current[d.id] ?? .none
    let before = data.previous[d.id] ?? .none
    var context = row(d)
    switch (now.double, before.double) {
    case (let a?, let b?):
      // Compared as shown: a move smaller than the last digit displayed is no move.
      let (fa, fb) = (format(now, d.kind), format(before, d.kind))
      // A rate is narrated as moving only beyond its interval: where the two quarters' 95% intervals
      // overlap, the text says the move is within the noise (issue 32), as the key findings count it.
      var noise = false
      if fa != fb, d.kind == .rate, let x = data.current.figure(d.id), let y = data.previous.figure(d.id),
        let x1 = x.numerator, let n1 = x.denominator, let x2 = y.numerator, let n2 = y.denominator, n1 > 0, n2 > 0
      {
        noise = !RateChange.beyondChance(x1, n1, x2, n2)
      }
      context["noise"] = noise
      context["rose"] = !noise && fa != fb && a > b
      context["fell"] = !noise && fa != fb && a < b
      context["same"] = fa == fb
    case (.some, nil): context["new"] = true
    case (nil, .some): context["gone"] = true
    case (nil, nil): context["same"] = true
    }
    return context
  }

  /// The register as the Markdown lists it: whole when it is short; else the
  /// `decisionLimit` decisions with the most taps that reached the page, then
  /// the most taps, under them, in the register's order.
  package static func decisionsShown(_ all: [ReportData.DecisionRow]) -> [ReportData.DecisionRow] {
    guard all.count > decisionLimit else { return all }
    let kept = Set(
      all.indices.sorted { (all[$1].reached, all[$1].taps, $0) < (all[$0].reached, all[$0].taps, $1) }
        .prefix(decisionLimit))
    return all.indices.filter(kept.contains).map { all[$0] }
  }

  /// A table row with every value as the text Mustache would render: a long
  /// list renders several times faster without a dynamic cast per cell.
  static func texts(_ row: [String: Any]) -> [String: String] { row.mapValues { "\($0)" } }

  package func format(_ value: MetricValue, _ kind: MetricKind) -> String {
    switch value {
    case .none: return "—"
    case .text(let s): return s
    case .count(let n): return Int(n).grouped
    case .decimal(let x):
      switch kind {
      case .rate: return String(format: "%.2f%%", x * 100)
      case .count: return Int(x).grouped
      default: return String(format: "%.2f", x)
      }
    }
  }

  /// A signed change, its sign taken from the figure as shown: a change that
  /// rounds to zero reads ±0, never −0.00.
  package func formatChange(_ x: Double, _ kind: MetricKind) -> String {
    let magnitude: String
    switch kind {
    case .rate: magnitude = String(format: "%.2f", abs(x) * 100)
    case .count: magnitude = Int(abs(x).rounded()).grouped
    default: magnitude = String(format: "%.2f", abs(x))
    }
    let isZero = magnitude.allSatisfy { $0 == "0" || $0 == "." || $0 == "," }
    let sign = isZero ? "±" : x > 0 ? "+" : "−"
    let unit = kind == .rate ? (language == .zh ? " 个百分点" : " pp") : ""
    return sign + magnitude + unit
  }
}

/// A report cannot be written or verified; the message says why.
public struct ReportError: Error, LocalizedError, Equatable {
  public let message: String
  public var errorDescription: String? { message }
}
