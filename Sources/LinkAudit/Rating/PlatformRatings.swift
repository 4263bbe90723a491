import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

/// The four indicators of the rating model, in the model's order.
public enum RatingIndicator: Int, CaseIterable, Sendable {
  case violation, severe, restriction, exposure

  /// The letter the formula uses.
  public var letter: String { ["v", "s", "r", "x"][rawValue] }
  /// The metric id's stem: `rating.<stem>_rate`.
  public var stem: String { ["violation", "severe", "restriction", "exposure"][rawValue] }

  public func name(in language: ReportLanguage) -> String {
    language == .en
      ? ["upheld complaints", "upheld complaints of principles 1-2", "restrictions", "opens after a decision"][rawValue]
      : ["成立投诉", "原则1-2成立投诉", "限制", "处置后打开"][rawValue]
  }
}

/// What a platform's indicators rest on, over the model's window.
public struct RatingCounts: Sendable, Equatable {
  public var events: Int64
  /// Upheld complaints of principles 1-3 received in the window.
  public var violations: Int64
  /// Of those, principles 1-2.
  public var severe: Int64
  /// Events of principles 1-3 warned or blocked.
  public var restrictions: Int64
  /// Events opened under a standing decision of principles 1-3, each once.
  public var exposed: Int64

  public init(events: Int64, violations: Int64, severe: Int64, restrictions: Int64, exposed: Int64) {
    (self.events, self.violations, self.severe, self.restrictions, self.exposed) =
      (events, violations, severe, restrictions, exposed)
  }

  public static let zero = RatingCounts(events: 0, violations: 0, severe: 0, restrictions: 0, exposed: 0)

  /// The count each indicator is a rate of, in indicator order.
  public var indicatorCounts: [Int64] { [violations, severe, restrictions, exposed] }

  static func + (a: RatingCounts, b: RatingCounts) -> RatingCounts {
    RatingCounts(
      events: a.events + b.events, violations: a.violations + b.violations, severe: a.severe + b.severe,
      restrictions: a.restrictions + b.restrictions, exposed: a.exposed + b.exposed)
  }

  /// With `delta` upheld complaints more (or fewer, when negative): fewer
  /// take those of principles 1-2 first, more count as principles 1-2; either
  /// way the costliest kind, so a margin is the fewest complaints that move a grade.
  package func complaintsChanged(by delta: Int64) -> RatingCounts {
    var c = self
    c.violations += delta
    c.severe = delta >= 0 ? c.severe + delta : max(0, c.severe + delta)
    return c
  }
}

/// One platform's rating for a quarter: its counts over the window, the
/// indicators per `per_events` events (observed, and adjusted toward the
/// all-platform rate for the score), the score and grade, and its margins.
public struct PlatformRating: Sendable, Equatable {
  /// The platform's name as the registry gives it in `language`.
  public func name(in language: ReportLanguage) -> String { language == .en ? nameEnglish : nameChinese }

  public var platformID: String
  public var nameEnglish: String
  public var nameChinese: String
  public var counts: RatingCounts
  /// The observed rates, in indicator order; nil without events.
  public var observed: [Double?]
  /// The rates the score uses (shrunk toward the all-platform rate); nil when not rated.
  public var adjusted: [Double]?
  /// nil when not rated.
  public var score: Double?
  public var deductions: [Double]
  public var grade: String
  public var previousGrade: String
  /// The fewest more upheld complaints that lower the grade; nil when none would.
  public var marginDown: Int64?
  /// The fewest fewer upheld complaints (of those it has) that raise the grade; nil when none would.
  public var marginUp: Int64?
  /// Not rated: the indicators whose observed rate is beyond every graded platform's.
  public var flags: [RatingIndicator]

  public var events: Int64 { counts.events }
  public var isRated: Bool { score != nil }
  public var gradeChange: String { "\(previousGrade)→\(grade)" }
  public var violationRate: Double? { observed[0] }
  public var severeRate: Double? { observed[1] }
  public var restrictionRate: Double? { observed[2] }
  public var exposureRate: Double? { observed[3] }

  /// The Wilson 95% interval of an observed rate, per `perEvents` events (a
  /// count above the events, possible for complaints, is read as all of them).
  public func interval(_ i: RatingIndicator, perEvents: Double) -> (low: Double, high: Double)? {
    guard counts.events > 0 else { return nil }
    let w = Wilson.interval(successes: min(counts.indicatorCounts[i.rawValue], counts.events), trials: counts.events)
    return (w.low * perEvents, w.high * perEvents)
  }
}

/// The ratings of every platform of the registry in force for a quarter, and
/// the unregistered domains (`other`), shown but never graded.
public struct QuarterRatings: Sendable {
  public let quarter: Quarter
  public let model: RatingModel
  /// The first quarter of the window (the rated quarter is its last).
  public let windowStart: Quarter
  /// Rated platforms by score (highest first, ties by id), then those not rated by events.
  public private(set) var ratings: [PlatformRating]
  /// Whether `all` ends with the unregistered domains (not when one platform is shown).
  public private(set) var showsUnregistered = true
  /// The domains in no registered platform: their indicators, never a grade.
  public let unregistered: PlatformRating
  /// Every registered platform's counts together: what the indicators are shrunk toward.
  public let pooled: RatingCounts
  /// What each platform's indicators rest on, case by case.
  public let evidence: RatingEvidence

  public init(database db: Database, quarter: Quarter, timeZone: TimeZone, model: RatingModel) throws {
    self.quarter = quarter
    self.model = model
    windowStart = Self.windowStart(quarter, model)
    try Rollups.prepare(db, for: timeZone)
    let now = try Self.rate(db, quarter, timeZone, model)
    // Only its grades are read: no margins for it.
    let before = try Self.rate(db, quarter.previous, timeZone, model, margins: false)
    let previous = Dictionary(uniqueKeysWithValues: before.rated.map { ($0.platformID, $0.grade) })
    ratings = now.rated.map { r in
      var r = r
      r.previousGrade = previous[r.platformID] ?? RatingModel.notRated
      return r
    }.sorted { a, b in
      switch (a.score, b.score) {
      case (let x?, let y?): return x != y ? x > y : a.platformID < b.platformID
      case (.some, nil): return true
      case (nil, .some): return false
      case (nil, nil): return a.events != b.events ? a.events > b.events : a.platformID < b.platformID
      }
    }
    unregistered = now.other
    pooled = now.pooled
    evidence = try RatingEvidence(
      database: db, parameters: Self.parameters(quarter, timeZone, model))
  }

  static func windowStart(_ quarter: Quarter, _ model: RatingModel) -> Quarter {
    (1..<max(1, model.windowQuarters)).reduce(quarter) { q, _ in q.previous }
  }

  /// `:window_start` (the window's first instant) and `:end` (the quarter's end).
  public static func parameters(_ quarter: Quarter, _ zone: TimeZone, _ model: RatingModel) -> [String: SQLValue] {
    [
      ":window_start": .text(windowStart(quarter, model).bounds(in: zone).start.iso),
      ":end": .text(quarter.bounds(in: zone).end.iso),
    ]
  }

  package static func rate(
    _ db: Database, _ quarter: Quarter, _ zone: TimeZone, _ model: RatingModel, margins: Bool = true
  ) throws -> (rated: [PlatformRating], other: PlatformRating, pooled: RatingCounts) {
    var rows: [(id: String, en: String, zh: String, counts: RatingCounts)] = []
    for v in try db.records(
      indicatorSQL, named: parameters(quarter, zone, model), source: "the rating indicators query")
    {
      rows.append(
        (
          // Names masked as every output of stored text is (red-team F4: a database imported before import refused them).
          try v.text("platform_id"), PersonalNumberMask.mask(try v.text("name_en")),
          PersonalNumberMask.mask(try v.text("name_zh")),
          RatingCounts(
            events: try v.integer("events"), violations: try v.integer("upheld_violations"),
            severe: try v.integer("upheld_severe"), restrictions: try v.integer("restrictions"),
            exposed: try v.integer("exposed_opens"))
        ))
    }
    let registered = rows.filter { $0.id != otherID }
    let pooled = registered.map(\.counts).reduce(.zero, +)
    // Every platform starts ungraded with its observed rates; those with enough events are scored.
    func ungraded(_ id: String, _ en: String, _ zh: String, _ counts: RatingCounts) -> PlatformRating {
      PlatformRating(
        platformID: id, nameEnglish: en, nameChinese: zh, counts: counts, observed: model.observed(counts),
        adjusted: nil, score: nil, deductions: [0, 0, 0, 0], grade: RatingModel.notRated,
        previousGrade: RatingModel.notRated, marginDown: nil, marginUp: nil, flags: [])
    }
    var rated = registered.map { row -> PlatformRating in
      var r = ungraded(row.id, row.en, row.zh, row.counts)
      guard row.counts.events >= model.minEvents else { return r }
      let s = model.evaluate(row.counts, pooled: pooled)
      (r.adjusted, r.score, r.deductions, r.grade) = (s.adjusted, s.score, s.deductions, model.grade(for: s.score))
      if margins { (r.marginDown, r.marginUp) = model.margins(row.counts, pooled: pooled) }
      return r
    }
    let o = rows.first { $0.id == otherID }
    var other = ungraded(
      otherID, o?.en ?? "Unregistered domains", o?.zh ?? "未登记域名", o?.counts ?? .zero)
    // An ungraded rate beyond every graded platform's is flagged, like for like (observed with observed).
    let graded = rated.filter(\.isRated)
    func flags(_ r: PlatformRating) -> [RatingIndicator] {
      guard !graded.isEmpty else { return [] }
      return RatingIndicator.allCases.filter { i in
        guard let x = r.observed[i.rawValue] else { return false }
        return graded.allSatisfy { x > ($0.observed[i.rawValue] ?? 0) }
      }
    }
    for k in rated.indices where !rated[k].isRated { rated[k].flags = flags(rated[k]) }
    other.flags = flags(other)
    return (rated, other, pooled)
  }

  public static let otherID = "other"

  /// All rated and unrated platforms, then the unregistered domains.
  public var all: [PlatformRating] { ratings + (showsUnregistered ? [unregistered] : []) }

  public func rating(of platformID: String) -> PlatformRating? { all.first { $0.platformID == platformID } }

  /// The window in words: "2021-Q2 to 2022-Q1 (4 quarters)" or the quarter alone.
  public func window(in language: ReportLanguage) -> String {
    let english = language == .en
    guard model.windowQuarters > 1 else {
      return english ? "\(quarter) alone" : "仅\(ReportLanguage.zh.quarterName(quarter))"
    }
    let zh = ReportLanguage.zh
    return english
      ? "\(windowStart) to \(quarter) (\(model.windowQuarters) quarters)"
      : "\(zh.quarterName(windowStart))至\(zh.quarterName(quarter))（\(model.windowQuarters) 个季度）"
  }

  /// The `rating.*` rows of metrics.csv: every platform's counts and observed
  /// rates (numerator and denominator beside each), and for the rated ones the
  /// adjusted rates, score, grade and margins; for the others, their flags.
  public var figures: [Figure] {
    var figures: [Figure] = []
    for r in all {
      let d = "platform=\(r.platformID)"
      figures.append(Figure(.ratingEvents, d, .count(r.events)))
      for i in RatingIndicator.allCases {
        figures.append(
          Figure(
            .ratingRate(i.stem), d, r.observed[i.rawValue].map { .decimal($0) } ?? .none,
            numerator: r.counts.indicatorCounts[i.rawValue], denominator: r.events))
        if let adjusted = r.adjusted {
          figures.append(Figure(.ratingAdjusted(i.stem), d, .decimal(adjusted[i.rawValue])))
        }
      }
      guard r.platformID != Self.otherID else {
        figures.append(Figure(.ratingFlags, d, .text(r.flags.map(\.letter).joined(separator: " "))))
        continue
      }
      figures.append(Figure(.ratingScore, d, r.score.map { .decimal($0) } ?? .none))
      figures.append(Figure(.ratingGrade, d, .text(r.grade)))
      figures.append(Figure(.ratingGradeChange, d, .text(r.gradeChange)))
      if r.isRated {
        figures.append(Figure(.ratingMarginDown, d, r.marginDown.map { .count($0) } ?? .none))
        figures.append(Figure(.ratingMarginUp, d, r.marginUp.map { .count($0) } ?? .none))
      } else {
        figures.append(Figure(.ratingFlags, d, .text(r.flags.map(\.letter).joined(separator: " "))))
      }
    }
    return figures
  }

  /// Why a platform is where it is, in one sentence.
  public func explanation(_ r: PlatformRating, in language: ReportLanguage) -> String {
    let english = language == .en
    guard r.isRated else {
      let flagged =
        r.flags.isEmpty
        ? ""
        : english
          ? " Beyond every graded platform: \(r.flags.map { $0.name(in: .en) }.joined(separator: ", "))."
          : "超过所有已评级平台：\(r.flags.map { $0.name(in: .zh) }.joined(separator: "、"))。"
      if r.platformID == Self.otherID {
        return (english ? "Unregistered domains: not graded." : "未登记域名：不评级。") + flagged
      }
      return
        (english
        ? "Not rated: \(r.events.grouped) events in the window, fewer than the \(model.minEvents.grouped) the model requires."
        : "未评级：窗口内事件数 \(r.events.grouped)，少于模型要求的 \(model.minEvents.grouped)。") + flagged
    }
    let costs = zip(RatingIndicator.allCases, r.deductions).filter { $0.1 > 0.000_000_5 }.sorted { $0.1 > $1.1 }
    guard !costs.isEmpty else { return english ? "No indicator cost points." : "各项指标均未扣分。" }
    let list = costs.map { "\($0.0.name(in: language)) −\(String(format: "%.2f", $0.1))" }.joined(
      separator: english ? ", " : "，")
    return english ? "Points lost to \(list)." : "扣分：\(list)。"
  }

  /// Counts per platform over the window: events, upheld complaints of
  /// principles 1-3 and 1-2, restricted events of principles 1-3, and opens
  /// under a standing decision of principles 1-3 (each event once). Every
  /// platform of the registry in force appears, and `other` for domains in none.
  public static let indicatorSQL = """
    WITH platforms AS (
      SELECT platform_id, name_en, name_zh FROM current_platform
      UNION ALL SELECT 'other', 'Unregistered domains', '未登记域名'),
    n AS (
      SELECT platform_id, sum(events) AS events,
        sum(CASE WHEN principle IN (1, 2, 3) AND action <> 'open' THEN events ELSE 0 END) AS restrictions
      FROM platform_month
      WHERE month_start >= :window_start AND month_start < :end
      GROUP BY platform_id),
    u AS (
      SELECT platform_id, sum(principle IN (1, 2, 3)) AS violations, sum(principle IN (1, 2)) AS severe
      FROM complaint
      WHERE received_at >= :window_start AND received_at < :end AND outcome = 'upheld'
      GROUP BY platform_id),
    x AS (
      SELECT h.platform_id, count(DISTINCT o.event_rowid) AS exposed
      FROM decision_open o JOIN host h USING (host_id)
      WHERE o.principle IN (1, 2, 3) AND o.action = 'open' AND o.occurred_at >= :window_start AND o.occurred_at < :end
      GROUP BY h.platform_id)
    SELECT p.platform_id, p.name_en, p.name_zh, coalesce(n.events, 0) AS events,
      coalesce(u.violations, 0) AS upheld_violations, coalesce(u.severe, 0) AS upheld_severe,
      coalesce(n.restrictions, 0) AS restrictions, coalesce(x.exposed, 0) AS exposed_opens
    FROM platforms p
    LEFT JOIN n ON n.platform_id = p.platform_id
    LEFT JOIN u ON u.platform_id = p.platform_id
    LEFT JOIN x ON x.platform_id = p.platform_id
    ORDER BY p.platform_id
    """
}

extension QuarterRatings {
  public static let columns = [
    "platform_id", "name_en", "name_zh", "events", "upheld_violations", "upheld_severe", "restrictions",
    "exposed_opens", "violation_rate", "severe_rate", "restriction_rate", "exposure_rate", "violation_adjusted",
    "severe_adjusted", "restriction_adjusted", "exposure_adjusted", "score", "grade", "previous_grade", "grade_change",
    "margin_down", "margin_up", "flags", "explanation",
  ]

  /// The ratings as rows, into any query sink (table, csv, json).
  public func write(to sink: RowSink) throws {
    try sink.begin(columns: Self.columns)
    func decimal(_ x: Double?) -> SQLValue { x.map { .real(($0 * 1_000_000).rounded() / 1_000_000) } ?? .null }
    for r in all {
      let c = r.counts
      var row: [SQLValue] = [
        .text(r.platformID), .text(r.nameEnglish), .text(r.nameChinese), .integer(c.events), .integer(c.violations),
        .integer(c.severe), .integer(c.restrictions), .integer(c.exposed),
      ]
      row += r.observed.map(decimal)
      row += (0..<4).map { i in decimal(r.adjusted?[i]) }
      row += [
        decimal(r.score), .text(r.grade), .text(r.previousGrade), .text(r.gradeChange),
        r.marginDown.map { .integer($0) } ?? .null, r.marginUp.map { .integer($0) } ?? .null,
        .text(r.flags.map(\.letter).joined(separator: " ")), .text(explanation(r, in: .en)),
      ]
      try sink.row(ValueRow(row))
    }
    try sink.end()
  }
}

extension QuarterRatings {
  /// The same ratings, showing one platform only (its figures as rated among all).
  public func only(_ platformID: String) -> QuarterRatings {
    var copy = self
    copy.ratings = ratings.filter { $0.platformID == platformID }
    copy.showsUnregistered = platformID == Self.otherID
    return copy
  }

  public static let evidenceColumns = [
    "platform_id", "indicator", "id", "principle", "category", "local_time", "action_taken", "domain", "events",
  ]

  /// Every case behind the indicators, one row each: complaints (v, and s for
  /// principles 1-2), restricted events by category (r), opens under a decision (x).
  public func writeEvidence(to sink: RowSink, timeZone: TimeZone) throws {
    let zone = TimestampParser(timeZone: timeZone)
    func local(_ iso: String) -> SQLValue {
      .text(TimestampParser.utc.parse(iso).map { zone.localText(of: $0) } ?? iso)
    }
    let ids = Set(all.map(\.platformID))
    try sink.begin(columns: Self.evidenceColumns)
    for c in evidence.complaints where ids.contains(c.platformID) {
      try sink.row(
        ValueRow([
          .text(c.platformID), .text(c.principle <= 2 ? "v s" : "v"), .text(c.complaintID),
          .integer(Int64(c.principle)),
          .text(c.category), local(c.receivedAt), c.actionTaken.map { .text($0) } ?? .null, .text(c.domain),
          .integer(1),
        ]))
    }
    for x in evidence.restrictions where ids.contains(x.platformID) {
      try sink.row(
        ValueRow([
          .text(x.platformID), .text("r"), .null, .integer(Int64(x.principle)), .text(x.category),
          .null, .null, .null, .integer(x.events),
        ]))
    }
    for e in evidence.exposures where ids.contains(e.platformID) {
      try sink.row(
        ValueRow([
          .text(e.platformID), .text("x"), .text(e.eventID), .integer(Int64(e.principle)), .null, local(e.occurredAt),
          .null, .text(e.domain), .integer(1),
        ]))
    }
    try sink.end()
  }
}
