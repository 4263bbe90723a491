import Crypto
import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// Loads complaint states. Every distinct state is kept as history; the same
/// state sent again is a duplicate. The `complaint` view picks the latest.
package struct ComplaintLoader {
  package static let columns = [
    "complaint_id", "received_at", "reporter_id", "url", "category", "channel", "description", "status",
    "resolved_at", "outcome", "action_taken", "updated_at",
  ]
  package static let required = ["complaint_id", "received_at", "reporter_id", "url", "category", "status"]
  package static let insertSQL = """
    INSERT INTO complaint_state (complaint_id, batch_id, line, received_at, reporter_pseudonym, url, url_normalised,
      host, host_ascii, domain, platform_id, category, principle, channel, description, status, resolved_at, outcome,
      action_taken, updated_at, fingerprint)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
    ON CONFLICT (complaint_id, fingerprint) DO NOTHING
    """

  package let importer: Importer
  package let batchID: Int64

  package func load(path: String, summary: inout BatchSummary) throws {
    let db = importer.db
    let insert = try db.prepare(Self.insertSQL)
    let platforms = try importer.currentPlatformDomains()
    let pseudonyms = try importer.pseudonymiser()
    // This file's own normaliser: its host cache is mutable state of the thread that stores.
    let urls = URLNormaliser()
    var fields = FieldReader(
      columns: Self.columns, values: [], timestamps: importer.timestamps, plausible: importer.options.plausibleTimes)
    try importer.forEachRecord(path: path, columns: Self.columns, required: Self.required, summary: &summary) {
      values, line in
      fields.values = values
      let id = try fields.text(0, required: true, maxLength: 128)!
      let receivedAt = try fields.timestamp(1, required: true)!
      let reporter = try fields.text(2, required: true, maxLength: 256, personal: true)!
      let (rawURL, url) = try fields.url(3, using: urls)
      let category = try fields.enumeration(4, Category.self, required: true)!
      let channel = try fields.enumeration(5, Channel.self, required: false) ?? .inChat
      let description = try fields.text(6, required: false, maxLength: 2000, multiline: true).map(
        PersonalNumberMask.mask)
      let status = try fields.enumeration(7, ComplaintStatus.self, required: true)!
      let resolved = status == .resolved
      if !resolved {
        for i in 8...10 {
          if let given = fields.raw(i) {
            throw RowProblem(column: Self.columns[i], value: given, expected: "empty while status is open")
          }
        }
      }
      let resolvedAt = try fields.timestamp(8, required: resolved)
      let outcome = try fields.enumeration(9, Outcome.self, required: resolved)
      let actionTaken = try fields.enumeration(10, ActionTaken.self, required: outcome == .upheld)
      let updatedAt = try fields.timestamp(11, required: false)
      if let resolvedAt, resolvedAt < receivedAt {
        throw RowProblem(column: "resolved_at", value: fields.raw(8), expected: "a time at or after received_at")
      }
      if outcome != .upheld, let given = fields.raw(10), resolved {
        throw RowProblem(column: "action_taken", value: given, expected: "empty unless outcome is upheld")
      }
      let stored: [SQLValue] = [
        .text(id), .text(receivedAt.iso), .text(pseudonyms.pseudonym(reporter)), .text(rawURL),
        .text(category.rawValue),
        .text(channel.rawValue), .optional(description), .text(status.rawValue), .optional(resolvedAt?.iso),
        .optional(outcome?.rawValue), .optional(actionTaken?.rawValue), .optional(updatedAt?.iso),
      ]
      try insert.bind([
        stored[0], .integer(batchID), .integer(Int64(line)), stored[1], stored[2], stored[3],
        .text(url.normalised), .text(url.host), .text(url.hostASCII), .text(url.domain),
        .text(platforms[url.domain] ?? "other"), stored[4], .integer(Int64(category.principle.rawValue)), stored[5],
        stored[6], stored[7], stored[8], stored[9], stored[10], stored[11], .text(Self.fingerprint(stored)),
      ])
      try insert.step()
      insert.reset()
      return db.changes > 0
    }
    try RollupMaintenance.apply(.complaintsStored, to: db)
  }

  /// Identifies a state by everything the source said about it.
  package static func fingerprint(_ values: [SQLValue]) -> String {
    var hasher = SHA256()
    for v in values {
      hasher.update(data: Data((v.text.map { "T" + $0 } ?? "N").utf8))
      hasher.update(data: [0x1F])
    }
    return hex(hasher.finalize())
  }
}
