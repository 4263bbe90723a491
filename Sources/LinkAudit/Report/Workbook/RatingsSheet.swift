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
    // Long texts as lines of their own, not measured: the grades' columns
    // keep the widths their values need, and each line runs on to the right.
    let formula = model.formulaLines(in: language)
    let lines: [(String, String)] =
      [
        (t(.ratingModel), "\(model.name) (SHA-256 \(model.sha256))"),
        (t(.window), ratings.window(in: language)),
        (t(.allRegistered), language.pooledRates(ratings)),
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
    // The labels measured: the name column under them is narrower than they are.
    for (label, text) in lines { try s.line([.text(label), .text(text)], measuring: 1) }
    s.row += 1
    let rated = ratings.ratings.filter(\.isRated)
    // The name is the platform: no id column beside it (issue 32), in either language.
    let header = [
      t(.platform), t(.eventsInWindow), t(.score), t(.grade), t(.previousQuarter),
      t(.marginDown), t(.marginUp), t(.explanation), t(.evidenceIDs),
    ]
    // The grade and the previous grade are coloured: their columns, found by name.
    let grades = header.firstIndex(of: t(.grade))!...header.firstIndex(of: t(.previousQuarter))!
    let score = header.firstIndex(of: t(.score))!
    let top = try s.table(
      header: header,
      rows: rated.map { r in
        [
          .text(r.name(in: language)), .count(r.events),
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
    // Page 2: the platforms not rated, a line each, then the scores' chart;
    // page 1 holds the model and the rated platforms whole.
    s.row += 1
    if !rated.isEmpty { s.newPage() }
    let unrated = ratings.ratings.filter { !$0.isRated }
    if !unrated.isEmpty {
      try s.heading(t(.notRated))
      try s.table(
        header: [t(.platform), t(.eventsInWindow), t(.explanation)],
        rows: unrated.map { r in
          ([.text(r.name(in: language)), .count(r.events)], language.notRatedWhy(r, model: model))
        }, spanningTo: header.count - 1)
      s.row += 1
    }
    if !rated.isEmpty {
      try s.barChart(
        title: t(.score), rows: (top + 1)...(top + rated.count), columns: (0, score),
        axes: (t(.score), t(.platform)), numberFormat: "0", max: 100, at: (s.row, 0),
        // As tall as its bars need: beside a long list of the unrated, page 2 still holds it.
        minimumHeight: 180)
    }
    // Several tables: no frozen or repeated header would belong to them all.
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
    // In Chinese by the indicators' names, in English by the formula's letters.
    let (v, x) =
      language == .zh
      ? (RatingIndicator.violation.name(in: .zh), RatingIndicator.exposure.name(in: .zh)) : ("v", "x")
    return language.labelled(v, list(complaints)) + "\n" + language.labelled(x, list(opens))
  }
}
