import Foundation
import LinkAuditCore
import LinkAuditStore

/// The one place that decides what to re-derive after a change to what the
/// rollups are derived from. The triggers on `link_event` and
/// `complaint_state` and the migrations only mark the rollups stale; what a
/// mark, a late policy or a complaint import costs is decided here.
public enum RollupMaintenance {
  public enum Change: Sendable {
    /// An import stored events: the engine counted them as they were stored.
    case eventsStored
    /// A policy version was stored: the events of its period are reassigned
    /// to it, so the order of imports never changes a figure.
    case policyAdded(version: String)
    /// An import stored complaint states: a new state may be a complaint's
    /// current one, and may make, move or end a decision.
    case complaintsStored
    /// A read-write open, after any schema upgrade: rollups a migration or an
    /// edit outside the import marked stale are re-derived before anything reads them.
    case opened
  }

  /// Brings the rollups up to date after `change`, inside the caller's
  /// transaction (`opened` takes its own).
  public static func apply(_ change: Change, to db: Database) throws {
    switch change {
    case .eventsStored:
      return
    case .policyAdded(let version):
      let staleBefore = try Rollups.isStale(db)
      let timeline = try PolicyTimeline(database: db)
      guard let period = timeline.period(of: version) else {
        throw CorruptValueError(place: "policy_version.version", value: version)
      }
      try db.prepare(
        "UPDATE main.link_event SET policy_version = ?1 WHERE occurred_at >= ?2 AND occurred_at < ?3"
      ).run([.text(version), .text(period.from), .text(period.until)])
      // The update marked the rollups stale (trigger). The counts, the
      // coverage and the under-restricted events carry policy versions, so
      // they are redone; the users only if something else had made the
      // rollups stale before.
      guard db.changes > 0 else { return }
      try rederive(staleBefore ? .all : [.counts, .coverage, .cases], of: db)
    case .complaintsStored:
      try db.execute(Rollups.currentComplaintsSQL)
      let decisions = try DecisionIndex(database: db)
      let stored = try db.scalar("SELECT value FROM main.setting WHERE name = 'decision_fingerprint'").text
      if stored != decisions.fingerprint { try rederive(.coverage, of: db, decisions: decisions) }
    case .opened:
      guard try Rollups.isStale(db) else { return }
      // Another process may have re-derived them while this one waited for the lock.
      try db.transaction { if try Rollups.isStale(db) { try rederive(.all, of: db) } }
    }
  }

  /// Re-derives `outputs` in one pass over the events (with the complaints'
  /// current states and the decisions when coverage is among them) and clears the stale mark.
  private static func rederive(_ outputs: RollupEngine.Outputs, of db: Database) throws {
    if outputs.contains(.coverage) {
      try db.execute(Rollups.currentComplaintsSQL)
      try rederive(outputs, of: db, decisions: try DecisionIndex(database: db))
    } else {
      try RollupEngine.rederive(outputs, of: db, timeZone: try Rollups.timeZone(of: db))
    }
    try db.execute("DELETE FROM main.setting WHERE name = 'rollups_stale'")
  }

  /// Coverage is re-derived with the decisions it is tested against, whose fingerprint is kept.
  private static func rederive(_ outputs: RollupEngine.Outputs, of db: Database, decisions: DecisionIndex) throws {
    try RollupEngine.rederive(outputs, of: db, timeZone: try Rollups.timeZone(of: db), decisions: decisions)
    try db.prepare("INSERT OR REPLACE INTO main.setting (name, value) VALUES ('decision_fingerprint', ?)").run([
      .text(decisions.fingerprint)
    ])
  }
}
