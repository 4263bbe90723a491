import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

extension WorkbookWriter {
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
          + (ids.count > limit ? (language == .en ? " … (\(ids.count) in all)" : " …（共 \(ids.count) 个）") : "")
    }
    let complaints = ratings.evidence.complaints(of: platformID).map(\.complaintID)
    let opens = ratings.evidence.exposures(of: platformID).map(\.eventID)
    return "v: \(list(complaints))\nx: \(list(opens))"
  }
}
