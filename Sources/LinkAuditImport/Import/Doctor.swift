import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// A health check of a database a person can act on: SQLite's integrity
/// check, the schema version, rows that belong to no batch, rollups that
/// disagree with the events, and batches whose file in the inbox has changed
/// since it was imported.
public struct Doctor {
  public struct Finding: Equatable, Sendable {
    public enum Severity: String, Sendable { case ok, warning, problem }
    public let severity: Severity
    public let check: String
    public let detail: String
  }

  /// Rows whose batch (or host) is gone: each query counts them.
  package static let orphanChecks: [(String, String)] = [
    (
      "link events without their batch",
      "SELECT count(*) FROM link_event WHERE batch_id NOT IN (SELECT batch_id FROM batch)"
    ),
    (
      "link events without their host",
      "SELECT count(*) FROM link_event WHERE host_id NOT IN (SELECT host_id FROM host)"
    ),
    (
      "complaint states without their batch",
      "SELECT count(*) FROM complaint_state WHERE batch_id NOT IN (SELECT batch_id FROM batch)"
    ),
    (
      "rejected rows without their batch",
      "SELECT count(*) FROM rejected_row WHERE batch_id NOT IN (SELECT batch_id FROM batch)"
    ),
    (
      "policy versions without their batch",
      "SELECT count(*) FROM policy_version WHERE batch_id NOT IN (SELECT batch_id FROM batch)"
    ),
    (
      "policy rules without their version",
      """
      SELECT (SELECT count(*) FROM policy_scene WHERE version NOT IN (SELECT version FROM policy_version))
        + (SELECT count(*) FROM policy_category WHERE version NOT IN (SELECT version FROM policy_version))
        + (SELECT count(*) FROM policy_sla WHERE version NOT IN (SELECT version FROM policy_version))
      """
    ),
    (
      "link events whose batch is not a link log",
      """
      SELECT count(*) FROM link_event e JOIN batch b ON b.batch_id = e.batch_id WHERE b.kind <> 'links'
      """
    ),
    (
      "batches whose stored rows disagree with the ledger",
      """
      SELECT count(*) FROM batch b WHERE b.kind = 'links'
        AND b.rows_stored <> (SELECT count(*) FROM link_event e WHERE e.batch_id = b.batch_id)
        AND b.batch_id NOT IN (SELECT batch_id FROM rollup_bundle)
      """
    ),
    (
      "warehouse bundles whose counts or users disagree with the ledger",
      """
      SELECT count(*) FROM rollup_bundle r JOIN batch b USING (batch_id) WHERE r.replaced_by IS NULL
        AND (b.rows_stored <> (SELECT coalesce(sum(events), 0) FROM event_day d WHERE d.batch_id = r.batch_id)
          OR r.events <> b.rows_stored
          OR r.users IS NOT (SELECT users FROM quarter_users q WHERE q.quarter_start = r.quarter_start)
          OR r.users > r.events OR r.events < 0)
      """
    ),
    (
      // A bundle's events (its cases) are among its counts, by host and by
      // every code: one that is not was edited (an import refuses it).
      "warehouse bundles whose cases are not among their counts",
      """
      WITH live AS (SELECT batch_id FROM rollup_bundle WHERE replaced_by IS NULL),
      by_host AS (
        SELECT e.batch_id, e.host_id, e.action, e.principle, count(*) AS n FROM link_event e
        WHERE e.batch_id IN live GROUP BY 1, 2, 3, 4),
      host_counts AS (
        SELECT batch_id, host_id, action, principle, sum(events) AS counted FROM host_month
        WHERE batch_id IN live GROUP BY 1, 2, 3, 4),
      by_code AS (
        SELECT e.batch_id, e.scene, e.action, e.reason, e.detected_by, e.policy_version, count(*) AS n
        FROM link_event e WHERE e.batch_id IN live GROUP BY 1, 2, 3, 4, 5, 6),
      code_counts AS (
        SELECT batch_id, scene, action, reason, detected_by, policy_version, sum(events) AS counted FROM event_month
        WHERE batch_id IN live GROUP BY 1, 2, 3, 4, 5, 6)
      SELECT count(DISTINCT batch_id) FROM (
        SELECT b.batch_id FROM by_host b LEFT JOIN host_counts c ON c.batch_id = b.batch_id
          AND c.host_id = b.host_id AND c.action = b.action AND c.principle IS b.principle
        WHERE b.n > coalesce(c.counted, 0)
        UNION ALL
        SELECT b.batch_id FROM by_code b LEFT JOIN code_counts c ON c.batch_id = b.batch_id AND c.scene = b.scene
          AND c.action = b.action AND c.reason IS b.reason AND c.detected_by = b.detected_by
          AND c.policy_version IS b.policy_version
        WHERE b.n > coalesce(c.counted, 0))
      """
    ),
  ]

  public static func examine(_ db: Database, inbox: String? = nil) throws -> [Finding] {
    var findings: [Finding] = []
    let integrity = try db.rows("PRAGMA integrity_check").compactMap { $0.first?.text }
    findings.append(
      integrity == ["ok"]
        ? Finding(severity: .ok, check: "integrity", detail: "SQLite integrity check passed")
        : Finding(severity: .problem, check: "integrity", detail: integrity.prefix(5).joined(separator: "; ")))
    let version = try db.userVersion
    findings.append(
      version == Migrations.latestVersion
        ? Finding(severity: .ok, check: "schema", detail: "schema version \(version), as this linkaudit expects")
        : Finding(
          severity: .warning, check: "schema",
          detail:
            "schema version \(version), this linkaudit expects \(Migrations.latestVersion): run any import to migrate"))
    for (name, sql) in orphanChecks {
      let n = try db.scalar(sql).integer ?? 0
      findings.append(
        n == 0
          ? Finding(severity: .ok, check: "orphans", detail: "no \(name)")
          : Finding(severity: .problem, check: "orphans", detail: "\(n.grouped) \(name)"))
    }
    if version == Migrations.latestVersion {
      if try Rollups.isStale(db) {
        findings.append(
          Finding(
            severity: .warning, check: "rollups",
            detail: "events changed outside an import: the next import or report re-derives the rollups"))
      } else if let differing = try rollupDifferences(db, findings: &findings) {
        findings.append(
          differing.isEmpty
            ? Finding(severity: .ok, check: "rollups", detail: "rollups match the events and complaints")
            : Finding(
              severity: .problem, check: "rollups",
              detail:
                "rollups differ from the events and complaints: \(differing.joined(separator: ", ")); reports read the rollups, so re-derive them (see README, Rollups)"
            ))
      }
    }
    if version == Migrations.latestVersion {
      let bundles = try db.rows("SELECT quarter FROM rollup_bundle WHERE replaced_by IS NULL ORDER BY quarter_start")
        .compactMap { $0[0].text }
      if !bundles.isEmpty {
        let stale = try Rollups.staleBundles(db)
        findings.append(
          stale.isEmpty
            ? Finding(
              severity: .ok, check: "bundles",
              detail:
                "\(bundles.count) quarter(s) from warehouse bundles (\(bundles.joined(separator: ", "))), made with the decisions and policy versions held now"
            )
            : Finding(
              severity: .problem, check: "bundles",
              detail: stale.map { "the bundle of \($0.quarter) is stale: \($0.why); run the job again" }.joined(
                separator: "; ")))
      }
    }
    if let inbox { findings += try changedInboxFiles(db, inbox: inbox) }
    let batches = try db.scalar("SELECT count(*) FROM batch").integer ?? 0
    let events = try db.scalar("SELECT count(*) FROM link_event").integer ?? 0
    let complaints = try db.scalar("SELECT count(DISTINCT complaint_id) FROM complaint_state").integer ?? 0
    findings.append(
      Finding(
        severity: .ok, check: "contents",
        detail: "\(batches.grouped) batches, \(events.grouped) link events, \(complaints.grouped) complaints"))
    return findings
  }

  /// The rollups that differ from a fresh derivation; nil, with a finding,
  /// when a stored value stops the derivation (an orphan, an edited code).
  private static func rollupDifferences(_ db: Database, findings: inout [Finding]) throws -> [String]? {
    do {
      return try Rollups.differences(db)
    } catch let error as CorruptValueError {
      findings.append(
        Finding(
          severity: .problem, check: "rollups",
          detail: "the rollups cannot be re-derived: \(error.localizedDescription)"))
      return nil
    }
  }

  /// A batch's file that is still in the inbox under its name but whose bytes
  /// differ from what was imported: someone edited an export after the fact.
  package static func changedInboxFiles(_ db: Database, inbox: String) throws -> [Finding] {
    var findings: [Finding] = []
    var checked = 0
    for row in try db.records(
      "SELECT batch_id, kind, file_name, sha256 FROM batch ORDER BY batch_id", source: "the import ledger")
    {
      let (id, kind, name, sha) = (
        try row.integer("batch_id"), try row.text("kind"), try row.text("file_name"), try row.text("sha256")
      )
      let path = ((inbox as NSString).appendingPathComponent(kind) as NSString).appendingPathComponent(name)
      guard FileManager.default.fileExists(atPath: path) else { continue }
      checked += 1
      let now = try FileHash.sha256(ofFile: path)
      if now != sha {
        findings.append(
          Finding(
            severity: .problem, check: "inbox",
            detail:
              "batch \(id) (\(kind)/\(name)) was imported with SHA-256 \(sha.prefix(12))…, the file now has \(now.prefix(12))…: it was changed after import; re-export it under a new name if the change is intended"
          ))
      }
    }
    if findings.isEmpty {
      findings.append(
        Finding(severity: .ok, check: "inbox", detail: "\(checked) imported files still in \(inbox) are unchanged"))
    }
    return findings
  }
}
