import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

/// One platform's rating for a quarter: its counts, the four indicators per
/// 10,000 events, the score and grade, and what cost it points.
public struct PlatformRating: Sendable, Equatable {
  public var platformID: String
  public var nameEnglish: String
  public var nameChinese: String
  public var events: Int64
  public var upheldViolations: Int64
  public var upheldSevere: Int64
  public var restrictions: Int64
  public var exposedOpens: Int64
  /// Indicators per `perEvents` events; nil without events.
  public var violationRate: Double?
  public var severeRate: Double?
  public var restrictionRate: Double?
  public var exposureRate: Double?
  /// nil when not rated.
  public var score: Double?
  public var deductions: [Double]
  public var grade: String
  public var previousGrade: String

  public var isRated: Bool { score != nil }
  public var gradeChange: String { "\(previousGrade)→\(grade)" }
}

/// The ratings of every platform in the registry, and `other`, for a quarter.
public struct QuarterRatings: Sendable {
  public let quarter: Quarter
  public let model: RatingModel
  /// Rated platforms by score (highest first, ties by id), then those not rated by events.
  public let ratings: [PlatformRating]

  public init(database db: Database, quarter: Quarter, timeZone: TimeZone, model: RatingModel) throws {
    self.quarter = quarter
    self.model = model
    try Rollups.prepare(db, for: timeZone)
    let now = try Self.rate(db, quarter, timeZone, model)
    let before = try Self.rate(db, quarter.previous, timeZone, model)
    let previous = Dictionary(uniqueKeysWithValues: before.map { ($0.platformID, $0.grade) })
    ratings = now.map { r in
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
  }

  package static func rate(_ db: Database, _ quarter: Quarter, _ zone: TimeZone, _ model: RatingModel) throws
    -> [PlatformRating]
  {
    var result: [PlatformRating] = []
    for v in try db.records(
      indicatorSQL, named: QuarterFigures.parameters(quarter, zone), source: "the rating indicators query")
    {
      let n = try v.integer("events")
      func per(_ count: Int64) -> Double? { n > 0 ? Double(count) * model.perEvents / Double(n) : nil }
      var r = PlatformRating(
        platformID: try v.text("platform_id"), nameEnglish: try v.text("name_en"), nameChinese: try v.text("name_zh"),
        events: n, upheldViolations: try v.integer("upheld_violations"), upheldSevere: try v.integer("upheld_severe"),
        restrictions: try v.integer("restrictions"), exposedOpens: try v.integer("exposed_opens"), violationRate: nil,
        severeRate: nil, restrictionRate: nil, exposureRate: nil,
        score: nil, deductions: [0, 0, 0, 0], grade: RatingModel.notRated, previousGrade: RatingModel.notRated)
      r.violationRate = per(r.upheldViolations)
      r.severeRate = per(r.upheldSevere)
      r.restrictionRate = per(r.restrictions)
      r.exposureRate = per(r.exposedOpens)
      if n >= model.minEvents {
        let (score, deductions) = model.score(
          violation: r.violationRate!, severe: r.severeRate!, restriction: r.restrictionRate!, exposure: r.exposureRate!
        )
        r.score = score
        r.deductions = deductions
        r.grade = model.grade(for: score)
      }
      result.append(r)
    }
    return result
  }

  /// The `rating.*` rows of metrics.csv.
  public var figures: [Figure] {
    var figures: [Figure] = []
    for r in ratings {
      let d = "platform=\(r.platformID)"
      figures.append(Figure("rating.events", d, .count(r.events)))
      figures.append(Figure("rating.violation_rate", d, r.violationRate.map { .decimal($0) } ?? .none))
      figures.append(Figure("rating.severe_rate", d, r.severeRate.map { .decimal($0) } ?? .none))
      figures.append(Figure("rating.restriction_rate", d, r.restrictionRate.map { .decimal($0) } ?? .none))
      figures.append(Figure("rating.exposure_rate", d, r.exposureRate.map { .decimal($0) } ?? .none))
      figures.append(Figure("rating.score", d, r.score.map { .decimal($0) } ?? .none))
      figures.append(Figure("rating.grade", d, .text(r.grade)))
      figures.append(Figure("rating.grade_change", d, .text(r.gradeChange)))
    }
    return figures
  }

  /// Why a platform is where it is, in one sentence.
  public func explanation(_ r: PlatformRating, english: Bool) -> String {
    guard r.isRated else {
      return english
        ? "Not rated: \(r.events.grouped) events, fewer than the \(model.minEvents.grouped) the model requires."
        : "未评级：事件数 \(r.events.grouped)，少于模型要求的 \(model.minEvents.grouped)。"
    }
    let names =
      english
      ? ["upheld complaints", "upheld complaints of principles 1-2", "restrictions", "opens after a decision"]
      : ["成立投诉", "原则1-2成立投诉", "限制", "处置后打开"]
    let costs = zip(names, r.deductions).filter { $0.1 > 0.000_000_5 }.sorted { $0.1 > $1.1 }
    guard !costs.isEmpty else { return english ? "No indicator cost points." : "各项指标均未扣分。" }
    let list = costs.map { "\($0.0) −\(String(format: "%.2f", $0.1))" }.joined(separator: english ? ", " : "，")
    return english ? "Points lost to \(list)." : "扣分：\(list)。"
  }

  /// Counts per platform: events, upheld complaints of principles 1-3 and 1-2,
  /// restricted events of principles 1-3, and opens under a standing decision
  /// of principles 1-3 (each event once). Every platform of the registry in
  /// force appears, and `other` for domains in none.
  public static let indicatorSQL = """
    WITH platforms AS (
      SELECT platform_id, name_en, name_zh FROM current_platform
      UNION ALL SELECT 'other', 'Other domains', '其他域名'),
    n AS (
      SELECT platform_id, sum(events) AS events,
        sum(CASE WHEN principle IN (1, 2, 3) AND action <> 'open' THEN events ELSE 0 END) AS restrictions
      FROM platform_month
      WHERE month_start >= :start AND month_start < :end
      GROUP BY platform_id),
    u AS (
      SELECT platform_id, sum(principle IN (1, 2, 3)) AS violations, sum(principle IN (1, 2)) AS severe
      FROM complaint
      WHERE received_at >= :start AND received_at < :end AND outcome = 'upheld'
      GROUP BY platform_id),
    x AS (
      SELECT h.platform_id, count(DISTINCT o.event_rowid) AS exposed
      FROM decision_open o JOIN host h USING (host_id)
      WHERE o.principle IN (1, 2, 3) AND o.action = 'open' AND o.occurred_at >= :start AND o.occurred_at < :end
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
    "platform_id", "name_en", "name_zh", "events", "violation_rate", "severe_rate", "restriction_rate",
    "exposure_rate", "score", "grade", "previous_grade", "grade_change", "explanation",
  ]

  /// The ratings as rows, into any query sink (table, csv, json).
  public func write(to sink: RowSink) throws {
    try sink.begin(columns: Self.columns)
    func decimal(_ x: Double?) -> SQLValue { x.map { .real(($0 * 1_000_000).rounded() / 1_000_000) } ?? .null }
    for r in ratings {
      try sink.row(
        ValueRow([
          .text(r.platformID), .text(r.nameEnglish), .text(r.nameChinese), .integer(r.events), decimal(r.violationRate),
          decimal(r.severeRate), decimal(r.restrictionRate), decimal(r.exposureRate), decimal(r.score), .text(r.grade),
          .text(r.previousGrade), .text(r.gradeChange), .text(explanation(r, english: true)),
        ]))
    }
    try sink.end()
  }
}
