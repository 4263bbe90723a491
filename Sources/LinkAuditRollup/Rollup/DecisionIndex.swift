import Crypto
import Foundation
import LinkAuditCore
import LinkAuditStore

/// The standing decisions (the `decision` view), indexed by URL and by
/// domain, to test a tap against.
package struct DecisionIndex: Sendable {
  package struct Window: Sendable {
    package let principle: Int
    package let from: Int64
    package let until: Int64
    /// Its position in `complaintIDs`.
    package let decision: Int32
    /// What it prescribes for the link, as an action's strictness: 1 a warning (warn_url), 2 a block.
    package let prescribed: UInt8
  }

  /// The decisions standing on a tap.
  package struct Coverage: Sendable {
    /// Every decision standing (positions in `complaintIDs`).
    package var decisions: [Int32] = []
    /// Principles (bits, 1 << p) with a block decision standing: what
    /// `decision_open` and the figures of opens after a decision read.
    package var blockPrinciples: UInt8 = 0
    /// The strictest treatment prescribed within each principle p (two bits
    /// at 2p: 0 none, 1 warn, 2 block).
    package var prescribed: UInt16 = 0

    package var isEmpty: Bool { decisions.isEmpty }

    /// The strictest treatment principle `p`'s decisions prescribe (0 none).
    package func prescribed(principle p: Int) -> UInt8 { UInt8(prescribed >> (2 * p) & 3) }

    /// The strictest any of them prescribes (0 none).
    package var strictest: UInt8 {
      var most: UInt8 = 0
      for p in 1...4 { most = max(most, prescribed(principle: p)) }
      return most
    }
  }
  private var byURL: [String: [Window]] = [:]
  private var byDomain: [String: [Window]] = [:]
  /// The complaint each decision comes from, in complaint id order.
  package private(set) var complaintIDs: [String] = []
  /// What each decision prescribes (`Window.prescribed`), by position.
  package private(set) var prescribed: [UInt8] = []
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
      let action = try row.text("action_taken")
      let principle = Int(try row.integer("principle"))
      // A principle outside 1-4 would not fit the bits a tap's coverage is kept in: corruption.
      guard (1...4).contains(principle) else {
        throw CorruptValueError(place: "complaint.principle", value: String(principle))
      }
      let window = Window(
        principle: principle, from: from.milliseconds, until: until ?? .max,
        decision: Int32(complaintIDs.count), prescribed: action == "warn_url" ? 1 : 2)
      complaintIDs.append(try row.text("complaint_id"))
      prescribed.append(window.prescribed)
      if action == "block_domain" {
        byDomain[try row.text("domain"), default: []].append(window)
      } else {
        byURL[try row.text("url_normalised"), default: []].append(window)
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

  /// The decisions standing on `url` or `domain` at `ms`: the coverage rule
  /// of every decision figure.
  package func covering(url: String, domain: String, at ms: Int64) -> Coverage {
    // Two lookups, no array of them: this runs for every tap an import reads.
    var c = Coverage()
    if let windows = byURL[url] { Self.note(windows, at: ms, into: &c) }
    if let windows = byDomain[domain] { Self.note(windows, at: ms, into: &c) }
    return c
  }

  private static func note(_ windows: [Window], at ms: Int64, into c: inout Coverage) {
    for w in windows where ms >= w.from && ms < w.until {
      c.decisions.append(w.decision)
      if w.prescribed == 2 { c.blockPrinciples |= 1 << w.principle }
      let shift = UInt16(2 * w.principle)
      if UInt16(w.prescribed) > c.prescribed >> shift & 3 {
        c.prescribed = c.prescribed & ~(3 << shift) | UInt16(w.prescribed) << shift
      }
    }
  }

  package static func each(_ bits: UInt8, _ body: (Int64) throws -> Void) rethrows {
    for p in 1...4 where bits & (1 << p) != 0 { try body(Int64(p)) }
  }
}
