import Crypto
import Foundation
import LinkAuditCore
import LinkAuditStore

/// The standing decisions (the `decision` view), indexed by URL and by
/// domain, to test an opened link against.
package struct DecisionIndex: Sendable {
  package struct Window: Sendable {
    package let principle: Int
    package let from: Int64
    package let until: Int64
    /// Its position in `complaintIDs`.
    package let decision: Int32
  }
  private var byURL: [String: [Window]] = [:]
  private var byDomain: [String: [Window]] = [:]
  /// The complaint each decision comes from, in complaint id order.
  package private(set) var complaintIDs: [String] = []
  /// SHA-256 of the decisions: an import of complaints that leaves it alone
  /// leaves `decision_open` alone.
  package let fingerprint: String

  package var isEmpty: Bool { byURL.isEmpty && byDomain.isEmpty }

  /// No decisions (for a rebuild that does not test coverage).
  package init() { fingerprint = "" }

  package init(database db: Database) throws {
    var hasher = SHA256()
    let rows = try db.records(Self.fingerprintSQL + " ORDER BY complaint_id", source: "the decision view")
    for row in rows {
      Self.hash(row.values, into: &hasher)
      let from = try TimestampParser.stored(row.optionalText("stands_from"), at: "decision.stands_from")
      // Open-ended until a restore; a restore time that does not parse is corruption too.
      let until = try row.optionalText("stands_until").map {
        try TimestampParser.stored($0, at: "decision.stands_until").milliseconds
      }
      let window = Window(
        principle: Int(try row.integer("principle")), from: from.milliseconds, until: until ?? .max,
        decision: Int32(complaintIDs.count))
      complaintIDs.append(try row.text("complaint_id"))
      if try row.text("action_taken") == "block_url" {
        byURL[try row.text("url_normalised"), default: []].append(window)
      } else {
        byDomain[try row.text("domain"), default: []].append(window)
      }
    }
    fingerprint = hex(hasher.finalize())
  }

  /// The decisions' columns as the fingerprint reads them, in complaint id order.
  private static let fingerprintSQL = """
    SELECT complaint_id, principle, action_taken, url_normalised, domain, stands_from, stands_until
    FROM main.decision
    """

  private static func hash(_ values: [SQLValue], into hasher: inout SHA256) {
    hasher.update(data: Data(values.map { $0.text ?? "" }.joined(separator: "\u{1F}").utf8))
    hasher.update(data: Data([0x1E]))
  }

  /// The fingerprint of the decisions that can touch the quarter's figures
  /// (events from `start` until `end`): those standing at some time in it,
  /// each with its standing cut to the quarter (a `stands_from` before the
  /// quarter read as its start, a `stands_until` at or after its end as
  /// none). A warehouse bundle records it for its quarter (the reference
  /// exports it, the import and the stale check compute it here), so a
  /// decision standing only after the quarter, or a restore after it of one
  /// that stood through it, leaves the quarter's bundle alone.
  package static func fingerprint(of db: Database, from start: Timestamp, until end: Timestamp) throws -> String {
    var hasher = SHA256()
    for var row in try db.rows(fingerprintSQL + " WHERE stands_from < ? ORDER BY complaint_id", [.text(end.iso)]) {
      let from = try TimestampParser.stored(row[5].text, at: "decision.stands_from")
      let until = try row[6].text.map { try TimestampParser.stored($0, at: "decision.stands_until") }
      if let until, until.milliseconds <= start.milliseconds { continue }
      if from.milliseconds < start.milliseconds { row[5] = .text(start.iso) }
      if let until, until.milliseconds >= end.milliseconds { row[6] = .null }
      hash(row, into: &hasher)
    }
    return hex(hasher.finalize())
  }

  /// The decisions standing on `url` or `domain` at `ms` (positions in
  /// `complaintIDs`), and their principles as bits (1 << p).
  package func covering(url: String, domain: String, at ms: Int64) -> (decisions: [Int32], principles: UInt8) {
    var bits: UInt8 = 0
    var decisions: [Int32] = []
    for w in byURL[url] ?? [] where ms >= w.from && ms < w.until {
      bits |= 1 << w.principle
      decisions.append(w.decision)
    }
    for w in byDomain[domain] ?? [] where ms >= w.from && ms < w.until {
      bits |= 1 << w.principle
      decisions.append(w.decision)
    }
    return (decisions, bits)
  }

  package static func each(_ bits: UInt8, _ body: (Int64) throws -> Void) rethrows {
    for p in 1...4 where bits & (1 << p) != 0 { try body(Int64(p)) }
  }
}
