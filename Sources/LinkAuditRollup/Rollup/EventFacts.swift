import Foundation
import LinkAuditCore
import LinkAuditStore

/// A pseudonym's 128 bits: what the rollups know of a user.
package struct UserBits: Hashable, Sendable {
  package var high: UInt64
  package var low: UInt64

  package init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  /// From the 32 lower-case hexadecimal digits the database stores; nil for anything else.
  package init?(stored text: String) {
    guard text.utf8.count == 32, text.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
      return nil
    }
    (high, low) = PseudonymBits.bits(text)
  }
}

/// Everything a rollup needs about one event, or about `count` identical
/// events: what it is counted by, its user in its quarter, and the decisions
/// that stood on it when it was opened. An import makes it from the row it
/// read, a rebuild from the row it stored, a warehouse from its counts (one
/// value per group, `count` events, `user` nil: users arrive as their own rows).
package struct EventFacts: Sendable {
  /// What the event is counted by in `event_month` and `host_month`.
  package var key: RollupKey
  /// The start of its quarter in the rollup zone (UTC milliseconds).
  package var quarter: Int64
  package var user: UserBits?
  /// Principles (bits, 1 << p) with a block decision standing on the URL or
  /// domain when it was opened or warned (a blocked event is what a block
  /// decision asks for): `decision_open` and the opens after a decision.
  package var covered: UInt8
  /// Every decision standing on it then, whatever its action (decisions enforced).
  package var coverage: DecisionIndex.Coverage = .init()
  /// The decisions standing on it then (positions in `DecisionIndex.complaintIDs`).
  package var decisions: [Int32] { coverage.decisions }
  /// The normalised URL, kept only for a tap under a decision (for `decision_open`).
  package var coveredURL: String?
  package var occurredAt: Int64
  /// Its URL's key (`URLKey`); nil for counts of several events.
  package var urlKey: Int64?
  /// The normalised URL, kept only for a warn or block with a category as reason (a restriction).
  package var restrictedURL: String?
  /// The start of its day in the rollup zone (UTC milliseconds).
  package var day: Int64
  package var count: Int64 = 1
}

/// The one derivation of an event's facts from its attributes: the month and
/// quarter it falls in, its codes, its policy version and the decisions that
/// covered it. An import runs it on the reading thread over the row it read; a
/// rebuild over the rows it reads back. Owned by one thread (the month cache).
package struct EventDeriver: Sendable {
  private var locator: MonthLocator
  private let decisions: DecisionIndex

  package init(timeZone: TimeZone, decisions: DecisionIndex) {
    locator = MonthLocator(timeZone: timeZone)
    self.decisions = decisions
  }

  // A decision's coverage is tested on every tap, blocked or not: its taps count its blocks too.

  /// `policy` is the version's index in the policy timeline (nil: before the first).
  package mutating func facts(
    batch: Int64, occurredAt ms: Int64, host: Int64, scene: Scene, action: LinkAction, reason: EventReason?,
    detectedBy: DetectedBy, policy: Int?, url: String, domain: String, user: UserBits?
  ) -> EventFacts {
    let coverage = decisions.isEmpty ? DecisionIndex.Coverage() : decisions.covering(url: url, domain: domain, at: ms)
    // What a block decision did not stop: its opens and warnings.
    let covered = action == .block ? 0 : coverage.blockPrinciples
    let (month, quarter) = locator.locate(ms)
    return EventFacts(
      key: RollupKey(
        batch: batch, month: month, host: host, scene: RollupCodes.code(scene), action: RollupCodes.code(action),
        reason: RollupCodes.reason(reason?.category, given: reason != nil), detectedBy: RollupCodes.code(detectedBy),
        policy: policy.map { Int32($0) } ?? -1),
      quarter: quarter, user: user,
      covered: covered, coverage: coverage, coveredURL: coverage.isEmpty ? nil : url, occurredAt: ms,
      urlKey: URLKey.of(url), restrictedURL: reason?.category != nil && action != .open ? url : nil,
      day: locator.day(ms))
  }
}
