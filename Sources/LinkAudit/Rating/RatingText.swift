import Foundation
import LinkAuditCore
import LinkAuditQuery

/// The ratings as the Markdown templates read them, in one language: the
/// figures already formatted, the evidence by id, what would restore a grade.
/// `ratings.LANG.md` and the notices (`notice.LANG.md`) both render from here.
package struct RatingText {
  package let ratings: QuarterRatings
  package let language: ReportLanguage
  package let zone: TimestampParser

  package init(_ ratings: QuarterRatings, language: ReportLanguage, timeZone: TimeZone) {
    (self.ratings, self.language, zone) = (ratings, language, TimestampParser(timeZone: timeZone))
  }

  var english: Bool { language == .en }
  var model: RatingModel { ratings.model }

  func local(_ iso: String) -> String { TimestampParser.utc.parse(iso).map { zone.localText(of: $0) } ?? iso }
  static func decimal(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "—" }
  static func count(_ x: Double) -> String { RatingModel.number(x) }
  /// An observed rate's Wilson 95% interval as the reports print it: "0.12–3.84", "—" without events.
  static func interval(_ r: PlatformRating, _ i: RatingIndicator, perEvents: Double) -> String {
    r.interval(i, perEvents: perEvents).map { "\(decimal($0.low))–\(decimal($0.high))" } ?? "—"
  }
  func grade(_ g: String) -> String { language.word(.grade, g) }
  func ids(_ list: [String]) -> String { list.isEmpty ? "—" : list.map(markdownText).joined(separator: ", ") }

  /// "12,000 events (r: 1,000)": the weight of the all-platform rate.
  var priorsText: String {
    let own = RatingIndicator.allCases.compactMap { i in
      indicator(i).priorEvents.map {
        english ? "\(i.letter): \(Self.count($0))" : "\(i.letter) 为 \(Self.count($0)) 次"
      }
    }
    let main = "\(Self.count(model.priorEvents)) \(english ? "events" : "次事件")"
    guard !own.isEmpty else { return main }
    return english ? "\(main) (\(own.joined(separator: ", ")))" : "\(main)（\(own.joined(separator: "，"))）"
  }

  /// The window, the model and the all-platform rates: what every page says first.
  package var header: [String: Any] {
    let pooled = model.observed(ratings.pooled)
    return [
      "window": ratings.window(in: language),
      "ratingModel": [
        "name": markdownCode(model.name), "sha256": model.sha256, "formula": model.formula(in: language),
      ],
      "minEvents": model.minEvents.grouped,
      "priorEvents": priorsText,
      "hasShrinkage": model.priors.contains { $0 > 0 },
      "pooled": RatingIndicator.allCases.map { i -> [String: Any] in
        [
          "letter": i.letter, "name": i.name(in: language),
          "count": ratings.pooled.indicatorCounts[i.rawValue].grouped, "rate": Self.decimal(pooled[i.rawValue]),
        ]
      },
      "pooledEvents": ratings.pooled.events.grouped,
    ]
  }

  /// One platform (or the unregistered domains): its grade, indicators, margins and evidence.
  package func platform(_ r: PlatformRating) -> [String: Any] {
    let evidence = ratings.evidence
    let complaints = evidence.complaints(of: r.platformID)
    let restrictions = evidence.restrictions(of: r.platformID)
    let exposures = evidence.exposures(of: r.platformID)
    let indicators = RatingIndicator.allCases.map { i -> [String: Any] in
      [
        "letter": i.letter, "name": i.name(in: language), "count": r.counts.indicatorCounts[i.rawValue].grouped,
        "observed": Self.decimal(r.observed[i.rawValue]),
        "interval": Self.interval(r, i, perEvents: model.perEvents),
        "adjusted": Self.decimal(r.adjusted?[i.rawValue]),
        "cost": r.isRated
          ? (r.deductions[i.rawValue] > 0.000_000_5 ? "−" : "") + Self.decimal(r.deductions[i.rawValue]) : "—",
        "weight": Self.count(indicator(i).weight), "flagged": r.flags.contains(i),
        "flag": r.flags.contains(i) ? (english ? "beyond every graded platform" : "超过所有已评级平台") : "",
      ]
    }
    return [
      "platform": markdownText(r.platformID),
      "name": markdownText(r.name(in: language)),
      "events": r.events.grouped, "isRated": r.isRated, "notRated": !r.isRated,
      "score": Self.decimal(r.score), "grade": grade(r.grade), "previousGrade": grade(r.previousGrade),
      "change": r.gradeChange, "explanation": markdownText(ratings.explanation(r, in: language)),
      "marginDown": r.marginDown?.grouped ?? "—", "marginUp": r.marginUp?.grouped ?? "—",
      "violation": Self.decimal(r.observed[0]), "severe": Self.decimal(r.observed[1]),
      "restriction": Self.decimal(r.observed[2]), "exposure": Self.decimal(r.observed[3]),
      "indicators": indicators, "hasFlags": !r.flags.isEmpty,
      "flags": r.flags.map { $0.name(in: language) }.joined(separator: language.listSeparator),
      "complaintIDs": ids(complaints.map(\.complaintID)),
      "severeIDs": ids(complaints.filter { $0.principle <= 2 }.map(\.complaintID)),
      "hasComplaints": !complaints.isEmpty,
      "complaints": complaints.map { c -> [String: Any] in
        [
          "id": markdownText(c.complaintID), "principle": c.principle,
          "category": language.word(.category, c.category), "received": local(c.receivedAt),
          "action": markdownText(c.actionTaken.map { language.word(.actionTaken, $0) } ?? "—"),
          "domain": markdownText(c.domain),
        ]
      },
      "hasRestrictions": !restrictions.isEmpty,
      "restrictions": restrictions.map { x -> [String: Any] in
        [
          "principle": x.principle,
          "category": language.word(.category, x.category),
          "events": x.events.grouped,
        ]
      },
      "hasExposures": !exposures.isEmpty,
      "exposureIDs": ids(exposures.map(\.eventID)),
      "exposures": exposures.map { e -> [String: Any] in
        [
          "id": markdownText(e.eventID), "occurred": local(e.occurredAt), "principle": e.principle,
          "domain": markdownText(e.domain),
        ]
      },
      "restore": markdownText(restore(r)),
      "notRatedReason": english
        ? "it has \(r.events.grouped) events in the window, fewer than the \(model.minEvents.grouped) the model requires."
        : "窗口内事件数 \(r.events.grouped)，少于模型要求的 \(model.minEvents.grouped)。",
      "marginDownText": markdownText(marginDown(r)),
    ]
  }

  func indicator(_ i: RatingIndicator) -> RatingModel.Indicator {
    [model.violation, model.severe, model.restriction, model.exposure][i.rawValue]
  }

  /// How near the grade below is, in plain words.
  func marginDown(_ r: PlatformRating) -> String {
    guard r.isRated else { return "" }
    guard let n = r.marginDown else {
      return english
        ? "No number of further upheld complaints would lower the grade: it is the lowest, or the indicators are at their caps."
        : "再增加成立投诉也不会再降级：已是最低等级，或各指标已达上限。"
    }
    return english
      ? "\(n.grouped) more upheld complaint\(n == 1 ? "" : "s") (of principles 1-2) would cost a grade."
      : "再有 \(n.grouped) 件成立投诉（原则1-2）将降一级。"
  }

  /// What would restore (or raise) the grade, in plain words.
  func restore(_ r: PlatformRating) -> String {
    guard let score = r.score else {
      return english
        ? "Rated once it has \(model.minEvents.grouped) events in the window (\(r.events.grouped) now)."
        : "窗口内事件数达到 \(model.minEvents.grouped) 后参与评级（目前 \(r.events.grouped)）。"
    }
    let grades = model.grades
    let now = grades.firstIndex { $0.grade == r.grade } ?? grades.count - 1
    let previous = grades.firstIndex { $0.grade == r.previousGrade }
    // The grade to restore: the previous one when it was better, else the next one up.
    let target = previous.map { $0 < now ? $0 : now - 1 } ?? now - 1
    let window =
      english
      ? " Complaints count for \(model.windowQuarters) quarter\(model.windowQuarters == 1 ? "" : "s"): each leaves the window \(model.windowQuarters) quarter\(model.windowQuarters == 1 ? "" : "s") after the quarter it was received in."
      : "投诉计入 \(model.windowQuarters) 个季度：自受理季度起 \(model.windowQuarters) 个季度后移出窗口。"
    guard target >= 0 else {
      return english
        ? "Top grade: nothing to restore." + window
        : "已为最高等级，无需恢复。" + window
    }
    let needed = grades[target].minScore
    let short = String(format: "%.2f", max(0, needed - score))
    let complaints =
      r.marginUp.map {
        english
          ? "\($0.grouped) fewer upheld complaint\($0 == 1 ? "" : "s") in the window would reach \(grade(grades[now - 1].grade))."
          : "窗口内成立投诉减少 \($0.grouped) 件即可升至 \(grade(grades[now - 1].grade))。"
      }
      ?? {
        // What else costs points: without it, the all-platform part of the adjusted rates.
        let others = [RatingIndicator.restriction, .exposure].filter { r.deductions[$0.rawValue] > 0.005 }.map {
          "\($0.name(in: language)) (−\(Self.decimal(r.deductions[$0.rawValue])))"
        }
        if others.isEmpty {
          return english
            ? "Fewer upheld complaints alone would not: the adjusted rates keep their all-platform part until more events weigh against it."
            : "仅减少成立投诉不足以升级：调整后比率中的全平台部分须有更多事件才会减小。"
        }
        return english
          ? "Fewer upheld complaints alone would not: \(others.joined(separator: " and ")) must fall too."
          : "仅减少成立投诉不足以升级：\(others.joined(separator: "、").replacingOccurrences(of: " (", with: "（").replacingOccurrences(of: ")", with: "）"))也须下降。"
      }()
    return english
      ? "To reach \(grade(grades[target].grade)) the score must be \(Self.count(needed)) or more: \(short) points more. \(complaints)"
        + window
      : "升至 \(grade(grades[target].grade)) 需得分不低于 \(Self.count(needed))，还差 \(short) 分。\(complaints)" + window
  }

  /// Everything `ratings.LANG.md` shows.
  package var context: [String: Any] {
    var c = header
    let rated = ratings.ratings.filter(\.isRated)
    let unrated = ratings.ratings.filter { !$0.isRated }
    c["ratings"] = ratings.ratings.map(platform)
    c["rated"] = rated.map(platform)
    c["hasUnrated"] = !unrated.isEmpty
    c["unrated"] = unrated.map(platform)
    c["unregistered"] = platform(ratings.unregistered)
    c["hasTopDomains"] = !ratings.evidence.unregisteredDomains.isEmpty
    c["topDomains"] = ratings.evidence.unregisteredDomains.enumerated().map { k, d -> [String: Any] in
      [
        "rank": k + 1, "domain": markdownText(d.domain), "events": d.events.grouped, "upheld": d.upheld.grouped,
        "restrictions": d.restrictions.grouped, "exposed": d.exposed.grouped,
      ]
    }
    return c
  }
}
