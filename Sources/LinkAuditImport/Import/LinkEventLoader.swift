import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// Loads a link log: validates each row, pseudonymises the user, normalises the
/// URL and stores the event with its domain, platform, principle and policy version.
package struct LinkEventLoader {
  /// The columns of the data contract, in the order the reader hands their values.
  package enum Column: Int, InputColumn {
    case eventID, occurredAt, scene, userID, url, action, reason, detectedBy, clientVersion

    package var name: String {
      switch self {
      case .eventID: "event_id"
      case .occurredAt: "occurred_at"
      case .scene: "scene"
      case .userID: "user_id"
      case .url: "url"
      case .action: "action"
      case .reason: "reason"
      case .detectedBy: "detected_by"
      case .clientVersion: "client_version"
      }
    }
  }

  package static let columns = Column.names
  package static let required = ["event_id", "occurred_at", "scene", "user_id", "url", "action"]
  /// The longest event id and client version the contract allows (a
  /// bundle's events are held to them too).
  package static let eventIDLength = 128
  package static let clientVersionLength = 64
  /// The longest URL a log may give (scalars), and a bundle's count authority.
  package static let urlLength = 4096
  package static let insertSQL = """
    INSERT INTO link_event (event_id, batch_id, occurred_at, scene, user_pseudonym, url, url_normalised, host_id,
      action, reason, principle, detected_by, client_version, policy_version)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
    ON CONFLICT (event_id) DO NOTHING
    """

  package let importer: Importer
  package let batchID: Int64

  /// An event ready to store: its text values, from `first` in the chunk's
  /// arena (parameters `textParameters`), and its host, whose row needs the database.
  package struct Prepared: Sendable {
    package var first: Int
    /// The host's number in this file, in order of first sighting; the first
    /// event on a host carries its names (`newHost`), the others only the number,
    /// so the storing thread neither hashes nor frees host strings per row.
    package var hostIndex: Int32
    package var newHost: NewHost?
    package var principle: Int64?
    /// What the rollups need, all but the host (the storing thread's).
    package var facts: EventFacts
    /// The URL carried user:password@ (counted for a warning).
    package var hadUserinfo: Bool
  }

  package struct NewHost: Sendable {
    package var host: String
    package var ascii: String
    package var domain: String
    /// A label mixes scripts (`tаobao.com`): warned about once per file.
    package var mixesScripts = false
  }

  /// Parameters of `insertSQL` bound from the arena, in the order `prepare`
  /// appends them. The user's pseudonym is made on the reading thread: the raw
  /// id goes no further, and on a log of many users the HMAC (0.8 µs) is what
  /// balances the two threads (docs/benchmarks.md, issue 17).
  package static let textParameters: [Int32] = [1, 3, 4, 6, 7, 9, 10, 12, 13, 14, 5]

  package func load(path: String, summary: inout BatchSummary) throws {
    let db = importer.db
    let insert = try db.prepare(Self.insertSQL)
    let hosts = try HostTable(database: db, platforms: try importer.currentPlatformDomains())
    let policies = try PolicyTimeline(database: db)
    let decisions = try DecisionIndex(database: db)
    let zone = try Rollups.timeZone(of: db)
    let rollup = try RollupEngine(
      database: db, timeZone: zone, policies: policies.names, decisions: decisions)
    let preparer = Preparer(
      fields: FieldReader(timestamps: importer.timestamps, plausible: importer.options.plausibleTimes),
      deriver: EventDeriver(timeZone: zone, decisions: decisions),
      policies: policies, pseudonyms: try importer.pseudonymiser(), batchID: batchID)
    var span: (first: Int64, last: Int64) = (.max, .min)
    var hostIDs: [Int64] = []  // host_id by host number
    let batchID = self.batchID
    var userinfo: (count: Int, firstLine: Int) = (0, 0)
    // The first few hosts that mix scripts, and how many in all.
    var homographs: (first: [(line: Int, host: NewHost)], count: Int) = ([], 0)
    try importer.forEachRecord(
      path: path, columns: Self.columns, required: Self.required, summary: &summary, preparer: preparer,
      store: { e, text, line in
        if e.hadUserinfo {
          if userinfo.count == 0 { userinfo.firstLine = line }
          userinfo.count += 1
        }
        if let h = e.newHost {
          hostIDs.append(try hosts.id(host: h.host, ascii: h.ascii, domain: h.domain))
          if h.mixesScripts {
            if homographs.first.count <= Self.homographsNamed { homographs.first.append((line, h)) }
            homographs.count += 1
          }
        }
        let host = hostIDs[Int(e.hostIndex)]
        let stored = try insert.withBinding(text, first: e.first, to: Self.textParameters) {
          try insert.bind(batchID, at: 2)
          try insert.bind(host, at: 8)
          try insert.bind(e.principle, at: 11)
          try insert.step()
          return db.changes > 0
        }
        guard stored else { return false }
        var facts = e.facts
        facts.key.host = host
        try rollup.add(facts, event: db.lastInsertRowID)
        span = (min(span.first, facts.occurredAt), max(span.last, facts.occurredAt))
        return true
      })
    if userinfo.count > 0 {
      summary.warnings.append(
        "\(userinfo.count.grouped) URL(s) carried a user name or password (user:pass@host, first on line \(userinfo.firstLine)): the event counts for the host a browser opens, and the credentials are stored as ***"
      )
    }
    summary.warnings += Self.homographWarnings(homographs.first, count: homographs.count)
    try rollup.flush()
    if span.first <= span.last {
      try db.prepare("UPDATE batch SET first_occurred_at = ?, last_occurred_at = ? WHERE batch_id = ?").run([
        .text(Timestamp(milliseconds: span.first).iso), .text(Timestamp(milliseconds: span.last).iso),
        .integer(batchID),
      ])
    }
  }

  /// Finding K3: a host whose label mixes scripts is stored as a host of its
  /// own, and named once per file (the first few; the rest counted), with
  /// its punycode form, which shows the imitation.
  static let homographsNamed = 5

  static func homographWarnings(_ hosts: [(line: Int, host: NewHost)], count: Int) -> [String] {
    let shown = homographsNamed
    // A host may be thousands of characters long: a warning stays one readable line. A phone
    // or ID number in it is masked, as in decision targets (finding A21).
    func cut(_ s: String) -> String {
      let masked = PersonalNumberMask.mask(s)
      return masked.count > 80 ? masked.prefix(80) + "…" : masked
    }
    var warnings = hosts.prefix(shown).map { h in
      "line \(h.line): url host \(cut(h.host.host)) (\(cut(h.host.ascii))) mixes scripts or look-alike letters in one label "
        + "(\(Homograph.mixedScripts(in: h.host.host).joined(separator: " and "))): stored as a host of its own, "
        + "and listed on the report's Data quality sheet; it may imitate another site"
    }
    if count > shown {
      warnings.append(
        "\((count - shown).grouped) more host(s) mix scripts or look-alike letters in one label (next on line \(hosts[shown].line)): "
          + "the Data quality sheet of the quarter's report lists them all")
    }
    return warnings
  }

  /// The reading thread's part: validates a row, normalises its URL, derives
  /// its facts and numbers its host. Owned by the reading thread (its URL
  /// cache, month cache and host numbers are its own).
  package struct Preparer: RecordPreparer {
    package var fields: FieldReader<Column>
    package var deriver: EventDeriver
    package let policies: PolicyTimeline
    package let pseudonyms: Pseudonymiser
    package let batchID: Int64
    package let urls = URLNormaliser()
    package var hostIndex: [String: Int32] = [:]

    package mutating func prepare(_ values: [String?], _ text: inout TextArena) throws -> Prepared {
      fields.values = values
      let eventID = try fields.text(.eventID, required: true, maxLength: LinkEventLoader.eventIDLength)!
      let occurredAt = try fields.timestamp(.occurredAt, required: true)!
      let scene = try fields.enumeration(.scene, Scene.self, required: true)!
      let userID = try fields.text(.userID, required: true, maxLength: 256, personal: true)!
      let (rawURL, url) = try fields.url(.url, using: urls)
      let action = try fields.enumeration(.action, LinkAction.self, required: true)!
      let reason = try LinkEventLoader.reason(fields, action: action)
      let detectedBy = try fields.enumeration(.detectedBy, DetectedBy.self, required: false) ?? .automated
      let clientVersion = try fields.text(
        .clientVersion, required: false, maxLength: LinkEventLoader.clientVersionLength)
      let policy = policies.index(at: occurredAt)
      let first = text.count
      text.append(eventID)
      text.append(occurredAt.iso)
      text.append(scene.rawValue)
      text.append(rawURL == url.normalised ? nil : rawURL)
      text.append(url.normalised)
      text.append(action.rawValue)
      text.append(reason?.code)
      text.append(detectedBy.rawValue)
      text.append(clientVersion)
      text.append(policy.map { policies.names[$0] })
      let user = pseudonyms.bits(userID)
      text.append(count: Pseudonymiser.length) { PseudonymBits.write(user, into: $0) }
      // Last, after every check: a host's first event is always stored or counted a duplicate.
      var index = hostIndex[url.host]
      var newHost: NewHost?
      if index == nil {
        index = Int32(hostIndex.count)
        hostIndex[url.host] = index
        newHost = NewHost(host: url.host, ascii: url.hostASCII, domain: url.domain, mixesScripts: url.mixesScripts)
      }
      return Prepared(
        first: first, hostIndex: index!, newHost: newHost,
        principle: (reason?.category).map { Int64($0.principle.rawValue) },
        facts: deriver.facts(
          batch: batchID, occurredAt: occurredAt.milliseconds, host: 0, scene: scene, action: action,
          reason: reason, detectedBy: detectedBy, policy: policy, url: url.normalised, domain: url.domain,
          user: user),
        hadUserinfo: url.hadUserinfo)
    }
  }

  /// `reason` is a category or `scene_rule`, required unless the link was opened.
  package static func reason(_ fields: FieldReader<Column>, action: LinkAction) throws(RowProblem) -> EventReason? {
    guard let value = fields.raw(.reason) else {
      if action == .open { return nil }
      throw RowProblem(column: "reason", value: nil, expected: "a reason (required when action is \(action.rawValue))")
    }
    guard let reason = EventReason(code: value.trimmed) else {
      throw RowProblem(column: "reason", value: value, expected: Category.expectation + ", or scene_rule")
    }
    return reason
  }
}

/// The `host` rows of one import, cached: a log names few hosts many times.
package final class HostTable {
  private let insert: Statement
  private let select: Statement
  private let platforms: [String: String]
  private var ids: [String: Int64] = [:]

  package init(database: Database, platforms: [String: String]) throws {
    insert = try database.prepare(
      "INSERT INTO host (host, host_ascii, domain, platform_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (host) DO NOTHING")
    select = try database.prepare("SELECT host_id FROM host WHERE host = ?1")
    self.platforms = platforms
  }

  package func id(host: String, ascii: String, domain: String) throws -> Int64 {
    if let id = ids[host] { return id }
    try insert.run([.text(host), .text(ascii), .text(domain), .text(platforms[domain] ?? "other")])
    try select.bind(host, at: 1)
    defer { select.reset() }
    guard try select.step() else { throw SQLiteError(code: 1, message: "host \(host) not stored", sql: select.sql) }
    let id = select.int64(at: 0)
    ids[host] = id
    return id
  }
}
