import Crypto
import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// Loads complaint states. Every distinct state is kept as history; the same
/// state sent again is a duplicate. The `complaint` view picks the latest.
package struct ComplaintLoader {
  /// The columns of the data contract, in the order the reader hands their values.
  package enum Column: Int, InputColumn {
    case complaintID, receivedAt, reporterID, url, category, channel, description, status, resolvedAt, outcome,
      actionTaken, updatedAt, duplicateOf

    package var name: String {
      switch self {
      case .complaintID: "complaint_id"
      case .receivedAt: "received_at"
      case .reporterID: "reporter_id"
      case .url: "url"
      case .category: "category"
      case .channel: "channel"
      case .description: "description"
      case .status: "status"
      case .resolvedAt: "resolved_at"
      case .outcome: "outcome"
      case .actionTaken: "action_taken"
      case .updatedAt: "updated_at"
      case .duplicateOf: "duplicate_of"
      }
    }
  }

  package static let columns = Column.names
  package static let required = ["complaint_id", "received_at", "reporter_id", "url", "category", "status"]
  package static let insertSQL = """
    INSERT INTO complaint_state (complaint_id, batch_id, line, received_at, reporter_pseudonym, url, url_normalised,
      host, host_ascii, domain, platform_id, category, principle, channel, description, status, resolved_at, outcome,
      action_taken, updated_at, duplicate_of, fingerprint)
    VALUES (:complaint_id, :batch_id, :line, :received_at, :reporter_pseudonym, :url, :url_normalised, :host,
      :host_ascii, :domain, :platform_id, :category, :principle, :channel, :description, :status, :resolved_at,
      :outcome, :action_taken, :updated_at, :duplicate_of, :fingerprint)
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
    var fields = FieldReader<Column>(timestamps: importer.timestamps, plausible: importer.options.plausibleTimes)
    try importer.forEachRecord(path: path, columns: Self.columns, required: Self.required, summary: &summary) {
      values, line in
      fields.values = values
      let id = try fields.identifier(.complaintID, required: true, maxLength: 128)!
      let receivedAt = try fields.timestamp(.receivedAt, required: true)!
      let reporter = try fields.text(.reporterID, required: true, maxLength: 256, personal: true)!
      let (rawURL, url) = try fields.url(.url, using: urls)
      let category = try fields.enumeration(.category, Category.self, required: true)!
      let channel = try fields.enumeration(.channel, Channel.self, required: false) ?? .inChat
      let description = try fields.text(.description, required: false, maxLength: 2000, multiline: true).map(
        PersonalNumberMask.mask)
      let status = try fields.enumeration(.status, ComplaintStatus.self, required: true)!
      let resolved = status == .resolved
      if !resolved {
        for c in [Column.resolvedAt, .outcome, .actionTaken, .duplicateOf] {
          if let given = fields.raw(c) {
            throw RowProblem(column: c.name, value: given, expected: "empty while status is open")
          }
        }
      }
      let resolvedAt = try fields.timestamp(.resolvedAt, required: resolved, when: "status is resolved")
      let outcome = try fields.enumeration(.outcome, Outcome.self, required: resolved, when: "status is resolved")
      let actionTaken = try fields.enumeration(
        .actionTaken, ActionTaken.self, required: outcome == .upheld, when: "outcome is upheld")
      let updatedAt = try fields.timestamp(.updatedAt, required: false)
      if let resolvedAt, resolvedAt < receivedAt {
        throw RowProblem(
          column: "resolved_at", value: fields.raw(.resolvedAt), expected: "a time at or after received_at")
      }
      if outcome != .upheld, let given = fields.raw(.actionTaken), resolved {
        throw RowProblem(column: "action_taken", value: given, expected: "empty unless outcome is upheld")
      }
      let duplicateOf = try fields.identifier(.duplicateOf, required: false, maxLength: 128)
      if let duplicateOf, outcome != .duplicate {
        throw RowProblem(column: "duplicate_of", value: duplicateOf, expected: "empty unless outcome is duplicate")
      }
      if let duplicateOf, duplicateOf == id {
        throw RowProblem(column: "duplicate_of", value: duplicateOf, expected: "the id of another complaint")
      }
      // What the source said, by the column it is stored in; the fingerprint
      // reads them in `fingerprintColumns`' order.
      let said: [String: SQLValue] = [
        "complaint_id": .text(id), "received_at": .text(receivedAt.iso),
        "reporter_pseudonym": .text(pseudonyms.pseudonym(reporter)), "url": .text(rawURL),
        "category": .text(category.rawValue), "channel": .text(channel.rawValue), "description": .optional(description),
        "status": .text(status.rawValue), "resolved_at": .optional(resolvedAt?.iso),
        "outcome": .optional(outcome?.rawValue), "action_taken": .optional(actionTaken?.rawValue),
        "updated_at": .optional(updatedAt?.iso), "duplicate_of": .optional(duplicateOf),
      ]
      let derived: [String: SQLValue] = [
        "batch_id": .integer(batchID), "line": .integer(Int64(line)), "url_normalised": .text(url.normalised),
        "host": .text(url.host), "host_ascii": .text(url.hostASCII), "domain": .text(url.domain),
        "platform_id": .text(platforms[url.domain] ?? "other"),
        "principle": .integer(Int64(category.principle.rawValue)),
        "fingerprint": .text(Self.fingerprint(of: said)),
      ]
      try insert.bind(named: said.merging(derived) { a, _ in a }.reduce(into: [:]) { $0[":" + $1.key] = $1.value })
      try insert.step()
      insert.reset()
      return db.changes > 0
    }
    try RollupMaintenance.apply(.complaintsStored, to: db)
  }

  /// The stored columns a state's fingerprint covers, in the order it reads
  /// them. Never reorder: the fingerprints already stored were made so.
  package static let fingerprintColumns = [
    "complaint_id", "received_at", "reporter_pseudonym", "url", "category", "channel", "description", "status",
    "resolved_at", "outcome", "action_taken", "updated_at",
  ]

  /// A state's fingerprint from what the source said, by stored column:
  /// `fingerprintColumns`, then `duplicate_of` only when given, so a state
  /// without it keeps the fingerprint it had before the column existed.
  package static func fingerprint(of said: [String: SQLValue]) -> String {
    let duplicateOf = said["duplicate_of"].flatMap { $0.text.map { [SQLValue.text($0)] } } ?? []
    return fingerprint(fingerprintColumns.map { said[$0] ?? .null } + duplicateOf)
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
