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
}
