import Crypto
import Foundation
import LinkAuditCore
import LinkAuditStore

/// The stretches of a quarter a warehouse job joins its events on: in each,
/// the local day and the policy version in force are constant. Written into
/// the reference (`segments.csv`) and, by its SHA-256, into a bundle, so that a
/// bundle made before a policy version changed its quarter is known stale.
package enum WarehouseSegments {
  package static let columns = ["from_ms", "until_ms", "day_start_ms", "month_start_ms", "policy_version"]

  /// A table as the reference writes it (RFC 4180, LF).
  package static func csvData(_ header: [String], _ rows: [[String]]) -> Data {
    Data((([header] + rows).map(csvLine).joined(separator: "\n") + "\n").utf8)
  }

  /// SHA-256 of `segments.csv` for `quarter` as the database's rules give it
  /// now: a bundle made before a policy version changed its quarter differs.
  package static func sha256(database db: Database, quarter: Quarter) throws -> String {
    let zone = try Rollups.timeZone(of: db)
    let (start, end) = quarter.bounds(in: zone)
    let rows = Self.rows(
      from: start.milliseconds, to: end.milliseconds, zone: zone, policies: try PolicyTimeline(database: db))
    return hex(SHA256.hash(data: csvData(columns, rows)))
  }

  /// Stretches of the quarter in which the local day and the policy version
  /// are both constant: the job finds an event's day and version by one range
  /// join, and both come from the rules the import uses (`MonthLocator.day`,
  /// `PolicyTimeline.index`).
  package static func rows(from start: Int64, to end: Int64, zone: TimeZone, policies: PolicyTimeline)
    -> [[String]]
  {
    var locator = MonthLocator(timeZone: zone)
    var cuts = Set<Int64>([start, end])
    var t = start
    while t < end {
      let day = locator.day(t)
      // The next local midnight: the first instant whose day differs, found an hour at a time then narrowed.
      var next = day + 20 * 3_600_000
      while next < end, locator.day(next) == day { next += 3_600_000 }
      var low = next - 3_600_000
      while next - low > 1 {
        let mid = (low + next) / 2
        if locator.day(mid) == day { low = mid } else { next = mid }
      }
      cuts.insert(min(next, end))
      t = next
    }
    for version in policies.names {
      if let period = policies.period(of: version),
        let from = TimestampParser.utc.parse(period.from)?.milliseconds, from > start, from < end
      {
        cuts.insert(from)
      }
    }
    let sorted = cuts.sorted()
    return zip(sorted, sorted.dropFirst()).map { from, until in
      let policy = policies.index(at: Timestamp(milliseconds: from)).map { policies.names[$0] } ?? ""
      return [String(from), String(until), String(locator.day(from)), String(locator.locate(from).month), policy]
    }
  }

}

/// Warehouse bundles whose figures rest on what has changed since they were made.
extension Rollups {
  /// The oldest warehouse job whose bundles this linkaudit reads: job
  /// version 3 ships every tap on a decision's URL or domain, blocked ones
  /// too, which the decision figures count (an older bundle would leave its
  /// blocks out and read as decisions not enforced).
  package static let minimumJobVersion = 3

  /// The quarters whose live bundle was made with other decisions or other
  /// policy versions in force than the database holds now, with why.
  package static func staleBundles(_ db: Database) throws -> [(quarter: String, why: String)] {
    let bundles = try db.rows(
      "SELECT quarter, decisions_fingerprint, segments_sha256, quarter_end, quarter_start, job_version FROM main.rollup_bundle WHERE replaced_by IS NULL ORDER BY quarter_start"
    )
    guard !bundles.isEmpty else { return [] }
    var stale: [(String, String)] = []
    for row in bundles {
      let name = row[0].text ?? ""
      guard let quarter = Quarter(name) else { continue }
      // Only the decisions standing in the quarter, as they stand in it, can touch its figures.
      let end = try TimestampParser.stored(row[3].text, at: "rollup_bundle.quarter_end")
      let start = try TimestampParser.stored(row[4].text, at: "rollup_bundle.quarter_start")
      if let version = row[5].text, Int(version) ?? 0 < minimumJobVersion {
        stale.append(
          (
            name,
            "the decision figures counted every tap under a decision, blocks too (job version \(minimumJobVersion); it is \(version))"
          ))
      } else if row[1].text != (try DecisionIndex.fingerprint(of: db, from: start, until: end)) {
        stale.append((name, "complaints imported since changed the decisions"))
      } else if row[2].text != (try WarehouseSegments.sha256(database: db, quarter: quarter)) {
        stale.append((name, "a policy version imported since changed the versions in force"))
      }
    }
    return stale
  }
}
