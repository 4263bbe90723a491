import Crypto
import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

/// Everything a report states about one quarter, read from the database once
/// and shared by the workbook, the Markdown and the manifest. Aggregates only:
/// no query here reads events into memory.
public struct ReportData: Sendable {
  public struct Batch: Sendable, Codable, Equatable {
    public var batchID: Int64
    public var kind: String
    public var fileName: String
    public var sha256: String
    public var importedAt: String
    public var rowsRead: Int64
    public var rowsStored: Int64
    public var rowsDuplicate: Int64
    public var rowsRejected: Int64
  }

  public struct Policy: Sendable, Codable, Equatable {
    public var version: String
    public var title: String
    public var effectiveFrom: String
    public var sha256: String
  }

  public struct ConformanceRow: Sendable {
    public var policyVersion: String?
    public var scene: String
    public var events: Int64
    public var conforming: Int64
    public var over: Int64
    public var under: Int64
  }

  public struct ComplaintRow: Sendable {
    public var values: [SQLValue]
  }

  public struct RejectedRow: Sendable {
    public var fileName: String
    public var line: Int64
    public var column: String?
    public var error: String
  }

  public let quarter: Quarter
  public let timeZone: TimeZone
  /// Built once: a parser looks up its zone's transitions when made.
  private let reportZone: TimestampParser
  /// nil when the report is written without a rating model.
  public let ratings: QuarterRatings?
  public let current: QuarterFigures
  public let previous: QuarterFigures
  public let batches: [Batch]
  public let policies: [Policy]
  public let conformance: [ConformanceRow]
  /// [month 0…2][principle 1…4 at index 0…3]
  public let complaintsByMonth: [[Int64]]
  /// Per principle 1…3: (category, restrictions) of the quarter.
  public let restrictionsByCategory: [Int: [(String, Int64)]]
  public let complaints: [ComplaintRow]
  public let rejectedRows: [RejectedRow]
  public let rejectedRowsTotal: Int64
  /// The latest import time: the report's "as of", and the workbook's creation time.
  public let dataAsOf: Timestamp

  /// One hash naming the data behind the figures: SHA-256 of every batch's
  /// file hash, in import order, one a line. Same data, same fingerprint.
  public var dataFingerprint: String {
    hex(SHA256.hash(data: Data(batches.map(\.sha256).joined(separator: "\n").utf8)))
  }

  /// Rejected rows listed in the workbook; the total is always stated.
  package static let rejectedRowLimit = 10_000

  public init(database db: Database, quarter: Quarter, timeZone: TimeZone, ratingModel: RatingModel? = nil) throws {
    self.quarter = quarter
    self.timeZone = timeZone
    reportZone = TimestampParser(timeZone: timeZone)
    ratings = try Timing.measure("ratings") {
      try ratingModel.map { try QuarterRatings(database: db, quarter: quarter, timeZone: timeZone, model: $0) }
    }
    current = try QuarterFigures(database: db, quarter: quarter, timeZone: timeZone, ratings: ratings)
    previous = try QuarterFigures(database: db, quarter: quarter.previous, timeZone: timeZone)
    let parameters = QuarterFigures.parameters(quarter, timeZone)
    func rows(_ sql: String, _ extra: [String: SQLValue] = [:]) throws -> [[SQLValue]] {
      try Timing.measure("report query \(sql.prefix(40).split(separator: "\n").first ?? "")") {
        try db.rows(sql, named: parameters.merging(extra) { $1 })
      }
    }

    batches = try rows(Self.batchesSQL).map {
      Batch(
        batchID: $0[0].integer ?? 0, kind: $0[1].text ?? "", fileName: $0[2].text ?? "", sha256: $0[3].text ?? "",
        importedAt: $0[4].text ?? "", rowsRead: $0[5].integer ?? 0, rowsStored: $0[6].integer ?? 0,
        rowsDuplicate: $0[7].integer ?? 0, rowsRejected: $0[8].integer ?? 0)
    }
    policies = try rows(Self.policiesSQL).map {
      Policy(
        version: $0[0].text ?? "", title: $0[1].text ?? "", effectiveFrom: $0[2].text ?? "", sha256: $0[3].text ?? "")
    }
    conformance = try rows(Self.conformanceSQL).map {
      ConformanceRow(
        policyVersion: $0[0].text, scene: $0[1].text ?? "", events: $0[2].integer ?? 0, conforming: $0[3].integer ?? 0,
        over: $0[4].integer ?? 0, under: $0[5].integer ?? 0)
    }
    let months = quarter.monthStarts(in: timeZone)
    var byMonth = [[Int64]](repeating: [0, 0, 0, 0], count: 3)
    for r in try rows(Self.complaintsByMonthSQL, [":m2": .text(months[1].iso), ":m3": .text(months[2].iso)]) {
      let m = Int(r[0].integer ?? 1) - 1
      let p = Int(r[1].integer ?? 1) - 1
      byMonth[m][p] = r[2].integer ?? 0
    }
    complaintsByMonth = byMonth
    var restrictions: [Int: [(String, Int64)]] = [:]
    for r in try rows(Self.restrictionsByCategorySQL) {
      restrictions[Int(r[0].integer ?? 0), default: []].append((r[1].text ?? "", r[2].integer ?? 0))
    }
    restrictionsByCategory = restrictions
    complaints = try rows(Self.complaintsSQL).map { ComplaintRow(values: $0) }
    rejectedRows = try rows(Self.rejectedRowsSQL, [":limit": .integer(Int64(Self.rejectedRowLimit))]).map {
      RejectedRow(fileName: $0[0].text ?? "", line: $0[1].integer ?? 0, column: $0[2].text, error: $0[3].text ?? "")
    }
    rejectedRowsTotal = try db.scalar("SELECT count(*) FROM rejected_row").integer ?? 0
    let asOf = try db.scalar("SELECT max(imported_at) FROM batch").text
    dataAsOf = asOf.flatMap { TimestampParser.utc.parse($0) } ?? Timestamp(milliseconds: 0)
  }

  /// A stored UTC time shown in the report's time zone: `2021-10-02 10:00:00`.
  public func local(_ iso: String?) -> String {
    guard let iso, let t = TimestampParser.utc.parse(iso) else { return "" }
    return reportZone.localText(of: t)
  }

  /// The quarter's first and last day, local: `2021-10-01 – 2021-12-31`.
  public var periodText: String {
    let (start, end) = quarter.bounds(in: timeZone)
    let last = Timestamp(milliseconds: end.milliseconds - 1)
    return "\(local(start.iso).prefix(10)) – \(local(last.iso).prefix(10))"
  }

  static let batchesSQL = """
    SELECT batch_id, kind, file_name, sha256, imported_at, rows_read, rows_stored, rows_duplicate, rows_rejected
    FROM batch ORDER BY batch_id
    """

  static let policiesSQL = """
    SELECT p.version, v.title, p.effective_from, v.sha256
    FROM policy_period p JOIN policy_version v ON v.version = p.version
    WHERE p.effective_from < :end AND p.effective_until > :start
    ORDER BY p.effective_from
    """

  static let conformanceSQL =
    MetricCatalogue.assessed(
      """
      SELECT policy_version, scene, sum(n) AS events,
        sum(CASE WHEN alevel = tlevel THEN n ELSE 0 END) AS conforming,
        sum(CASE WHEN alevel > tlevel THEN n ELSE 0 END) AS over_restricted,
        sum(CASE WHEN alevel < tlevel THEN n ELSE 0 END) AS under_restricted
      """) + "\nGROUP BY policy_version, scene ORDER BY policy_version, scene"

  static let complaintsByMonthSQL = """
    SELECT CASE WHEN received_at < :m2 THEN 1 WHEN received_at < :m3 THEN 2 ELSE 3 END AS month,
      principle, count(*)
    FROM complaint WHERE received_at >= :start AND received_at < :end
    GROUP BY month, principle
    """

  static let restrictionsByCategorySQL = """
    SELECT principle, reason, sum(events) AS restrictions FROM event_month
    WHERE month_start >= :start AND month_start < :end AND principle IS NOT NULL AND action <> 'open'
    GROUP BY principle, reason ORDER BY principle, restrictions DESC, reason
    """

  /// Column order of `complaints`.
  static let complaintsSQL = """
    SELECT complaint_id, reporter_pseudonym, received_at, category, principle, channel, status, resolved_at,
      ms_to_resolve / 3600000.0 AS hours_to_resolve, sla_hours, outcome, action_taken, url_normalised, domain,
      platform_id, description
    FROM complaint_handling
    WHERE received_at >= :start AND received_at < :end
    ORDER BY received_at, complaint_id
    """

  static let rejectedRowsSQL = """
    SELECT b.file_name, r.line, r.column_name, r.error
    FROM rejected_row r JOIN batch b ON b.batch_id = r.batch_id
    ORDER BY r.batch_id, r.line LIMIT :limit
    """
}
