import Crypto
import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// `manifest.json` of a rollup bundle (warehouse/linkaudit_rollups.py).
package struct BundleManifest: Codable {
  package struct File: Codable {
    package var rows: Int
    package var sha256: String
  }
  package var format: String
  package var jobVersion: String
  package var quarter: String
  package var referenceManifestSha256: String
  package var decisionsFingerprint: String
  package var segmentsSha256: String
  package var rollupTimeZone: String
  package var events: Int64
  package var rowsRejected: Int
  package var logs: [String]
  package var files: [String: File]

  package static let format = "linkaudit-rollups/1"
  package static let files = ["counts.csv", "days.csv", "users.csv", "cases.csv", "histories.csv"]

  /// Reads a bundle's manifest and checks every file against it, so nothing
  /// is loaded from a file the job did not write.
  /// The manifest, and the SHA-256 of its bytes as read (the batch's fingerprint).
  package static func read(folder: String) throws -> (manifest: BundleManifest, sha256: String) {
    let path = (folder as NSString).appendingPathComponent("manifest.json")
    guard let data = FileManager.default.contents(atPath: path) else {
      throw FileError(file: path, message: "no manifest.json: not a rollup bundle")
    }
    let manifest: BundleManifest
    do {
      let decoder = JSONDecoder()
      decoder.keyDecodingStrategy = .convertFromSnakeCase
      manifest = try decoder.decode(BundleManifest.self, from: data)
    } catch {
      throw FileError(file: path, message: "is not a rollup bundle's manifest (\(error.localizedDescription))")
    }
    guard manifest.format == format else {
      throw FileError(file: path, message: "format \(manifest.format): this linkaudit reads \(format)")
    }
    guard Set(manifest.files.keys) == Set(files) else {
      throw FileError(
        file: path,
        message:
          "lists \(manifest.files.keys.sorted().joined(separator: ", ")); a bundle has \(files.joined(separator: ", "))"
      )
    }
    for name in files {
      let file = (folder as NSString).appendingPathComponent(name)
      let sha = try FileHash.sha256(ofFile: file)
      guard sha == manifest.files[name]!.sha256 else {
        throw FileError(
          file: file,
          message:
            "its SHA-256 (\(sha.prefix(12))…) is not the one manifest.json records: the bundle was altered or is incomplete"
        )
      }
    }
    return (manifest, hex(SHA256.hash(data: data)))
  }
}

/// A rollup bundle loaded as one batch, in one transaction, through the one
/// rollup engine: the counts of identical facts as counts, the quarter's
/// distinct users as their count, the events the case lists and decisions
/// need as events (without pseudonyms), and the histories of the URLs
/// restricted in the quarter through the engine's URL histories (in temporary
/// tables, of which the quarter's first restrictions are kept).
extension Importer {
  package func importBundle(folder: String) throws -> BatchSummary {
    let (manifest, sha) = try BundleManifest.read(folder: folder)
    let name = (folder as NSString).lastPathComponent
    guard let quarter = Quarter(manifest.quarter) else {
      throw FileError(file: folder, message: "manifest.json names no quarter YYYY-Qn (\(manifest.quarter))")
    }
    try db.execute("PRAGMA cache_size = -65536")
    return try db.transaction {
      if try isImported(sha) { return BatchSummary(file: folder, kind: .links, batchID: nil) }
      try ensurePlatformRegistry()
      let zone = try Rollups.timeZone(of: db)
      guard zone.identifier == manifest.rollupTimeZone else {
        throw FileError(
          file: folder,
          message:
            "was cut in \(manifest.rollupTimeZone), this database's rollups in \(zone.identifier): export the reference from this database and run the job again"
        )
      }
      let decisions = try DecisionIndex(database: db)
      guard decisions.fingerprint == manifest.decisionsFingerprint else {
        throw FileError(
          file: folder,
          message:
            "was made with other decisions than this database holds (complaints imported since the reference was exported): export the reference again and run the job again"
        )
      }
      guard try WarehouseSegments.sha256(database: db, quarter: quarter) == manifest.segmentsSha256 else {
        throw FileError(
          file: folder,
          message:
            "was made with other policy versions in force in \(quarter) than this database holds: export the reference again and run the job again"
        )
      }
      let (start, end) = quarter.bounds(in: zone)
      let (startText, endText) = (start.iso, end.iso)
      // One quarter, one source: raw events or a bundle, never both.
      if let batch = try db.scalar(
        """
        SELECT batch_id FROM main.event_day WHERE day_start >= ?1 AND day_start < ?2
          AND batch_id NOT IN (SELECT batch_id FROM main.rollup_bundle) LIMIT 1
        """, [.text(startText), .text(endText)]
      ).integer {
        let file = try db.scalar("SELECT file_name FROM main.batch WHERE batch_id = ?", [.integer(batch)]).text ?? "?"
        throw FileError(
          file: folder,
          message:
            "\(quarter) already holds link events imported directly (\(file), batch \(batch)): a quarter comes from raw events or from a bundle, not both"
        )
      }
      let staleBefore = try Rollups.isStale(db)
      let replaced = try db.scalar(
        "SELECT batch_id FROM main.rollup_bundle WHERE quarter_start = ? AND replaced_by IS NULL", [.text(startText)]
      ).integer
      if let replaced { try removeBundleFigures(batch: replaced, from: startText, to: endText) }
      let batchID = try openBatch(kind: .links, fileName: name, sha256: sha)
      var summary = BatchSummary(file: folder, kind: .links, batchID: batchID)
      let loader = BundleLoader(
        importer: self, batchID: batchID, folder: folder, zone: zone, quarter: (start, end),
        quarterName: quarter.description)
      let users = try loader.load(decisions: decisions, summary: &summary)
      summary.rowsRejected = manifest.rowsRejected
      guard summary.rowsStored == manifest.events else {
        throw FileError(
          file: folder,
          message: "counts.csv adds up to \(summary.rowsStored) events, manifest.json says \(manifest.events)")
      }
      if let replaced {
        try db.prepare("UPDATE main.rollup_bundle SET replaced_by = ? WHERE batch_id = ?").run([
          .integer(batchID), .integer(replaced),
        ])
        summary.warnings.append("replaces the bundle of batch \(replaced) for \(quarter); the ledger keeps both")
      }
      try db.prepare(
        """
        INSERT INTO main.rollup_bundle (batch_id, quarter, quarter_start, quarter_end, job_version,
          reference_manifest_sha256, decisions_fingerprint, segments_sha256, events, users)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
      ).run([
        .integer(batchID), .text(quarter.description), .text(startText), .text(endText), .text(manifest.jobVersion),
        .text(manifest.referenceManifestSha256), .text(manifest.decisionsFingerprint),
        .text(manifest.segmentsSha256), .integer(manifest.events),
        .integer(users),
      ])
      // Deleting the older bundle's events marked the rollups stale; they are not.
      if !staleBefore { try db.execute("DELETE FROM main.setting WHERE name = 'rollups_stale'") }
      try closeBatch(summary)
      return summary
    }
  }

  /// The figures of an older bundle of the quarter, removed before the newer one's are loaded.
  private func removeBundleFigures(batch: Int64, from start: String, to end: String) throws {
    for table in Rollups.batchTables {
      try db.prepare("DELETE FROM main.\(table) WHERE batch_id = ?").run([.integer(batch)])
    }
    try db.prepare(
      "DELETE FROM main.decision_open WHERE event_rowid IN (SELECT event_rowid FROM main.link_event WHERE batch_id = ?)"
    ).run([.integer(batch)])
    try db.prepare("DELETE FROM main.link_event WHERE batch_id = ?").run([.integer(batch)])
    for table in ["covered_month", "decision_month"] {
      try db.prepare("DELETE FROM main.\(table) WHERE month_start >= ? AND month_start < ?").run([
        .text(start), .text(end),
      ])
    }
    try db.prepare("DELETE FROM main.url_restriction WHERE quarter_start = ?").run([.text(start)])
    try db.prepare("DELETE FROM main.quarter_users WHERE quarter_start = ?").run([.text(start)])
  }

  /// Refuses a link log whose events fall in a quarter a bundle holds.
  package func refuseEventsInBundleQuarters(batch: Int64, file: String) throws {
    guard
      let quarter = try db.scalar(
        """
        SELECT b.quarter FROM main.event_day d JOIN main.rollup_bundle b
          ON b.replaced_by IS NULL AND d.day_start >= b.quarter_start AND d.day_start < b.quarter_end
        WHERE d.batch_id = ? LIMIT 1
        """, [.integer(batch)]
      ).text
    else { return }
    throw FileError(
      file: file,
      message:
        "has events in \(quarter), whose figures came from a warehouse bundle: a quarter comes from raw events or from a bundle, not both"
    )
  }
}

/// Loads a bundle's files into the batch.
private struct BundleLoader {
  let importer: Importer
  let batchID: Int64
  let folder: String
  let zone: TimeZone
  let quarter: (start: Timestamp, end: Timestamp)
  let quarterName: String

  static let countColumns = [
    "month_start_ms", "policy_version", "scheme", "authority", "scene", "action", "reason", "detected_by", "events",
  ]
  static let eventColumns = [
    "event_id", "occurred_at_ms", "scene", "url", "action", "reason", "detected_by", "client_version", "url_key",
    "file", "line",
  ]

  /// Loads everything; returns the quarter's users.
  func load(decisions: DecisionIndex, summary: inout BatchSummary) throws -> Int64 {
    let db = importer.db
    let hosts = try HostTable(database: db, platforms: try importer.currentPlatformDomains())
    let policies = try PolicyTimeline(database: db)
    let normaliser = URLNormaliser()
    var firstDay = Int64.max
    var lastDay = Int64.min

    // The counts, fed to the engine as counts of identical facts.
    let counts = try RollupEngine(database: db, timeZone: zone, policies: policies.names, outputs: .counts)
    var deriver = EventDeriver(timeZone: zone, decisions: DecisionIndex())
    var dayLocator = MonthLocator(timeZone: zone)
    var authorities: [String: (host: Int64, url: String, domain: String)] = [:]
    try each("counts.csv", Self.countColumns) { v, at in
      let month = try integer(v[0], "month_start_ms", at)
      guard month >= quarter.start.milliseconds, month < quarter.end.milliseconds else {
        throw FileError(
          file: at.file, line: at.line, message: "month_start_ms \(month) is outside the bundle's quarter")
      }
      let key = (v[2] ?? "") + "://" + (v[3] ?? "")
      if authorities[key] == nil {
        let url = try normalise(key + "/", normaliser, at)
        authorities[key] = (
          try hosts.id(host: url.host, ascii: url.hostASCII, domain: url.domain), url.normalised, url.domain
        )
      }
      let a = authorities[key]!
      let policy = try v[1].flatMap { $0.isEmpty ? nil : $0 }.map { name -> Int in
        guard let i = try? policies.index(named: name, at: "") else {
          throw FileError(
            file: at.file, line: at.line, message: "policy_version \(name) is not one this database holds")
        }
        return i
      }
      let events = try positive(v[8], "events", at)
      var facts = deriver.facts(
        batch: batchID, occurredAt: month, host: a.host, scene: try code(v[4], "scene", at),
        action: try code(v[5], "action", at), reason: try reason(v[6], at),
        detectedBy: try code(v[7], "detected_by", at), policy: policy, url: a.url, domain: a.domain, user: nil)
      guard facts.key.month == month else {
        throw FileError(file: at.file, line: at.line, message: "month_start_ms \(month) is not the start of a month")
      }
      facts.count = events
      try counts.add(monthCounts: facts)
      summary.rowsRead += Int(events)
      summary.rowsStored += Int(events)
    }
    var dayEvents: Int64 = 0
    try each("days.csv", ["day_start_ms", "events"]) { v, at in
      let day = try integer(v[0], "day_start_ms", at)
      guard day >= quarter.start.milliseconds, day < quarter.end.milliseconds, dayLocator.day(day) == day else {
        throw FileError(
          file: at.file, line: at.line, message: "day_start_ms \(day) is not the start of a day of the bundle's quarter"
        )
      }
      let events = try positive(v[1], "events", at)
      counts.add(day: day, batch: batchID, events: events)
      dayEvents += events
      (firstDay, lastDay) = (min(firstDay, day), max(lastDay, day))
    }
    guard dayEvents == Int64(summary.rowsStored) else {
      throw FileError(
        file: folder, message: "days.csv adds up to \(dayEvents) events, counts.csv to \(summary.rowsStored)")
    }
    try counts.flush()

    // The distinct users, counted in the warehouse.
    var users: Int64 = -1
    var span: (first: Int64, last: Int64)?
    try each("users.csv", ["quarter", "users", "events", "first_ms", "last_ms"]) { v, at in
      guard v[0] == quarterName else {
        throw FileError(
          file: at.file, line: at.line, message: "quarter \(v[0] ?? "(empty)") is not the bundle's (\(quarterName))")
      }
      users = try integer(v[1], "users", at)
      // Each user tapped at least once: more users than events, or none for some events, is no count.
      guard users <= Int64(summary.rowsStored), (users > 0) == (summary.rowsStored > 0) else {
        throw FileError(
          file: at.file, line: at.line,
          message: "users \(users) cannot be the distinct users of \(summary.rowsStored) events")
      }
      if let first = v[3], !first.isEmpty {
        span = (try integer(first, "first_ms", at), try integer(v[4], "last_ms", at))
      }
    }
    guard users >= 0 else { throw FileError(file: folder, message: "users.csv holds no count") }
    try db.prepare("INSERT OR REPLACE INTO main.quarter_users (quarter_start, users) VALUES (?, ?)").run([
      .text(quarter.start.iso), .integer(users),
    ])

    // The events the case lists and decisions need: stored, and their coverage found by the engine.
    let coverage = try RollupEngine(
      database: db, timeZone: zone, policies: policies.names, complaintIDs: decisions.complaintIDs,
      outputs: .coverage)
    var covering = EventDeriver(timeZone: zone, decisions: decisions)
    let insert = try db.prepare(LinkEventLoader.insertSQL)
    try each("cases.csv", Self.eventColumns) { v, at in
      let e = try event(v, at, normaliser)
      guard e.ms >= quarter.start.milliseconds, e.ms < quarter.end.milliseconds else {
        throw FileError(file: at.file, line: at.line, message: "occurred_at_ms is outside the bundle's quarter")
      }
      let host = try hosts.id(host: e.url.host, ascii: e.url.hostASCII, domain: e.url.domain)
      let policy = policies.index(at: Timestamp(milliseconds: e.ms))
      try insert.run([
        .text(e.id), .integer(batchID), .text(Timestamp(milliseconds: e.ms).iso), .text(e.scene.rawValue), .text(""),
        e.raw == e.url.normalised ? .null : .text(e.raw), .text(e.url.normalised), .integer(host),
        .text(e.action.rawValue), .optional(e.reason?.code),
        (e.reason?.category).map { .integer(Int64($0.principle.rawValue)) } ?? .null, .text(e.detectedBy.rawValue),
        .optional(e.clientVersion), .optional(policy.map { policies.names[$0] }),
      ])
      guard db.changes > 0 else {
        throw FileError(file: at.file, line: at.line, message: "event_id \(e.id) is already stored")
      }
      let facts = covering.facts(
        batch: batchID, occurredAt: e.ms, host: host, scene: e.scene, action: e.action, reason: e.reason,
        detectedBy: e.detectedBy, policy: policy, url: e.url.normalised, domain: e.url.domain, user: nil)
      try coverage.add(facts, event: db.lastInsertRowID)
    }
    try coverage.flush()

    // The histories of the quarter's restricted URLs, through the engine's
    // URL rules in temporary tables; the quarter's first restrictions are kept.
    // The engine's statements name every rollup table of its schema.
    for table in Rollups.tables {
      guard
        let sql = try db.scalar("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", [.text(table)])
          .text
      else { throw SQLiteError(code: 1, message: "no table \(table) in the schema") }
      try db.execute("DROP TABLE IF EXISTS temp.\(table)")
      try db.execute(sql.replacingOccurrences(of: "CREATE TABLE \(table)", with: "CREATE TEMP TABLE \(table)"))
    }
    let urls = try RollupEngine(database: db, timeZone: zone, policies: policies.names, outputs: .urls, schema: "temp")
    var plain = EventDeriver(timeZone: zone, decisions: DecisionIndex())
    try each("histories.csv", Self.eventColumns) { v, at in
      let e = try event(v, at, normaliser)
      guard e.ms < quarter.end.milliseconds else {
        throw FileError(file: at.file, line: at.line, message: "occurred_at_ms is after the bundle's quarter")
      }
      let facts = plain.facts(
        batch: batchID, occurredAt: e.ms, host: 0, scene: e.scene, action: e.action, reason: e.reason,
        detectedBy: e.detectedBy, policy: nil, url: e.url.normalised, domain: e.url.domain, user: nil)
      try urls.add(facts, event: nil)
    }
    try urls.flush()
    try db.prepare(
      "INSERT OR REPLACE INTO main.url_restriction SELECT * FROM temp.url_restriction WHERE quarter_start = ?"
    )
    .run([.text(quarter.start.iso)])
    for table in Rollups.tables { try db.execute("DROP TABLE temp.\(table)") }

    // The first and last events' instants, as an import of the events records them.
    if let span {
      guard span.first >= quarter.start.milliseconds, span.last < quarter.end.milliseconds, span.first <= span.last,
        firstDay <= span.first, span.last < lastDay + 86_400_000 * 2
      else {
        throw FileError(
          file: folder, message: "users.csv: first_ms and last_ms do not fall in the days counts.csv counts")
      }
      try db.prepare("UPDATE main.batch SET first_occurred_at = ?, last_occurred_at = ? WHERE batch_id = ?").run([
        .text(Timestamp(milliseconds: span.first).iso), .text(Timestamp(milliseconds: span.last).iso),
        .integer(batchID),
      ])
    }
    return users
  }

  struct Place {
    let file: String
    let line: Int
  }

  /// Every record of one of the bundle's files, with where it is.
  func each(_ name: String, _ columns: [String], _ body: ([String?], Place) throws -> Void) throws {
    let path = (folder as NSString).appendingPathComponent(name)
    let reader = try makeReader(path: path, encoding: .utf8, columns: columns)
    var values = [String?](repeating: nil, count: columns.count)
    do {
      while try reader.next(into: &values) { try body(values, Place(file: path, line: reader.line)) }
    } catch let error as RecordError {
      throw FileError(file: path, line: error.line, message: error.message)
    }
  }

  /// A count of events: 1 or more (a row of none would not have been written).
  func positive(_ v: String?, _ column: String, _ at: Place) throws -> Int64 {
    let n = try integer(v, column, at)
    guard n > 0 else {
      throw FileError(file: at.file, line: at.line, message: "\(column) \(n) is not a count of events")
    }
    return n
  }

  func integer(_ v: String?, _ column: String, _ at: Place) throws -> Int64 {
    guard let v, let n = Int64(v) else {
      throw FileError(file: at.file, line: at.line, message: "\(column) \(v ?? "(empty)") is not an integer")
    }
    return n
  }

  func code<E: RawRepresentable<String>>(_ v: String?, _ column: String, _ at: Place) throws -> E {
    guard let v, let e = E(rawValue: v) else {
      throw FileError(
        file: at.file, line: at.line, message: "\(column) \(v ?? "(empty)") is not a code of the contract")
    }
    return e
  }

  func reason(_ v: String?, _ at: Place) throws -> EventReason? {
    guard let v, !v.isEmpty else { return nil }
    guard let r = EventReason(code: v) else {
      throw FileError(file: at.file, line: at.line, message: "reason \(v) is not a category or scene_rule")
    }
    return r
  }

  func normalise(_ url: String, _ normaliser: URLNormaliser, _ at: Place) throws -> ExternalURL {
    do {
      return try normaliser.normalise(url)
    } catch {
      throw FileError(file: at.file, line: at.line, message: "url \(displayable(url)) is not \(error.reason)")
    }
  }

  /// An event of the bundle, its URL normalised here; the job's own reading
  /// of it (`url_key`) must agree, or the job's split of URLs is wrong.
  func event(_ v: [String?], _ at: Place, _ normaliser: URLNormaliser) throws -> (
    id: String, ms: Int64, scene: Scene, raw: String, url: ExternalURL, action: LinkAction, reason: EventReason?,
    detectedBy: DetectedBy, clientVersion: String?
  ) {
    guard let id = v[0] else { throw FileError(file: at.file, line: at.line, message: "event_id is required") }
    let raw = v[3] ?? ""
    let url = try normalise(raw, normaliser, at)
    guard url.normalised == v[8] else {
      throw FileError(
        file: at.file, line: at.line,
        message:
          "the job read url \(displayable(raw)) (\(v[9] ?? "?") line \(v[10] ?? "?")) as \(displayable(v[8] ?? "")), linkaudit as \(displayable(url.normalised)): the job's URL split disagrees with linkaudit's"
      )
    }
    return (
      id, try integer(v[1], "occurred_at_ms", at), try code(v[2], "scene", at), url.hadUserinfo ? url.shared : raw,
      url, try code(v[4], "action", at), try reason(v[5], at), try code(v[6], "detected_by", at),
      v[7].flatMap { $0.isEmpty ? nil : $0 }
    )
  }
}
