import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// Every case behind the ratings' indicators over the window, by id, on
  /// five sheets of the annex: the indicators; the unregistered domains
  /// (ten at most); the restrictions behind r; the complaints behind v; the opens behind x.
  package func ratingEvidence(_ workbook: Workbook) throws {
    guard let ratings = data.ratings else { return }
    let window = ratings.window(in: language)
    let s = try evidenceSheet(workbook, t(.ratingEvidence), window: window)
    let model = ratings.model
    // Each indicator of each platform on a row of its own: its count, the
    // observed rate with its interval, the adjusted rate the score uses and what it cost.
    try s.heading(t(.indicatorCosts))
    let top = try s.table(
      header: [
        t(.platform), t(.indicator), t(.count), t(.perTenThousandEvents),
        t(.interval95), t(.adjusted), t(.pointsLost),
        t(.beyondEveryGraded),
      ],
      rows: ratings.all.flatMap { r in
        RatingIndicator.allCases.map { i -> [Cell] in
          [
            .text(r.platformID), .text("\(i.letter) \(i.name(in: language))"),
            .count(r.counts.indicatorCounts[i.rawValue]), r.observed[i.rawValue].map { .hours($0) } ?? .missing,
            .text(RatingText.interval(r, i, perEvents: model.perEvents)),
            r.adjusted.map { .hours($0[i.rawValue]) } ?? .missing,
            r.isRated ? .hours(r.deductions[i.rawValue]) : .missing,
            .text(r.flags.contains(i) ? t(.yes) : ""),
          ]
        }
      }, filter: true)
    // One table per sheet where a table runs over pages, so each prints its
    // own header on its own pages only (issue 32: never under another's).
    try s.finish(headerRow: top, list: true)
    let few = try evidenceSheet(workbook, t(.evidenceSmallSheet), window: window)
    try few.heading(t(.unregisteredMostUpheld))
    try few.line([.text(""), .wrapped(ratings.explanation(ratings.unregistered, in: language))])
    try few.table(
      header: [t(.rank), t(.domain), t(.eventsCount), t(.upheld), t(.restrictions), t(.opensUnderDecisions)],
      rows: ratings.evidence.unregisteredDomains.enumerated().map { k, d in
        [
          .count(Int64(k + 1)), .text(d.domain), .count(d.events), .count(d.upheld), .count(d.restrictions),
          .count(d.exposed),
        ]
      }, filter: false)
    if ratings.evidence.unregisteredDomains.isEmpty { try few.line([.text(t(.noCases))]) }
    try few.finish()
    let r = try evidenceSheet(workbook, t(.evidenceRSheet), window: window)
    try r.heading(t(.restrictionsBehindR))
    let rTop = try r.table(
      header: [t(.platform), t(.eventsCount), t(.principle), t(.category)],
      rows: ratings.evidence.restrictions.map { x in
        [
          .text(x.platformID), .count(x.events), .count(Int64(x.principle)),
          .text(language.word(.category, x.category)),
        ]
      }, filter: true)
    if ratings.evidence.restrictions.isEmpty { try r.line([.text(t(.noCases))]) }
    try r.finish(headerRow: rTop, list: true)
    let v = try evidenceSheet(workbook, t(.evidenceVSheet), window: window)
    try v.heading(t(.complaintsBehindV))
    let vTop = try v.table(
      header: [
        t(.platform), t(.complaintID), t(.principle), t(.category), t(.receivedAt), t(.actionTaken), t(.domain),
      ],
      rows: ratings.evidence.complaints.map { c in
        [
          .text(c.platformID), .text(c.complaintID), .count(Int64(c.principle)),
          .text(language.word(.category, c.category)), .text(data.local(c.receivedAt)),
          .text(language.word(.actionTaken, c.actionTaken)), .text(c.domain),
        ]
      }, filter: true)
    if ratings.evidence.complaints.isEmpty { try v.line([.text(t(.noCases))]) }
    try v.finish(headerRow: vTop, list: true)
    let opens = try evidenceSheet(workbook, t(.evidenceXSheet), window: window)
    try opens.heading(t(.opensBehindX))
    let xTop = try opens.table(
      header: [t(.platform), t(.eventID), t(.principle), t(.occurredAt), t(.domain)],
      rows: ratings.evidence.exposures.map { e in
        [
          .text(e.platformID), .text(e.eventID), .count(Int64(e.principle)), .text(data.local(e.occurredAt)),
          .text(e.domain),
        ]
      }, filter: true)
    if ratings.evidence.exposures.isEmpty { try opens.line([.text(t(.noCases))]) }
    try opens.finish(headerRow: xTop, list: true)
  }

  /// A sheet of the rating evidence: its title and the window.
  private func evidenceSheet(_ workbook: Workbook, _ name: String, window: String) throws -> Sheet {
    let s = try Sheet(workbook, name, language: language)
    try s.title("\(name) · \(language.quarterName(data.quarter))")
    try s.pairs([(t(.window), .text(window))])
    s.row += 1
    return s
  }
}
