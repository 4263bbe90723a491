import Foundation
import LinkAuditCore

/// The schema, as numbered migrations: one literal SQL file each in
/// `Migrations/`, embedded in the binary. `PRAGMA user_version` records how
/// many have run; a released file is never edited, only followed by another
/// (`MigrationsTests` holds the SHA-256 of each).
///
/// - v5 keeps rollups at import so a report reads thousands of rows, not
///   millions, and adds the triggers that mark them stale when an event or a
///   complaint state is changed or deleted other than by an import.
/// - v6 spells `link_event.action`'s CHECK as four comparisons: an `IN (…)`
///   list in a CHECK built a temporary index on every insert (SQLite 3.40),
///   40% of an import's storing time (docs/benchmarks.md). It edits the table's
///   text in `sqlite_schema`, SQLite's documented way to change a CHECK without
///   copying the table (https://sqlite.org/lang_altertable.html#otheralter).
/// - v7 adds the `scene` reference table and has `policy_treatment` join the
///   reference tables instead of listing scenes and reasons.
/// - v8 keeps the events warned under a decision in `decision_open` (with
///   their action), indexes the events that have a principle, and adds
///   `complaint_state.duplicate_of`.
/// - v9 counts what the enforcement rate, the decisions register and what
///   got through read event by event before (`covered_month`,
///   `decision_month`, `reason_month`), and indexes the events with a
///   principle by action too.
/// - v10 counts host_month's events by platform (`platform_month`), so the
///   figures by platform do not read a row per small domain.
/// - v11 records every issued version of a quarter's package (`filing`).
/// - v12 records the rollup bundles a warehouse job wrote (`rollup_bundle`).
/// - v13 records when the job made each bundle (`rollup_bundle.made_at`).
/// - v14 records which key signed each filed version (`filing.signed_by`).
/// - v15 makes warn_url decisions decisions too (`decision.prescribed`) and
///   counts every tap under a decision, blocks included, by decision
///   (`decision_tap`) and each tap once (`covered_tap`): decisions enforced.
/// - v16 counts the restrictions for no category by host
///   (`scene_restriction_month`) and keeps the under-restricted events
///   (`under_restricted_event`), for the figures by platform and the list of
///   every under-restricted event (issue 31).
/// - v17 keeps the public key that signed each filed version
///   (`filing.signer_public_key`): its signature is checked after a key
///   rotation (red-team D9).
public enum Migrations {
  package static let all: [Migration] = [
    Migration(PackageResources.v1_tables_sql), Migration(PackageResources.v2_views_sql),
    Migration(PackageResources.v3_metric_views_sql), Migration(PackageResources.v4_query_views_sql),
    Migration(PackageResources.v5_rollups_sql),
    Migration(PackageResources.v6_action_check_sql, editsSchemaText: true),
    Migration(PackageResources.v7_vocabulary_sql), Migration(PackageResources.v8_enforcement_sql),
    Migration(PackageResources.v9_case_rollups_sql), Migration(PackageResources.v10_platform_month_sql),
    Migration(PackageResources.v11_filings_sql), Migration(PackageResources.v12_rollup_bundles_sql),
    Migration(PackageResources.v13_bundle_made_at_sql),
    Migration(PackageResources.v14_filing_signer_sql), Migration(PackageResources.v15_decision_taps_sql),
    Migration(PackageResources.v16_interconnection_sql), Migration(PackageResources.v17_filing_signer_key_sql),
  ]

  public static var latestVersion: Int { all.count }

  /// One step of the schema.
  package struct Migration {
    package let sql: String
    /// Rewrites table definitions in `sqlite_schema` in place: SQLite's
    /// documented procedure for changing a CHECK constraint without copying
    /// the table (https://sqlite.org/lang_altertable.html#otheralter).
    package let editsSchemaText: Bool

    package init(_ bytes: [UInt8], editsSchemaText: Bool = false) {
      sql = String(decoding: bytes, as: UTF8.self)
      self.editsSchemaText = editsSchemaText
    }
  }

  /// Brings `db` up to `target` (default: the latest) in one transaction.
  public static func migrate(_ db: Database, to target: Int = latestVersion) throws {
    func pending() throws -> ClosedRange<Int>? {
      let current = try db.userVersion
      guard current <= latestVersion else {
        throw SchemaError.newerThanTool(found: current, supported: latestVersion, path: db.path)
      }
      return current < target ? (current + 1)...target : nil
    }
    guard try pending() != nil else { return }
    try db.transaction {
      // Asked again under the write lock: another process may have migrated while this one waited.
      guard let versions = try pending() else { return }
      for version in versions {
        let migration = all[version - 1]
        if migration.editsSchemaText {
          let schemaVersion = try db.scalar("PRAGMA schema_version").integer ?? 0
          try db.execute("PRAGMA writable_schema = ON")
          try db.execute(migration.sql)
          // Other connections re-read the schema when its version moves.
          try db.execute("PRAGMA schema_version = \(schemaVersion + 1)")
          try db.execute("PRAGMA writable_schema = OFF")
        } else {
          try db.execute(migration.sql)
        }
        try db.execute("PRAGMA user_version = \(version)")
      }
    }
  }
}

public enum SchemaError: Error, LocalizedError, Equatable {
  case newerThanTool(found: Int, supported: Int, path: String)
  case olderThanTool(found: Int, supported: Int, path: String)

  public var errorDescription: String? {
    switch self {
    case .newerThanTool(let found, let supported, let path):
      return
        "\(path) has schema version \(found), newer than this linkaudit understands (\(supported)); use a newer linkaudit"
    case .olderThanTool(let found, let supported, let path):
      return
        "\(path) has schema version \(found), older than this linkaudit's (\(supported)), and this command only reads it; run linkaudit report or an import once to upgrade it"
    }
  }
}
