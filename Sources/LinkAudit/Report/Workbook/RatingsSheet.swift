import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
  package func ratings(_ workbook: Workbook) throws {
    guard let ratings = data.ratings else { return }
    let model = ratings.model
    let s = try Sheet(workbook, t(.ratings), language: language)
    try s.title("\(t(.ratings)) · \(language.quarterName(data.quarter))")
    let pooled = model.observed(ratings.pooled)
    // Long texts as lines of their own, not measured: the grades' columns
    // keep the widths their values need, and each line runs on to the right.
    let formula = model.formulaLines(in: language)
    let lines: [(String, String)] =
      [
        (t(.ratingModel), "\(model.name) (SHA-256 \(model.sha256))"),
        (t(.window), ratings.window(in: language)),
        (
          t(.allRegistered),
          "\(ratings.pooled.events.grouped) \(t(.eventsUnit))"
            + RatingIndicator.allCases.map {
              "\(language.clauseSeparator)\($0.letter) \(ratings.pooled.indicatorCounts[$0.rawValue].grouped) = \(RatingText.decimal(pooled[$0.rawValue]))"
            }.joined()
        ),
      ]
      + formula.split(separator: "\n").enumerated().map { k, part in (k == 0 ? t(.formula) : "", String(part)) }
      + [
        (
          t(.marginDown),
          t(.marginDownNote)
        ),
        (
          t(.marginUp),
          t(.marginUpNote)
        ),
      ]
    for (label, text) in lines { try s.line([.text(label), .text(text)]) }
    s.row += 1
    let rated = ratings.ratings.filter(\.isRated)
    let header = [
      t(.platform), t(.name), t(.eventsInWindow), t(.score), t(.grade), t(.previousQuarter),
      t(.marginDown), t(.marginUp), t(.explanation), t(.evidenceIDs),
    ]
    // The grade and the previous grade are coloured: their columns, found by name.
    let grades = header.firstIndex(of: t(.grade))!...header.firstIndex(of: t(.previousQuarter))!
    let top = try s.table(
      header: header,
      rows: rated.map { r in
        [
          .text(r.platformID), .text(r.name(in: language)), .count(r.events),
          r.score.map { .hours($0) } ?? .missing, .text(language.word(.grade, r.grade)),
          .text(language.word(.grade, r.previousGrade)), r.marginDown.map { .count($0) } ?? .text(""),
          r.marginUp.map { .count($0) } ?? .text(""), .wrapped(ratings.explanation(r, in: language)),
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
        t(.notRated))
      try s.table(
        header: [t(.platform), t(.name), t(.eventsInWindow), t(.explanation)],
        rows: unrated.map { r in
          [
            .text(r.platformID), .text(r.name(in: language)), .count(r.events),
            .wrapped(ratings.explanation(r, in: language)),
          ]
        }, filter: false)
    }
    // The chart after the last table: it starts a page of its own below them.
    let last = s.row - 1
    if !rated.isEmpty {
      try s.barChart(
        title: t(.score), rows: (top + 1)...(top + rated.count), columns: (1, 3),
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
          + (ids.count > limit ? language.moreInAll(ids.count) : "")
    }
    let complaints = ratings.evidence.complaints(of: platformID).map(\.complaintID)
    let opens = ratings.evidence.exposures(of: platformID).map(\.eventID)
    return "v: \(list(complaints))\nx: \(list(opens))"
  }
}
