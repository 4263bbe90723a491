import Foundation
import LinkAuditCore
import LinkAuditStore

/// The rollups the figures are read from (`event_month`, `host_month`,
/// `user_quarter`, `quarter_users`, `decision_open`, and the current-state
/// flag of complaints): the zone they are cut in, their derivation from the
/// events and complaints, the check that they still match, and the temporary
/// ones a report in another time zone reads instead.
public enum Rollups {
  /// The time zone the stored rollups' months and quarters are cut in.
  public static func timeZone(of db: Database) throws -> TimeZone {
    let name = try db.scalar("SELECT value FROM main.setting WHERE name = 'rollup_time_zone'").text ?? "Asia/Shanghai"
    guard let zone = TimeZone(identifier: name) else {
      throw SQLiteError(code: 1, message: "setting rollup_time_zone names no time zone: \(name)")
    }
    return zone
  }

  /// Set by a migration (events stored before rollups existed) and by the
  /// triggers on `link_event` and `complaint_state` when a row is changed or
  /// deleted other than by an import.
  package static func isStale(_ db: Database) throws -> Bool {
    !(try db.scalar("SELECT value FROM main.setting WHERE name = 'rollups_stale'").isNull)
  }

  /// Of each complaint's states, the current one: the latest updated_at (a
  /// state with one beats a state without), else from the later batch, else
  /// the later line.
  package static let currentStatesSQL = """
    SELECT state_rowid FROM (
      SELECT state_rowid, row_number() OVER (
        PARTITION BY complaint_id
        ORDER BY updated_at IS NULL, updated_at DESC, batch_id DESC, line DESC) AS state_rank
      FROM main.complaint_state)
    WHERE state_rank = 1
    """

  package static let markedCurrent = "SELECT state_rowid FROM main.complaint_state WHERE is_current = 1"

  /// Re-marks `complaint_state.is_current`, touching only the states that change.
  package static let currentComplaintsSQL = """
    UPDATE main.complaint_state SET is_current = 0
    WHERE is_current = 1 AND state_rowid NOT IN (\(currentStatesSQL));
    UPDATE main.complaint_state SET is_current = 1
    WHERE is_current = 0 AND state_rowid IN (\(currentStatesSQL));
    """

  /// Each rollup table, the columns its content is compared on (row splits
  /// between batches and flushes aside) and the columns summed over them.
  package static let comparisons: [(table: String, columns: String, measures: [String])] = [
    ("event_month", "month_start, scene, action, reason, principle, detected_by, policy_version", ["events"]),
    ("host_month", "month_start, host_id, scene, action, principle", ["events"]),
    ("platform_month", "month_start, platform_id, scene, action, principle", ["events"]),
    ("event_day", "day_start", ["events"]),
    ("reason_month", "month_start, host_id, scene, action, reason, principle, policy_version", ["events"]),
    ("user_quarter", "quarter_start, user_pseudonym", []),
    ("quarter_users", "quarter_start, users", []),
    (
      "decision_open",
      "principle, occurred_at, event_rowid, host_id, action, scene, reason, policy_version, url_normalised",
      []
    ),
    ("covered_month", "month_start, scene, action, reason, policy_version", ["events"]),
    ("scene_restriction_month", "month_start, host_id, scene, action, reason, policy_version", ["events"]),
    ("under_restricted_event", "occurred_at, event_rowid", []),
    ("decision_month", "complaint_id, month_start", ["opened", "warned"]),
    ("decision_tap", "complaint_id, month_start, action", ["events"]),
    ("covered_tap", "month_start, principle, prescribed, action", ["events"]),
    (
      "url_restriction",
      "principle, url_key, url_normalised, first_seen, first_restricted, quarter_start, detected_by, hours_to_action, opens_before",
      []
    ),
  ]

  /// The rollup tables (the complaint flag lives in complaint_state): those
  /// compared, and the URL runs, whose blocks depend on the order of imports
  /// (what they hold is compared through `url_restriction`).
  package static var tables: [String] { comparisons.map(\.table) + ["url_run"] }

  /// The rollup tables whose rows are kept by batch: a warehouse bundle's
  /// counts are its batch's rows of them.
  package static let batchTables = [
    "event_month", "host_month", "reason_month", "event_day", "platform_month", "scene_restriction_month",
  ]

  /// The condition (a `WHERE` clause, with its leading space) that leaves out
  /// the rows of a rollup table that came from no events a re-derivation can
  /// read: a live warehouse bundle's counts, users and first restrictions.
  /// Empty for a table a bundle owns no rows of. The one rule for what a
  /// re-derivation deletes and what a check compares.
  package static func notFromBundles(_ table: String) -> String {
    if batchTables.contains(table) { return " WHERE batch_id NOT IN (SELECT batch_id FROM main.rollup_bundle)" }
    if table == "quarter_users" || table == "url_restriction" {
      return " WHERE quarter_start NOT IN (SELECT quarter_start FROM main.rollup_bundle WHERE replaced_by IS NULL)"
    }
    return ""
  }

  /// The rollup tables whose content differs from what the events give now
  /// (derived afresh into temporary tables, then compared both ways).
  public static func differences(_ db: Database) throws -> [String] {
    try buildTemporary(db, zone: try timeZone(of: db), mark: "check")
    defer { try? dropTemporary(db) }
    var differing: [String] = []
    for (table, columns, measures) in comparisons {
      func content(_ schema: String) -> String {
        let m = measures.map { ", sum(\($0))" }.joined()
        return
          "SELECT \(columns)\(m) FROM \(schema).\(table)\(schema == "main" ? notFromBundles(table) : "") GROUP BY \(columns)"
      }
      let n =
        try db.scalar(
          """
          SELECT (SELECT count(*) FROM (\(content("main")) EXCEPT \(content("temp"))))
            + (SELECT count(*) FROM (\(content("temp")) EXCEPT \(content("main"))))
          """
        ).integer ?? 0
      if n > 0 { differing.append("\(table) (\(n.grouped) rows differ)") }
    }
    let current =
      try db.scalar(
        """
        SELECT (SELECT count(*) FROM (\(currentStatesSQL) EXCEPT \(markedCurrent)))
          + (SELECT count(*) FROM (\(markedCurrent) EXCEPT \(currentStatesSQL)))
        """
      ).integer ?? 0
    if current > 0 { differing.append("complaint_state.is_current (\(current.grouped) rows differ)") }
    return differing
  }

  /// Makes the rollups that the metric SQL reads right for `zone`: the stored
  /// ones when it is their zone and they are current, else temporary ones of
  /// the same names derived from the events for this connection (they shadow
  /// the stored ones; one pass over the events, once per connection and zone).
  public static func prepare(_ db: Database, for zone: TimeZone) throws {
    if let stale = try staleBundles(db).first {
      throw BundleError(
        message:
          "the figures of \(stale.quarter) came from a warehouse bundle made before \(stale.why): export the reference again, run the job again and import the new bundle (README, Beyond one machine)"
      )
    }
    let temporary = !(try db.rows("SELECT name FROM temp.sqlite_master WHERE name = 'rollup_zone'").isEmpty)
    let stale = try isStale(db)
    if !stale, zone.identifier == (try timeZone(of: db)).identifier {
      if temporary { try dropTemporary(db) }
      return
    }
    if let quarter = try db.scalar("SELECT min(quarter) FROM main.rollup_bundle WHERE replaced_by IS NULL").text {
      let own = try timeZone(of: db).identifier
      throw BundleError(
        message: zone.identifier != own
          ? "the figures of \(quarter) came from a warehouse bundle cut in \(own), and a report in \(zone.identifier) needs the events themselves: report in \(own)"
          : "the rollups are marked stale, and those of \(quarter) came from a warehouse bundle, which events cannot rebuild: open the database for writing once (any import does) so the other batches' rollups are re-derived"
      )
    }
    let mark = zone.identifier + (stale ? " (stale)" : "")
    if temporary, try db.scalar("SELECT value FROM temp.rollup_zone").text == mark { return }
    try buildTemporary(db, zone: zone, mark: mark)
  }

  /// Temporary rollups for `zone`, derived from the events, under the stored
  /// ones' names and with their definitions (read from the schema, so the
  /// migration stays the one place they are written).
  package static func buildTemporary(_ db: Database, zone: TimeZone, mark: String) throws {
    try withTemporaryWrites(db) {
      for table in tables {
        guard
          let sql = try db.scalar(
            "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", [.text(table)]
          ).text
        else { throw SQLiteError(code: 1, message: "no table \(table) in the schema") }
        try db.execute(
          sql.replacingOccurrences(of: "CREATE TABLE \(table)", with: "CREATE TEMP TABLE IF NOT EXISTS \(table)"))
      }
      try db.execute("CREATE TEMP TABLE IF NOT EXISTS rollup_zone (value TEXT NOT NULL); DELETE FROM temp.rollup_zone")
      try RollupEngine.rederive(.all, of: db, timeZone: zone, schema: "temp")
      try db.prepare("INSERT INTO temp.rollup_zone VALUES (?)").run([.text(mark)])
    }
  }

  package static func dropTemporary(_ db: Database) throws {
    try withTemporaryWrites(db) {
      for table in tables + ["rollup_zone"] { try db.execute("DROP TABLE IF EXISTS temp.\(table)") }
    }
  }

  /// Temporary tables live outside the database file: a read-only connection
  /// (verify, doctor) lifts `query_only` for them alone.
  private static func withTemporaryWrites(_ db: Database, _ body: () throws -> Void) throws {
    if db.mode == .readOnly { try db.execute("PRAGMA query_only = OFF") }
    defer { if db.mode == .readOnly { try? db.execute("PRAGMA query_only = ON") } }
    try body()
  }
}

/// A warehouse bundle that cannot serve what was asked, said as a sentence.
package struct BundleError: Error, LocalizedError {
  package let message: String
  package var errorDescription: String? { message }
}
