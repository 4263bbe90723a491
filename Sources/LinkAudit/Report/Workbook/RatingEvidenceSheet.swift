import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  /// Every case behind the ratings' indicators over the window, by id.
  package func ratingEvidence(_ workbook: Workbook) throws {
    guard let ratings = data.ratings else { return }
    let s = try Sheet(workbook, t(.ratingEvidence), language: language)
    try s.title("\(t(.ratingEvidence)) · \(language.quarterName(data.quarter))")
    try s.pairs([(t(.window), .text(ratings.window(in: language)))])
    s.row += 1
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
    s.row += 1
    try s.heading(t(.unregisteredMostUpheld))
    try s.line([.text(""), .wrapped(ratings.explanation(ratings.unregistered, in: language))])
    try s.table(
      header: [t(.rank), t(.domain), t(.eventsCount), t(.upheld), t(.restrictions), t(.opensUnderDecisions)],
      rows: ratings.evidence.unregisteredDomains.enumerated().map { k, d in
        [
          .count(Int64(k + 1)), .text(d.domain), .count(d.events), .count(d.upheld), .count(d.restrictions),
          .count(d.exposed),
        ]
      }, filter: false)
    if ratings.evidence.unregisteredDomains.isEmpty { try s.line([.text(t(.noCases))]) }
    s.row += 1
    try s.heading(t(.complaintsBehindV))
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
    try s.heading(t(.restrictionsBehindR))
    try s.table(
      header: [t(.platform), t(.eventsCount), t(.principle), t(.category)],
      rows: ratings.evidence.restrictions.map { x in
        [
          .text(x.platformID), .count(x.events), .count(Int64(x.principle)),
          .text(language.word(.category, x.category)),
        ]
      }, filter: false)
    if ratings.evidence.restrictions.isEmpty { try s.line([.text(t(.noCases))]) }
    s.row += 1
    try s.heading(t(.opensBehindX))
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
}
