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
  }
  private var byURL: [String: [Window]] = [:]
  private var byDomain: [String: [Window]] = [:]
  /// SHA-256 of the decisions: an import of complaints that leaves it alone
  /// leaves `decision_open` alone.
  package let fingerprint: String

  package var isEmpty: Bool { byURL.isEmpty && byDomain.isEmpty }

  /// No decisions (for a rebuild that does not test coverage).
  package init() { fingerprint = "" }

  package init(database db: Database) throws {
    var hasher = SHA256()
    let rows = try db.rows(
      """
      SELECT principle, action_taken, url_normalised, domain, stands_from, stands_until FROM main.decision
      ORDER BY complaint_id
      """)
    for row in rows {
      hasher.update(data: Data(row.map { $0.text ?? "" }.joined(separator: "\u{1F}").utf8))
      hasher.update(data: Data([0x1E]))
      guard let principle = row[0].integer else { throw CorruptValueError(place: "decision.principle", value: nil) }
      let from = try TimestampParser.stored(row[4].text, at: "decision.stands_from")
      let until = row[5].text.flatMap { TimestampParser.utc.parse($0) }?.milliseconds ?? .max
      let window = Window(principle: Int(principle), from: from.milliseconds, until: until)
      if row[1].text == "block_url" {
        byURL[row[2].text ?? "", default: []].append(window)
      } else {
        byDomain[row[3].text ?? "", default: []].append(window)
      }
    }
    fingerprint = hex(hasher.finalize())
  }

  /// The principles whose decisions stand on `url` or `domain` at `ms`, as bits (1 << p).
  package func principles(url: String, domain: String, at ms: Int64) -> UInt8 {
    var bits: UInt8 = 0
    for w in byURL[url] ?? [] where ms >= w.from && ms < w.until { bits |= 1 << w.principle }
    for w in byDomain[domain] ?? [] where ms >= w.from && ms < w.until { bits |= 1 << w.principle }
    return bits
  }

  package static func each(_ bits: UInt8, _ body: (Int64) throws -> Void) rethrows {
    for p in 1...4 where bits & (1 << p) != 0 { try body(Int64(p)) }
  }
}
