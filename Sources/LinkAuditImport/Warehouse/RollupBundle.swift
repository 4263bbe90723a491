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
  package var rowsRejected: Int64
  /// Rows the job dropped as repeats of an event id it kept (job version 2
  /// on); nil from an older job, read as 0 with a warning.
  package var rowsDuplicate: Int64?
  /// When the job ran (UTC milliseconds, job version 2 on): of two bundles
  /// of a quarter, the one made later is the newer.
  package var madeAtMs: Int64?
  package var logs: [String]
  package var files: [String: File]

  package static let format = "linkaudit-rollups/1"
  package static let files = ["counts.csv", "days.csv", "users.csv", "cases.csv", "histories.csv"]
  /// The most events a quarter's bundle may hold unless `--max-events` says
  /// otherwise: over three times the 30 billion taps of the README's paper
  /// quarter, far below what an edited count (9 x 10^18) reaches.
  package static let defaultMaxEvents: Int64 = 100_000_000_000
  /// The most `--max-events` may say: 10^15 taps a quarter (over 30,000
  /// paper quarters) keeps every sum the ratings and the report make over
  /// the quarters a database can hold far inside Int64 (red-team A14).
  package static let maxEventsLimit: Int64 = 1_000_000_000_000_000
  /// How far ahead of this machine's clock a bundle's `made_at_ms` may be
  /// (the warehouse's clock may run a little ahead); later, it was not made yet.
  package static let clockSkewMs: Int64 = 10 * 60_000
  /// A manifest is a few hundred bytes; anything much larger is not one.
  static let manifestLimit = 1 << 20

  /// Reads a bundle's manifest and checks every file against it, so nothing
  /// is loaded from a file the job did not write. Only regular files are
  /// read: a pipe or a device (which would never end) is refused, named.
  /// The manifest, and the SHA-256 of its bytes as read (the batch's fingerprint).
  package static func read(folder: String) throws -> (manifest: BundleManifest, sha256: String) {
    let path = (folder as NSString).appendingPathComponent("manifest.json")
    if let problem = FileIdentity.notARegularFile(folder), !problem.isFolder {
      throw FileError(
        file: folder,
        message: FileManager.default.fileExists(atPath: folder)
          ? "is not a folder: name the bundle's folder" : problem.reason)
    }
    if FileIdentity.notARegularFile(folder) == nil {
      throw FileError(file: folder, message: "is a file: name the bundle's folder")
    }
    try requireRegularFile(path, missing: "no manifest.json: not a rollup bundle")
    guard let handle = FileHandle(forReadingAtPath: path),
      let data = try? handle.read(upToCount: manifestLimit + 1)
    else {
      throw FileError(file: path, message: "cannot be read")
    }
    try? handle.close()
    guard data.count <= manifestLimit else {
      throw FileError(file: path, message: "is over \(manifestLimit / 1024) KiB: not a rollup bundle's manifest")
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
      throw FileError(file: path, message: "format \(displayable(manifest.format)): this linkaudit reads \(format)")
    }
    guard Set(manifest.files.keys) == Set(files) else {
      throw FileError(
        file: path,
        message:
          "lists \(manifest.files.keys.sorted().map(displayable).joined(separator: ", ")); a bundle has \(files.joined(separator: ", "))"
      )
    }
    // What is stored and shown of the manifest's text: the contract's text rule; hashes as hashes.
    if TextRuleBreach.check(manifest.jobVersion, maxLength: 32) != nil {
      throw FileError(
        file: path,
        message:
          "job_version \(displayable(manifest.jobVersion)) is not a version: at most 32 characters, no control characters"
      )
    }
    guard let version = Int(manifest.jobVersion), version >= Rollups.minimumJobVersion else {
      throw FileError(
        file: path,
        message:
          "job_version \(displayable(manifest.jobVersion)): this linkaudit reads bundles of job version \(Rollups.minimumJobVersion) or later, which ship the blocked taps under decisions the decision figures count; run this linkaudit's warehouse/linkaudit_rollups.py again"
      )
    }
    for (field, value) in [
      ("reference_manifest_sha256", manifest.referenceManifestSha256),
      ("decisions_fingerprint", manifest.decisionsFingerprint), ("segments_sha256", manifest.segmentsSha256),
    ]
    where value.utf8.count != 64 || !value.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
    {
      throw FileError(file: path, message: "\(field) \(displayable(value)) is not a SHA-256 in hex")
    }
    for (field, value) in [("events", manifest.events), ("rows_rejected", manifest.rowsRejected)]
      + (manifest.rowsDuplicate.map { [("rows_duplicate", $0)] } ?? [])
    where value < 0 {
      throw FileError(file: path, message: "\(field) \(value) is not a count of rows")
    }
    try manifest.checkFiles(in: folder, why: "the bundle was altered or is incomplete")
    return (manifest, hex(SHA256.hash(data: data)))
  }

  /// Every file of the bundle a regular file with the SHA-256 the manifest
  /// records: before anything is read, and again once everything was, so a
  /// file swapped while the import read it is refused too.
  package func checkFiles(in folder: String, why: String) throws {
    for name in Self.files {
      let file = (folder as NSString).appendingPathComponent(name)
      try Self.requireRegularFile(file, missing: "is missing: the bundle is incomplete")
      let sha = try FileHash.sha256(ofFile: file)
      guard sha == files[name]!.sha256 else {
        throw FileError(
          file: file, message: "its SHA-256 (\(sha.prefix(12))…) is not the one manifest.json records: \(why)")
      }
    }
  }

  /// C4's rule for the inbox, for a bundle's files: only a regular file is read.
  private static func requireRegularFile(_ path: String, missing: String) throws {
    guard let problem = FileIdentity.notARegularFile(path) else { return }
    guard FileManager.default.fileExists(atPath: path) || problem.isFolder else {
      throw FileError(file: path, message: missing)
    }
    throw FileError(file: path, message: problem.isFolder ? "is a folder, not a file of the bundle" : problem.reason)
  }
}

/// What `import rollups` is told beyond an import's options.
package struct BundleImportOptions: Sendable {
  /// The most events the bundle's quarter may hold (`--max-events`).
  package var maxEvents: Int64 = BundleManifest.defaultMaxEvents
  /// The quarter whose newer bundle this one may replace (`--replace-newer`).
  package var replaceNewer: String?
  /// The query of the combinations of policy version, scene, reason and
  /// action whose events are under-restricted, by a category's rule or the
  /// scene's (the metrics' table, as the reference ships it in
  /// under_restricted.csv): the cases must list every such event counts.csv counts. Run inside the bundle's transaction,
  /// once the store is up to date. nil leaves that cross-check out.
  package var underRestrictedQuery: String?

  package init(
    maxEvents: Int64 = BundleManifest.defaultMaxEvents, replaceNewer: String? = nil,
    underRestrictedQuery: String? = nil
  ) {
    self.maxEvents = maxEvents
    self.replaceNewer = replaceNewer
    self.underRestrictedQuery = underRestrictedQuery
  }
}

/// A rollup bundle loaded as one batch, in one transaction, through the one
/// rollup engine: the counts of identical facts as counts, the quarter's
/// distinct users as their count, the events the case lists and decisions
/// need as events (without pseudonyms), and the histories of the URLs
/// restricted in the quarter through the engine's URL histories (in temporary
/// tables, of which the quarter's first restrictions are kept).
///
/// A bundle is untrusted input, held to the data contract as a link log is:
/// its text to the same field rules, its times to the same plausible range,
/// its numbers to what can be counted (no negatives, no overflow, a ceiling,
/// no more users than events), and its cases and histories to the counts
/// they belong to.
extension Importer {
  package func importBundle(folder: String, bundle: BundleImportOptions = BundleImportOptions()) throws -> BatchSummary
  {
    // The name is recorded in the ledger and printed: no control character may forge a line.
    if TextRuleBreach.check(folder, maxLength: 4096) != nil {
      throw FileError(
        file: displayable(folder), message: "the bundle's folder name holds a control character: rename the folder")
    }
    let (manifest, sha) = try BundleManifest.read(folder: folder)
    let name = (folder as NSString).lastPathComponent
    guard let quarter = Quarter(manifest.quarter) else {
      throw FileError(
        file: folder, message: "manifest.json names no quarter YYYY-Qn (\(displayable(manifest.quarter)))")
    }
    guard manifest.events <= bundle.maxEvents else {
      throw FileError(
        file: folder,
        message:
          "manifest.json says \(manifest.events.grouped) events, more than a quarter may hold (\(bundle.maxEvents.grouped); --max-events raises it)"
      )
    }
    let plausible = options.plausibleTimes
    if let made = manifest.madeAtMs, !plausible.contains(Timestamp(milliseconds: made)) {
      throw FileError(
        file: folder, message: "manifest.json: made_at_ms \(made) is not \(plausible.expectation)")
    }
    // A bundle cannot have been made after now: one "made" in 2036 would pass for the newer of any two (A15).
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    if let made = manifest.madeAtMs, made > now + BundleManifest.clockSkewMs {
      throw FileError(
        file: folder,
        message:
          "manifest.json: made_at_ms \(made) (\(Timestamp(milliseconds: made).iso)) is later than now (\(Timestamp(milliseconds: now).iso)): a bundle cannot have been made yet; check the warehouse's clock"
      )
    }
    try db.execute("PRAGMA cache_size = -65536")
    let summary = try db.transaction {
      // The store's own upkeep (a migration, stale rollups re-derived) is
      // part of the bundle's transaction: a refused bundle leaves the
      // database's bytes as they were (red-team P5, A1).
      try db.bringUpToDate()
      let known = try db.rows(
        "SELECT b.batch_id, r.batch_id IS NOT NULL AND r.replaced_by IS NOT NULL FROM main.batch b LEFT JOIN main.rollup_bundle r USING (batch_id) WHERE b.sha256 = ?",
        [.text(sha)]
      ).first
      // A bundle replaced by another is loaded again (into its own batch), as any other bundle.
      let reinstated = known?[1].integer == 1 ? known?[0].integer : nil
      if known != nil, reinstated == nil { return BatchSummary(file: folder, kind: .links, batchID: nil) }
      try ensurePlatformRegistry()
      let zone = try Rollups.timeZone(of: db)
      guard zone.identifier == manifest.rollupTimeZone else {
        throw FileError(
          file: folder,
          message:
            "was cut in \(displayable(manifest.rollupTimeZone)), this database's rollups in \(zone.identifier): export the reference from this database and run the job again"
        )
      }
      let (start, end) = quarter.bounds(in: zone)
      guard plausible.overlaps(from: start, until: end) else {
        throw FileError(
          file: folder, message: "manifest.json: quarter \(quarter) is not \(plausible.expectation)")
      }
      let decisions = try DecisionIndex(database: db)
      guard try DecisionIndex.fingerprint(of: db, from: start, until: end) == manifest.decisionsFingerprint else {
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
            "\(quarter) already holds link events imported directly (\(displayable(file)), batch \(batch)): a quarter comes from raw events or from a bundle, not both"
        )
      }
      let staleBefore = try Rollups.isStale(db)
      let live = try db.rows(
        "SELECT batch_id, events, made_at FROM main.rollup_bundle WHERE quarter_start = ? AND replaced_by IS NULL",
        [.text(startText)]
      ).first.map { (batch: $0[0].integer ?? 0, events: $0[1].integer ?? 0, madeAt: $0[2].text) }
      if let live {
        try refuseUnlessNewer(manifest, than: live, quarter: quarter, folder: folder, bundle: bundle)
        try removeBundleFigures(batch: live.batch, from: startText, to: endText)
      }
      if let reinstated { try removeBundleFigures(batch: reinstated, from: startText, to: endText) }
      let batchID = try reinstated ?? openBatch(kind: .links, fileName: name, sha256: sha)
      var summary = BatchSummary(file: folder, kind: .links, batchID: batchID)
      let underRestricted = try bundle.underRestrictedQuery.map { query in
        Set(try db.rows(query).map { $0.map { $0.text ?? "" } })
      }
      let loader = BundleLoader(
        importer: self, batchID: batchID, folder: folder, zone: zone, quarter: (start, end),
        quarterName: quarter.description, plausible: plausible, maxEvents: bundle.maxEvents,
        underRestricted: underRestricted)
      let users = try loader.load(decisions: decisions, summary: &summary)
      guard summary.rowsStored == manifest.events else {
        throw FileError(
          file: folder,
          message: "counts.csv adds up to \(summary.rowsStored) events, manifest.json says \(manifest.events)")
      }
      // The ledger as a direct import keeps it: every row read, stored, dropped as a repeat or rejected.
      let duplicates = manifest.rowsDuplicate ?? 0
      if manifest.rowsDuplicate == nil {
        summary.warnings.append(
          "manifest.json (job version \(displayable(manifest.jobVersion))) does not say how many repeated event ids the job dropped: recorded as 0; a job of this linkaudit's warehouse/ says it"
        )
      }
      let (withRepeats, o1) = Int64(summary.rowsStored).addingReportingOverflow(duplicates)
      let (read, o2) = withRepeats.addingReportingOverflow(manifest.rowsRejected)
      guard !o1, !o2 else {
        throw FileError(
          file: folder, message: "manifest.json: events, rows_duplicate and rows_rejected add up past any count")
      }
      (summary.rowsRead, summary.rowsDuplicate, summary.rowsRejected) = (
        Int(read), Int(duplicates), Int(manifest.rowsRejected)
      )
      if let live {
        try db.prepare("UPDATE main.rollup_bundle SET replaced_by = ? WHERE batch_id = ?").run([
          .integer(batchID), .integer(live.batch),
        ])
        summary.warnings.append(
          "replaces the bundle of batch \(live.batch) for \(quarter); the ledger keeps both")
      }
      let madeAt: SQLValue = manifest.madeAtMs.map { .text(Timestamp(milliseconds: $0).iso) } ?? .null
      if let reinstated {
        try db.prepare(
          """
          UPDATE main.rollup_bundle SET replaced_by = NULL, job_version = ?, reference_manifest_sha256 = ?,
            decisions_fingerprint = ?, segments_sha256 = ?, events = ?, users = ?, made_at = ?
          WHERE batch_id = ?
          """
        ).run([
          .text(manifest.jobVersion), .text(manifest.referenceManifestSha256), .text(manifest.decisionsFingerprint),
          .text(manifest.segmentsSha256), .integer(manifest.events), .integer(users), madeAt, .integer(reinstated),
        ])
      } else {
        try db.prepare(
          """
          INSERT INTO main.rollup_bundle (batch_id, quarter, quarter_start, quarter_end, job_version,
            reference_manifest_sha256, decisions_fingerprint, segments_sha256, events, users, made_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """
        ).run([
          .integer(batchID), .text(quarter.description), .text(startText), .text(endText), .text(manifest.jobVersion),
          .text(manifest.referenceManifestSha256), .text(manifest.decisionsFingerprint),
          .text(manifest.segmentsSha256), .integer(manifest.events), .integer(users), madeAt,
        ])
      }
      // Deleting the older bundle's events marked the rollups stale; they are not.
      if !staleBefore { try db.execute("DELETE FROM main.setting WHERE name = 'rollups_stale'") }
      try manifest.checkFiles(in: folder, why: "the bundle changed while it was imported")
      try closeBatch(summary)
      return summary
    }
    // Committed: from now on reports may read beside imports (WAL), as every linkaudit store does.
    if summary.batchID != nil { try db.useWAL() }
    return summary
  }

  /// A bundle replaces the one its quarter holds only when it is newer by
  /// what the two say: not made earlier (`made_at_ms`, when both carry it)
  /// and not of fewer events (a quarter's logs only grow: fewer events are a
  /// run over part of them). Otherwise only `--replace-newer QUARTER` lets it.
  private func refuseUnlessNewer(
    _ manifest: BundleManifest, than live: (batch: Int64, events: Int64, madeAt: String?), quarter: Quarter,
    folder: String, bundle: BundleImportOptions
  ) throws {
    let liveMade = try live.madeAt.map { try TimestampParser.stored($0, at: "rollup_bundle.made_at") }
    let earlier = manifest.madeAtMs.flatMap { made in liveMade.map { made < $0.milliseconds } } ?? false
    let fewer = manifest.events < live.events
    guard earlier || fewer, bundle.replaceNewer != quarter.description else { return }
    let why =
      earlier
      ? "was made at \(Timestamp(milliseconds: manifest.madeAtMs!).iso), before the bundle \(quarter) holds (batch \(live.batch), made at \(liveMade!.iso))"
      : "holds \(manifest.events.grouped) events, fewer than the bundle \(quarter) holds (batch \(live.batch), \(live.events.grouped) events), as a run over part of the logs would"
    throw FileError(
      file: folder,
      message: "\(why); nothing was changed. To replace the newer bundle with this one, pass --replace-newer \(quarter)"
    )
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
    for table in ["covered_month", "decision_month", "decision_tap", "covered_tap"] {
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
  let plausible: PlausibleTimes
  let maxEvents: Int64
  let underRestricted: Set<[String]>?

  static let countColumns = [
    "month_start_ms", "policy_version", "scheme", "authority", "scene", "action", "reason", "detected_by", "events",
  ]

  /// Loads everything; returns the quarter's users.
  func load(decisions: DecisionIndex, summary: inout BatchSummary) throws -> Int64 {
    let db = importer.db
    let hosts = try HostTable(database: db, platforms: try importer.currentPlatformDomains())
    let policies = try PolicyTimeline(database: db)
    let normaliser = URLNormaliser()
    var firstDay = Int64.max
    var lastDay = Int64.min

    // The counts, fed to the engine as counts of identical facts. Every sum
    // is bounded here, where the bundle's numbers are read: by Int64 and by
    // the ceiling, so that no sum after it can overflow.
    let counts = try RollupEngine(database: db, timeZone: zone, policies: policies.names, outputs: .counts)
    var deriver = EventDeriver(timeZone: zone, decisions: DecisionIndex())
    var dayLocator = MonthLocator(timeZone: zone)
    var authorities: [String: (host: Int64, url: String, domain: String)] = [:]
    // Hosts that mix scripts in one label: named as `import links` names them (K3, A16).
    var homographs: (first: [(line: Int, host: LinkEventLoader.NewHost)], count: Int) = ([], 0)
    var total: Int64 = 0
    // What the counts say, to hold the cases, histories and days to.
    var counted: [RollupKey: Int64] = [:]
    var countedByMonth: [Int64: Int64] = [:]
    var countedUnder: Int64 = 0
    // The policy versions in force in each month ("" where none is), as the
    // quarter's segments give them (the reference's segments.csv, whose
    // SHA-256 the manifest carries): a count row's version must be one (A7).
    var versionsByMonth: [Int64: Set<String>] = [:]
    for row in WarehouseSegments.rows(
      from: quarter.start.milliseconds, to: quarter.end.milliseconds, zone: zone, policies: policies)
    {
      if let month = Int64(row[3]) { versionsByMonth[month, default: []].insert(row[4]) }
    }
    try each("counts.csv", Self.countColumns) { v, at in
      let month = try integer(v[0], "month_start_ms", at)
      guard month >= quarter.start.milliseconds, month < quarter.end.milliseconds else {
        throw FileError(
          file: at.file, line: at.line, message: "month_start_ms \(month) is outside the bundle's quarter")
      }
      let key = (v[2] ?? "") + "://" + (v[3] ?? "")
      if authorities[key] == nil {
        // The rules of a link log's url column: the text rule and its length, then the normaliser (A16).
        switch TextRuleBreach.check(key + "/", maxLength: LinkEventLoader.urlLength) {
        case .forbidden(let s)?:
          throw FileError(
            file: at.file, line: at.line,
            message:
              "authority \(displayable(key.count > 80 ? String(key.prefix(80)) + "…" : key)) holds \(TextRuleBreach.code(s)): a URL holds no control characters, noncharacters or bidirectional controls"
          )
        case .tooLong(let n)?:
          throw FileError(
            file: at.file, line: at.line,
            message:
              "authority \(displayable(key.count > 80 ? String(key.prefix(80)) + "…" : key)) makes a URL of \(n.grouped) characters: a URL has at most \(LinkEventLoader.urlLength)"
          )
        case nil: break
        }
        let url = try normalise(key + "/", normaliser, at)
        if url.mixesScripts {
          if homographs.first.count <= LinkEventLoader.homographsNamed {
            homographs.first.append(
              (at.line, LinkEventLoader.NewHost(host: url.host, ascii: url.hostASCII, domain: url.domain)))
          }
          homographs.count += 1
        }
        authorities[key] = (
          try hosts.id(host: url.host, ascii: url.hostASCII, domain: url.domain), url.normalised, url.domain
        )
      }
      let a = authorities[key]!
      let policy = try v[1].flatMap { $0.isEmpty ? nil : $0 }.map { name -> Int in
        guard let i = try? policies.index(named: name, at: "") else {
          throw FileError(
            file: at.file, line: at.line,
            message: "policy_version \(displayable(name)) is not one this database holds")
        }
        return i
      }
      let events = try positive(v[8], "events", at)
      let (sum, overflow) = total.addingReportingOverflow(events)
      guard !overflow, sum <= maxEvents else {
        throw FileError(
          file: at.file, line: at.line,
          message:
            "events add up to more than a quarter may hold (\(maxEvents.grouped); --max-events raises it)")
      }
      total = sum
      let (scene, action, reason): (Scene, LinkAction, EventReason?) = (
        try code(v[4], "scene", at), try code(v[5], "action", at), try self.reason(v[6], at)
      )
      var facts = deriver.facts(
        batch: batchID, occurredAt: month, host: a.host, scene: scene, action: action, reason: reason,
        detectedBy: try code(v[7], "detected_by", at), policy: policy, url: a.url, domain: a.domain, user: nil)
      guard facts.key.month == month else {
        throw FileError(file: at.file, line: at.line, message: "month_start_ms \(month) is not the start of a month")
      }
      let version = v[1] ?? ""
      guard let inForce = versionsByMonth[month], inForce.contains(version) else {
        let names = (versionsByMonth[month] ?? []).sorted().map { $0.isEmpty ? "none" : displayable($0) }
        throw FileError(
          file: at.file, line: at.line,
          message:
            "policy_version \(version.isEmpty ? "(empty)" : displayable(version)) is not in force in the month of month_start_ms \(month) (\(Timestamp(milliseconds: month).iso)): in force then \(names.joined(separator: ", ")), as segments.csv gives them"
        )
      }
      facts.count = events
      try counts.add(monthCounts: facts)
      counted[facts.key, default: 0] += events
      countedByMonth[month, default: 0] += events
      if isUnderRestricted(policy.map { policies.names[$0] }, scene, reason, action) { countedUnder += events }
    }
    summary.rowsStored = Int(total)
    summary.warnings += LinkEventLoader.homographWarnings(homographs.first, count: homographs.count).map {
      "counts.csv " + $0
    }
    var dayEvents: Int64 = 0
    var dayEventsByMonth: [Int64: Int64] = [:]
    try each("days.csv", ["day_start_ms", "events"]) { v, at in
      let day = try integer(v[0], "day_start_ms", at)
      guard day >= quarter.start.milliseconds, day < quarter.end.milliseconds, dayLocator.day(day) == day else {
        throw FileError(
          file: at.file, line: at.line, message: "day_start_ms \(day) is not the start of a day of the bundle's quarter"
        )
      }
      let events = try positive(v[1], "events", at)
      let (sum, overflow) = dayEvents.addingReportingOverflow(events)
      guard !overflow else {
        throw FileError(file: at.file, line: at.line, message: "events add up past any count: not counts of events")
      }
      counts.add(day: day, batch: batchID, events: events)
      dayEvents = sum
      // Each month's days add up to at most dayEvents, which did not overflow.
      dayEventsByMonth[dayLocator.locate(day).month, default: 0] += events
      (firstDay, lastDay) = (min(firstDay, day), max(lastDay, day))
    }
    guard dayEvents == total else {
      throw FileError(
        file: folder, message: "days.csv adds up to \(dayEvents) events, counts.csv to \(total)")
    }
    // Month by month too: the days without events are read from days.csv, the monthly figures from counts.csv (A8).
    for month in Set(countedByMonth.keys).union(dayEventsByMonth.keys).sorted()
    where countedByMonth[month, default: 0] != dayEventsByMonth[month, default: 0] {
      throw FileError(
        file: folder,
        message:
          "days.csv adds up to \(dayEventsByMonth[month, default: 0]) events in the month of month_start_ms \(month) (\(Timestamp(milliseconds: month).iso)), counts.csv to \(countedByMonth[month, default: 0]): the bundle contradicts itself"
      )
    }
    try counts.flush()

    // The distinct users, counted in the warehouse: one row, the quarter's.
    var users: Int64 = -1
    var span: (first: Int64, last: Int64)?
    try each("users.csv", ["quarter", "users", "events", "first_ms", "last_ms"]) { v, at in
      guard users < 0 else {
        throw FileError(file: at.file, line: at.line, message: "a second row: users.csv holds one, the quarter's")
      }
      guard v[0] == quarterName else {
        throw FileError(
          file: at.file, line: at.line,
          message: "quarter \(displayable(v[0] ?? "(empty)")) is not the bundle's (\(quarterName))")
      }
      let n = try integer(v[1], "users", at)
      // Each user tapped at least once: more users than events, or none for some events, is no count.
      guard n >= 0, n <= total, (n > 0) == (total > 0) else {
        throw FileError(
          file: at.file, line: at.line,
          message: "users \(n) cannot be the distinct users of \(total) events")
      }
      users = n
      if let events = v[2], !events.isEmpty, try integer(events, "events", at) != total {
        throw FileError(
          file: at.file, line: at.line, message: "events \(events) is not what counts.csv adds up to (\(total))")
      }
      if let first = v[3], !first.isEmpty {
        span = (try integer(first, "first_ms", at), try integer(v[4], "last_ms", at))
      }
    }
    guard users >= 0 else { throw FileError(file: folder, message: "users.csv holds no count") }
    try db.prepare("INSERT OR REPLACE INTO main.quarter_users (quarter_start, users) VALUES (?, ?)").run([
      .text(quarter.start.iso), .integer(users),
    ])

    // The quarter's events the cases and histories ship, each once, by what
    // it is counted by: every one must be among the counts.
    var shipped: [String: RollupKey] = [:]
    var shippedUnder: Int64 = 0
    // Only a case is stored, so only a case can be listed: an under-restricted
    // event shipped among the histories alone is not counted as listed.
    func ship(_ e: BundleEvent, host: Int64, policy: Int?, _ facts: EventFacts, _ at: Place, isCase: Bool) throws {
      var key = facts.key
      key.host = host
      if let earlier = shipped[e.id] {
        guard earlier == key else {
          throw FileError(
            file: at.file, line: at.line,
            message: "event_id \(displayable(e.id)) is shipped twice, with other facts the second time")
        }
        return
      }
      shipped[e.id] = key
      if isCase, isUnderRestricted(policy.map { policies.names[$0] }, e.scene, e.reason, e.action) { shippedUnder += 1 }
    }

    // The events the case lists and decisions need: stored, their coverage
    // found and the under-restricted ones kept by the engine.
    let coverage = try RollupEngine(
      database: db, timeZone: zone, policies: policies.names, decisions: decisions,
      outputs: [.coverage, .cases])
    var covering = EventDeriver(timeZone: zone, decisions: decisions)
    // The events of cases.csv (stored, each once, their coverage found) by what they are counted by.
    var covered: [RollupKey: Int64] = [:]
    let insert = try db.prepare(LinkEventLoader.insertSQL)
    var fields = FieldReader<BundleEventColumn>(timestamps: importer.timestamps, plausible: plausible)
    try each("cases.csv", BundleEventColumn.names) { v, at in
      let e = try event(v, at, normaliser, &fields)
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
        throw FileError(file: at.file, line: at.line, message: "event_id \(displayable(e.id)) is already stored")
      }
      let facts = covering.facts(
        batch: batchID, occurredAt: e.ms, host: host, scene: e.scene, action: e.action, reason: e.reason,
        detectedBy: e.detectedBy, policy: policy, url: e.url.normalised, domain: e.url.domain, user: nil)
      try ship(e, host: host, policy: policy, facts, at, isCase: true)
      try coverage.add(facts, event: db.lastInsertRowID)
      var key = facts.key
      key.host = host
      covered[key, default: 0] += 1
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
    var earlier = EarlierHistories(db: db, zone: zone, quarterStart: quarter.start)
    try each("histories.csv", BundleEventColumn.names) { v, at in
      let e = try event(v, at, normaliser, &fields)
      guard e.ms < quarter.end.milliseconds else {
        throw FileError(file: at.file, line: at.line, message: "occurred_at_ms is after the bundle's quarter")
      }
      try earlier.check(e, at)
      let facts = plain.facts(
        batch: batchID, occurredAt: e.ms, host: 0, scene: e.scene, action: e.action, reason: e.reason,
        detectedBy: e.detectedBy, policy: nil, url: e.url.normalised, domain: e.url.domain, user: nil)
      if e.ms >= quarter.start.milliseconds {
        let policy = policies.index(at: Timestamp(milliseconds: e.ms))
        let counted = plain.facts(
          batch: batchID, occurredAt: e.ms, host: 0, scene: e.scene, action: e.action, reason: e.reason,
          detectedBy: e.detectedBy, policy: policy, url: e.url.normalised, domain: e.url.domain, user: nil)
        try ship(
          e, host: try hosts.id(host: e.url.host, ascii: e.url.hostASCII, domain: e.url.domain), policy: policy,
          counted, at, isCase: false)
      }
      try urls.add(facts, event: nil)
    }
    try earlier.checkNoneLeftOut(folder: folder)
    try urls.flush()
    try db.prepare(
      "INSERT OR REPLACE INTO main.url_restriction SELECT * FROM temp.url_restriction WHERE quarter_start = ?"
    )
    .run([.text(quarter.start.iso)])
    for table in Rollups.tables { try db.execute("DROP TABLE temp.\(table)") }

    // The cases and histories against the counts they belong to.
    var shippedByKey: [RollupKey: Int64] = [:]
    for key in shipped.values { shippedByKey[key, default: 0] += 1 }
    for (key, n) in shippedByKey where n > counted[key, default: 0] {
      throw FileError(
        file: folder,
        message:
          "cases.csv and histories.csv hold \(n) event(s) of \(describe(key, policies)), counts.csv counts \(counted[key, default: 0]): the bundle contradicts itself"
      )
    }
    try checkTapsUnderDomainDecisions(
      counted: counted, shipped: covered,
      domainOfHost: Dictionary(
        authorities.values.map { ($0.host, $0.domain) }, uniquingKeysWith: { a, _ in a }))
    if underRestricted != nil, shippedUnder != countedUnder {
      throw FileError(
        file: folder,
        message:
          "counts.csv counts \(countedUnder.grouped) under-restricted event(s) (by under_restricted.csv), cases.csv lists \(shippedUnder.grouped): the bundle contradicts itself (a job before version 3 listed only those of principles 1-2: run this linkaudit's warehouse job again)"
      )
    }

    // The first and last events' instants, as an import of the events records them.
    if let span {
      guard span.first >= quarter.start.milliseconds, span.last < quarter.end.milliseconds, span.first <= span.last,
        firstDay <= span.first, lastDay.addingReportingOverflow(86_400_000 * 2).partialValue > span.last,
        plausible.contains(Timestamp(milliseconds: span.first)), plausible.contains(Timestamp(milliseconds: span.last))
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

  /// Every tap under a decision is shipped in cases.csv (job version 3),
  /// where its coverage is found: the decision figures count them all, blocks
  /// too. Where a block_domain decision stood through a whole month, every
  /// event of its domain that month is under it, so the events cases.csv
  /// ships on the domain must be all the counts hold; a
  /// bundle that leaves some out would make the decision read as enforced
  /// otherwise than it was. (A URL's decision cannot be held so: the counts
  /// are by authority, not URL.)
  func checkTapsUnderDomainDecisions(
    counted: [RollupKey: Int64], shipped: [RollupKey: Int64], domainOfHost: [Int64: String]
  ) throws {
    let decisions = try importer.db.rows(
      """
      SELECT complaint_id, domain, stands_from, stands_until FROM main.decision
      WHERE action_taken = 'block_domain' AND stands_from < ? ORDER BY complaint_id
      """, [.text(quarter.end.iso)])
    guard !decisions.isEmpty else { return }
    var locator = MonthLocator(timeZone: zone)
    var wholeMonths: [String: [Int64: String]] = [:]  // domain -> month -> decision
    let months = Set(counted.keys.map(\.month))
    for row in decisions {
      let (id, domain) = (row[0].text ?? "", row[1].text ?? "")
      let from = try TimestampParser.stored(row[2].text, at: "decision.stands_from").milliseconds
      let until = try row[3].text.map { try TimestampParser.stored($0, at: "decision.stands_until").milliseconds }
      for month in months {
        // The next month's start: a time safely inside it, located.
        let next = locator.locate(month + 32 * 86_400_000).month
        if from <= month, (until ?? .max) >= next, wholeMonths[domain]?[month] == nil {
          wholeMonths[domain, default: [:]][month] = id
        }
      }
    }
    guard !wholeMonths.isEmpty else { return }
    func byDomainMonth(_ counts: [RollupKey: Int64]) -> [String: Int64] {
      var sums: [String: Int64] = [:]
      for (key, n) in counts {
        guard let domain = domainOfHost[key.host], wholeMonths[domain]?[key.month] != nil else { continue }
        sums["\(domain)\u{0}\(key.month)", default: 0] += n
      }
      return sums
    }
    let (have, sent) = (byDomainMonth(counted), byDomainMonth(shipped))
    for (domain, months) in wholeMonths.sorted(by: { $0.key < $1.key }) {
      for (month, decision) in months.sorted(by: { $0.key < $1.key }) {
        let key = "\(domain)\u{0}\(month)"
        let (n, m) = (have[key, default: 0], sent[key, default: 0])
        guard m < n else { continue }
        throw FileError(
          file: (folder as NSString).appendingPathComponent("cases.csv"),
          message:
            "ships \(m.grouped) tap(s) on \(displayable(domain)) in the month of month_start_ms \(month) (\(Timestamp(milliseconds: month).iso)), counts.csv counts \(n.grouped), and decision \(displayable(decision)) blocked the domain all that month: a bundle ships every tap under a decision (job version 3); this one leaves some out"
        )
      }
    }
  }

  /// An event its policy asks more of than was done, by a category's rule
  /// or the scene's (each listed as under-restricted).
  func isUnderRestricted(_ policy: String?, _ scene: Scene, _ reason: EventReason?, _ action: LinkAction) -> Bool {
    guard let underRestricted, let policy else { return false }
    return underRestricted.contains([policy, scene.rawValue, reason?.code ?? "", action.rawValue])
  }

  /// What a count is of, in the words of counts.csv.
  func describe(_ key: RollupKey, _ policies: PolicyTimeline) -> String {
    let host =
      (try? importer.db.scalar("SELECT host FROM main.host WHERE host_id = ?", [.integer(key.host)]).text)
      .flatMap { $0 } ?? "?"
    return "month_start_ms \(key.month), host \(displayable(host))"
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

  /// An event of the bundle, read with the field rules of a link log's
  /// (lengths, control characters, noncharacters: `FieldReader`, as
  /// `import links` reads one) and its time with the same plausible range;
  /// its URL normalised here. The job's own reading of it (`url_key`) must
  /// agree, or the job's split of URLs is wrong.
  func event(_ v: [String?], _ at: Place, _ normaliser: URLNormaliser, _ fields: inout FieldReader<BundleEventColumn>)
    throws -> BundleEvent
  {
    fields.values = v
    do {
      let id = try fields.text(.eventID, required: true, maxLength: LinkEventLoader.eventIDLength)!
      let msText = try fields.required(.occurredAtMs)
      guard let ms = Int64(msText) else {
        throw RowProblem(column: "occurred_at_ms", value: msText, expected: "an integer (UTC milliseconds)")
      }
      guard plausible.contains(Timestamp(milliseconds: ms)) else {
        throw RowProblem(column: "occurred_at_ms", value: msText, expected: plausible.expectation)
      }
      let scene = try fields.enumeration(.scene, Scene.self, required: true)!
      let (raw, url) = try fields.url(.url, using: normaliser)
      let action = try fields.enumeration(.action, LinkAction.self, required: true)!
      let reason = try fields.raw(.reason).map { value throws(RowProblem) -> EventReason in
        guard let r = EventReason(code: value) else {
          throw RowProblem(column: "reason", value: value, expected: Category.expectation + ", or scene_rule")
        }
        return r
      }
      let detectedBy = try fields.enumeration(.detectedBy, DetectedBy.self, required: true)!
      let clientVersion = try fields.text(
        .clientVersion, required: false, maxLength: LinkEventLoader.clientVersionLength)
      guard url.normalised == v[BundleEventColumn.urlKey.rawValue] else {
        throw FileError(
          file: at.file, line: at.line,
          message:
            "the job read url \(displayable(raw)) (\(displayable(v[9] ?? "?")) line \(displayable(v[10] ?? "?"))) as \(displayable(v[8] ?? "")), linkaudit as \(displayable(url.normalised)): the job's URL split disagrees with linkaudit's"
        )
      }
      return BundleEvent(
        id: id, ms: ms, scene: scene, raw: raw, url: url, action: action, reason: reason, detectedBy: detectedBy,
        clientVersion: clientVersion)
    } catch let problem as RowProblem {
      throw BadRowError(problem, file: at.file, line: at.line)
    }
  }
}

/// Red-team A9: a history's events before the bundle's quarter decide which
/// URLs the quarter restricted first, and the hours and opens before it.
/// Where the database holds the earlier quarter as raw events (imported
/// directly), the history is held to them: each event before the quarter
/// must be one of them, with the same time, scene, URL, action and reason, and
/// the history of a URL must ship every one of them. Where the earlier
/// quarter came from a bundle (whose histories are not kept) or is not in
/// the database, they rest on the bundle's word (README, reliability).
private struct EarlierHistories {
  let db: Database
  let zone: TimeZone
  let quarterStart: Timestamp
  /// Whether the database holds a quarter as raw events.
  private var held: [Quarter: Bool] = [:]
  /// The events before the quarter found among the raw ones, by URL.
  private var shipped: [String: Int64] = [:]
  private var ids = Set<String>()
  private var urls = Set<String>()

  init(db: Database, zone: TimeZone, quarterStart: Timestamp) {
    (self.db, self.zone, self.quarterStart) = (db, zone, quarterStart)
  }

  /// Every event of the histories, in the quarter or before it.
  mutating func check(_ e: BundleEvent, _ at: BundleLoader.Place) throws {
    urls.insert(e.url.normalised)
    guard e.ms < quarterStart.milliseconds else { return }
    let quarter = Quarter(containing: Timestamp(milliseconds: e.ms), in: zone)
    if held[quarter] == nil {
      let (start, end) = quarter.bounds(in: zone)
      held[quarter] =
        try db.scalar(
          """
          SELECT EXISTS (SELECT 1 FROM main.event_day WHERE day_start >= ? AND day_start < ?
            AND batch_id NOT IN (SELECT batch_id FROM main.rollup_bundle))
          """, [.text(start.iso), .text(end.iso)]
        ).integer == 1
    }
    guard held[quarter] == true else { return }
    let stored = try db.rows(
      """
      SELECT occurred_at, scene, url_normalised, action, coalesce(reason, '') FROM main.link_event
      WHERE event_id = ? AND batch_id NOT IN (SELECT batch_id FROM main.rollup_bundle)
      """, [.text(e.id)]
    ).first
    let same =
      try stored.map {
        try TimestampParser.stored($0[0].text, at: "link_event.occurred_at").milliseconds == e.ms
          && $0[1].text == e.scene.rawValue && $0[2].text == e.url.normalised && $0[3].text == e.action.rawValue
          && $0[4].text == (e.reason?.code ?? "")
      } ?? false
    guard same, ids.insert(e.id).inserted else {
      throw FileError(
        file: at.file, line: at.line,
        message:
          "event_id \(displayable(e.id)) of \(Timestamp(milliseconds: e.ms).iso) falls in \(quarter), which this database holds as raw events, \(stored == nil ? "and is not among them" : "and they say otherwise of it"): the history before the bundle's quarter contradicts the database"
      )
    }
    shipped[e.url.normalised, default: 0] += 1
  }

  /// Every raw event before the quarter of a URL whose history was shipped must have been shipped.
  func checkNoneLeftOut(folder: String) throws {
    guard !urls.isEmpty else { return }
    try db.execute("DROP TABLE IF EXISTS temp.history_url")
    try db.execute("CREATE TEMP TABLE history_url (url TEXT PRIMARY KEY) WITHOUT ROWID")
    defer { try? db.execute("DROP TABLE IF EXISTS temp.history_url") }
    let insert = try db.prepare("INSERT INTO temp.history_url VALUES (?)")
    for url in urls { try insert.run([.text(url)]) }
    for row in try db.rows(
      """
      SELECT e.url_normalised, count(*) FROM main.link_event e JOIN temp.history_url h ON h.url = e.url_normalised
      WHERE e.occurred_at < ? AND e.batch_id NOT IN (SELECT batch_id FROM main.rollup_bundle)
      GROUP BY 1 ORDER BY 1
      """, [.text(quarterStart.iso)])
    {
      let url = row[0].text ?? ""
      let n = row[1].integer ?? 0
      guard shipped[url, default: 0] == n else {
        throw FileError(
          file: (folder as NSString).appendingPathComponent("histories.csv"),
          message:
            "ships \(shipped[url, default: 0]) event(s) of \(displayable(url)) before the bundle's quarter from quarters this database holds as raw events, which hold \(n): the history contradicts the database"
        )
      }
    }
  }
}

/// An event of a bundle's cases.csv or histories.csv.
private struct BundleEvent {
  let id: String
  let ms: Int64
  let scene: Scene
  /// The URL as given, or with its credentials replaced (`url.shared`).
  let raw: String
  let url: ExternalURL
  let action: LinkAction
  let reason: EventReason?
  let detectedBy: DetectedBy
  let clientVersion: String?
}

/// The columns of a bundle's cases.csv and histories.csv, read by the field
/// rules of a link log's (`FieldReader`).
package enum BundleEventColumn: Int, InputColumn {
  case eventID, occurredAtMs, scene, url, action, reason, detectedBy, clientVersion, urlKey, file, line

  package var name: String {
    switch self {
    case .eventID: "event_id"
    case .occurredAtMs: "occurred_at_ms"
    case .scene: "scene"
    case .url: "url"
    case .action: "action"
    case .reason: "reason"
    case .detectedBy: "detected_by"
    case .clientVersion: "client_version"
    case .urlKey: "url_key"
    case .file: "file"
    case .line: "line"
    }
  }
}
