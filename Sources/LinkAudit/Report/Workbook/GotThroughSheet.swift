import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// What got through: each event handled more leniently than its policy
  /// prescribes, by a category's rule or the scene's (the first
  /// `ReportData.gotThroughLimit`; the package's case register holds all),
  /// then principle 3's by category and domain.
  /// `overview.under_restricted[rule=…]` as the Got through sheet and the summary state it.
  var underRestrictedByRule: String {
    let by = { (rule: String) in data.current[MetricID.underRestricted, dimension: "rule=\(rule)"]?.csv ?? "" }
    return language.underRestrictedByRule(category: by("category"), scene: by("scene"))
  }

  /// The under-restricted page of the main workbook (issue 32), one page:
  /// how the quarter's events conformed to their rules, scene by scene, then
  /// the events handled more leniently than prescribed, principle 1's
  /// (unlawful content, to be reported) first. The annex lists every one.
  package func gotThrough(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.gotThrough))
    try s.heading(t(.conformance))
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
      }, filter: false)
    s.row += 1
    try s.heading(t(.gotThroughEvents))
    let columns = 10
    try s.paragraph(underRestrictedByRule, columns: columns)
    let lawful = Int64(Principle.lawfulContent.rawValue)
    let ordered = data.gotThrough.filter { $0.principle == lawful } + data.gotThrough.filter { $0.principle != lawful }
    let shown = Array(ordered.prefix(Self.mainWorkbookRows))
    try s.paragraph(
      language.shownOfAll(
        shown.count, of: Int(data.gotThroughTotal), order: t(.lawfulFirst), sheet: t(.underRestrictedSheet),
        file: ReportPackage.underRestrictedRegister), columns: columns)
    try s.table(
      header: [
        t(.eventID), t(.occurredAt), t(.ruleBroken), t(.principle), t(.scene), t(.url), t(.platform), t(.action),
        t(.prescribed), t(.toReport),
      ],
      rows: shown.map { e in
        [
          .text(e.eventID), .text(data.local(e.occurredAt)), .text(language.word(.rule, e.rule)),
          e.principle.map { .count($0) } ?? .text(""),
          // Wrapped, so the page keeps its width for the URL.
          .wrapped(language.word(.scene, e.scene)), .wrapped(e.url),
          .wrapped(data.platformName(e.platformID, in: language)), .wrapped(language.word(.action, e.action)),
          .wrapped(language.word(.treatment, e.treatment)),
          .wrapped(language.art47Mark(principle: e.principle, action: e.action)),
        ]
      }, filter: false)
    if data.gotThrough.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.paragraph(t(.art47Note), columns: columns)
    try s.finish(headerRow: top, freezeHeader: false, repeatHeader: false, onePage: true)
  }

  /// The under-restricted events in the annex: `events` are those listed
  /// (`annexUnderRestricted`), on the sheet `name`.
  package func gotThroughRegister(
    _ workbook: Workbook, events: [ReportData.GotThroughRow]? = nil, name: String? = nil
  ) throws {
    let s = try periodSheet(workbook, name ?? t(.gotThrough))
    try s.heading(t(.gotThroughEvents))
    try s.line([.text(underRestrictedByRule)])
    let shown = events ?? Array(data.gotThrough.prefix(ReportData.gotThroughLimit))
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
}
