import Foundation

/// Loads a link log: validates each row, pseudonymises the user, normalises the
/// URL and stores the event with its domain, platform, principle and policy version.
struct LinkEventLoader {
  static let columns = [
    "event_id", "occurred_at", "scene", "user_id", "url", "action", "reason", "detected_by", "client_version",
  ]
  static let required = ["event_id", "occurred_at", "scene", "user_id", "url", "action"]
  static let insertSQL = """
    INSERT INTO link_event (event_id, batch_id, occurred_at, scene, user_pseudonym, url, url_normalised, host,
      host_ascii, domain, platform_id, action, reason, principle, detected_by, client_version, policy_version)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
    ON CONFLICT (event_id) DO NOTHING
    """

  let importer: Importer
  let batchID: Int64

  func load(path: String, summary: inout BatchSummary) throws {
    let db = importer.db
    let insert = try db.prepare(Self.insertSQL)
    let platforms = try importer.currentPlatformDomains()
    let policies = try PolicyTimeline(database: db)
    let pseudonyms = try importer.pseudonymiser()
    let urls = importer.urls
    var fields = FieldReader(columns: Self.columns, values: [], timestamps: importer.timestamps)
    try importer.forEachRecord(path: path, columns: Self.columns, required: Self.required, summary: &summary) {
      values in
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
      let category = Category(rawValue: reason ?? "")
      try insert.bind([
        .text(eventID), .integer(batchID), .text(occurredAt.iso), .text(scene.rawValue),
        .text(pseudonyms.pseudonym(userID)), .text(rawURL), .text(url.normalised), .text(url.host),
        .text(url.hostASCII), .text(url.domain), .text(platforms[url.domain] ?? "other"), .text(action.rawValue),
        .optional(reason), category.map { .integer(Int64($0.principle.rawValue)) } ?? .null,
        .text(detectedBy.rawValue), .optional(clientVersion), .optional(policies.version(at: occurredAt)),
      ])
      try insert.step()
      insert.reset()
      return db.changes > 0
    }
  }

  /// `reason` is a category or `scene_rule`, required unless the link was opened.
  static func reason(_ fields: FieldReader, action: LinkAction) throws(RowProblem) -> String? {
    guard let value = fields.raw(6) else {
      if action == .open { return nil }
      throw RowProblem(column: "reason", value: nil, expected: "a reason is required when action is \(action.rawValue)")
    }
    let code = value.trimmed
    guard code == "scene_rule" || Category(rawValue: code) != nil else {
      throw RowProblem(column: "reason", value: value, expected: Category.expectation + ", or scene_rule")
    }
    return code
  }
}
