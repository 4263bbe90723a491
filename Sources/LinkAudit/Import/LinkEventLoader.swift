import Foundation

/// Loads a link log: validates each row, pseudonymises the user, normalises the
/// URL and stores the event with its domain, platform, principle and policy version.
struct LinkEventLoader {
  static let columns = [
    "event_id", "occurred_at", "scene", "user_id", "url", "action", "reason", "detected_by", "client_version",
  ]
  static let required = ["event_id", "occurred_at", "scene", "user_id", "url", "action"]
  static let insertSQL = """
    INSERT INTO link_event (event_id, batch_id, occurred_at, scene, user_pseudonym, url, url_normalised, host_id,
      action, reason, principle, detected_by, client_version, policy_version)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
    ON CONFLICT (event_id) DO NOTHING
    """

  let importer: Importer
  let batchID: Int64

  /// An event ready to store: its text values, from `first` in the chunk's
  /// arena (parameters `textParameters`), and its host, whose row needs the database.
  struct Prepared {
    var first: Int
    var host: String
    var hostASCII: String
    var domain: String
    var principle: Int64?
  }

  /// Parameters of `insertSQL` bound from the arena, in the order `prepare` appends them.
  static let textParameters: [Int32] = [1, 3, 4, 5, 6, 7, 9, 10, 12, 13, 14]

  func load(path: String, summary: inout BatchSummary) throws {
    let db = importer.db
    let insert = try db.prepare(Self.insertSQL)
    let hosts = try HostTable(database: db, platforms: try importer.currentPlatformDomains())
    let policies = try PolicyTimeline(database: db)
    let pseudonyms = try importer.pseudonymiser()
    let urls = importer.urls
    var fields = FieldReader(columns: Self.columns, values: [], timestamps: importer.timestamps)
    let batchID = self.batchID
    try importer.forEachRecord(
      path: path, columns: Self.columns, required: Self.required, summary: &summary,
      prepare: { values, text in
        fields.values = values
        let eventID = try fields.text(0, required: true, maxLength: 128)!
        let occurredAt = try fields.timestamp(1, required: true)!
        let scene = try fields.enumeration(2, Scene.self, required: true)!
        let userID = try fields.text(3, required: true, maxLength: 256, personal: true)!
        let (rawURL, url) = try fields.url(4, using: urls)
        let action = try fields.enumeration(5, LinkAction.self, required: true)!
        let reason = try Self.reason(fields, action: action)
        let detectedBy = try fields.enumeration(7, DetectedBy.self, required: false) ?? .automated
        let clientVersion = try fields.text(8, required: false, maxLength: 64)
        let first = text.count
        text.append(eventID)
        text.append(occurredAt.iso)
        text.append(scene.rawValue)
        text.append(pseudonyms.pseudonym(userID))
        text.append(rawURL == url.normalised ? nil : rawURL)
        text.append(url.normalised)
        text.append(action.rawValue)
        text.append(reason?.code)
        text.append(detectedBy.rawValue)
        text.append(clientVersion)
        text.append(policies.version(at: occurredAt))
        return Prepared(
          first: first, host: url.host, hostASCII: url.hostASCII, domain: url.domain,
          principle: (reason?.category).map { Int64($0.principle.rawValue) })
      },
      store: { e, text in
        try insert.withBinding(text, first: e.first, to: Self.textParameters) {
          try insert.bind(batchID, at: 2)
          try insert.bind(try hosts.id(host: e.host, ascii: e.hostASCII, domain: e.domain), at: 8)
          try insert.bind(e.principle, at: 11)
          try insert.step()
          return db.changes > 0
        }
      })
  }

  /// `reason` is a category or `scene_rule`, required unless the link was opened.
  /// Returns the code and, when it is one, the category (parsed once).
  static func reason(_ fields: FieldReader, action: LinkAction) throws(RowProblem) -> (
    code: String, category: Category?
  )? {
    guard let value = fields.raw(6) else {
      if action == .open { return nil }
      throw RowProblem(column: "reason", value: nil, expected: "a reason is required when action is \(action.rawValue)")
    }
    let code = value.trimmed
    let category = Category(rawValue: code)
    guard code == "scene_rule" || category != nil else {
      throw RowProblem(column: "reason", value: value, expected: Category.expectation + ", or scene_rule")
    }
    return (code, category)
  }
}

/// The `host` rows of one import, cached: a log names few hosts many times.
final class HostTable {
  private let insert: Statement
  private let select: Statement
  private let platforms: [String: String]
  private var ids: [String: Int64] = [:]

  init(database: Database, platforms: [String: String]) throws {
    insert = try database.prepare(
      "INSERT INTO host (host, host_ascii, domain, platform_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (host) DO NOTHING")
    select = try database.prepare("SELECT host_id FROM host WHERE host = ?1")
    self.platforms = platforms
  }

  func id(host: String, ascii: String, domain: String) throws -> Int64 {
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
